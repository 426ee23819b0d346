"""The wall's figures, whole district and per area, on both backends: an area's figures are
the district's restricted to it, so the streets add up to the district."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridmap.demo.areas import make_areas
from gridmap.demo.incidents import iter_incidents

NOW = pd.Timestamp("2026-11-25 15:00", tz="Asia/Shanghai")


@pytest.fixture(scope="module")
def demo():
    layers = make_areas("district", 3)
    frames = list(iter_incidents(layers["grids"], count=3000, now=NOW, seed=3, days=30))
    incidents = pd.concat([f.incidents for f in frames], ignore_index=True)
    events = pd.concat([f.events for f in frames], ignore_index=True)
    return layers, incidents, events


@pytest.fixture
def loaded(store, demo):
    layers, incidents, events = demo
    store.put_areas("street", layers["streets"])
    store.bulk_load(incidents, events)
    return store, sorted(layers["streets"]["code"])


def test_streets_add_up_to_the_district(loaded):
    store, streets = loaded
    whole = store.day_figures(NOW)
    parts = [store.day_figures(NOW, area_code=code) for code in streets]
    for key in (
        "reported",
        "dispatched",
        "handled",
        "closed",
        "late_handled",
        "closed_of_reported",
    ):
        assert sum(p[key] for p in parts) == whole[key], key
    assert whole["reported"] > 0 and max(p["reported"] for p in parts) < whole["reported"]
    now_whole = store.current_figures(NOW)
    now_parts = [store.current_figures(NOW, area_code=c) for c in streets]
    for key in ("open", "in_progress", "overdue", "near_due"):
        assert sum(p[key] for p in now_parts) == now_whole[key], key
    hourly = store.hourly_today_vs_usual(NOW)
    summed = sum(store.hourly_today_vs_usual(NOW, area_code=c)["usual"] for c in streets)
    assert np.allclose(summed, hourly["usual"])


def test_todays_reports_by_subcategory_and_source(loaded, demo):
    store, streets = loaded
    incidents = demo[1]
    today = incidents[
        (incidents["reported_at"] >= NOW.normalize()) & (incidents["reported_at"] <= NOW)
    ]
    whole = store.today_breakdown(NOW)
    assert whole["subcategory"] == today["subcategory"].value_counts().to_dict()
    assert whole["source"] == today["source"].value_counts().to_dict()
    assert list(whole["source"].values()) == sorted(whole["source"].values(), reverse=True)
    mine = store.today_breakdown(NOW, area_code=streets[0])
    assert sum(mine["source"].values()) == (today["street_code"] == streets[0]).sum()


def test_a_community_scope_counts_only_its_incidents(loaded, demo):
    store, _streets = loaded
    incidents = demo[1]
    community = incidents["community_code"].value_counts().index[0]
    today = incidents[
        (incidents["community_code"] == community)
        & (incidents["reported_at"] >= NOW.normalize())
        & (incidents["reported_at"] < NOW)
    ]
    figures = store.day_figures(NOW, area_code=community)
    assert figures["reported"] == len(today)


@pytest.mark.parametrize("level", ["grid", "community", "street"])
def test_area_figures_add_up_to_the_whole(loaded, level):
    store, streets = loaded
    per_area = store.area_figures(level, NOW)
    whole, day = store.current_figures(NOW), store.day_figures(NOW)
    assert per_area["open"].sum() == whole["open"] and per_area["overdue"].sum() == whole["overdue"]
    assert per_area["handled"].sum() == day["handled"]
    assert per_area["late_handled"].sum() == day["late_handled"]
    rated = per_area[per_area["handled"] > 0]
    expected = 1 - rated["late_handled"] / rated["handled"]
    assert np.allclose(rated["on_time_rate"], expected)
    assert per_area.loc[per_area["handled"] == 0, "on_time_rate"].isna().all()
    mine = store.area_figures(level, NOW, area_code=streets[0])
    assert len(mine) and all(code.startswith(streets[0]) for code in mine.index)
    with pytest.raises(ValueError, match="district"):
        store.area_figures("district", NOW)


def test_closure_rate_is_the_share_of_the_days_reports_closed(loaded, demo):
    store, _streets = loaded
    incidents = demo[1]
    day = incidents[
        (incidents["reported_at"] >= NOW.normalize()) & (incidents["reported_at"] < NOW)
    ]
    figures = store.day_figures(NOW)
    closed = ((day["status"] == "closed") & (day["closed_at"] < NOW)).sum()
    void = (day["status"] == "void").sum()
    assert figures["closed_of_reported"] == closed
    assert figures["closure_rate"] == pytest.approx(closed / (len(day) - void))
    assert 0 <= figures["closure_rate"] <= 1
