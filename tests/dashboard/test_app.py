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


def test_area_labels_lie_inside_their_areas(client):
    import shapely

    streets = {
        f["properties"]["code"]: shapely.geometry.shape(f["geometry"])
        for f in client.get("/geo/street.geojson").get_json()["features"]
    }
    labels = client.get("/geo/labels/street.geojson").get_json()["features"]
    assert len(labels) == len(streets) == 11  # Chenghua's streets
    for label in labels:
        point = shapely.geometry.shape(label["geometry"])
        assert label["properties"]["name"].endswith("街道")
        assert streets[label["properties"]["code"]].buffer(1e-4).contains(point)
    (district,) = client.get("/geo/labels/district.geojson").get_json()["features"]
    assert district["properties"]["name"] == "成华区"
    assert client.get("/geo/labels/grid.geojson").status_code == 404
