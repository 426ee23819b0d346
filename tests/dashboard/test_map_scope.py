"""Every map data route answers only inside the caller's area: the geometry, the desk's
incidents, reports and figures, the wall map's bounds, the building tiles (a street office
of the probe's district against its neighbour, and the centre seeing both)."""

from __future__ import annotations

import pytest

from gridmap.feed.store import open_store

from .probe import login as _login
from .probe import probe_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return probe_app(tmp_path_factory.mktemp("map-scope"))


@pytest.mark.parametrize(
    "path",
    [
        "/geo/street.geojson",
        "/geo/community.geojson",
        "/geo/grid.geojson",
        "/geo/labels/street.geojson",
        "/geo/labels/community.geojson",
    ],
)
def test_geometry_answers_only_inside_the_callers_area(app, path):
    answer = _login(app, "street1").get(path)
    assert answer.status_code == 200
    assert (
        "private" in answer.headers["Cache-Control"]
        and "public" not in answer.headers["Cache-Control"]
    )
    codes = [f["properties"]["code"] for f in answer.get_json()["features"]]
    assert codes and all(c.startswith(app.mine) for c in codes), path
    whole = _login(app, "centre1").get(path).get_json()["features"]
    assert any(f["properties"]["code"].startswith(app.other) for f in whole)


def test_the_desk_maps_data_answers_only_inside_the_callers_area(app):
    street, centre = _login(app, "street1"), _login(app, "centre1")
    theirs = app.theirs["incident_id"]
    for path in ("/desk/open.geojson", "/desk/open.geojson?status=" + app.theirs["status"]):
        ids = [f["properties"]["incident_id"] for f in street.get(path).get_json()["features"]]
        assert ids and theirs not in ids, path
        assert theirs in [
            f["properties"]["incident_id"] for f in centre.get(path).get_json()["features"]
        ]
    with open_store(app.url) as store:
        mine = set(store.get_incidents(area_code=app.mine)["incident_id"])
        everywhere = store.report_points(0)
    reports = street.get("/desk/reports.geojson?hours=720").get_json()["features"]
    assert 0 < len(reports) < len(everywhere.dropna(subset=["lon"]))
    assert len(reports) <= len(mine)
    for figure in ("open", "overdue", "on_time_rate"):
        for level in ("street", "community", "grid"):
            path = f"/desk/figures/{level}_choropleth.json?figure={figure}"
            codes = street.get(path).get_json()["codes"]
            assert all(c.startswith(app.mine) for c in codes), path
    codes = street.get("/desk/figures/grid_choropleth.json?figure=open").get_json()["codes"]
    assert codes and not any(c.startswith(app.other) for c in codes)


def test_the_wall_map_shows_the_callers_area_whole(app):
    import shapely

    with open_store(app.url) as store:
        streets = store.get_areas("street").set_index("code")
    mine = _login(app, "street1").get("/live/map.json").get_json()["bounds"]
    whole = _login(app, "centre1").get("/live/map.json").get_json()["bounds"]
    assert mine == pytest.approx(list(streets.geometry[app.mine].bounds), abs=1e-4)
    assert shapely.box(*whole).contains(shapely.box(*mine)) and mine != whole


def test_building_tiles_hold_only_the_callers_area(app):
    import math

    import mapbox_vector_tile

    with open_store(app.url) as store:
        buildings = store.get_buildings()
    theirs = buildings[buildings["grid_code"].str.startswith(app.other)].iloc[0]
    point = theirs.geometry.representative_point()
    n = 2**16
    x = int((point.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(point.y))) / math.pi) / 2 * n)
    path = f"/tiles/buildings/16/{x}/{y}.pbf"

    def ids(client) -> set[str]:
        answer = client.get(path)
        assert answer.status_code in (200, 204)
        assert "private" in answer.headers["Cache-Control"]
        if answer.status_code == 204:
            return set()
        layer = mapbox_vector_tile.decode(answer.data)["buildings"]
        return {f["properties"]["building_id"] for f in layer["features"]}

    assert theirs["building_id"] in ids(_login(app, "centre1"))
    assert theirs["building_id"] not in ids(_login(app, "street1"))
    street = _login(app, "street1")
    assert street.get(f"/tiles/buildings/9/{x >> 7}/{y >> 7}.pbf").status_code == 404
    assert street.get("/tiles/buildings/16/99999999/1.pbf").status_code == 404


def test_a_community_sees_its_street_outline_for_orientation_but_not_the_others(app):
    client = _login(app, "comm1")
    streets = [
        f["properties"]["code"] for f in client.get("/geo/street.geojson").get_json()["features"]
    ]
    assert streets == [app.mine]
    communities = client.get("/geo/community.geojson").get_json()["features"]
    assert [f["properties"]["code"] for f in communities] == [app.community]
    district = client.get("/geo/district.geojson").get_json()["features"]
    assert len(district) == 1 and app.mine.startswith(district[0]["properties"]["code"])


def test_one_areas_outline_answers_only_where_its_level_layer_would_show_it(app):
    mine = _login(app, "street1")
    answer = mine.get(f"/geo/area/{app.community}.geojson")
    assert answer.status_code == 200 and "private" in answer.headers["Cache-Control"]
    (feature,) = answer.get_json()["features"]
    assert feature["properties"]["code"] == app.community
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert mine.get(f"/geo/area/{app.mine}.geojson").status_code == 200
    # another street's, a code of no area and a code that is not one: the same 404
    for code in (app.other, app.mine + "999", "../510108", "x" * 300):
        answer = mine.get(f"/geo/area/{code}.geojson")
        assert answer.status_code == 404, code
        assert app.other not in answer.get_data(as_text=True)
    assert _login(app, "centre1").get(f"/geo/area/{app.other}.geojson").status_code == 200
