"""Demo incidents: deterministic, inside their grids, and every history legal."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridmap.demo.areas import make_areas
from gridmap.demo.incidents import DemoIncidents, iter_incidents
from gridmap.domain.workflow import apply_action, is_open
from gridmap.geo.coords import gcj02_to_wgs84

NOW = pd.Timestamp("2026-11-25 10:00", tz="Asia/Shanghai")


def make_incidents(grids, **kw) -> DemoIncidents:
    """All of :func:`iter_incidents`'s chunks in one."""
    chunks = list(iter_incidents(grids, **kw))
    incidents = pd.concat([c.incidents for c in chunks], ignore_index=True)
    events = pd.concat([c.events for c in chunks], ignore_index=True)
    return DemoIncidents(gpd.GeoDataFrame(incidents, geometry="geometry", crs="EPSG:4326"), events)


@pytest.fixture(scope="module")
def grids():
    return make_areas("district", 42)["grids"]


@pytest.fixture(scope="module")
def demo(grids):
    return make_incidents(grids, count=20_000, now=NOW, seed=7, days=60)


def test_deterministic(grids, demo):
    again = make_incidents(grids, count=20_000, now=NOW, seed=7, days=60)
    pd.testing.assert_frame_equal(demo.events, again.events)
    assert demo.incidents.drop(columns="geometry").equals(again.incidents.drop(columns="geometry"))


def test_points_lie_in_their_grids(grids, demo):
    inc = demo.incidents
    geom = grids.set_index("code").geometry.reindex(inc["grid_code"]).values
    assert shapely.contains_xy(np.asarray(geom), inc["lon"], inc["lat"]).all()
    assert inc["incident_id"].is_unique
    assert inc["reported_at"].between(NOW - pd.Timedelta(days=60), NOW).all()


def test_gcj02_sources_keep_what_they_sent(demo):
    gcj = demo.incidents[demo.incidents["source_crs"] == "gcj02"]
    assert len(gcj) > 0
    lon, lat = gcj02_to_wgs84(gcj["source_x"].to_numpy(), gcj["source_y"].to_numpy())
    np.testing.assert_allclose(lon, gcj["lon"], atol=1e-7)
    np.testing.assert_allclose(lat, gcj["lat"], atol=1e-7)


def test_every_history_is_legal_and_ends_in_the_current_state(demo):
    events = demo.events.sort_values(["incident_id", "seq"])
    assert (events["at"] <= NOW).all()
    final: dict[str, str] = {}
    state: dict[str, str | None] = {}
    for row in events.itertuples(index=False):
        current = state.get(row.incident_id)
        assert current == row.from_state or (current is None and row.action == "report")
        state[row.incident_id] = apply_action(current, row.action)  # raises if illegal
        assert state[row.incident_id] == row.to_state
        final[row.incident_id] = row.to_state
    status = demo.incidents.set_index("incident_id")["status"]
    assert status.to_dict() == final


def test_a_believable_mix(demo):
    inc, events = demo.incidents, demo.events
    open_share = inc["status"].map(is_open).mean()
    assert 0.01 < open_share < 0.1  # a few days of 60 still open
    assert {"return", "extend", "escalate", "void"} <= set(events["action"])
    hours = inc["reported_at"].dt.hour.value_counts(normalize=True)
    assert hours.loc[[9, 10, 15]].min() > 3 * hours.loc[[2, 3, 4]].max()  # busy days, quiet nights
    share = inc["category"].value_counts(normalize=True)
    assert share.index[0] == "SR"  # city appearance is the biggest class
    assert inc["description"].str.contains(r"1[3-9]\d{9}").mean() > 0.1  # personal data present
