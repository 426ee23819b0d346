"""What the wall screen shows, as plain functions of the store (tests call them directly).

:func:`snapshot` is the first picture; :func:`delta` is what changed since the browser's
cursor: the incidents touched by new events, the ones whose deadline passed since the last
tick (overdue is a matter of time, not of events), ticker lines and which points flash.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from gridmap.feed.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.feed.privacy import mask_personal
from gridmap.feed.store.sql import SQLStore
from gridmap.feed.workflow import STATES
from gridmap.layers.spec import DUE_COLOURS, STATE_COLOURS

#: Events read per tick at most (a backlog drains over the next ticks).
MAX_EVENTS_PER_TICK = 500
TICKER_LENGTH = 12


def to_ms(stamp: pd.Timestamp) -> int:
    return int(stamp.value // 1_000_000)


def snapshot(store: SQLStore, now: pd.Timestamp) -> dict[str, Any]:
    """The first picture: open incidents, the last 24 h of reports, the cursor, the ticker."""
    open_incidents = store.get_incidents(open_only=True)
    day_ago = to_ms(now - pd.Timedelta(hours=24))
    heat = pd.DataFrame.from_records(
        store._query(
            "SELECT lon, lat FROM incidents WHERE reported_at >= ? AND lon IS NOT NULL", (day_ago,)
        ),
        columns=["lon", "lat"],
    )
    cursor = store.last_event_id()
    recent, _ = store.events_since(max(cursor - TICKER_LENGTH, 0), limit=TICKER_LENGTH)
    return {
        "open": open_incidents,
        "heat": heat,
        "cursor": cursor,
        "ticker": [ticker_line(r) for r in recent.iloc[::-1].to_dict("records")],
    }


def delta(
    store: SQLStore, cursor: int, since_ms: int, now: pd.Timestamp, names: dict[str, str]
) -> dict[str, Any]:
    """Changes since ``cursor`` (events) and ``since_ms`` (deadlines passing).

    Returns ``{"cursor", "changes": [...], "ticker": [...],
    "flash": [ids]}``; each change is ``{"id", "lon", "lat", "open", "color", "due",
    "due_color"}``.
    """
    now_ms = to_ms(now)
    events, new_cursor = store.events_since(cursor, limit=MAX_EVENTS_PER_TICK)
    latest = events.drop_duplicates("incident_id", keep="last") if len(events) else events
    changes = {r["incident_id"]: _change(r, now_ms) for r in latest.to_dict("records")}
    flash = [
        r["incident_id"]
        for r in events.to_dict("records")
        if r["action"] == "report" and int(r["priority"] or 3) == 1
    ]
    newly_overdue = store._query(
        "SELECT incident_id, lon, lat, status, deadline, stage_entered_at FROM incidents "
        "WHERE status NOT IN ('closed', 'void') AND deadline > ? AND deadline <= ?",
        (since_ms, now_ms),
    )
    for incident_id, lon, lat, status, deadline, entered in newly_overdue:
        changes[incident_id] = _change(
            {
                "incident_id": incident_id,
                "lon": lon,
                "lat": lat,
                "status": status,
                "deadline": deadline,
                "stage_entered_at": entered,
            },
            now_ms,
        )
        flash.append(incident_id)
    return {
        "cursor": new_cursor,
        "changes": list(changes.values()),
        "ticker": [
            ticker_line(r, names) for r in events.iloc[::-1].head(TICKER_LENGTH).to_dict("records")
        ]
        if len(events)
        else [],
        "flash": flash,
    }


def _change(row: dict[str, Any], now_ms: int) -> dict[str, Any]:
    status = row["status"]
    deadline = _as_ms(row.get("deadline"))
    entered = _as_ms(row.get("stage_entered_at"))
    due = ""
    if deadline is not None and STATES[status].is_open:
        if deadline < now_ms:
            due = "overdue"
        elif entered is not None and deadline - now_ms < 0.2 * (deadline - entered):
            due = "near_due"
    return {
        "id": row["incident_id"],
        "lon": None if row.get("lon") is None else round(float(row["lon"]), 6),
        "lat": None if row.get("lat") is None else round(float(row["lat"]), 6),
        "open": STATES[status].is_open,
        "color": STATE_COLOURS.get(status, "#9fb3c8"),
        "due": due,
        "due_color": DUE_COLOURS.get(due, ""),
    }


def _as_ms(value) -> int | None:
    if value is None or (not isinstance(value, (int, float)) and pd.isna(value)):
        return None
    if isinstance(value, (int, float)):
        return None if value != value else int(value)
    return to_ms(pd.Timestamp(value))


def ticker_line(row: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any]:
    """One ticker entry: time, category, street, state, with personal data masked."""
    names = names or {}
    at = pd.Timestamp(row["at"]).tz_convert("Asia/Shanghai")
    sub = row.get("subcategory")
    category = CATEGORY_BY_CODE.get(row.get("category") or "", None)
    return {
        "id": row["incident_id"],
        "time": f"{at:%H:%M:%S}",
        "category": (SUBCATEGORY_NAMES.get(sub, ("",))[0] if sub else "")
        or (category.name if category else ""),
        "street": names.get(row.get("street_code") or "", "—"),
        "state": STATES[row["to_state"]].name,
        "state_code": row["to_state"],
        "urgent": int(row.get("priority") or 3) == 1,
        "text": mask_personal((row.get("description") or "")[:40]),
    }
