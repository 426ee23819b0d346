"""Tests of gridmap.geo.assign: the raster index agrees with exact point-in-polygon."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridmap.geo.assign import AMBIGUOUS, OUTSIDE, PolygonIndex, assign_to_grids


def _voronoi_grids(n: int, seed: int) -> gpd.GeoDataFrame:
    """``n`` Voronoi cells partitioning a square near Chengdu (EPSG:4326)."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(104.07, 30.62, 104.17, 30.70)
    pts = shapely.multipoints(np.c_[rng.uniform(104.07, 104.17, n), rng.uniform(30.62, 30.70, n)])
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    codes = [f"510108004006{i:03d}" for i in rng.permutation(len(cells))]
    return gpd.GeoDataFrame(
        {"code": codes, "community_code": [c[:12] for c in codes], "street_code": "510108004"},
        geometry=cells,
        crs="EPSG:4326",
    )


def _exact(grids: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Reference answer: smallest code among polygons that cover the point, else None."""
    out = np.full(len(x), None, dtype=object)
    for code, geom in sorted(zip(grids["code"], grids.geometry, strict=True), reverse=True):
        hit = shapely.intersects_xy(geom, x, y)
        out[hit] = code
    return out


@pytest.fixture(scope="module")
def grids() -> gpd.GeoDataFrame:
    return _voronoi_grids(60, seed=7)


def test_random_points_match_exact_point_in_polygon(grids):
    rng = np.random.default_rng(1)
    x = rng.uniform(104.06, 104.18, 20_000)
    y = rng.uniform(30.61, 30.71, 20_000)
    index = PolygonIndex.build(grids.geometry.values, grids["code"].to_numpy())
    got = index.locate_codes(x, y)
    np.testing.assert_array_equal(got, _exact(grids, x, y))
    # most cells are resolved by lookup alone, and some points were outside
    assert index.ambiguous_share < 0.4
    assert (got == None).sum() > 0  # noqa: E711


def test_points_on_shared_borders_go_to_smallest_code(grids):
    geoms = grids.geometry.values
    # vertices of the partition are shared by 2-3 cells
    verts = shapely.get_coordinates(shapely.boundary(geoms))
    x, y = verts[:, 0], verts[:, 1]
    index = PolygonIndex.build(geoms, grids["code"].to_numpy())
    got = index.locate_codes(x, y)
    expected = _exact(grids, x, y)
    np.testing.assert_array_equal(got, expected)
    # the result does not depend on the order of the input rows
    shuffled = grids.sample(frac=1.0, random_state=3)
    again = PolygonIndex.build(shuffled.geometry.values, shuffled["code"].to_numpy())
    np.testing.assert_array_equal(again.locate_codes(x, y), got)


def test_outside_and_nan_points_are_flagged_not_dropped(grids):
    x = np.array([104.10, 100.0, np.nan, 104.12])
    y = np.array([30.65, 30.65, 30.65, np.nan])
    result = assign_to_grids(x, y, grids)
    assert len(result) == 4
    assert result["unassigned"].tolist() == [False, True, True, True]
    assert result["grid_code"].iloc[0] is not None
    assert result["community_code"].iloc[0] == result["grid_code"].iloc[0][:12]
    assert pd.isna(result["grid_code"].iloc[1])


def test_hole_and_multipolygon():
    outer = shapely.Polygon(
        [(104.0, 30.0), (104.1, 30.0), (104.1, 30.1), (104.0, 30.1)],
        holes=[[(104.04, 30.04), (104.06, 30.04), (104.06, 30.06), (104.04, 30.06)]],
    )
    island = shapely.box(104.045, 30.045, 104.055, 30.055)
    multi = shapely.MultiPolygon([shapely.box(104.2, 30.0, 104.3, 30.1), island])
    index = PolygonIndex.build(np.array([outer, multi]), np.array(["A", "B"]))
    got = index.locate_codes(
        np.array([104.02, 104.05, 104.042, 104.25, 104.15]),
        np.array([30.02, 30.05, 30.042, 30.05, 30.05]),
    )
    assert got.tolist() == ["A", "B", None, "B", None]


def test_lookup_values_are_consistent(grids):
    index = PolygonIndex.build(grids.geometry.values, grids["code"].to_numpy())
    values = np.unique(index.lookup)
    assert values.min() >= AMBIGUOUS - (index.lookup <= AMBIGUOUS).sum()
    assert OUTSIDE in values
    assert values.max() < len(grids)


def test_rejects_wrong_crs(grids):
    with pytest.raises(ValueError, match="EPSG:4326"):
        assign_to_grids(np.array([1.0]), np.array([1.0]), grids.to_crs("EPSG:4544"))


def test_threads_use_their_own_geometry_copies_and_agree(grids):
    """Large inputs go to one thread per core, each with its own prepared polygons (GEOS
    prepared geometries are not thread-safe); the answer is the same as on one thread."""
    index = PolygonIndex.build(grids.geometry.values, grids["code"].to_numpy())
    rng = np.random.default_rng(5)
    n = 2_100_000
    x, y = rng.uniform(104.06, 104.18, n), rng.uniform(30.61, 30.71, n)
    threaded = index.locate(x, y, workers=2)
    assert len(index._copies) == 2 and index._copies[1] is not index.geoms
    np.testing.assert_array_equal(threaded, index.locate(x, y, workers=1))
