"""Incidents from a file: each row becomes an incident — with its first workflow event, its
grid, community and street, routed to its unit as one reported through the API would be
(:func:`gridmap.domain.incident.new_incident`) — or is refused with its row number and the
reason. A point outside every grid but near the district is kept, unassigned; one far from
every grid is refused, as the API refuses it.

Columns are found by their usual names, Chinese or English. The kind of incident may be a
service code (``SS01``) or a subcategory's name (``井盖缺失破损``) in any of the kind columns.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import pandas as pd

from gridmap.domain.categories import (
    NORMAL,
    PRIORITIES,
    SOURCES,
    category_from_text,
    subcategory_from_text,
)
from gridmap.domain.identifiers import ID_CHARACTERS, is_valid_id
from gridmap.domain.incident import Place, new_incident
from gridmap.domain.times import epoch_ms
from gridmap.geo.assign import assign_to_grids, service_bounds
from gridmap.geo.load import find_column

#: Recognised column names of each incident field (the first one found is used).
KIND_NAMES = (
    "service_code",
    "subcategory",
    "小类",
    "小类编码",
    "事件小类",
    "类别编码",
    "service_name",
    "小类名称",
    "事件类型",
    "类别",
    "问题类型",
    "事件类别",
)
TIME_NAMES = ("reported_at", "requested_datetime", "time", "上报时间", "发现时间", "时间")
DESCRIPTION_NAMES = ("description", "描述", "问题描述", "事件描述", "内容")
SOURCE_NAMES = ("source", "来源", "事件来源")
PRIORITY_NAMES = ("priority", "紧急程度", "优先级")

_SOURCE_BY_TEXT = {v[0]: k for k, v in SOURCES.items()} | {k: k for k in SOURCES}
_PRIORITY_BY_TEXT = {name: code for code, (name, _en, _f) in PRIORITIES.items()} | {
    str(code): code for code in PRIORITIES
}


@dataclasses.dataclass
class IncidentImport:
    """What a file's rows became.

    Attributes
    ----------
    incidents, events
        The new incidents and their ``report`` events, ready for
        :meth:`~gridmap.feed.store.SQLStore.bulk_load` (times tz-aware).
    rejected
        One entry per refused row: ``row`` (as :class:`~gridmap.geo.ingest.ImportResult`
        numbers it), ``id``, ``code`` (what is wrong, a word the command line translates) and
        ``reason`` (in English, with the value), ``params`` (the values the reason names).
    unassigned
        Rows kept outside every grid (near the district).
    notes
        What the user should know about the whole file (a column that was not found, ...).
    rows
        The row each incident came from, by its id.
    """

    incidents: pd.DataFrame
    events: pd.DataFrame
    rejected: list[dict[str, Any]]
    unassigned: int
    notes: list[str]
    #: incident id → the row it came from
    rows: dict[str, int] = dataclasses.field(default_factory=dict)


def incidents_from_import(
    points: gpd.GeoDataFrame,
    grids: gpd.GeoDataFrame,
    *,
    names: dict[str, str] | None = None,
    timezone: str = "Asia/Shanghai",
    now: pd.Timestamp | None = None,
    row_word: str = "row",
) -> IncidentImport:
    """Incidents of the rows of ``points`` (:func:`gridmap.geo.ingest.import_points`:
    ``lon``/``lat`` WGS84, ``row``, the file's columns).

    Parameters
    ----------
    grids
        The grid layer (EPSG:4326) to place them in; may be empty (every incident unassigned).
    names
        Street and community code → name, for routing to their offices.
    timezone
        Zone of times written without one.
    now
        Reports later than this (plus five minutes) are refused as lying in the future.
    row_word
        What the file's rows are called in messages (``line`` of a spreadsheet, ``feature``).
    """
    names = names or {}
    now = now or pd.Timestamp.now(tz=timezone)
    columns = list(points.columns)
    kind_cols = [c for c in columns if str(c).strip().lower() in {n.lower() for n in KIND_NAMES}]
    time_col = find_column(columns, TIME_NAMES, None, "report time")
    desc_col = find_column(columns, DESCRIPTION_NAMES, None, "description")
    source_col = find_column(columns, SOURCE_NAMES, None, "source")
    prio_col = find_column(columns, PRIORITY_NAMES, None, "priority")
    notes = []
    if not kind_cols:
        notes.append(f"no column of the kind of incident; recognised: {list(KIND_NAMES)}")
    if time_col is None:
        notes.append("no report time column: the rows are filed as reported now")
    located = (
        assign_to_grids(points["lon"].to_numpy(), points["lat"].to_numpy(), grids)
        if len(grids)
        else pd.DataFrame({"grid_code": [None] * len(points), "unassigned": True})
    )
    bounds = service_bounds(grids)
    rows, events, rejected = [], [], []
    seen: dict[str, int] = {}
    for i, (_, point) in enumerate(points.iterrows()):
        row_no = int(point["row"])
        problem = _row_problem(
            point, kind_cols, time_col, prio_col, bounds, seen, timezone, now, row_word
        )
        incident_id = _row_id(point, row_no, _reported(point, time_col, timezone, now))
        if problem is not None:
            code, reason, params = problem
            rejected.append(
                {
                    "row": row_no,
                    "id": _given_id(point),
                    "code": code,
                    "reason": reason,
                    "params": params,
                }
            )
            continue
        seen[incident_id] = row_no  # also where each kept incident came from
        kind = next(
            subcategory_from_text(point[c]) for c in kind_cols if subcategory_from_text(point[c])
        )
        reported = _reported(point, time_col, timezone, now)
        grid = located.iloc[i]
        community, street = grid.get("community_code"), grid.get("street_code")
        place = Place(
            float(point["lon"]),
            float(point["lat"]),
            source_crs=str(point.get("source_crs") or "EPSG:4326"),
            source_x=_float(point.get("source_x")),
            source_y=_float(point.get("source_y")),
            grid_code=grid["grid_code"],
            community_code=community,
            street_code=street,
            street_name=names.get(street or ""),
            community_name=names.get(community or ""),
        )
        row, event = new_incident(
            incident_id,
            kind,
            reported_ms=epoch_ms(reported),
            place=place,
            priority=_priority(point, prio_col) or NORMAL,
            source=_source(point, source_col),
            description=""
            if desc_col is None or pd.isna(point[desc_col])
            else str(point[desc_col]),
            client="import",
        )
        rows.append(row)
        events.append(event)
    unknown_sources = (
        0
        if source_col is None
        else int(sum(_source_raw(p, source_col) is False for _, p in points.iterrows()))
    )
    if unknown_sources:
        notes.append(
            f"{unknown_sources} row(s) name a source not known; filed as {SOURCES['resident'][0]}"
        )
    return IncidentImport(
        incidents=_with_times(
            pd.DataFrame(rows),
            ("reported_at", "stage_entered_at", "deadline", "last_event_at"),
            timezone,
        ),
        events=_with_times(pd.DataFrame(events), ("at", "deadline"), timezone),
        rejected=rejected,
        rows=dict(seen),
        unassigned=int(sum(1 for r in rows if r["grid_code"] is None)),
        notes=notes,
    )


def _row_problem(point, kind_cols, time_col, prio_col, bounds, seen, timezone, now, row_word):
    """``(code, reason, params)`` of what makes a row unusable, or ``None``: ``code`` says
    what (a word the command line translates), ``reason`` says it in English with the values,
    ``params`` holds those values."""
    values = [point[c] for c in kind_cols if not pd.isna(point[c]) and str(point[c]).strip()]
    if not any(subcategory_from_text(v) for v in values):
        if not values:
            return "no_kind", "no kind of incident given", {}
        value = str(values[0])[:40]
        category = next((category_from_text(v) for v in values if category_from_text(v)), None)
        if category is not None:
            example = category.subcategories[0]
            params = {
                "value": value,
                "category": f"{category.code} {category.name}",
                "example": f"{example[0]} {example[1]}",
            }
            reason = (
                f"{value} names a category ({params['category']}), not a kind of incident: "
                f"give one such as {params['example']}"
            )
            return "category_only", reason, params
        return "unknown_kind", f"unknown kind of incident {value!r}", {"value": value}
    if time_col is not None:
        reported = _reported(point, time_col, timezone, now)
        if reported is None:
            value = str(point[time_col])[:40]
            return "bad_time", f"no valid report time: {value!r}", {"value": value}
        if reported > now + pd.Timedelta(minutes=5):
            value = f"{reported:%Y-%m-%d %H:%M}"
            return "future_time", f"the report time {value} lies in the future", {"value": value}
    if prio_col is not None and not pd.isna(point[prio_col]) and _priority(point, prio_col) is None:
        value = str(point[prio_col])[:20]
        reason = f"unknown priority {value!r} (1 紧急 urgent, 2 较急 high, 3 一般 normal)"
        return "bad_priority", reason, {"value": value}
    if "id" in point and not pd.isna(point["id"]):
        incident_id = str(point["id"]).strip()
        if not is_valid_id(incident_id):
            value = incident_id[:40]
            return "bad_id", f"id {value!r}: may hold only {ID_CHARACTERS}", {"value": value}
        if incident_id in seen:
            first = seen[incident_id]
            reason = f"duplicate id {incident_id!r} (first at {row_word} {first})"
            return "duplicate_id", reason, {"value": incident_id, "first": first}
    lon, lat = float(point["lon"]), float(point["lat"])
    if bounds is not None and not (bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]):
        params = {"lat": f"{lat:.5f}", "lon": f"{lon:.5f}"}
        reason = (
            f"({params['lat']}, {params['lon']}) lies far outside the district (more than "
            "about 10 km from every grid)"
        )
        return "far_away", reason, params
    return None


def _given_id(point) -> str | None:
    """The id the row gives, if any."""
    if "id" in point and not pd.isna(point["id"]) and str(point["id"]).strip():
        return str(point["id"]).strip()
    return None


def _row_id(point, row_no: int, reported: pd.Timestamp | None) -> str:
    """The row's id, or one made of its report time and row number."""
    given = _given_id(point)
    if given is not None:
        return given
    stamp = f"{reported:%Y%m%d%H%M%S}" if reported is not None else "0"
    return f"IMP-{stamp}-{row_no}"


def _reported(point, time_col, timezone, now) -> pd.Timestamp | None:
    if time_col is None:
        return now.floor("s")
    stamp = pd.to_datetime(point[time_col], errors="coerce")
    if stamp is pd.NaT or pd.isna(stamp):
        return None
    return stamp.tz_localize(timezone) if stamp.tzinfo is None else stamp.tz_convert(timezone)


def _priority(point, prio_col) -> int | None:
    if prio_col is None or pd.isna(point[prio_col]):
        return None
    text = str(point[prio_col]).strip().removesuffix(".0")
    return _PRIORITY_BY_TEXT.get(text)


def _source_raw(point, source_col):
    """The source code a row names, ``None`` (none given) or ``False`` (not a known one)."""
    if source_col is None or pd.isna(point[source_col]) or not str(point[source_col]).strip():
        return None
    return _SOURCE_BY_TEXT.get(str(point[source_col]).strip(), False)


def _source(point, source_col) -> str:
    return _source_raw(point, source_col) or "resident"


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _with_times(frame: pd.DataFrame, columns, timezone: str) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True).dt.tz_convert(
                timezone
            )
    return frame
