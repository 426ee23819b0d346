"""The browser benchmarks' synthetic city picture and store copies (no browser here)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridmap.bench.browser_store import (
    OPEN_STATES,
    sample_in_polygons,
    shift_times,
    synthetic_incidents,
)
from gridmap.domain.categories import SUBCATEGORY_TO_CATEGORY
from gridmap.feed.store import open_store

NOW = pd.Timestamp("2026-03-02 10:00:00", tz="Asia/Shanghai")


@pytest.fixture
def grids() -> gpd.GeoDataFrame:
    """Three grids: a square, an L (concave) and a sliver (few hits in its bounds)."""
    square = shapely.box(104.10, 30.60, 104.11, 30.61)
    ell = shapely.Polygon(
        [
            (104.11, 30.60),
            (104.13, 30.60),
            (104.13, 30.602),
            (104.112, 30.602),
            (104.112, 30.62),
            (104.11, 30.62),
        ]
    )
    sliver = shapely.Polygon([(104.13, 30.60), (104.16, 30.633), (104.16, 30.63)])
    return gpd.GeoDataFrame(
        {
            "code": ["510108001001001", "510108001001002", "510108002001001"],
            "community_code": ["510108001001", "510108001001", "510108002001"],
            "street_code": ["510108001", "510108001", "510108002"],
            "weight": [0.5, 0.3, 0.2],
        },
        geometry=[square, ell, sliver],
        crs="EPSG:4326",
    )


def test_sample_in_polygons_puts_every_point_inside(grids):
    geoms = np.asarray(grids.geometry.values)
    which = np.repeat([0, 1, 2], 500)
    x, y = sample_in_polygons(geoms, which, np.random.default_rng(1))
    assert shapely.contains_xy(geoms[which], x, y).all()
    assert np.array_equal(x, x.round(6)) and np.array_equal(y, y.round(6))


def test_sample_in_polygons_falls_back_to_a_point_inside():
    needle = shapely.Polygon([(104.0, 30.0), (104.3, 30.3000001), (104.3, 30.3)])
    which = np.zeros(20, dtype=int)
    x, y = sample_in_polygons(np.array([needle]), which, np.random.default_rng(0), max_rounds=2)
    assert shapely.contains_xy(needle, x, y).all()


def test_synthetic_incidents_are_deterministic_and_inside_their_grid(grids):
    frame = synthetic_incidents(grids, n_open=2_000, n_recent=600, now=NOW, seed=3)
    again = synthetic_incidents(grids, n_open=2_000, n_recent=600, now=NOW, seed=3)
    pd.testing.assert_frame_equal(frame, again)
    assert not frame.equals(synthetic_incidents(grids, n_open=2_000, n_recent=600, now=NOW, seed=4))
    geom = grids.set_index("code").geometry
    assert shapely.contains_xy(
        geom.loc[frame["grid_code"]].values, frame["lon"], frame["lat"]
    ).all()
    by_code = grids.set_index("code")
    assert (by_code.loc[frame["grid_code"], "street_code"].to_numpy() == frame["street_code"]).all()


def test_synthetic_incidents_make_a_live_picture(grids):
    frame = synthetic_incidents(grids, n_open=2_000, n_recent=600, now=NOW, seed=3)
    is_open = frame["status"] != "closed"
    assert is_open.sum() == 2_000 and set(frame.loc[is_open, "status"]) <= set(OPEN_STATES)
    assert (frame["reported_at"] >= NOW - pd.Timedelta(hours=24)).sum() == 600
    assert (frame["reported_at"] <= NOW).all()
    assert (frame["category"] == frame["subcategory"].map(SUBCATEGORY_TO_CATEGORY)).all()
    open_ = frame[is_open]
    assert (open_["stage_entered_at"] >= open_["reported_at"]).all()
    left = open_["deadline"] - NOW
    overdue = (left < pd.Timedelta(0)).mean()
    near = (
        (left >= pd.Timedelta(0)) & (left < 0.2 * (open_["deadline"] - open_["stage_entered_at"]))
    ).mean()
    assert 0.05 < overdue < 0.5 and near > 0.02
    closed = frame[~is_open]
    assert closed["deadline"].isna().all() and closed["closed_at"].notna().all()


def test_shift_times_moves_every_time(grids, tmp_path):
    path = tmp_path / "s.db"
    with open_store(f"sqlite:///{path}") as store:
        store.bulk_load(synthetic_incidents(grids, n_open=50, n_recent=30, now=NOW, seed=1))
        before = store.get_incidents()
    shift_times(path, 3_600_000)
    with open_store(f"sqlite:///{path}") as store:
        after = store.get_incidents()
    for column in ("reported_at", "stage_entered_at", "deadline", "closed_at"):
        moved = after[column] - before[column]
        assert (moved.dropna() == pd.Timedelta(hours=1)).all()
        assert moved.isna().equals(before[column].isna())
