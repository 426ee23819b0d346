"""The store's contract, run against both backends (SQLite and PostgreSQL + PostGIS)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridmap.domain.workflow import TransitionError
from gridmap.feed.service import plan_event
from gridmap.feed.store import ConflictError, NotFoundError, open_store

from ..helpers import (
    sqlite_drop_statistics,
    sqlite_has_statistics,
    sqlite_plans,
    stored_key_hashes,
)

T0 = pd.Timestamp("2026-11-25 09:00", tz="Asia/Shanghai")
MS0 = int(T0.value // 1_000_000)
HOUR = 3_600_000


def _grids() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["510108004006001", "510108004006002"],
            "name": ["新鸿社区第1网格", "第2网格"],
            "parent_code": ["510108004006"] * 2,
            "worker": ["王芳", "李强"],
        },
        geometry=[
            shapely.box(104.10, 30.66, 104.11, 30.67),
            shapely.MultiPolygon([shapely.box(104.11, 30.66, 104.12, 30.67)]),
        ],
        crs="EPSG:4326",
    )


def _incident(i: int, grid: str = "510108004006001", **kw) -> dict:
    row = {
        "incident_id": f"T{i:04d}",
        "source": "hotline",
        "category": "SR",
        "subcategory": "SR01",
        "priority": 3,
        "reported_at": MS0 + i * 1000,
        "lon": 104.105,
        "lat": 30.665,
        "source_crs": "EPSG:4326",
        "source_x": 104.105,
        "source_y": 30.665,
        "grid_code": grid,
        "community_code": grid[:12],
        "street_code": grid[:9],
        "description": "暴露垃圾",
        "department": "区城市管理和综合执法局",
        "status": "reported",
        "stage_entered_at": MS0 + i * 1000,
        "deadline": MS0 + i * 1000 + HOUR // 2,
        "closed_at": None,
        "escalated": 0,
        "last_event_at": MS0 + i * 1000,
        "body_hash": f"h{i}",
        "api_client": "test",
    }
    row.update(kw)
    return row


def _report_event(row: dict) -> dict:
    return {
        "incident_id": row["incident_id"],
        "at": row["reported_at"],
        "action": "report",
        "from_state": None,
        "to_state": "reported",
        "actor": "test",
        "deadline": row["deadline"],
    }


def _marked(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows near-due or overdue."""
    return frame[frame["due"].isin(["overdue", "near_due"])]


def _event(incident_id: str, action: str, at: int, **kw) -> dict:
    return {"incident_id": incident_id, "action": action, "at": at, "actor": "centre", **kw}


def test_migrations_are_idempotent(store_url):
    first = open_store(store_url)
    first.put_areas("grid", _grids())
    first.close()
    again = open_store(store_url)  # migrating a migrated store changes nothing
    assert again.layer_counts()["grid"] == 2
    again.close()


def test_areas_round_trip(store):
    grids = _grids()
    assert store.put_areas("grid", grids) == 2
    back = store.get_areas("grid")
    assert back["code"].tolist() == grids["code"].tolist()
    assert back["name"].tolist() == ["新鸿社区第1网格", "第2网格"]
    assert back["worker"].tolist() == ["王芳", "李强"]  # extra columns kept as properties
    assert shapely.equals(back.geometry.values, grids.geometry.values).all()
    assert back.crs.to_epsg() == 4326
    # replacing a level replaces it whole
    store.put_areas("grid", grids.iloc[:1])
    assert store.layer_counts()["grid"] == 1
    with pytest.raises(ValueError, match="allowed"):
        store.put_areas("province", grids)


def test_buildings_by_bbox(store):
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2"],
            "grid_code": ["g1", "g2"],
            "name": ["建设路1号", "2号"],
            "floors": [6, 30],
            "households": [24, 200],
            "population": [60, 520],
        },
        geometry=[
            shapely.box(104.101, 30.661, 104.102, 30.662),
            shapely.box(104.20, 30.70, 104.201, 30.701),
        ],
        crs="EPSG:4326",
    )
    store.put_buildings(buildings)
    near = store.get_buildings(bbox=(104.10, 30.66, 104.11, 30.67))
    assert near["building_id"].tolist() == ["B1"]
    assert int(near["floors"].iloc[0]) == 6


def test_create_incident_is_idempotent(store):
    row = _incident(1)
    _, created = store.create_incident(row, _report_event(row))
    assert created
    _, again = store.create_incident(row, _report_event(row))
    assert not again
    assert store.layer_counts()["incidents"] == 1
    assert store.layer_counts()["events"] == 1
    with pytest.raises(ConflictError, match="different body"):
        store.create_incident({**row, "body_hash": "other"}, _report_event(row))


def test_workflow_events_and_counts(store):
    rows = [
        _incident(i, grid)
        for i, grid in enumerate(["510108004006001", "510108004006001", "510108004006002"])
    ]
    for row in rows:
        store.create_incident(row, _report_event(row))
    t = MS0 + 60_000
    store.apply_events(
        [
            _event("T0000", "accept", t),
            _event("T0000", "dispatch", t + 1, department="区市政设施管理所"),
        ],
        plan_event,
    )
    incident = store.get_incident("T0000")
    assert incident["status"] == "dispatched"
    assert incident["department"] == "区市政设施管理所"
    # the dispatch stage has a 2-hour deadline at normal priority
    assert incident["deadline"] == pd.Timestamp(t + 1 + 2 * HOUR, unit="ms", tz="UTC")
    counts = store.open_counts()
    assert counts.equals(store.recount_open())
    assert set(map(tuple, counts[["grid_code", "status", "n"]].to_numpy().tolist())) == {
        ("510108004006001", "dispatched", 1),
        ("510108004006001", "reported", 1),
        ("510108004006002", "reported", 1),
    }
    events = store.get_events("T0000")
    assert events["action"].tolist() == ["report", "accept", "dispatch"]
    assert events["from_state"].tolist()[1:] == ["reported", "accepted"]


def test_illegal_and_stale_events_change_nothing(store):
    row = _incident(1)
    store.create_incident(row, _report_event(row))
    before = store.layer_counts()["events"]
    with pytest.raises(TransitionError, match="allowed"):
        store.apply_events([_event("T0001", "close", MS0 + 5000)], plan_event)
    with pytest.raises(NotFoundError, match="T9999"):
        store.apply_events([_event("T9999", "accept", MS0 + 5000)], plan_event)
    # a batch with one bad event writes none of it
    with pytest.raises(TransitionError, match="event 1"):
        store.apply_events(
            [_event("T0001", "accept", MS0 + 5000), _event("T0001", "close", MS0 + 6000)],
            plan_event,
        )
    assert store.get_incident("T0001")["status"] == "reported"
    store.apply_events([_event("T0001", "accept", MS0 + 9000)], plan_event)
    # an event older than the latest one cannot override the newer state
    with pytest.raises(ConflictError, match="older"):
        store.apply_events([_event("T0001", "dispatch", MS0 + 8000)], plan_event)
    assert store.get_incident("T0001")["status"] == "accepted"
    assert store.layer_counts()["events"] == before + 1


def test_client_event_ids_make_retries_harmless(store):
    row = _incident(1)
    store.create_incident(row, _report_event(row))
    event = _event("T0001", "accept", MS0 + 5000, client_event_id="app-42")
    store.apply_events([event], plan_event)
    result = store.apply_events([event], plan_event)
    assert result[0]["duplicate"] is True
    assert store.get_events("T0001")["action"].tolist() == ["report", "accept"]


def test_events_since_cursor(store):
    for i in range(3):
        row = _incident(i)
        store.create_incident(row, _report_event(row))
    first, cursor = store.events_since(0, limit=2)
    assert first["incident_id"].tolist() == ["T0000", "T0001"]
    rest, cursor2 = store.events_since(cursor)
    assert rest["incident_id"].tolist() == ["T0002"]
    assert store.events_since(cursor2)[0].empty
    assert {"lon", "lat", "status", "category"} <= set(rest.columns)


def test_due_and_state_as_of(store):
    rows = [_incident(0), _incident(1, deadline=MS0 + 10 * HOUR, stage_entered_at=MS0)]
    for row in rows:
        store.create_incident(row, _report_event(row))
    due = _marked(store.incidents_as_of(MS0 + HOUR))  # T0000's 30-minute deadline passed
    assert due.set_index("incident_id")["due"].to_dict() == {"T0000": "overdue"}
    due_later = _marked(store.incidents_as_of(MS0 + 9 * HOUR))  # T0001: 1 of 10 hours left
    assert due_later.set_index("incident_id")["due"].to_dict() == {
        "T0000": "overdue",
        "T0001": "near_due",
    }
    store.apply_events([_event("T0000", "accept", MS0 + 2 * HOUR)], plan_event)
    before = store.incidents_as_of(MS0 + HOUR).set_index("incident_id")["status"].to_dict()
    after = store.incidents_as_of(MS0 + 3 * HOUR).set_index("incident_id")["status"].to_dict()
    assert before == {"T0000": "reported", "T0001": "reported"}
    assert after == {"T0000": "accepted", "T0001": "reported"}


def test_bulk_load_and_counts(store):
    frame = pd.DataFrame(
        [
            _incident(i, status=s)
            for i, s in enumerate(["reported", "closed", "in_progress", "void"])
        ]
    )
    for column in ("reported_at", "stage_entered_at", "deadline"):
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    frame["closed_at"] = pd.NaT
    assert store.bulk_load(frame) == 4
    assert len(store.get_incidents(open_only=True)) == 2
    assert store.open_counts().equals(store.recount_open())
    figures = store.area_figures("street", T0 + pd.Timedelta(hours=1))
    assert figures["open"].sum() == 2
    assert store.get_incidents(area_code="510108004")["incident_id"].size == 4


def test_api_keys_are_stored_hashed(store, store_url):
    key = store.add_api_key("12345热线")
    assert store.check_api_key(key) == "12345热线"
    assert store.check_api_key(key + "x") is None
    assert store.check_api_key(None) is None
    stored = stored_key_hashes(store_url)[0]
    assert key not in stored


def test_reloading_an_incident_replaces_its_history(store):
    frame = pd.DataFrame([_incident(1)])
    for column in ("reported_at", "stage_entered_at", "deadline"):
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    events = pd.DataFrame(
        [
            {
                "incident_id": "T0001",
                "at": frame["reported_at"].iloc[0],
                "action": "report",
                "from_state": None,
                "to_state": "reported",
                "actor": "demo",
                "deadline": frame["deadline"].iloc[0],
            }
        ]
    )
    store.bulk_load(frame, events)
    store.bulk_load(frame, events)
    assert store.layer_counts()["incidents"] == 1
    assert store.get_events("T0001")["action"].tolist() == ["report"]


def test_a_version_3_store_migrates_keeping_its_events(store_url, monkeypatch):
    from gridmap.feed.store import sql

    monkeypatch.setattr(sql, "SCHEMA_VERSION", 3)
    old = open_store(store_url)
    for i in (1, 2):
        row = _incident(i)
        old.create_incident(row, _report_event(row))
    old.apply_events([_event("T0001", "accept", MS0 + 5000, client_event_id="c-1")], plan_event)
    last = old.last_event_id()
    old.close()
    monkeypatch.setattr(sql, "SCHEMA_VERSION", 4)
    new = open_store(store_url)
    try:
        events = new.get_events("T0001")
        assert events["action"].tolist() == ["report", "accept"]
        # the same sender id: a duplicate on its incident, a new event on another
        again = new.apply_events(
            [
                _event("T0001", "dispatch", MS0 + 6000, client_event_id="c-1"),
                _event("T0002", "accept", MS0 + 6000, client_event_id="c-1"),
            ],
            plan_event,
        )
        assert again[0]["duplicate"] and again[1]["status"] == "accepted"
        assert new.last_event_id() == last + 1  # ids go on from where they were
    finally:
        new.close()


def test_sessions_end_with_logout_password_and_removal(store):
    store.add_user("u1", "centre", None, "pw-1-secret")
    token = store.start_session("u1", days=1)
    other = store.start_session("u1", days=1)
    assert store.session_scope(token).user == "u1"
    assert store.session_scope("forged") is None and store.session_scope(None) is None
    assert store.end_sessions("u1") == 2
    assert store.session_scope(token) is None and store.session_scope(other) is None
    token = store.start_session("u1", days=1)
    store.set_password("u1", "pw-2-secret")
    assert store.session_scope(token) is None
    assert store.check_user("u1", "pw-2-secret") is not None
    token = store.start_session("u1", days=1)
    store.remove_user("u1")
    store.add_user("u1", "centre", None, "pw-1-secret")
    assert store.session_scope(token) is None  # a re-created user starts with none
    expired = store.start_session("u1", days=-1)
    assert store.session_scope(expired) is None
    with pytest.raises(KeyError):
        store.set_password("nobody", "x")


def test_failed_logins_lock_a_user_and_an_address(store):
    from gridmap.feed.store.users import (
        MAX_FAILURES_PER_ADDRESS,
        MAX_FAILURES_PER_USER,
        LoginLockedError,
    )

    for _ in range(MAX_FAILURES_PER_USER):
        store.begin_login("u1", "10.0.0.1")  # attempts that never succeed
    with pytest.raises(LoginLockedError) as locked:
        store.begin_login("u1", "10.0.0.9")
    assert 0 < locked.value.retry_after_s <= 15 * 60
    store.begin_login("u2", "10.0.0.9")  # other users and addresses are free
    for i in range(MAX_FAILURES_PER_ADDRESS):
        store.begin_login(f"x{i}", "10.0.0.2")
    with pytest.raises(LoginLockedError):
        store.begin_login("u3", "10.0.0.2")
    store.clear_login_failures("u1")
    store.begin_login("u1", "10.0.0.3")


def test_login_attempts_sent_at_once_are_all_counted(store_url):
    """Guesses in parallel are counted like guesses in a row: the check and the count are
    one transaction (each thread with a store of its own, as server threads have)."""
    import threading

    from gridmap.feed.store.users import MAX_FAILURES_PER_USER, LoginLockedError

    open_store(store_url).close()  # migrated once
    allowed, refused = [], []

    def attempt() -> None:
        with open_store(store_url) as own:
            try:
                own.begin_login("target", "10.1.1.1")
                allowed.append(1)
            except LoginLockedError:
                refused.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == MAX_FAILURES_PER_USER and len(refused) == 12 - MAX_FAILURES_PER_USER


def test_incidents_as_of_rebuild_only_what_was_open(store):
    for i in (1, 2, 3):
        row = _incident(i)
        store.create_incident(row, _report_event(row))
    for action, at in (("accept", 1), ("dispatch", 2), ("start", 3), ("handle", 4)):
        store.apply_events([_event("T0001", action, MS0 + at * HOUR)], plan_event)
    for action, at in (("verify", 5), ("close", 6)):
        store.apply_events([_event("T0001", action, MS0 + at * HOUR)], plan_event)
    store.apply_events([_event("T0002", "void", MS0 + HOUR)], plan_event)
    then = store.incidents_as_of(MS0 + 3 * HOUR + 1)
    assert dict(zip(then["incident_id"], then["status"], strict=True)) == {
        "T0001": "in_progress",
        "T0003": "reported",
    }  # T0002 was void by then: not read at all
    late = store.incidents_as_of(MS0 + 7 * HOUR, closed_since_ms=MS0)
    states = dict(zip(late["incident_id"], late["status"], strict=True))
    assert states == {"T0001": "closed", "T0002": "void", "T0003": "reported"}
    assert late.set_index("incident_id")["closed_at"].notna().to_dict() == {
        "T0001": True,
        "T0002": True,
        "T0003": False,
    }
    mine = store.incidents_as_of(MS0 + 7 * HOUR, area_code="510108004006")
    assert mine["incident_id"].tolist() == ["T0003"]
    assert store.incidents_as_of(MS0 - 1).empty  # nothing reported yet


def test_crossings_into_near_due_and_overdue(store):
    # T0001: reported at MS0+1 s, 10 hours to its deadline: near-due 8 hours in
    row = _incident(1, deadline=MS0 + 1000 + 10 * HOUR, stage_entered_at=MS0 + 1000)
    store.create_incident(row, _report_event(row))
    near_at = MS0 + 1000 + 8 * HOUR
    assert store.due_crossings(near_at - HOUR, near_at - 1) == []
    crossed = store.due_crossings(near_at - 1, near_at + 1)
    assert [(c["incident_id"], c["crossed"]) for c in crossed] == [("T0001", "near_due")]
    deadline = MS0 + 1000 + 10 * HOUR
    crossed = store.due_crossings(deadline - 1, deadline)
    assert [(c["incident_id"], c["crossed"]) for c in crossed] == [("T0001", "overdue")]
    both = store.due_crossings(near_at - 1, deadline)  # both in one window: overdue wins
    assert [c["crossed"] for c in both] == ["overdue"]
    assert store.due_crossings(near_at - 1, near_at + 1, area_code="510108999") == []


def _many_closed(n: int) -> pd.DataFrame:
    """``n`` closed incidents over 20 grids and 3 open ones, as a bulk load takes them."""
    rows = [
        _incident(i, grid=f"510108004006{i % 20:03d}", status="closed" if i >= 3 else "reported")
        for i in range(n)
    ]
    frame = pd.DataFrame(rows)
    for column in ("reported_at", "stage_entered_at", "deadline"):
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    frame["closed_at"] = pd.NaT
    return frame


def _plans(store, path, run, monkeypatch) -> list[str]:
    """SQLite's query plan of each read ``run(store)`` makes (the reads recorded as the
    store makes them, their plans asked with a connection of the test's own)."""
    from gridmap.feed.store import sqlite

    seen: list[tuple[str, tuple]] = []
    read = sqlite.SQLiteStore._query

    def record(self, sql, params=()):
        seen.append((sql, tuple(params)))
        return read(self, sql, params)

    monkeypatch.setattr(sqlite.SQLiteStore, "_query", record)
    run(store)
    monkeypatch.undo()
    return sqlite_plans(path, seen)


def test_sqlite_reads_the_open_incidents_of_grids_from_their_partial_index(tmp_path, monkeypatch):
    # without statistics, once the near-due index a running server makes was there, SQLite
    # took every incident of every grid through the index by grid and time (1.3 s for the
    # district); a bulk load gathers them
    path = str(tmp_path / "store.db")
    store = open_store(f"sqlite:///{path}")
    store.bulk_load(_many_closed(3_000))
    store.due_crossings(0, 1)
    figures = lambda s: s.area_figures("grid", T0 + pd.Timedelta(hours=1))  # noqa: E731
    plans = _plans(store, path, figures, monkeypatch)
    assert "incidents_open" in plans[0] and "incidents_grid_time" not in plans[0]
    store.close()


def test_sqlite_reads_an_areas_figures_from_the_index_that_fits(tmp_path, monkeypatch):
    # an area's figures over days come off the index led by the time, without the table;
    # its open incidents by community come from the small indexes of the open ones (an
    # index led by the street or community code had SQLite walk every incident: 0.8 s)
    path = str(tmp_path / "store.db")
    store = open_store(f"sqlite:///{path}")
    store.bulk_load(_many_closed(3_000))
    end = MS0 + HOUR
    windows = lambda s: s.window_figures("510108004", [end - 7 * 24 * HOUR, MS0], end)  # noqa: E731
    plans = _plans(store, path, windows, monkeypatch)
    assert "COVERING INDEX incidents_time_area" in plans[0]
    assert "COVERING INDEX incidents_time_area" in plans[1]  # the handles' incidents
    by_community = lambda s: s.area_figures(  # noqa: E731
        "community", T0 + pd.Timedelta(hours=1), area_code="510108004"
    )
    backlog = _plans(store, path, by_community, monkeypatch)[0]
    assert "incidents_open" in backlog or "incidents_due" in backlog
    store.close()


def test_an_upgraded_sqlite_store_has_statistics_for_its_new_indexes(tmp_path, monkeypatch):
    from gridmap.feed.store import sql

    path = str(tmp_path / "store.db")
    monkeypatch.setattr(sql, "SCHEMA_VERSION", 5)
    old = open_store(f"sqlite:///{path}")
    old.bulk_load(_many_closed(300))
    old.close()
    sqlite_drop_statistics(path)
    monkeypatch.undo()
    new = open_store(f"sqlite:///{path}")
    assert new.upgraded_from == 5
    new.close()
    assert sqlite_has_statistics(path)
    again = open_store(f"sqlite:///{path}")
    assert again.upgraded_from is None  # already current
    again.close()


def test_sqlite_store_filled_without_statistics_gathers_them_as_it_opens(tmp_path, monkeypatch):
    from gridmap.feed.store import sqlite

    path = str(tmp_path / "store.db")
    url = f"sqlite:///{path}"
    monkeypatch.setattr(sqlite.SQLiteStore, "_after_bulk_load", lambda self: None)
    first = open_store(url)
    first.bulk_load(_many_closed(300))
    first.close()
    sqlite_drop_statistics(path)
    monkeypatch.setattr(sqlite, "ANALYZE_FROM", 1_000)
    open_store(url).close()
    assert not sqlite_has_statistics(path)  # few incidents: left to the planner
    monkeypatch.setattr(sqlite, "ANALYZE_FROM", 200)
    open_store(url).close()
    assert sqlite_has_statistics(path)


def test_located_open_incidents_are_counted_by_category_and_state(store):
    rows = [
        _incident(1, category="SR", status="reported"),
        _incident(2, category="TF", status="reported"),
        _incident(3, category="SR", status="in_progress"),
        _incident(4, category="SR", status="closed"),
        _incident(5, category="SR", status="reported", lon=None, lat=None),
    ]
    frame = pd.DataFrame(rows)
    for column in ("reported_at", "stage_entered_at", "deadline"):
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    frame["closed_at"] = pd.NaT
    store.bulk_load(frame)
    assert store.count_open_located() == 3
    assert store.count_open_located(categories=["SR"]) == 2
    assert store.count_open_located(statuses=["reported"]) == 2
    assert store.count_open_located(categories=["SR"], statuses=["reported"]) == 1
    assert store.count_open_located(categories=["SR", "TF"], statuses=["in_progress"]) == 1
    assert store.count_open_located(area_code="510108999") == 0
