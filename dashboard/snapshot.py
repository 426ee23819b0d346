"""Layer snapshots for exports: the map as it stood at a moment, with the desk's filters, in
the caller's area, with personal data as the caller's role may read it.

Plain functions of the store (tests call them directly); :mod:`gridmap.dashboard.exports`
turns them into files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from gridmap.feed.access import Scope
from gridmap.feed.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.feed.privacy import mask_personal
from gridmap.feed.sla import due_status
from gridmap.feed.store.sql import SQLStore
from gridmap.feed.workflow import STATES
from gridmap.geo.aggregate import area_figures

#: Columns of an exported incident, in order (Chinese names are added beside the codes).
INCIDENT_EXPORT_COLUMNS = (
    "incident_id",
    "category",
    "category_name",
    "subcategory",
    "subcategory_name",
    "priority",
    "source",
    "status",
    "status_name",
    "due",
    "reported_at",
    "stage_entered_at",
    "deadline",
    "closed_at",
    "street_code",
    "street_name",
    "community_code",
    "grid_code",
    "department",
    "description",
    "lon",
    "lat",
)


class SnapshotError(ValueError):
    """A snapshot request that cannot be served; ``field`` names the parameter (HTTP 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class SnapshotQuery:
    """What to export: the moment, and the desk's filters.

    Parameters
    ----------
    at
        The moment (tz-aware); incidents reported later are left out, the others have the
        state they had then (rebuilt from the event log).
    categories
        Category codes to keep (empty: all).
    statuses
        Workflow states to keep (empty: all open ones).
    """

    at: pd.Timestamp
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: Mapping[str, str], now: pd.Timestamp) -> SnapshotQuery:
        """Parse ``at`` (ISO time, local if no zone; default ``now``), ``category`` and
        ``status`` (comma lists) with errors that name the parameter."""
        text = (args.get("at") or "").strip()
        at = now
        if text:
            try:
                at = pd.Timestamp(text)
            except (ValueError, TypeError):
                raise SnapshotError(
                    "at", f"not a time: {text[:40]!r} (e.g. 2026-11-25T10:30)"
                ) from None
            if at is pd.NaT:
                raise SnapshotError("at", "not a time")
            at = at.tz_localize(now.tz) if at.tzinfo is None else at.tz_convert(now.tz)
            if at > now + pd.Timedelta(minutes=1):
                raise SnapshotError("at", f"{at:%Y-%m-%d %H:%M} lies in the future")
        categories = tuple(c for c in (args.get("category") or "").split(",") if c)
        unknown = [c for c in categories if c not in CATEGORY_BY_CODE]
        if unknown:
            raise SnapshotError(
                "category", f"unknown {unknown}; allowed: {sorted(CATEGORY_BY_CODE)}"
            )
        statuses = tuple(s for s in (args.get("status") or "").split(",") if s)
        unknown = [s for s in statuses if s not in STATES]
        if unknown:
            raise SnapshotError("status", f"unknown {unknown}; allowed: {list(STATES)}")
        return cls(at, categories, statuses)


def incidents_at(
    store: SQLStore, scope: Scope, query: SnapshotQuery, names: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """The incidents of ``scope`` as they stood at ``query.at``, filtered (points, EPSG:4326).

    Descriptions are masked unless the scope's role may read personal data.
    """
    at_ms = int(query.at.value // 1_000_000)
    frame = store.get_incidents(area_code=scope.area_code)
    frame = frame[frame["reported_at"] <= query.at]
    state = store.state_as_of(at_ms).set_index("incident_id")
    known = frame["incident_id"].isin(state.index)
    frame = frame[known].copy()
    rows = state.loc[frame["incident_id"]]
    frame["status"] = rows["status"].to_numpy()
    frame["stage_entered_at"] = pd.to_datetime(rows["at"].to_numpy(), utc=True)
    frame["deadline"] = pd.to_datetime(rows["deadline"].to_numpy(), utc=True)
    open_ = frame["status"].map(lambda s: STATES[s].is_open).astype(bool)  # bool even if empty
    # closed then (not later): the time it entered its closed state
    frame["closed_at"] = frame["stage_entered_at"].where(~open_)
    frame = frame[frame["status"].isin(query.statuses)] if query.statuses else frame[open_]
    if query.categories:
        frame = frame[frame["category"].isin(query.categories)]
    frame = frame.reset_index(drop=True)
    due = due_status(frame["deadline"], frame["stage_entered_at"], query.at)
    is_open = frame["status"].map(lambda s: STATES[s].is_open).to_numpy(dtype=bool)
    marked = is_open & pd.Series(due).isin(["overdue", "near_due"]).to_numpy()
    frame["due"] = [d if m else "" for d, m in zip(due, marked, strict=True)]
    frame["category_name"] = frame["category"].map(
        lambda c: CATEGORY_BY_CODE[c].name if c in CATEGORY_BY_CODE else ""
    )
    frame["subcategory_name"] = frame["subcategory"].map(
        lambda c: SUBCATEGORY_NAMES.get(c, ("",))[0]
    )
    frame["status_name"] = frame["status"].map(lambda s: STATES[s].name)
    frame["street_name"] = frame["street_code"].map(lambda c: names.get(c or "", ""))
    frame["description"] = frame["description"].map(scope.text)
    frame = frame[list(INCIDENT_EXPORT_COLUMNS)]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


def areas_at(
    store: SQLStore, scope: Scope, level: str, incidents: pd.DataFrame, at: pd.Timestamp
) -> gpd.GeoDataFrame:
    """The ``level`` areas of ``scope`` with their figures at ``at`` (open, overdue,
    near-due from ``incidents``; reported today up to ``at``)."""
    areas = store.get_areas(level).copy()
    if scope.area_code and level != "district":
        areas = areas[areas["code"].str.startswith(scope.area_code)]
    incidents = pd.DataFrame(incidents).drop(columns="geometry", errors="ignore")
    if level != "district" and len(incidents):
        figures = area_figures(
            incidents,
            level=level,
            now=at,
            window=(at.normalize(), at),
            areas=areas["code"],
        )
        keep = [c for c in ("open", "overdue", "near_due", "reported") if c in figures.columns]
        areas = areas.merge(figures[keep], left_on="code", right_index=True, how="left")
        areas[keep] = areas[keep].fillna(0).astype(int)
    if not scope.personal_data:  # the grid worker's name and phone are personal data too
        if "worker" in areas.columns:
            areas["worker"] = areas["worker"].map(_mask_name)
        for column in ("worker_phone", "phone", "contact"):
            if column in areas.columns:
                areas[column] = areas[column].map(lambda v: mask_personal(v) if v else v)
    return gpd.GeoDataFrame(areas.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")


def _mask_name(name):
    """``史建`` → ``史*``: the surname stays, the given name goes."""
    if not isinstance(name, str) or not name:
        return name
    return name[0] + "*" * (len(name) - 1)
