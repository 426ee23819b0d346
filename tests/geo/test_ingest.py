"""Tests of gridmap.geo.ingest: boundary files as Chinese offices make them."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridmap.geo.coords import wgs84_to_gcj02
from gridmap.geo.crs import CoordinateError
from gridmap.geo.ingest import LayerImportError, import_areas, import_points

GK = "EPSG:4544"  # CGCS2000 / 3-degree Gauss-Kruger CM 105E


def _square(x, y, size=0.004):
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


@pytest.fixture
def messy_grids() -> gpd.GeoDataFrame:
    """Six grids in WGS84: clean, clockwise, bow-tie, repeated points, coarse, null."""
    x0, y0 = 104.10, 30.66
    clean = shapely.Polygon(_square(x0, y0))
    clockwise = shapely.Polygon(_square(x0 + 0.004, y0)[::-1])
    a, b, c, d = (
        (x0 + 0.008, y0),
        (x0 + 0.012, y0),
        (x0 + 0.012, y0 + 0.004),
        (x0 + 0.008, y0 + 0.004),
    )
    bowtie = shapely.Polygon([a, b, d, c, a])  # two triangles meeting in the middle
    ring = _square(x0, y0 + 0.004)
    repeated = shapely.Polygon([ring[0], ring[1], ring[1], ring[2], ring[3], ring[3], ring[4]])
    coarse_ring = np.round(np.array(_square(x0 + 0.004, y0 + 0.004)) * 1024) / 1024
    coarse = shapely.Polygon(coarse_ring)
    return gpd.GeoDataFrame(
        {
            "网格编码": [
                "510108004006001",
                "510108004006002",
                "510108004006003",
                "510108004006004",
                "510108004006005",
                "510108004006006",
            ],
            "网格名称": ["新鸿社区第1网格", "第2网格", "第3网格", "第4网格", "第5网格", "第6网格"],
            "所属社区": ["510108004006"] * 6,
        },
        geometry=[clean, clockwise, bowtie, repeated, coarse, None],
        crs="EPSG:4326",
    )


def _gbk_shapefile(frame: gpd.GeoDataFrame, path) -> None:
    frame.to_file(path, engine="pyogrio", encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)


def test_messy_gk_shapefile_keeps_every_feature(messy_grids, tmp_path):
    path = tmp_path / "网格.shp"
    _gbk_shapefile(messy_grids.to_crs(GK), path)
    result = import_areas(path, level="grid")
    frame, report = result.frame, result.report
    # every feature with a geometry is kept, valid, polygonal and counter-clockwise
    assert len(frame) == 5
    geoms = np.asarray(frame.geometry.values)
    assert shapely.is_valid(geoms).all()
    assert set(shapely.get_type_id(geoms)) <= {3, 6}
    assert frame["name"].iloc[0] == "新鸿社区第1网格"
    assert frame["parent_code"].eq("510108004006").all()
    # the area of each is about what was drawn (bow-tie: its two triangles)
    metric = frame.to_crs(GK).area.to_numpy()
    expected = messy_grids.iloc[:5].to_crs(GK)
    expected_area = expected.area.to_numpy().copy()
    tri = shapely.area(shapely.make_valid(expected.geometry.iloc[2], method="structure"))
    expected_area[2] = tri
    np.testing.assert_allclose(metric, expected_area, rtol=0.01)
    # the report says what was repaired and what was rejected, per feature
    repaired = {r["id"]: r["actions"] for r in report["repairs"]}
    assert any("self-intersection" in a for a in repaired["510108004006003"])
    assert "510108004006002" in repaired
    assert report["rejected"][0]["id"] == "510108004006006"
    assert report["counts"]["loaded"] == 6 and report["counts"]["rejected"] == 1
    assert "4544" in report["crs"]
    json.dumps(report, ensure_ascii=False, default=str)  # machine-readable


def test_projected_without_crs_is_an_error_with_a_hint(messy_grids, tmp_path):
    path = tmp_path / "grids.geojson"
    frame = messy_grids.iloc[:2].to_crs(GK)
    frame = frame.set_crs(None, allow_override=True)
    frame.to_file(path, engine="pyogrio")
    # GeoJSON without a CRS member is taken as WGS84 by GDAL; write raw numbers instead
    raw = json.loads(path.read_text())
    raw.pop("crs", None)
    path.write_text(json.dumps(raw))
    with pytest.raises(CoordinateError, match="EPSG:4544"):
        import_areas(path)
    result = import_areas(path, crs="EPSG:4544")
    assert result.frame.total_bounds[0] == pytest.approx(104.10, abs=1e-6)


def test_gcj02_points_are_converted_back(tmp_path):
    lon, lat = np.array([104.08, 104.15]), np.array([30.65, 30.70])
    gx, gy = wgs84_to_gcj02(lon, lat)
    path = tmp_path / "events.csv"
    rows = "".join(f"E{i + 1},{gx[i]!r},{gy[i]!r}\n" for i in range(2))
    path.write_text("事件编号,经度,纬度\n" + rows.replace("np.float64(", "").replace(")", ""))
    result = import_points(path, crs="gcj02")
    np.testing.assert_allclose(result.frame["lon"], lon, atol=1e-7)
    np.testing.assert_allclose(result.frame["lat"], lat, atol=1e-7)
    assert (
        result.frame["source_crs"].eq("GCJ-02").all()
        or result.frame["source_crs"].str.contains("gcj", case=False).all()
    )
    np.testing.assert_allclose(result.frame["source_x"], gx)
    assert result.frame["id"].tolist() == ["E1", "E2"]


def test_swapped_lon_lat_is_an_error(tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text("id,lon,lat\n1,30.66,104.10\n2,30.67,104.11\n")
    with pytest.raises(CoordinateError, match="swapped"):
        import_points(path)
    ok = import_points(path, swap_xy=True)
    assert ok.frame["lon"].tolist() == [104.10, 104.11]


def test_duplicate_ids_are_rejected_not_dropped(messy_grids, tmp_path):
    frame = messy_grids.iloc[:3].copy()
    frame.loc[2, "网格编码"] = frame.loc[0, "网格编码"]
    path = tmp_path / "dup.gpkg"
    frame.to_file(path, engine="pyogrio")
    result = import_areas(path)
    assert len(result.frame) == 2
    assert "duplicate id" in result.report["rejected"][0]["reason"]
    assert result.report["duplicates"][0]["id"] == "510108004006001"


def test_hierarchy_issues_are_reported(messy_grids, tmp_path):
    community = gpd.GeoDataFrame(
        {"code": ["510108004006"]},
        geometry=[shapely.box(104.10, 30.66, 104.108, 30.668)],
        crs="EPSG:4326",
    )
    path = tmp_path / "grids.gpkg"
    messy_grids.iloc[:3].to_file(path, engine="pyogrio")
    result = import_areas(path, parents=community)
    kinds = {i["kind"] for i in result.report["hierarchy"]}
    assert "outside_parent" in kinds  # the bow-tie lies east of the community


def test_missing_id_column_names_the_columns(tmp_path):
    frame = gpd.GeoDataFrame(
        {"备注": ["x"]}, geometry=[shapely.box(104.1, 30.6, 104.2, 30.7)], crs="EPSG:4326"
    )
    path = tmp_path / "noid.geojson"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(LayerImportError, match="备注"):
        import_areas(path)
    with pytest.raises(LayerImportError, match="allowed"):
        import_areas(path, level="province")
