"""The plain MapLibre page of the browser benchmarks: the same data as our wall, served
gzipped (its paint is measured by ``gridmap bench --only browser``)."""

from __future__ import annotations

import gzip
import json

import pytest

from gridmap.bench.plain_app import create_app
from gridmap.feed.store import open_store

from ..dashboard.conftest import demo_store


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    url = demo_store(tmp_path_factory.mktemp("plain"), incidents=300, seed=5)
    return url, create_app(url).test_client()


def _json(client, path: str):
    answer = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(answer.data))


def test_the_plain_page_draws_what_the_wall_draws(plain):
    url, client = plain
    with open_store(url) as store:
        grids = store.get_areas("grid")
        located = store.get_incidents(open_only=True).dropna(subset=["lon"])
    drawn = _json(client, "/data/grids.json")["features"]
    assert {f["properties"]["code"] for f in drawn} == set(grids["code"])
    assert sum(f["properties"]["n"] for f in drawn) == located["grid_code"].notna().sum()
    assert len(_json(client, "/data/open.json")["features"]) == len(located)
    assert _json(client, "/style.json")["layers"]  # the wall's own offline style
    page = client.get("/").data.decode()  # without gzip asked: plain
    assert "/maplibre-gl.js" in page and "window.plainPainted" in page
    assert "http" not in page  # nothing from another host
    assert client.get("/maplibre-gl.js").data.startswith(b"/**")
    assert client.get("/data/secrets.json").status_code == 404
    glyphs = client.get("/glyphs/Open Sans Regular/0-255.pbf")  # as the wall's server answers
    assert glyphs.status_code == 200 and glyphs.data == b""
