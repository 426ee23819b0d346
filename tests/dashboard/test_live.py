"""The wall's live payloads, deltas and ticks, through the plain functions the routes call
(a small demo store; the browser side is in test_wall_browser.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridmap.dashboard.wall.live import (
    STATE_ORDER,
    delta,
    grid_classes,
    heat_payload,
    open_payload,
    tick_payload,
)
from gridmap.domain.sla import DUE_ORDER, due_codes
from gridmap.domain.times import epoch_ms
from gridmap.feed.service import IntakeService
from gridmap.feed.store import open_store
from gridmap.layers.spec import open_count_class

from .conftest import demo_store


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    return demo_store(tmp_path_factory.mktemp("live"), incidents=3000, seed=11)


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        yield s


def test_open_payload_holds_every_located_open_incident_once(store):
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    payload = open_payload(store, now)
    expected = store.get_incidents(open_only=True).dropna(subset=["lon"])
    assert sorted(payload["ids"]) == sorted(expected["incident_id"])
    n = len(payload["ids"])
    assert len(payload["lon"]) == len(payload["lat"]) == len(payload["s"]) == n
    assert payload["cursor"] == store.last_event_id()
    states = {payload["states"][k] for k in payload["s"]}
    assert states <= {s for s in STATE_ORDER if s not in ("closed", "void")}
    row = expected.set_index("incident_id").loc[payload["ids"][0]]
    assert payload["lon"][0] == pytest.approx(row["lon"], abs=1e-5)
    assert STATE_ORDER[payload["s"][0]] == row["status"]
    assert len(payload["state_colours"]) == len(STATE_ORDER)
    assert len(payload["due_colours"]) == len(DUE_ORDER)
    assert [STATE_ORDER[k] for k in payload["new_states"]] == ["reported"]
    assert payload["all_dots_zoom"] > 11  # closer than a district seen whole


def test_due_codes_mark_overdue_and_near_due():
    now = 1_000_000
    deadline = pd.Series([now - 1, now + 10, now + 500, None])
    entered = pd.Series([now - 1000, now - 990, now - 500, now - 10])
    assert due_codes(deadline, entered, now).tolist() == [2, 1, 0, 0]


def test_heat_payload_is_the_last_day_of_reports(store):
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    payload = heat_payload(store, now)
    day_ago = epoch_ms(now - pd.Timedelta(hours=24))
    everything = store.get_incidents()
    n = int(
        (
            (everything["reported_at"] >= now - pd.Timedelta(hours=24)) & everything["lon"].notna()
        ).sum()
    )
    assert n > 0 and len(payload["t"]) == len(payload["lon"]) == n
    assert payload["t0"] == day_ago and min(payload["t"]) >= 0 and max(payload["t"]) <= 24 * 60


def test_grid_classes_follow_open_counts(store):
    classes = grid_classes(store)
    assert len(classes) == len(store.get_areas("grid"))
    counts = store.get_incidents(open_only=True)["grid_code"].value_counts()
    busiest = counts.index[0]
    assert classes[busiest] == open_count_class(counts.iloc[0]) > 0
    assert grid_classes(store, [busiest]) == {busiest: classes[busiest]}


def test_delta_carries_a_new_report_its_heat_point_and_its_grid(store):
    grids = store.get_areas("grid")
    point = grids.geometry.iloc[0].representative_point()
    cursor = store.last_event_id()
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    service = IntakeService(store)
    row, _created = service.submit_request(
        {"service_code": "SR01", "lat": point.y, "long": point.x, "priority": 1},
        client="test",
    )
    change = delta(store, cursor, epoch_ms(now), now, {})
    assert change["cursor"] > cursor
    (mine,) = [c for c in change["changes"] if c["id"] == row["incident_id"]]
    assert mine["open"] and STATE_ORDER[mine["s"]] == "reported"
    assert mine["lon"] == pytest.approx(point.x, abs=1e-5)
    (report,) = [r for r in change["reports"] if r[0] > cursor]
    assert report[1:3] == [round(point.x, 5), round(point.y, 5)]
    code = grids["code"].iloc[0]
    assert change["grids"][code] == grid_classes(store, [code])[code]
    assert row["incident_id"] in change["flash"]  # urgent: it flashes
    again = delta(store, change["cursor"], epoch_ms(now), now, {})
    assert again["changes"] == [] and again["reports"] == [] and again["grids"] == {}


def test_closing_an_incident_is_a_change_to_closed(store):
    open_now = store.get_incidents(open_only=True)
    incident = open_now.loc[open_now["status"] == "verified", "incident_id"].iloc[0]
    cursor = store.last_event_id()
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    IntakeService(store).apply_events(
        [{"incident_id": incident, "action": "close", "at": epoch_ms(now), "actor": "test"}]
    )
    change = delta(store, cursor, epoch_ms(now), now, {})
    (mine,) = [c for c in change["changes"] if c["id"] == incident]
    assert mine["open"] is False and STATE_ORDER[mine["s"]] == "closed"
    assert np.isfinite(mine["lon"])


def test_a_tick_carries_the_delta_and_ticker_text_in_the_screens_language(store):
    grids = store.get_areas("grid")
    point = grids.geometry.iloc[1].representative_point()
    cursor = store.last_event_id()
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    row, _ = IntakeService(store).submit_request(
        {"service_code": "TF01", "lat": point.y, "long": point.x, "description": "电话13912345678"},
        client="test",
    )
    names = {row["street_code"]: "某某街道"}
    zh = tick_payload(store, cursor, epoch_ms(now), now, names)
    en = tick_payload(store, cursor, epoch_ms(now), now, names, lang="en")
    assert zh["now"] == epoch_ms(now) and zh["delta"]["cursor"] > cursor
    assert row["incident_id"] in {c["id"] for c in zh["delta"]["changes"]}
    (line,) = zh["ticker"]
    assert (
        line["street"] == "某某街道"
        and line["state"] == "上报"
        and line["state_code"] == "reported"
    )
    assert (
        line["key"].startswith(row["incident_id"] + "|") and line["key"] == en["ticker"][0]["key"]
    )
    assert en["ticker"][0]["state"] != line["state"] and en["ticker"][0]["category"].isascii()
    assert "13912345678" not in str(zh)  # no personal data on the wall


def test_a_tick_adds_few_ticker_lines_the_urgent_first(store):
    from gridmap.dashboard.wall.live import TICKER_PER_TICK

    point = store.get_areas("grid").geometry.iloc[2].representative_point()
    cursor = store.last_event_id()
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    service = IntakeService(store)
    posted = []
    for i in range(6):  # an urgent report among normal ones, neither first nor last
        row, _ = service.submit_request(
            {
                "service_code": "TF01",
                "lat": point.y,
                "long": point.x,
                "priority": 1 if i == 2 else 3,
            },
            client="test",
        )
        posted.append(row["incident_id"])
    lines = delta(store, cursor, epoch_ms(now), now, {})["ticker"]
    assert len(lines) == TICKER_PER_TICK < len(posted)
    assert lines[0]["urgent"] or lines[1]["urgent"]
    assert {x["id"] for x in lines} == {posted[2], posted[-1]}  # the urgent one, the newest
    assert [x["time"] for x in lines] == sorted((x["time"] for x in lines), reverse=True)


def test_a_tick_never_scans_further_back_than_an_hour(store):
    now = pd.Timestamp.now(tz="Asia/Shanghai")
    forged = tick_payload(store, -5, 0, now, {})  # since 1970, cursor before the first event
    hour_ago = tick_payload(store, 0, epoch_ms(now) - 3_600_000, now, {})
    assert forged["delta"]["changes"] == hour_ago["delta"]["changes"]
    assert forged["delta"]["cursor"] == hour_ago["delta"]["cursor"]


def test_a_deadline_passing_flashes_on_the_map_and_in_the_ticker(store):
    from gridmap.dashboard.wall.live import ticker_cells

    open_now = store.get_incidents(open_only=True).dropna(subset=["deadline", "lon"])
    row = open_now.sort_values("deadline").iloc[-1]  # due last: surely not overdue yet
    deadline = epoch_ms(row["deadline"])
    later = pd.Timestamp(deadline + 2_000, unit="ms", tz="UTC").tz_convert("Asia/Shanghai")
    change = delta(store, store.last_event_id(), deadline - 1_000, later, {})
    assert row["incident_id"] in change["flash"]
    assert row["incident_id"] in {c["id"] for c in change["changes"]}
    (line,) = [x for x in change["ticker"] if x["id"] == row["incident_id"]]
    assert line["overdue"] and line["urgent"]
    zh, en = ticker_cells(line, "zh"), ticker_cells(line, "en")
    assert zh["state"] == "超期" and en["state"] == "Overdue" and zh["state_code"] == "overdue"
    before = delta(store, store.last_event_id(), deadline - 5_000, later - pd.Timedelta(4, "s"), {})
    assert row["incident_id"] not in before["flash"]  # not yet due then


def test_the_panels_follow_the_toured_street_only_inside_the_callers_area():
    from gridmap.dashboard.wall.callbacks import panel_scope
    from gridmap.domain.access import Scope

    stops = [{"code": "510108004"}, {"code": "510108011"}, {"code": "<x>"}]
    centre, street = Scope.district(), Scope("s", "street", "510108004")
    assert panel_scope(centre, {"stops": stops, "i": 1}).area_code == "510108011"
    assert panel_scope(centre, {"stops": stops, "i": -1}) == centre  # the whole district
    assert panel_scope(centre, {"stops": stops, "i": 2}) == centre  # not an area code
    assert panel_scope(centre, {"stops": stops, "i": "1"}) == centre
    assert panel_scope(street, {"stops": stops, "i": 1}) == street  # another street: no
    community = [{"code": "510108004001"}]
    assert panel_scope(street, {"stops": community, "i": 0}).area_code == "510108004001"
    assert panel_scope(street, None) == street
