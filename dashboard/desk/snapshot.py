"""Layer snapshots for exports: the map as it stood at a moment, with the desk's filters, in
the caller's area, with personal data as the caller's role may read it.

Plain functions of the store (tests call them directly); :mod:`gridmap.dashboard.desk.exports`
turns them into files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.domain.privacy import mask_frame
from gridmap.domain.times import TimeFormatError, parse_time
from gridmap.domain.workflow import STATES
from gridmap.feed.store import SQLStore

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
    "photos",
    "lon",
    "lat",
)


#: Closed and void incidents are exported for this long before the snapshot's moment.
CLOSED_PERIOD = pd.Timedelta(days=31)
#: Most incidents in one export (a district's open ones are about 5,000; a city's 100,000).
MAX_EXPORT_ROWS = 200_000


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
                at = parse_time(text, str(now.tz))
            except TimeFormatError as exc:
                raise SnapshotError("at", str(exc)) from None
            if at > now + pd.Timedelta(minutes=1):
                raise SnapshotError("at", f"{at:%Y-%m-%d %H:%M} lies in the future")
        categories = tuple(c for c in (args.get("category") or "").split(",") if c)
        unknown = [c[:40] for c in categories if c not in CATEGORY_BY_CODE][:5]
        if unknown:
            raise SnapshotError(
                "category", f"unknown {unknown}; allowed: {sorted(CATEGORY_BY_CODE)}"
            )
        statuses = tuple(s for s in (args.get("status") or "").split(",") if s)
        unknown = [s[:40] for s in statuses if s not in STATES][:5]
        if unknown:
            raise SnapshotError("status", f"unknown {unknown}; allowed: {list(STATES)}")
        return cls(at, categories, statuses)


def incidents_at(
    store: SQLStore,
    scope: Scope,
    query: SnapshotQuery,
    names: Mapping[str, str],
    photo_base: str = "/photos/",
) -> gpd.GeoDataFrame:
    """The incidents of ``scope`` as they stood at ``query.at``, filtered (points, EPSG:4326),
    each with the URLs of its photos (``photo_base`` + name, space-separated; served only to
    callers who may read the incident).

    Open ones by default; closed and void ones (when ``query.statuses`` asks for them) of the
    :data:`CLOSED_PERIOD` before the moment only, so that an export's work is bounded.
    Descriptions are masked unless the scope's role may read personal data.
    """
    at_ms = int(query.at.value // 1_000_000)
    wants_closed = any(not STATES[s].is_open for s in query.statuses)
    closed_since = query.at - CLOSED_PERIOD if wants_closed else None
    frame = store.incidents_as_of(
        at_ms,
        area_code=scope.area_code,
        closed_since_ms=None if closed_since is None else int(closed_since.value // 1_000_000),
    )
    open_ = frame["status"].map(lambda s: STATES[s].is_open).astype(bool)  # bool even if empty
    frame = frame[frame["status"].isin(query.statuses)] if query.statuses else frame[open_]
    if query.categories:
        frame = frame[frame["category"].isin(query.categories)]
    if len(frame) > MAX_EXPORT_ROWS:
        raise SnapshotError(
            "status",
            f"{len(frame):,} incidents; at most {MAX_EXPORT_ROWS:,} per export: "
            "choose categories, states or an earlier moment",
        )
    frame = frame.reset_index(drop=True)
    frame["due"] = frame["due"].where(frame["due"].isin(["overdue", "near_due"]), "")
    frame["category_name"] = frame["category"].map(
        lambda c: CATEGORY_BY_CODE[c].name if c in CATEGORY_BY_CODE else ""
    )
    frame["subcategory_name"] = frame["subcategory"].map(
        lambda c: SUBCATEGORY_NAMES.get(c, ("",))[0]
    )
    frame["status_name"] = frame["status"].map(lambda s: STATES[s].name)
    frame["street_name"] = frame["street_code"].map(lambda c: names.get(c or "", ""))
    frame["description"] = frame["description"].map(scope.text)
    photos: dict[str, list[str]] = {}
    for photo in store.photos_of(list(frame["incident_id"])):
        photos.setdefault(photo["incident_id"], []).append(
            f"{photo_base}{photo['sha256']}.{photo['ext']}"
        )
    frame["photos"] = [" ".join(photos.get(i, ())) for i in frame["incident_id"]]
    frame = frame[list(INCIDENT_EXPORT_COLUMNS)]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


def areas_at(store: SQLStore, scope: Scope, level: str, query: SnapshotQuery) -> gpd.GeoDataFrame:
    """The ``level`` areas of ``scope`` with their figures at ``query.at`` (open, overdue,
    near-due then, reported that day up to then; of the query's categories), from the
    store's figures engine."""
    areas = store.get_areas(level).copy()
    if scope.area_code and level != "district":
        areas = areas[[scope.contains_code(c) for c in areas["code"]]]
    if level != "district":
        figures = store.area_figures(
            level,
            query.at,
            area_code=scope.area_code,
            at=query.at,
            categories=query.categories,
        )
        keep = ["open", "overdue", "near_due", "reported"]
        areas = areas.merge(figures[keep], left_on="code", right_index=True, how="left")
        areas[keep] = areas[keep].fillna(0).astype(int)
    if not scope.personal_data:  # the grid worker's name and phone are personal data too
        areas = mask_frame(areas)
    return gpd.GeoDataFrame(areas.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")
