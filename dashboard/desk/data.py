"""Data of the desk page: its time windows, its export formats and the filtered open
incidents (plain functions)."""

from __future__ import annotations

import pandas as pd

from gridmap.dashboard.shared.mapview import due_of
from gridmap.domain.access import Scope
from gridmap.domain.areas import lies_in
from gridmap.domain.routing import unit_area
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import FIELD_ROLES, waiting_states
from gridmap.feed.store import SQLStore

#: Time windows of the heat filter: (text key, hours).
WINDOWS = (("h24", 24), ("d7", 168), ("d30", 720))
#: Export formats offered: (label, path under /export/).
EXPORTS = (
    ("GeoPackage · 事件 incidents", "incidents.gpkg"),
    ("GeoJSON · 事件 incidents", "incidents.geojson"),
    ("Shapefile (zip) · 事件 incidents", "incidents.shp.zip"),
    ("CSV (Excel) · 事件 incidents", "incidents.csv"),
    ("GeoParquet · 事件 incidents", "incidents.parquet"),
    ("GeoPackage · 网格统计 grids", "grids.gpkg"),
    ("Shapefile (zip) · 网格统计 grids", "grids.shp.zip"),
    ("CSV (Excel) · 网格统计 grids", "grids.csv"),
    ("HTML 地图 · map", "map.html"),
    ("PNG 图片 · image", "map.png"),
)


def desk_incidents(
    store: SQLStore,
    *,
    categories: list[str] | None,
    statuses: list[str] | None,
    area_code: str | None = None,
) -> pd.DataFrame:
    """Open incidents inside ``area_code`` (if given), of ``categories`` and ``statuses`` (all
    when ``None``), by id."""
    incidents = store.get_incidents(open_only=True, area_code=area_code)
    if categories:
        incidents = incidents[incidents["category"].isin(categories)]
    if statuses:
        incidents = incidents[incidents["status"].isin(statuses)]
    return incidents.reset_index(drop=True)


#: The views of a page's incidents table: its open ones, those waiting on the caller (待办),
#: and everything reported in the last :data:`RECENT_DAYS` days.
VIEWS = ("open", "todo", "recent")
RECENT_DAYS = 30
#: Due-state filters.
DUE_FILTERS = ("overdue", "near_due")


def waiting_on(incidents: pd.DataFrame, scope: Scope, names: dict[str, str]) -> pd.Series:
    """Which incidents wait on the caller (its to-do list): in a state the caller's role
    moves on (:func:`~gridmap.domain.workflow.waiting_states`) and, for a street office or a
    community workstation, dispatched to a unit of its own area."""
    waiting = incidents["status"].isin(waiting_states(scope.role))
    if scope.role not in FIELD_ROLES or not len(incidents):
        return waiting
    own = [
        lies_in(
            unit_area(
                r.get("department"),
                (r.get("street_code"), names.get(r.get("street_code") or "")),
                (r.get("community_code"), names.get(r.get("community_code") or "")),
            ),
            scope.area_code,
        )
        and bool(r.get("department"))
        for r in incidents[["department", "street_code", "community_code"]].to_dict("records")
    ]
    return waiting & pd.Series(own, index=incidents.index)


def todo_incidents(
    store: SQLStore,
    scope: Scope,
    area_code: str | None,
    names: dict[str, str],
    now,
    *,
    limit: int | None = None,
) -> tuple[pd.DataFrame, list[str], int]:
    """The incidents of ``area_code`` waiting on the caller, most urgent first (by
    deadline: the overdue ones first), at most ``limit`` of them, their due marks, and how
    many wait in all. A street office's or community's are only those dispatched to its own
    units (a few hundred at most: read whole and kept by unit here)."""
    states = waiting_states(scope.role)
    if scope.role in FIELD_ROLES:
        incidents, _total = store.waiting_incidents(states, area_code=area_code)
        incidents = incidents[waiting_on(incidents, scope, names)].reset_index(drop=True)
        total = len(incidents)
        if limit is not None:
            incidents = incidents.head(limit)
    else:
        incidents, total = store.waiting_incidents(states, area_code=area_code, limit=limit)
    return incidents, due_of(incidents, epoch_ms(now)), total


def page_incidents(
    store: SQLStore,
    scope: Scope,
    area_code: str | None,
    *,
    view: str,
    names: dict[str, str],
    now,
) -> pd.DataFrame:
    """The incidents of a page's table before its filters: ``view`` one of :data:`VIEWS`."""
    if view == "recent":
        since = epoch_ms(now) - RECENT_DAYS * 86_400_000
        return store.area_incidents(area_code, since_ms=since)
    incidents = store.get_incidents(open_only=True, area_code=area_code)
    if view == "todo":
        incidents = incidents[waiting_on(incidents, scope, names)]
    return incidents.reset_index(drop=True)


def filter_mask(
    incidents: pd.DataFrame,
    due: list[str],
    *,
    categories: list[str] | None = None,
    statuses: list[str] | None = None,
    due_states: list[str] | None = None,
    within: str | None = None,
) -> pd.Series:
    """Which incidents are of ``categories``, ``statuses`` and due states, in the area
    ``within`` (a community or grid code), each when given."""
    keep = pd.Series(True, index=incidents.index)
    if categories:
        keep &= incidents["category"].isin(categories)
    if statuses:
        keep &= incidents["status"].isin(statuses)
    if due_states:
        keep &= pd.Series([d in due_states for d in due], index=incidents.index)
    if within:
        keep &= incidents["grid_code"].fillna("").str.startswith(within)
    return keep
