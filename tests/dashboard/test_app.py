"""The app's plumbing over HTTP: the server's own timing on every answer, GeoJSON and JSON
compressed on the wire."""

from __future__ import annotations

import pytest

from gridmap.settings import Settings

from .conftest import demo_store


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("app")
    url = demo_store(data, incidents=1500, seed=13)
    from gridmap.dashboard.app import create_app

    return create_app(Settings(store_url=url, data_dir=data)).server.test_client()


def test_every_answer_says_how_long_the_server_worked(client):
    from gridmap.bench.browser_page import server_timing

    answer = client.get("/geo/grid.geojson")
    wall, cpu = server_timing(answer.headers), server_timing(answer.headers, "cpu")
    assert wall is not None and cpu is not None and 0 <= cpu <= wall + 1


@pytest.mark.parametrize("path", ["/geo/grid.geojson", "/live/open.json", "/geo/street.geojson"])
def test_geometry_and_live_data_go_compressed(client, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.headers.get("Content-Encoding") == "gzip"
    if len(plain.data) > 2000:
        assert len(packed.data) < len(plain.data) / 2
