"""The ledger reads of the drill-down pages and the photo records, on SQLite and PostGIS:
one area, a grid's buildings, a building, incidents near it, an area's recent incidents,
figures over windows of days, what waits on a role, photos by incident and by hash."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridmap.domain.sla import allowed_hours
from gridmap.feed.photos import clean_photo
from gridmap.feed.service import IntakeService, plan_event
from gridmap.feed.store.common import now_ms

from .test_photos import picture

HOUR = 3_600_000
GRID1, GRID2 = "510108004006001", "510108004006002"


@pytest.fixture
def ledger(store):
    def frame(rows, level):
        return gpd.GeoDataFrame(
            [r[0] for r in rows], geometry=[r[1] for r in rows], crs="EPSG:4326"
        ).assign(level=level)

    store.put_areas(
        "street",
        frame(
            [
                (
                    {"code": "510108004", "name": "双桥子街道"},
                    shapely.box(104.1, 30.66, 104.12, 30.67),
                )
            ],
            "street",
        ),
    )
    store.put_areas(
        "community",
        frame(
            [
                (
                    {"code": "510108004006", "name": "新鸿社区", "parent_code": "510108004"},
                    shapely.box(104.1, 30.66, 104.12, 30.67),
                )
            ],
            "community",
        ),
    )
    parent = {"parent_code": "510108004006"}
    grids = [
        (
            {"code": GRID1, "name": "第1网格", "worker": "王小明", "worker_phone": "13900001111"}
            | parent,
            shapely.box(104.10, 30.66, 104.11, 30.67),
        ),
        (
            {"code": GRID2, "name": "第2网格", "worker": "李红", "worker_phone": "13900002222"}
            | parent,
            shapely.box(104.11, 30.66, 104.12, 30.67),
        ),
    ]
    store.put_areas("grid", frame(grids, "grid"))
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2"],
            "grid_code": [GRID1, GRID1],
            "name": ["建设路1号1栋", "建设路1号2栋"],
            "floors": [6, 18],
            "households": [24, 120],
            "population": [60, 300],
            "watcher": ["赵阿姨", "钱师傅"],
        },
        geometry=[
            shapely.box(104.1010, 30.6610, 104.1012, 30.6612),
            shapely.box(104.105, 30.665, 104.1053, 30.6653),
        ],
        crs="EPSG:4326",
    )
    store.put_buildings(buildings)
    service = IntakeService(store)
    ids = []
    for lon, lat in (
        (104.1011, 30.6611),
        (104.1051, 30.6651),
        (104.115, 30.665),
        (104.1011, 30.6612),
    ):
        row, _ = service.submit_request(
            {"service_code": "MD01", "long": lon, "lat": lat, "description": "邻里纠纷"},
            client="test",
        )
        ids.append(row["incident_id"])
    start = now_ms() + 1000  # after the reports
    late_by = int(allowed_hours("in_progress", "MD", 3)) + 3  # past the 处置 deadline
    # the first is handled late, the second on time, the third waits on the centre's
    # dispatch, the fourth is voided
    steps = [
        (ids[0], "accept", 0), (ids[0], "dispatch", 1), (ids[0], "start", 2),
        (ids[0], "handle", 2 + late_by),
        (ids[1], "accept", 0), (ids[1], "dispatch", 1), (ids[1], "start", 2), (ids[1], "handle", 3),
        (ids[2], "accept", 0), (ids[3], "void", 0),
    ]  # fmt: skip
    for incident, action, hours in steps:
        event = {"incident_id": incident, "action": action, "at": start + hours * HOUR}
        if action == "dispatch":
            event["department"] = "双桥子街道综治中心"
        if action == "void":
            event["note"] = "重复"
        store.apply_events([event], plan_event)
    return store, ids


def test_one_area_and_its_children(ledger):
    store, _ids = ledger
    grid = store.area_row(GRID1)
    assert grid["level"] == "grid" and grid["parent_code"] == "510108004006"
    assert grid["props"]["worker"] == "王小明" and grid["props"]["worker_phone"] == "13900001111"
    assert grid["bounds"] == pytest.approx([104.10, 30.66, 104.11, 30.67])
    assert store.area_row("510108004999") is None
    one = store.get_area(GRID1)  # with its geometry, without its level's other areas
    assert list(one["code"]) == [GRID1] and one.crs.to_epsg() == 4326
    assert one.geometry.iloc[0].bounds == pytest.approx((104.10, 30.66, 104.11, 30.67))
    assert store.get_area("510108004999").empty
    assert store.child_areas("510108004006", "grid") == [(GRID1, "第1网格"), (GRID2, "第2网格")]
    assert [c for c, _n in store.child_areas(None, "street")] == ["510108004"]


def test_a_grids_buildings_and_one_building(ledger):
    store, _ids = ledger
    buildings = store.grid_buildings(GRID1)
    assert list(buildings["building_id"]) == ["B1", "B2"]
    assert list(buildings["households"]) == [24, 120]
    assert list(buildings["watcher"]) == ["赵阿姨", "钱师傅"]
    assert store.grid_buildings(GRID2).empty
    one = store.building_row("B1")
    assert one["population"] == 60 and one["props"]["watcher"] == "赵阿姨"
    assert one["lon"] == pytest.approx(104.1011) and one["lat"] == pytest.approx(30.6611)
    assert store.building_row("B9") is None


def test_incidents_near_a_building_and_of_an_area(ledger):
    store, ids = ledger
    b1 = store.building_row("B1")
    near = store.incidents_near(GRID1, b1["bounds"], since_ms=now_ms() - 24 * HOUR)
    assert set(near["incident_id"]) == {ids[0], ids[3]}  # not B2's, not the other grid's
    recent = store.area_incidents("510108004006", since_ms=now_ms() - 24 * HOUR)
    assert set(recent["incident_id"]) == set(ids)
    assert recent["reported_at"].is_monotonic_decreasing
    assert set(store.area_incidents(GRID2, since_ms=0)["incident_id"]) == {ids[2]}


def test_figures_over_windows_of_days(ledger):
    store, ids = ledger
    end = now_ms() + 1  # the reports' moment; their events lie after it
    day, month = store.window_figures("510108004", [end - 24 * HOUR, end - 30 * 24 * HOUR], end)
    # everything happened today
    assert {k: v for k, v in day.items() if k != "mean_hours_to_close"} == {
        k: v for k, v in month.items() if k != "mean_hours_to_close"
    }
    assert day["reported"] == 4 and day["closed"] == 0 and day["handled"] == 2
    assert day["closure_rate"] == 0.0  # of the 3 not void
    events = {i: store.get_events(i) for i in ids[:2]}
    handled_at = {i: e.loc[e["action"] == "handle", "at"].iloc[0] for i, e in events.items()}
    due_at = {i: e.loc[e["action"] == "start", "deadline"].iloc[0] for i, e in events.items()}
    late = sum(int(handled_at[i] > due_at[i]) for i in events)
    assert late == 1 and day["late_handled"] == 1 and day["on_time_rate"] == 0.5
    assert pd.isna(day["mean_hours_to_close"])
    # windows in any order, each counting its own handles (none in the empty one)
    wide, empty = store.window_figures("510108004", [end - 30 * 24 * HOUR, end], end)
    assert (empty["reported"], empty["handled"], empty["late_handled"]) == (0, 0, 0)
    assert (wide["reported"], wide["handled"], wide["late_handled"]) == (4, 2, 1)
    none = store.window_figures("510108004", [end - HOUR], end - HOUR // 2)[0]
    assert none["reported"] == 0 and pd.isna(none["on_time_rate"])


def test_what_waits_on_a_role_most_urgent_first(ledger):
    store, ids = ledger
    waiting, total = store.waiting_incidents(("accepted", "handled"), area_code="510108004")
    assert total == 3 and set(waiting["incident_id"]) == set(ids[:3])
    deadlines = waiting["deadline"].dropna()
    assert deadlines.is_monotonic_increasing
    first, same = store.waiting_incidents(("accepted", "handled"), area_code="510108004", limit=1)
    assert same == 3 and list(first["incident_id"]) == list(waiting["incident_id"][:1])
    assert store.waiting_incidents((), area_code=None)[1] == 0
    assert store.waiting_incidents(("accepted",), area_code=GRID1)[1] == 0


def test_photo_records_by_incident_and_by_hash(ledger):
    store, ids = ledger
    photo = clean_photo(picture("PNG"))
    store.add_photo(ids[0], photo, action="start", at=1000, actor="street1")
    store.add_photo(ids[0], photo, action="start", at=1000, actor="street1")  # once
    store.add_photo(ids[1], photo, action="report", at=900, actor="app")
    kept = store.photos_of([ids[0], ids[1], "NOPE"])
    assert [(p["incident_id"], p["action"], p["width"]) for p in kept] == sorted(
        [(ids[0], "start", 64), (ids[1], "report", 64)]
    )
    owners = store.photo_incidents(photo.sha256)
    assert {o["incident_id"] for o in owners} == {ids[0], ids[1]}
    assert all(o["street_code"] == "510108004" for o in owners)
    assert store.photo_incidents("0" * 64) == []
