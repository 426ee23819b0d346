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
    from gridmap.dashboard.shell.app import create_app

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


def test_glyph_ranges_are_answered_empty_here(client):
    # CJK comes from the browser's fonts; a range is never asked of another host
    answer = client.get("/glyphs/Open Sans Regular/0-255.pbf")
    assert answer.status_code == 200 and answer.data == b""


def test_the_tick_names_a_bad_query(client):
    answer = client.get("/live/tick.json?cursor=abc&since=0")
    assert answer.status_code == 400 and "cursor" in answer.get_json()["error"]
    assert client.get("/live/tick.json?cursor=1").status_code == 400  # since is missing
    ok = client.get("/live/tick.json?cursor=0&since=0").get_json()
    assert set(ok) == {"delta", "now", "ticker"} and ok["delta"]["cursor"] > 0


def _panels(client, panels: dict, tour: dict | None = None) -> dict:
    """The wall's panel callback, as the browser posts it."""
    from gridmap.dashboard.wall import ids

    outputs = [
        (ids.WALL_KPIS, "children"),
        (ids.WALL_HOURLY, "children"),
        (ids.WALL_RANKING, "children"),
        (ids.WALL_RANK_TITLE, "children"),
        (ids.WALL_TOP, "children"),
        (ids.WALL_SOURCES, "children"),
        (ids.WALL_PANELS, "data"),
    ]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [
            {"id": ids.WALL_PANEL_TICK, "property": "n_intervals", "value": 1},
            {"id": ids.WALL_TOUR, "property": "data", "value": tour or {"i": -1}},
        ],
        "state": [
            {"id": ids.WALL_PANELS, "property": "data", "value": panels},
        ],
        "changedPropIds": [f"{ids.WALL_PANEL_TICK}.n_intervals"],
    }
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]


def test_panels_go_on_the_wire_only_when_they_changed(client):
    from gridmap.dashboard.wall import ids

    first = _panels(client, {"lang": "zh"})
    assert {ids.WALL_KPIS, ids.WALL_HOURLY, ids.WALL_RANKING, ids.WALL_PANELS} <= set(first)
    assert "今日上报" in str(first[ids.WALL_KPIS])
    assert first[ids.WALL_RANK_TITLE]["children"].startswith("街道排名")
    keys = first[ids.WALL_PANELS]["data"]
    again = _panels(client, keys)
    assert set(again) == {ids.WALL_PANELS}  # nothing changed: only the fingerprints
    english = _panels(client, {"lang": "en"})
    assert "Reported today" in str(english[ids.WALL_KPIS])
    # the tour shows a street: the panels show it, its communities ranked
    street = {"stops": [{"code": "510108004"}], "i": 0}
    toured = _panels(client, keys, street)
    assert toured[ids.WALL_RANK_TITLE]["children"].startswith("社区排名")
    assert ids.WALL_KPIS in toured and ids.WALL_RANKING in toured


def test_a_dense_area_defers_its_dots_until_asked_again(tmp_path_factory):
    from gridmap.dashboard.shell.app import create_app

    data = tmp_path_factory.mktemp("dense")
    url = demo_store(data, incidents=1500, seed=13)
    dense = create_app(Settings(store_url=url, data_dir=data, wall_dense_open=5))
    client = dense.server.test_client()
    first = client.get("/live/open.json?first=1").get_json()
    assert first["deferred"] and first["dense"] and first["count"] > 5
    assert "ids" not in first and first["cursor"] > 0 and first["state_colours"]
    full = client.get("/live/open.json").get_json()
    assert full["dense"] and len(full["ids"]) == first["count"]
    sparse = create_app(Settings(store_url=url, data_dir=data)).server.test_client()
    answer = sparse.get("/live/open.json?first=1").get_json()
    assert not answer["dense"] and len(answer["ids"]) == first["count"]  # all at once


def test_unknown_data_paths_are_json_404s_not_the_page(client):
    for path in (
        "/geo/choropleth/grid_choropleth/0.geojson",  # the plotly desk's, gone
        "/desk/nothing.json",
        "/live/x/y.json",
        "/glyphs/a/b/c",
    ):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.get_json()["field"] == "path", path
    assert client.get("/desk/figures/street_outlines.json").status_code == 404
    assert client.get("/geo/grid.geojson").status_code == 200


def test_the_wall_map_is_described_by_one_route_and_the_page_only_mounts_it(client):
    from gridmap.dashboard.shared.mapview import wall_map_layers

    described = client.get("/live/map.json")
    assert described.status_code == 200 and described.headers["Cache-Control"] == "no-store"
    config = described.get_json()
    assert config["style"] == "/map-style/wall.json"
    assert config["layers"] == wall_map_layers()  # one district: streets named at every zoom
    west, south, east, north = config["bounds"]
    assert 104.0 < west < east < 104.3 and 30.6 < south < north < 30.8  # Chenghua, whole


@pytest.mark.parametrize("path", ["/", "/wall"])
def test_pages_load_their_scripts_in_the_maps_order_without_dashs_polyfill(client, path):
    import re

    from gridmap.dashboard.shell.app import GridmapDash

    html = client.get(path).get_data(as_text=True)
    tags = re.findall(r'<script(?: type="([^"]+)")? src="([^"]+)"', html)
    scripts = [src for _type, src in tags]
    assert any("/dash-renderer/" in s for s in scripts)  # Dash itself is still there
    assert any("/vendor/regenerator-runtime/runtime.js" in s for s in scripts)
    assert not any("polyfill" in s for s in scripts)
    assert any("dash_ag_grid" in s for s in scripts) == (path == "/")  # the wall has no table
    # the map's library and the pages' own scripts run first: they start the map's requests
    first_dash = min(i for i, s in enumerate(scripts) if "/_dash-component-suites/" in s)
    assert "maplibre-gl.js" in scripts[0] and all("/assets/" in s for s in scripts[:first_dash])
    # the wall's map is drawn before Dash's libraries run: they are held until it painted
    held = {src for kind, src in tags if kind == GridmapDash.LATER_TYPE}
    dash_libraries = {s for s in scripts if "/_dash-component-suites/" in s}
    assert held == (dash_libraries if path == "/wall" else set())
    assert (f'"{GridmapDash.LATER_TYPE}"' in html) == (path == "/wall")  # and its starter
