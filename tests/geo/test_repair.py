"""Tests of gridmap.geo.repair: every messy boundary ends valid and RFC 7946-oriented."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridmap.geo.repair import RepairReport, repair_polygons

#: Fixtures are drawn in units of 1/1024 degree (~96 m east, ~108 m north) from a
#: corner in Chengdu's Chenghua district, so, like many real files, every vertex sits
#: on the 1/1024-degree lattice.
UNIT = 1 / 1024
ORIGIN = np.array([104.0625, 30.65625])
METRIC = "EPSG:4544"


def lonlat(wkt: str) -> shapely.Geometry:
    """A geometry written in lattice units, moved to lon/lat near Chengdu."""
    return shapely.transform(shapely.from_wkt(wkt), lambda xy: xy * UNIT + ORIGIN)


def area_m2(wkt: str) -> float:
    """Expected area, computed independently of the code under test (geopandas)."""
    return float(gpd.GeoSeries([lonlat(wkt)], crs="EPSG:4326").to_crs(METRIC).area.iloc[0])


def rounded_ring() -> shapely.Geometry:
    """A surveyed quadrilateral whose coordinates were rounded to 1/1024 degree.

    The vertices near (3, 0) round to the same lattice point: a repeated point.
    """
    raw = np.array([(0.1, 0.1), (3.1, -0.2), (3.3, 0.2), (3.2, 2.9), (0.2, 3.1), (0.1, 0.1)])
    return shapely.Polygon(np.round((raw * UNIT + ORIGIN) * 1024) / 1024)


SQUARE = "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))"

#: name -> input geometry (WKT in lattice units, a geometry, or None)
INPUTS: dict[str, str | shapely.Geometry | None] = {
    "bowtie": "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))",
    "clockwise": "POLYGON ((0 0, 0 2, 2 2, 2 0, 0 0))",
    "repeated": "POLYGON ((0 0, 1 0, 1 0, 2 0, 2 2, 2 2, 0 2, 0 2, 0 0))",
    "spike": "POLYGON ((0 0, 2 0, 2 1, 3 1, 2 1, 2 2, 0 2, 0 0))",
    "collapsed_part": (
        "MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((3 0, 5 0, 5 2, 3 2, 3 0)),"
        " ((6 0, 7 0, 8 0, 6 0)))"
    ),
    "null": None,
    "empty": "POLYGON EMPTY",
    "multipolygon": "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((2 0, 3 0, 3 1, 2 1, 2 0)))",
    "rounded": rounded_ring(),
    "hole": "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))",
    "line": "LINESTRING (0 0, 1 1)",
    "flat": "POLYGON ((0 0, 1 0, 2 0, 0 0))",
    "collection": f"GEOMETRYCOLLECTION ({SQUARE}, LINESTRING (0 0, 5 5))",
    "overlapping_parts": (
        "MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((1 1, 3 1, 3 3, 1 3, 1 1)))"
    ),
    "loop": "POLYGON ((0 0, 4 0, 4 4, 1 4, 1 1, 3 1, 3 3, 0 3, 0 0))",
    "clean": SQUARE,
}

#: name -> (status, action that must be named, WKT of the expected result's area)
KEPT = {
    "bowtie": (
        "repaired",
        "fixed self-intersection",
        "MULTIPOLYGON (((0 0, 1 1, 0 2, 0 0)), ((2 0, 2 2, 1 1, 2 0)))",
    ),
    "clockwise": ("ok", "re-oriented exterior ring to counter-clockwise", SQUARE),
    "repeated": ("repaired", "removed 3 repeated points", SQUARE),
    "spike": ("repaired", "removed spike", SQUARE),
    "collapsed_part": (
        "repaired",
        "dropped 1 line part left by repair",
        "MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((3 0, 5 0, 5 2, 3 2, 3 0)))",
    ),
    "multipolygon": ("ok", None, INPUTS["multipolygon"]),
    "rounded": ("repaired", "removed 1 repeated point", "POLYGON ((0 0, 3 0, 3 3, 0 3, 0 0))"),
    "hole": ("ok", "re-oriented 1 hole ring to clockwise", INPUTS["hole"]),
    "collection": ("repaired", "dropped 1 line part from GeometryCollection", SQUARE),
    "overlapping_parts": (
        "repaired",
        "merged 2 polygons into 1",
        "POLYGON ((0 0, 2 0, 2 1, 3 1, 3 3, 1 3, 1 2, 0 2, 0 0))",
    ),
    "loop": (
        "repaired",
        "fixed self-intersection",
        "POLYGON ((0 0, 4 0, 4 4, 1 4, 1 3, 0 3, 0 0))",
    ),
    "clean": ("ok", None, SQUARE),
}

REJECTED = {
    "null": "null geometry",
    "empty": "empty geometry",
    "line": "not a polygon type (LineString)",
    "flat": "no polygonal part left after repair (a LineString left)",
}


def _geometry(value: str | shapely.Geometry | None) -> shapely.Geometry | None:
    return lonlat(value) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def messy() -> gpd.GeoDataFrame:
    names = list(INPUTS)
    return gpd.GeoDataFrame(
        {
            "code": [f"510108001001{i:03d}" for i in range(len(names))],
            "name": [f"网格{i}" for i in range(len(names))],
            "households": np.arange(len(names)) * 10,
        },
        geometry=[_geometry(INPUTS[n]) for n in names],
        index=names,
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def repaired(messy: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, RepairReport]:
    return repair_polygons(messy, id_column="code")


def _record(report: RepairReport, name: str):
    (record,) = [r for r in report.records if r.index == name]
    return record


def test_every_kept_feature_is_valid_polygonal_and_rfc7946(repaired):
    out, _ = repaired
    geoms = np.asarray(out.geometry.array)
    assert set(out.geom_type) <= {"Polygon", "MultiPolygon"}
    assert shapely.is_valid(geoms).all()
    parts = shapely.get_parts(geoms)
    assert shapely.is_ccw(shapely.get_exterior_ring(parts)).all()
    holes = [h for p in parts for h in p.interiors]
    assert holes and not any(shapely.is_ccw(h) for h in holes)


@pytest.mark.parametrize(("name", "expected"), KEPT.items(), ids=list(KEPT))
def test_fix_is_named_and_area_is_right(repaired, name, expected):
    out, report = repaired
    status, action, expected_wkt = expected
    record = _record(report, name)
    assert record.status == status
    if action is None:
        assert record.actions == ()
    else:
        assert action in record.actions
    expected_area = area_m2(expected_wkt)
    measured = float(out.loc[[name]].to_crs(METRIC).area.iloc[0])
    assert measured == pytest.approx(expected_area, rel=1e-6)
    assert record.area_after_m2 == pytest.approx(expected_area, rel=1e-6)


def test_bowtie_becomes_its_two_triangles(repaired):
    out, report = repaired
    record = _record(report, "bowtie")
    triangles = area_m2("MULTIPOLYGON (((0 0, 1 1, 0 2, 0 0)), ((2 0, 2 2, 1 1, 2 0)))")
    assert out.loc["bowtie"].geometry.geom_type == "MultiPolygon"
    assert len(out.loc["bowtie"].geometry.geoms) == 2
    # drawn area of the input = both lobes, so the repair keeps the area and is not flagged
    assert record.area_before_m2 == pytest.approx(triangles, rel=1e-6)
    assert abs(record.area_change) < 1e-6
    assert not record.area_flagged
    assert record.validity.startswith("Self-intersection")


def test_spike_is_cut_off_exactly(repaired):
    out, _ = repaired
    assert shapely.equals(out.loc["spike"].geometry, lonlat(SQUARE))


def test_collection_left_by_repair_is_merged_into_multipolygon(repaired):
    out, report = repaired
    record = _record(report, "collapsed_part")
    assert "merged GeometryCollection parts into MultiPolygon" in record.actions
    assert out.loc["collapsed_part"].geometry.geom_type == "MultiPolygon"


def test_clean_feature_is_untouched(messy, repaired):
    out, _ = repaired
    assert shapely.equals_exact(out.loc["clean"].geometry, messy.loc["clean"].geometry)


@pytest.mark.parametrize(("name", "reason"), REJECTED.items(), ids=list(REJECTED))
def test_rejected_features_carry_reasons(repaired, name, reason):
    out, report = repaired
    record = _record(report, name)
    assert record.status == "rejected"
    assert record.reason == reason
    assert record.area_after_m2 is None
    assert name not in out.index
    assert report.rejected.loc[name, "reject_reason"] == reason


def test_nothing_disappears(messy, repaired):
    out, report = repaired
    assert [r.index for r in report.records] == list(messy.index)
    assert len(out) + len(report.rejected) == len(messy)
    assert sorted(report.rejected.index) == sorted(REJECTED)


def test_attributes_and_order_are_kept(messy, repaired):
    out, report = repaired
    assert list(out.columns) == list(messy.columns)
    assert list(out.index) == [n for n in messy.index if n not in REJECTED]
    kept = messy.drop(index=list(REJECTED))
    assert out[["code", "name", "households"]].equals(kept[["code", "name", "households"]])
    assert out.crs == messy.crs
    # rejected rows keep their attributes and original geometry
    rejected = report.rejected
    assert rejected.loc["line", "name"] == messy.loc["line", "name"]
    assert shapely.equals_exact(rejected.loc["line"].geometry, messy.loc["line"].geometry)


@pytest.mark.parametrize(
    ("name", "tolerance", "flagged"),
    [
        ("overlapping_parts", 0.05, True),  # overlap of 1 of 8 units: -12.5 %
        ("overlapping_parts", 0.20, False),
        ("loop", 0.05, True),  # the doubly drawn 2x2 core counts twice before: -21 %
        ("loop", 0.25, False),
        ("bowtie", 0.0001, False),
    ],
)
def test_big_area_change_is_flagged(messy, name, tolerance, flagged):
    _, report = repair_polygons(messy, id_column="code", area_tolerance=tolerance)
    record = _record(report, name)
    assert record.status == "repaired"
    assert record.area_flagged is flagged
    assert any(a.startswith("warning: area changed") for a in record.actions) is flagged
    assert (record in report.flagged()) is flagged


def test_overlapping_parts_change_is_measured(repaired):
    _, report = repaired
    record = _record(report, "overlapping_parts")
    two_squares = area_m2(SQUARE) + area_m2("POLYGON ((1 1, 3 1, 3 3, 1 3, 1 1))")
    assert record.area_before_m2 == pytest.approx(two_squares, rel=1e-6)
    assert record.area_change == pytest.approx(-1 / 8, abs=1e-4)
    assert "warning: area changed by -12.5% (more than 5%)" in record.actions


def test_summary_and_json(repaired):
    _, report = repaired
    summary = report.summary()
    assert summary["loaded"] == len(INPUTS)
    assert summary["rejected"] == len(REJECTED)
    assert summary["ok"] == 4  # two untouched, two only re-oriented
    assert summary["ok"] + summary["repaired"] + summary["rejected"] == summary["loaded"]
    assert summary["actions"]["removed_spike"] == 1
    assert summary["actions"]["reoriented_exterior"] == 1
    assert summary["actions"]["fixed_self_intersection"] >= 3
    assert summary["reasons"]["null geometry"] == 1
    data = json.loads(report.to_json())
    assert data["metric_crs"] == METRIC
    assert data["summary"] == summary
    assert len(data["records"]) == len(INPUTS)
    bowtie = next(r for r in data["records"] if r["index"] == "bowtie")
    assert bowtie["actions"][0] == "fixed self-intersection"
    assert bowtie["action_kinds"][0] == "fixed_self_intersection"
    assert "网格" not in report.to_json()  # attributes are not in the records
    codes = dict(zip(INPUTS, (f"510108001001{i:03d}" for i in range(len(INPUTS))), strict=True))
    assert report.rejected_ids() == [codes[n] for n in INPUTS if n in REJECTED]


def test_duplicate_ids_are_kept_and_reported_per_feature():
    gdf = gpd.GeoDataFrame(
        {"code": ["A", "A"]}, geometry=[lonlat(SQUARE), lonlat(SQUARE)], crs="EPSG:4326"
    )
    out, report = repair_polygons(gdf, id_column="code")
    assert len(out) == 2
    assert [(r.index, r.id) for r in report.records] == [(0, "A"), (1, "A")]


@pytest.mark.parametrize(("min_area", "parts"), [(1.0, 1), (0.0, 2)])
def test_sliver_parts_are_dropped_and_reported(min_area, parts):
    tiny = UNIT / 1000  # ~0.1 m: a triangle of ~0.005 m²
    sliver = shapely.Polygon([(0, 0), (tiny, 0), (0, tiny)])
    geom = shapely.MultiPolygon(
        [lonlat(SQUARE), shapely.transform(sliver, lambda xy: xy + ORIGIN + 3 * UNIT)]
    )
    gdf = gpd.GeoDataFrame({"code": ["S"]}, geometry=[geom], crs="EPSG:4326")
    out, report = repair_polygons(gdf, id_column="code", min_part_area_m2=min_area)
    assert shapely.get_num_geometries(out.geometry.iloc[0]) == parts
    dropped = "dropped 1 sliver part smaller than 1 m²" in report.records[0].actions
    assert dropped is (parts == 1)


def test_no_crs_is_taken_as_wgs84():
    gdf = gpd.GeoDataFrame({"code": ["A"]}, geometry=[lonlat(SQUARE)])
    out, report = repair_polygons(gdf, id_column="code")
    assert out.crs == "EPSG:4326"
    assert report.records[0].area_after_m2 == pytest.approx(area_m2(SQUARE), rel=1e-6)


def test_projected_input_is_refused():
    gdf = gpd.GeoDataFrame({"code": ["A"]}, geometry=[lonlat(SQUARE)], crs="EPSG:4326")
    with pytest.raises(ValueError, match="lon/lat"):
        repair_polygons(gdf.to_crs(METRIC), id_column="code")


def test_missing_id_column_is_refused(messy):
    with pytest.raises(KeyError, match="grid_code"):
        repair_polygons(messy, id_column="grid_code")
