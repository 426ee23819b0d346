"""Turning incoming incidents (imported files now, API posts later) into store rows.

Every row either becomes an incident — assigned to its grid, community and street, routed to
a responsible unit, with its first workflow event — or is rejected with the reason. A point
outside every grid is kept and flagged ``unassigned`` (its grid columns empty).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gridmap.domain.categories import SOURCES, SUBCATEGORY_NAMES, SUBCATEGORY_TO_CATEGORY
from gridmap.domain.identifiers import ID_CHARACTERS, is_valid_id
from gridmap.domain.routing import route
from gridmap.domain.sla import allowed_hours_array
from gridmap.geo.assign import assign_to_grids
from gridmap.geo.load import find_column

#: Recognised column names for imported incident fields.
SERVICE_NAMES = ("service_code", "subcategory", "小类", "小类编码", "事件小类", "类别编码")
CATEGORY_NAME_NAMES = ("service_name", "小类名称", "事件类型", "类别", "问题类型")
TIME_NAMES = ("reported_at", "requested_datetime", "time", "上报时间", "发现时间", "时间")
DESCRIPTION_NAMES = ("description", "描述", "问题描述", "事件描述", "内容")
SOURCE_NAMES = ("source", "来源", "事件来源")
PRIORITY_NAMES = ("priority", "紧急程度", "优先级")

_NAME_TO_CODE = {name: code for code, (name, _en) in SUBCATEGORY_NAMES.items()}
_SOURCE_BY_NAME = {v[0]: k for k, v in SOURCES.items()} | {k: k for k in SOURCES}


def incidents_from_import(
    points: gpd.GeoDataFrame,
    grids: gpd.GeoDataFrame,
    *,
    timezone: str = "Asia/Shanghai",
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Incident rows (ready for :meth:`Store.bulk_load`) and the rejected rows with reasons.

    Parameters
    ----------
    points
        Output of :func:`gridmap.geo.ingest.import_points`: ``lon``/``lat`` in WGS84 and the
        file's columns.
    grids
        Grid layer (EPSG:4326) to assign to; may be empty (then every incident is unassigned).
    timezone
        Zone of times written without one.
    """
    cols = list(points.columns)
    service_col = find_column(cols, SERVICE_NAMES, None, "service code")
    name_col = find_column(cols, CATEGORY_NAME_NAMES, None, "category name")
    time_col = find_column(cols, TIME_NAMES, None, "report time")
    reasons = pd.Series("", index=points.index, dtype=object)

    if service_col is not None:
        service = points[service_col].astype(str).str.strip()
    elif name_col is not None:
        service = points[name_col].astype(str).str.strip().map(_NAME_TO_CODE).fillna("")
    else:
        service = pd.Series("", index=points.index)
    unknown = ~service.isin(list(SUBCATEGORY_TO_CATEGORY))
    reasons[unknown] = (
        "unknown category ("
        + (
            points[service_col if service_col else name_col].astype(str)
            if (service_col or name_col)
            else pd.Series("none given", index=points.index)
        )[unknown]
        + f"); known service codes: {', '.join(sorted(SUBCATEGORY_TO_CATEGORY))}"
    )

    if time_col is not None:
        reported = pd.to_datetime(points[time_col], errors="coerce", format="mixed")
        if reported.dt.tz is None:
            reported = reported.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        reported = reported.dt.tz_convert(timezone)
    else:
        reported = pd.Series(pd.Timestamp.now(tz=timezone).floor("s"), index=points.index)
    bad_time = reported.isna() & (reasons == "")
    reasons[bad_time] = f"no valid report time in column {time_col!r}"

    if "id" in points:
        ids = points["id"].astype(str).str.strip()
        bad_id = ~ids.map(is_valid_id).astype(bool) & (reasons == "")
        reasons[bad_id] = "id " + ids[bad_id].str.slice(0, 40) + f": may hold only {ID_CHARACTERS}"
        dup = ids.duplicated(keep="first") & (reasons == "")
        reasons[dup] = "duplicate id " + ids[dup] + " (kept the first)"
    else:
        ids = pd.Series(
            [f"IMP{t:%Y%m%d%H%M%S}{i:06d}" for i, t in enumerate(reported.fillna(pd.Timestamp(0)))],
            index=points.index,
        )

    ok = (reasons == "").to_numpy()
    rows = points[ok]
    assigned = (
        assign_to_grids(rows["lon"].to_numpy(), rows["lat"].to_numpy(), grids)
        if len(grids)
        else pd.DataFrame({"grid_code": [None] * len(rows), "unassigned": True})
    )
    desc_col = find_column(cols, DESCRIPTION_NAMES, None, "description")
    source_col = find_column(cols, SOURCE_NAMES, None, "source")
    prio_col = find_column(cols, PRIORITY_NAMES, None, "priority")
    sub = service[ok].to_numpy(dtype=object)
    category = np.array([SUBCATEGORY_TO_CATEGORY[s] for s in sub], dtype=object)
    priority = (
        pd.to_numeric(rows[prio_col], errors="coerce").fillna(3).clip(1, 3).astype(int).to_numpy()
        if prio_col
        else np.full(len(rows), 3)
    )
    incidents = pd.DataFrame(
        {
            "incident_id": ids[ok].to_numpy(dtype=object),
            "source": rows[source_col]
            .map(_SOURCE_BY_NAME)
            .fillna("resident")
            .to_numpy(dtype=object)
            if source_col
            else "resident",
            "category": category,
            "subcategory": sub,
            "priority": priority,
            "reported_at": reported[ok].to_numpy(),
            "lon": rows["lon"].to_numpy(),
            "lat": rows["lat"].to_numpy(),
            "source_crs": rows["source_crs"].to_numpy() if "source_crs" in rows else "EPSG:4326",
            "source_x": rows["source_x"].to_numpy()
            if "source_x" in rows
            else rows["lon"].to_numpy(),
            "source_y": rows["source_y"].to_numpy()
            if "source_y" in rows
            else rows["lat"].to_numpy(),
            "grid_code": assigned["grid_code"].to_numpy(dtype=object),
            "community_code": assigned.get(
                "community_code", pd.Series([None] * len(rows))
            ).to_numpy(dtype=object),
            "street_code": assigned.get("street_code", pd.Series([None] * len(rows))).to_numpy(
                dtype=object
            ),
            "description": rows[desc_col].astype(str).to_numpy(dtype=object) if desc_col else "",
            "status": "reported",
        }
    )
    incidents["reported_at"] = pd.to_datetime(incidents["reported_at"], utc=True).dt.tz_convert(
        timezone
    )
    incidents["department"] = [route(s) for s in incidents["subcategory"]]
    incidents["stage_entered_at"] = incidents["reported_at"]
    hours = allowed_hours_array("reported", incidents["category"], incidents["priority"])
    incidents["deadline"] = incidents["reported_at"] + pd.to_timedelta(hours, unit="h")
    incidents["escalated"] = False
    rejected = [
        {"index": int(i) if isinstance(i, (int, np.integer)) else str(i), "reason": r}
        for i, r in reasons[~ok].items()
    ]
    return incidents, rejected
