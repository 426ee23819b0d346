"""Tests of gridmap.geo.hexbins: points counted per H3 cell, exactly as scalar h3 puts them,
and the cells drawn as polygons with longitude in x."""

from __future__ import annotations

from collections import Counter

import h3
import numpy as np
import pytest
import shapely

from gridmap.geo.hexbins import h3_bins, h3_cell_polygons

#: Tianfu Square, Chengdu (WGS84)
LON, LAT = 104.0657, 30.6574


def test_h3_bins_known_point_and_skipped():
    lon = np.array([LON, LON, LON + 0.05, np.nan, LON, 200.0])
    lat = np.array([LAT, LAT, LAT, LAT, np.nan, LAT])
    got = h3_bins(lon, lat, resolution=9)
    assert got.attrs["skipped"] == 3  # NaN lon, NaN lat, lon out of range
    assert got["count"].sum() + got.attrs["skipped"] == len(lon)
    cell = h3.latlng_to_cell(LAT, LON, 9)
    assert got.set_index("cell").loc[cell, "count"] == 2
    centre_lat, centre_lon = h3.cell_to_latlng(cell)
    row = got.set_index("cell").loc[cell]
    assert (row["lon"], row["lat"]) == pytest.approx((centre_lon, centre_lat))
    assert "weight" not in got.columns


def test_h3_bins_match_scalar_h3_on_random_points():
    rng = np.random.default_rng(5)
    lon = rng.uniform(103.9, 104.2, 3000)
    lat = rng.uniform(30.5, 30.8, 3000)
    lon[::7] = lon[0]  # plenty of duplicates
    lat[::7] = lat[0]
    for res in (7, 9):
        table = h3_bins(lon, lat, resolution=res)
        expected = Counter(h3.latlng_to_cell(b, a, res) for a, b in zip(lon, lat, strict=True))
        assert dict(zip(table["cell"], table["count"], strict=True)) == expected
        assert table["count"].sum() == 3000 and table.attrs["skipped"] == 0
        assert table["cell"].is_monotonic_increasing


def test_h3_bins_weights():
    lon = np.array([LON, LON, LON, LON])
    lat = np.array([LAT, LAT, LAT, LAT])
    got = h3_bins(lon, lat, resolution=8, weights=[1.0, 2.5, np.nan, 3.0])
    assert got[["count", "weight"]].values.tolist() == [[3, 6.5]]
    assert got.attrs["skipped"] == 1


def test_h3_bins_empty():
    got = h3_bins(np.array([np.nan]), np.array([np.nan]), resolution=9)
    assert len(got) == 0 and got.attrs["skipped"] == 1


def test_h3_cell_polygons_contain_centres_lon_in_x():
    rng = np.random.default_rng(2)
    bins = h3_bins(rng.uniform(104.0, 104.1, 200), rng.uniform(30.6, 30.7, 200), resolution=8)
    polys = h3_cell_polygons(bins["cell"])
    assert polys.crs.to_epsg() == 4326
    assert polys["cell"].tolist() == bins["cell"].tolist()
    assert (polys["resolution"] == 8).all()
    assert shapely.contains_xy(polys.geometry.values, bins["lon"], bins["lat"]).all()
    minx, miny, maxx, maxy = polys.total_bounds
    assert 103.9 < minx < maxx < 104.2 and 30.5 < miny < maxy < 30.8
    assert h3_cell_polygons([]).empty
