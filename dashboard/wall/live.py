"""What the wall screen shows, as plain functions of the store (tests call them directly).

:func:`snapshot` is the first picture of the panels; :func:`open_payload`,
:func:`heat_payload` and :func:`grid_classes` are the map's live layers as compact columns
(served once per page by :mod:`gridmap.dashboard.wall.routes`); :func:`delta` is what changed
since the browser's cursor: the incidents touched by new events, the ones whose deadline passed
since the last tick (overdue is a matter of time, not of events), new reports for the heat,
grids whose colour class changed, ticker lines and which points flash; :func:`tick_payload`
is one tick of the wall as the browser asks for it (``/live/tick.json``), ticker text rendered.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gridmap.dashboard.shared.i18n import name_of, t
from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE, NORMAL, SUBCATEGORY_NAMES, URGENT
from gridmap.domain.privacy import mask_personal
from gridmap.domain.sla import DUE_ORDER, due_codes
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import STATE_ORDER, STATES
from gridmap.feed.store import SQLStore
from gridmap.layers.spec import DUE_COLOURS, STATE_COLOURS, open_count_class

_STATE_INDEX = {s: i for i, s in enumerate(STATE_ORDER)}
#: States whose dots are drawn at every zoom, beside the near-due and overdue ones: new
#: reports nobody has accepted yet. The rest come in from :data:`ALL_DOTS_ZOOM`.
NEW_STATES = ("reported",)
#: The zoom from which every open incident is a dot (a few communities across the screen);
#: further out the grid colours and the heat tell the story, and dots only what needs eyes.
ALL_DOTS_ZOOM = 13

#: Events read per tick at most (a backlog drains over the next ticks).
MAX_EVENTS_PER_TICK = 500
#: Lines the ticker shows (newest on top).
TICKER_LENGTH = 12
#: New ticker lines a tick adds at most: the urgent ones first, then the newest. A line stays
#: on the wall for at least TICKER_LENGTH / TICKER_PER_TICK ticks, long enough to be read
#: across the room when a busy hour brings 20 events a second (each incident's change is on
#: the map and in the figures all the same).
TICKER_PER_TICK = 2
#: How far back a tick looks for deadlines that passed (a page that was away longer than
#: this reloads its layers when it comes back anyway), ms.
MAX_SINCE_AGE_MS = 3_600_000


def snapshot(
    store: SQLStore, names: dict[str, str] | None = None, scope: Scope | None = None
) -> dict[str, Any]:
    """The first picture of the panels: the event cursor and the newest ticker lines, newest
    first by the time of the event (``names``: street code → name), of the incidents in
    ``scope``."""
    cursor = store.last_event_id()
    recent = store.recent_events(limit=TICKER_LENGTH, area_code=_area(scope))
    return {"cursor": cursor, "ticker": [ticker_line(r, names) for r in recent]}


def _area(scope: Scope | None) -> str | None:
    return scope.area_code if scope is not None else None


def open_payload(store: SQLStore, now: pd.Timestamp, scope: Scope | None = None) -> dict[str, Any]:
    """Every open incident with a location (in ``scope``), as columns (compact on the wire).

    Returns
    -------
    dict
        ``{"cursor", "ids", "lon", "lat" (WGS84 degrees, 5 decimals: about 1 m), "s" (state
        number in ``states``), "due" (0 none, 1 near-due, 2 overdue at ``now``), "states",
        "state_colours", "due_colours"}``. ``cursor`` is the last event the rows reflect.
    """
    cursor = store.last_event_id()  # read first: the rows are at least this new
    frame = pd.DataFrame.from_records(
        store.open_points(area_code=_area(scope)),
        columns=["id", "lon", "lat", "status", "deadline", "entered"],
    )
    due = due_codes(frame["deadline"], frame["entered"], epoch_ms(now))
    return {
        "cursor": cursor,
        "ids": frame["id"].tolist(),
        "lon": frame["lon"].astype(float).round(5).tolist(),
        "lat": frame["lat"].astype(float).round(5).tolist(),
        "s": [_STATE_INDEX[s] for s in frame["status"]],
        "due": due.tolist(),
        "states": list(STATE_ORDER),
        **open_legend(),
    }


def open_legend() -> dict[str, Any]:
    """How the wall draws the dots, in the payloads' codes (:data:`STATE_ORDER`,
    :data:`~gridmap.domain.sla.DUE_ORDER`): colours of the dots by state number and of the
    rings by due number, the state numbers drawn at every zoom (:data:`NEW_STATES`) and the
    zoom from which all are (:data:`ALL_DOTS_ZOOM`)."""
    return {
        "state_colours": [STATE_COLOURS.get(s, "#9fb3c8") for s in STATE_ORDER],
        "due_colours": [DUE_COLOURS.get(d, "") for d in DUE_ORDER],
        "new_states": [_STATE_INDEX[s] for s in NEW_STATES],
        "all_dots_zoom": ALL_DOTS_ZOOM,
    }


def heat_payload(
    store: SQLStore, now: pd.Timestamp, *, hours: int = 24, scope: Scope | None = None
) -> dict[str, Any]:
    """Reports of the last ``hours`` with a location (in ``scope``), for the density layer.

    Returns
    -------
    dict
        ``{"cursor", "t0" (epoch ms), "t" (minutes after ``t0``), "lon", "lat" (WGS84, 5
        decimals, about 1 m), "hours"}``.
    """
    cursor = store.last_event_id()
    t0 = epoch_ms(now - pd.Timedelta(hours=hours))
    points = store.report_points(t0 - 1, area_code=_area(scope))
    at = points["reported_at"].to_numpy(dtype=np.int64)
    return {
        "cursor": cursor,
        "t0": t0,
        "hours": hours,
        "t": ((at - t0) // 60_000).tolist(),
        "lon": points["lon"].astype(float).round(5).tolist(),
        "lat": points["lat"].astype(float).round(5).tolist(),
    }


def grid_classes(
    store: SQLStore, codes: list[str] | None = None, scope: Scope | None = None
) -> dict[str, int]:
    """Choropleth class of each grid by its open incidents (all grids of ``scope``, or
    ``codes``)."""
    if codes is None:
        codes = store.area_codes("grid", within=_area(scope))
    counts = store.open_counts_per_grid(codes)
    return {code: open_count_class(counts.get(code, 0)) for code in codes}


def delta(
    store: SQLStore,
    cursor: int,
    since_ms: int,
    now: pd.Timestamp,
    names: dict[str, str],
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Changes since ``cursor`` (events) and ``since_ms`` (deadlines passing), of the
    incidents in ``scope`` (default: the whole district).

    Returns ``{"cursor", "changes": [...], "reports": [[event_id, lon, lat, at_ms], ...],
    "grids": {code: class}, "ticker": [...], "flash": [ids]}``; each change is
    ``{"id", "lon", "lat", "open", "s" (state number in :data:`STATE_ORDER`), "due" (0, 1,
    2: see :func:`due_codes`)}``.
    """
    now_ms = epoch_ms(now)
    events, new_cursor = store.event_rows_since(cursor, limit=MAX_EVENTS_PER_TICK)
    events = [e for e in events if e["status"] is not None]  # (an incident since removed)
    if scope is not None and scope.column is not None:
        events = [e for e in events if e[scope.column] == scope.area_code]
    latest = {e["incident_id"]: e for e in events}  # the last one wins
    flash = [e["incident_id"] for e in events if e["action"] == "report" and _is_urgent(e)]
    crossings = store.due_crossings(since_ms, now_ms, area_code=_area(scope))
    overdue_lines = []
    for crossing in crossings:
        incident_id = crossing["incident_id"]
        if crossing["crossed"] == "overdue":
            # a deadline passing is no event, yet the room must see it: a red ticker line
            line = ticker_line(
                {**crossing, "at": crossing["deadline"], "to_state": crossing["status"]}, names
            )
            overdue_lines.append(dict(line, overdue=True, urgent=True))
            flash.append(incident_id)
        latest[incident_id] = crossing  # near-due: its ring turns amber
    reports = [
        [e["event_id"], round(e["lon"], 5), round(e["lat"], 5), e["at"]]
        for e in events
        if e["action"] == "report" and e["lon"] is not None
    ]
    touched = sorted(
        {e["grid_code"] for e in events if e["grid_code"]}
        | {c["grid_code"] for c in crossings if c["grid_code"]}
    )
    return {
        "cursor": new_cursor,
        "changes": _changes(list(latest.values()), now_ms),
        "reports": reports,
        "grids": grid_classes(store, touched) if touched else {},
        "ticker": _tick_lines([ticker_line(e, names) for e in _newest(events)] + overdue_lines),
        "flash": flash,
    }


def _newest(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events a tick may show (events in the order they happened): the newest urgent ones
    and the newest (no more than :func:`_tick_lines` can keep)."""
    urgent = [e for e in events if _is_urgent(e)][-TICKER_PER_TICK:]
    newest = [e for e in events[-TICKER_PER_TICK:] if not any(e is u for u in urgent)]
    return sorted(urgent + newest, key=lambda e: e["event_id"])


def _is_urgent(row: dict[str, Any]) -> bool:
    return int(row.get("priority") or NORMAL) == URGENT


def _tick_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ticker lines one tick adds: at most :data:`TICKER_PER_TICK`, the urgent ones first
    (an overdue line is urgent), then the newest; newest first."""
    order = range(len(lines))  # in the order things happened: later is newer in a second
    ranked = sorted(order, key=lambda i: (lines[i]["urgent"], lines[i]["time"], i), reverse=True)
    kept = sorted(ranked[:TICKER_PER_TICK], key=lambda i: (lines[i]["time"], i), reverse=True)
    return [lines[i] for i in kept]


def _changes(rows: list[dict[str, Any]], now_ms: int) -> list[dict[str, Any]]:
    """Each row's change for the map: where it is, its state, its due mark (all judged in
    one call of the SLA clock)."""
    due = due_codes(
        [_as_ms(r.get("deadline")) for r in rows],
        [_as_ms(r.get("stage_entered_at")) for r in rows],
        now_ms,
    )
    out = []
    for row, mark in zip(rows, due.tolist(), strict=True):
        status = row["status"]
        open_ = STATES[status].is_open
        lon, lat = row.get("lon"), row.get("lat")
        located = lon is not None and not pd.isna(lon)
        out.append(
            {
                "id": row["incident_id"],
                "lon": round(float(lon), 5) if located else None,
                "lat": round(float(lat), 5) if located else None,
                "open": open_,
                "s": _STATE_INDEX[status],
                "due": mark if open_ else 0,
            }
        )
    return out


def _as_ms(value) -> int | None:
    if value is None or (not isinstance(value, (int, float)) and pd.isna(value)):
        return None
    if isinstance(value, (int, float)):
        return None if value != value else int(value)
    return epoch_ms(pd.Timestamp(value))


def ticker_line(row: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any]:
    """One ticker entry: time, category, street, state, with personal data masked."""
    names = names or {}
    at = row["at"]
    at = pd.Timestamp(at, unit="ms", tz="UTC") if isinstance(at, (int, float)) else pd.Timestamp(at)
    at = at.tz_convert("Asia/Shanghai")
    sub = row.get("subcategory")
    category = CATEGORY_BY_CODE.get(row.get("category") or "", None)
    return {
        "id": row["incident_id"],
        "time": f"{at:%H:%M:%S}",
        "sub": sub,
        "category": (SUBCATEGORY_NAMES.get(sub, ("",))[0] if sub else "")
        or (category.name if category else ""),
        "street": names.get(row.get("street_code") or "", "—"),
        "state": STATES[row["to_state"]].name,
        "state_code": row["to_state"],
        "urgent": _is_urgent(row),
        "text": mask_personal((row.get("description") or "")[:40]),
    }


def tick_payload(
    store: SQLStore,
    cursor: int,
    since_ms: int,
    now: pd.Timestamp,
    names: dict[str, str],
    scope: Scope | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """One tick of the wall: the map's delta since ``cursor`` (see :func:`delta`), the server's
    now (epoch ms: the next tick's ``since_ms``) and the new ticker lines as display cells.

    ``cursor`` below 0 counts as 0, and ``since_ms`` is held to the last
    :data:`MAX_SINCE_AGE_MS`, so a stale or forged query cannot make the server scan the
    whole history.
    """
    now_ms = epoch_ms(now)
    since_ms = min(max(since_ms, now_ms - MAX_SINCE_AGE_MS), now_ms)
    change = delta(store, max(cursor, 0), since_ms, now, names, scope)
    lines = change.pop("ticker")
    return {"delta": change, "now": now_ms, "ticker": [ticker_cells(x, lang) for x in lines]}


def ticker_cells(line: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    """A ticker line as the screen shows it: ``key`` (the same event gives the same key),
    ``time``, ``category``, ``street``, ``state`` in ``lang``, ``state_code`` (``overdue`` for
    a deadline that passed) and ``urgent``."""
    if lang == "en" and line.get("sub") in SUBCATEGORY_NAMES:
        category = SUBCATEGORY_NAMES[line["sub"]][1]
    else:
        category = line["category"]
    code = "overdue" if line.get("overdue") else line.get("state_code")
    return {
        "key": f"{line['id']}|{line['time']}|{code}",
        "time": line["time"],
        "category": category,
        "street": line["street"],
        "state": t("overdue", lang)
        if code == "overdue"
        else name_of(STATES[code], lang)
        if code in STATES
        else line["state"],
        "state_code": code,
        "urgent": bool(line.get("urgent")),
    }
