"""Per-process objects the pages and callbacks share: the store, the intake service, caches.

Nothing here is per-user state: the app stays stateless between requests, and several server
processes behind one address show the same thing, because everything live is in the store.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pandas as pd
from flask import current_app

from gridmap.dashboard.shared.georoutes import GeoCache
from gridmap.domain.access import Scope
from gridmap.domain.areas import child_level, level_of
from gridmap.feed.service import IntakeService
from gridmap.feed.store import SQLStore
from gridmap.layers.view import view_of_bounds
from gridmap.settings import Settings

#: Days of the windows of an area's figures (the desk's pages show both).
WINDOW_DAYS = (7, 30)
#: Reads a page may run beside its own thread (:meth:`AppContext.soon`).
READERS = 2
#: Zoom levels past the whole area's view from which a map of several districts names the
#: streets (before that: the districts).
LABEL_STREETS_AFTER = 1.5


@dataclasses.dataclass
class AppContext:
    """What the dashboard needs, built once per process by :func:`create_app`."""

    settings: Settings
    store: SQLStore
    #: the geometry served to every map, built once per area (:mod:`.georoutes`)
    geo_cache: GeoCache | None = None
    #: the intake's rules for what users do in the browser (events, photos), as for the API
    service: IntakeService | None = None
    _cache: dict[str, tuple[float, Any]] = dataclasses.field(default_factory=dict)
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    _refreshing: set[str] = dataclasses.field(default_factory=set)
    #: threads that read for a page while it builds the rest (each keeps its own connection)
    _readers: ThreadPoolExecutor = dataclasses.field(
        default_factory=lambda: ThreadPoolExecutor(READERS, thread_name_prefix="gridmap-read")
    )

    def now(self) -> pd.Timestamp:
        return pd.Timestamp.now(tz=self.settings.timezone)

    def cached(self, key: str, ttl: float, build, *, ahead: bool = False):
        """``build()``'s value, reused for ``ttl`` seconds.

        With ``ahead``, an expired value is still returned at once while one background
        thread builds the next: a live tick never waits for a figure that is recomputed
        every few seconds (only the very first call builds in line).
        """
        with self._lock:
            hit = self._cache.get(key)
            fresh = hit is not None and time.monotonic() - hit[0] < ttl
            if fresh or (ahead and hit is not None):
                if not fresh and key not in self._refreshing:
                    self._refreshing.add(key)
                    threading.Thread(target=self._refresh, args=(key, build), daemon=True).start()
                return hit[1]
        value = build()
        with self._lock:
            self._cache[key] = (time.monotonic(), value)
        return value

    def soon(self, read, *args) -> Future:
        """``read(*args)`` started on one of the page readers: a page asks for its slow
        reads first and builds the rest meanwhile (the store's queries run outside Python's
        lock, each reader on its own connection), then takes their ``result()``."""
        return self._readers.submit(read, *args)

    def cached_version(self, key: str, version: str, build):
        """``build()``'s value, kept until ``version`` changes (one value per key: a new
        version replaces the old one)."""
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[1][0] == version:
            return hit[1][1]
        value = build()
        with self._lock:
            self._cache[key] = (time.monotonic(), (version, value))
        return value

    def _refresh(self, key: str, build) -> None:
        try:
            value = build()
            with self._lock:
                self._cache[key] = (time.monotonic(), value)
        except Exception:  # the store is away: keep the last value, try again next time
            pass
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def names(self) -> dict[str, str]:
        """Street and community code → display name."""

        def build() -> dict[str, str]:
            out: dict[str, str] = {}
            for level in ("district", "street", "community"):
                areas = self.store.get_areas(level)
                out.update(zip(areas["code"], areas["name"], strict=True))
            return out

        return self.cached("names", 300, build)

    def district_view(self) -> tuple[dict[str, float], float, str]:
        """Map centre, zoom and name of the district."""

        def build():
            areas = self.store.get_areas("district")
            if not len(areas):
                areas = self.store.get_areas("street")
            if not len(areas):
                return {"lat": 30.68, "lon": 104.15}, 11.0, "网格化管理"
            centre, zoom = view_of_bounds(areas.total_bounds, min_zoom=8.0, max_zoom=14.0)
            name = str(areas["name"].iloc[0]) if len(areas) == 1 else "全市"  # several districts
            return centre, zoom, name

        return self.cached("district-view", 300, build)

    def area_bounds(self, scope: Scope | None) -> list[float]:
        """``[minx, miny, maxx, maxy]`` (WGS84 degrees) of the caller's area (the district,
        or the districts, for district roles): what its map shows whole."""
        area = (scope.area_code if scope is not None else None) or ""

        def build():
            level = level_of(area) if area else "district"
            rows = self.store.get_areas(level)
            if area:
                rows = rows[rows["code"] == area]
            if not len(rows) and not area:
                rows = self.store.get_areas("street")
            if not len(rows):
                return [104.07, 30.62, 104.24, 30.75]  # Chenghua, for an empty store
            return [float(v) for v in rows.total_bounds]

        return self.cached(f"bounds:{area}", 300, build)

    def label_split(self, scope: Scope | None, zoom: float) -> float | None:
        """Zoom from which a map of the caller's area names streets instead of districts:
        ``None`` (streets at every zoom) unless the area holds several districts."""
        if scope is not None and scope.area_code:
            return None
        count = self.cached("district-count", 300, lambda: len(self.store.get_areas("district")))
        return zoom + LABEL_STREETS_AFTER if count > 1 else None

    def area_view(self, scope: Scope | None) -> tuple[dict[str, float], float, str]:
        """Map centre, zoom and name of the caller's area (the district for district roles)."""
        if scope is None or not scope.area_code:
            return self.district_view()
        area = scope.area_code

        def build():
            rows = self.store.get_areas(level_of(area))
            rows = rows[rows["code"] == area]
            if not len(rows):
                return self.district_view()
            centre, zoom = view_of_bounds(rows.total_bounds, min_zoom=10.0, max_zoom=16.0)
            return centre, zoom, str(rows["name"].iloc[0])

        return self.cached(f"area-view:{area}", 300, build)

    def street_stops(self, scope: Scope | None = None) -> list[dict[str, Any]]:
        """Centres and zooms of each street (the communities of a street office's street;
        none for a community), for the auto-tour."""
        area = (scope.area_code if scope is not None else None) or ""
        if area and level_of(area) != "street":
            return []  # a community's wall does not tour
        level = "community" if area else "street"

        def build():
            streets = self.store.get_areas(level)
            streets = streets[streets["code"].str.startswith(area)]
            stops = []
            for code, name, geom in zip(
                streets["code"], streets["name"], streets.geometry, strict=True
            ):
                centre, zoom = view_of_bounds(geom.bounds, min_zoom=10.0, max_zoom=15.5)
                stops.append(
                    {
                        "code": code,
                        "name": name,
                        "center": centre,
                        "zoom": zoom,
                        "bounds": [float(v) for v in geom.bounds],
                    }
                )
            return stops

        return self.cached(f"stops:{area}", 300, build)

    def kpis(self, scope: Scope | None = None) -> dict[str, Any]:
        """Today's figures and yesterday's at the same time of day, in ``scope`` (default
        the whole district; cached 10 s per area)."""

        def build():
            now = self.now()
            area = _area_code(scope)
            today = self.store.day_figures(now, area_code=area)
            yesterday = self.store.day_figures(now, days_back=1, until=now, area_code=area)
            return {
                "today": today,
                "yesterday": yesterday,
                "current": self.store.current_figures(now, area_code=area),
            }

        return self.cached(f"kpis:{_area(scope)}", 10, build, ahead=True)

    def ranking(self, area_code: str | None, top: int = 11) -> pd.DataFrame:
        """The areas ``area_code`` is split into (the district's streets, a street's
        communities, a community's grids) with their figures now, worst first: most overdue,
        then most open, then the lowest on-time rate today; the first ``top`` of them.
        Columns ``name``, ``open``, ``overdue``, ``near_due``, ``reported`` (today),
        ``on_time_rate`` (NaN: nothing handled today),
        indexed by code; empty below a grid. Cached 10 s per area."""

        def build() -> pd.DataFrame:
            level = child_level(area_code)
            columns = ["name", "open", "overdue", "near_due", "reported", "on_time_rate"]
            if level is None:
                return pd.DataFrame(columns=columns)
            codes = self.store.area_codes(level, within=area_code)
            frame = self.area_figures(level, area_code).reindex(codes)
            counts = ["open", "overdue", "near_due", "reported"]
            frame[counts] = frame[counts].fillna(0).astype("int64")
            names = self.names()
            frame["name"] = [names.get(c) or c[-3:] for c in frame.index]
            frame = frame.sort_values(
                ["overdue", "open", "on_time_rate"],
                ascending=[False, False, True],
                kind="stable",
                na_position="last",
            )
            return frame[columns].head(top)

        return self.cached(f"ranking:{area_code or 'all'}:{top}", 10, build, ahead=True)

    def area_figures(self, level: str, area_code: str | None) -> pd.DataFrame:
        """Figures now per area of ``level`` in ``area_code``
        (:meth:`~gridmap.feed.store.SQLStore.area_figures`): one read for every figure a
        ranking or a choropleth shows (cached 10 s per level and area, refreshed ahead)."""
        return self.cached(
            f"area-figures:{level}:{area_code or 'all'}",
            10,
            lambda: self.store.area_figures(level, self.now(), area_code=area_code),
            ahead=True,
        )

    def window_figures(self, area_code: str | None) -> dict[int, dict[str, float]]:
        """Figures of the incidents of ``area_code`` reported in the last days of each of
        :data:`WINDOW_DAYS` (:meth:`~gridmap.feed.store.SQLStore.window_figures`); they move
        slowly: cached five minutes per area, refreshed ahead."""

        def build():
            end = int(self.now().value // 1_000_000)
            starts = [end - days * 86_400_000 for days in WINDOW_DAYS]
            figures = self.store.window_figures(area_code, starts, end)
            return dict(zip(WINDOW_DAYS, figures, strict=True))

        return self.cached(f"window:{area_code or 'all'}", 300, build, ahead=True)

    def warm_up(self) -> None:
        """Build now what the district's first page asks for (a server calls this in a
        background thread as it starts): its figures over :data:`WINDOW_DAYS`."""
        with contextlib.suppress(Exception):  # no store yet: the first page builds them
            self.window_figures(None)
            for level in ("grid", "community", "street"):  # the desk's choropleths
                self.area_figures(level, None)

    def breakdown(self, area_code: str | None) -> dict[str, dict[str, int]]:
        """Today's reports in ``area_code`` by subcategory and by source, most first (cached
        10 s per area)."""
        return self.cached(
            f"breakdown:{area_code or 'all'}",
            10,
            lambda: self.store.today_breakdown(self.now(), area_code=area_code),
            ahead=True,
        )

    def hourly(self, scope: Scope | None = None) -> pd.DataFrame:
        """Reports per hour today vs the usual day, in ``scope`` (cached 60 s per area)."""
        return self.cached(
            f"hourly:{_area(scope)}",
            60,
            lambda: self.store.hourly_today_vs_usual(self.now(), area_code=_area_code(scope)),
            ahead=True,
        )


def _area(scope: Scope | None) -> str:
    return _area_code(scope) or "all"


def _area_code(scope: Scope | None) -> str | None:
    return scope.area_code if scope is not None else None


def get_context() -> AppContext:
    """The context of the app serving this request."""
    return current_app.config["GRIDMAP_CONTEXT"]
