"""The base ledger (一本账) of the drill-down pages: one area, one building, a grid's
buildings, the incidents at a place, and figures over a window of days.

Times are epoch ms (UTC); coordinates WGS84 degrees; ``area_code`` confines to a street,
community or grid as :func:`gridmap.domain.areas.area_condition` says.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from gridmap.domain.areas import area_condition
from gridmap.domain.workflow import open_sql
from gridmap.feed.store.base import BUILDING_COLUMNS, INCIDENT_COLUMNS, incident_frame
from gridmap.feed.store.figures import DEADLINE_AT_HANDLE


def _props(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


class LedgerMixin:
    """Ledger reads for :class:`~gridmap.feed.store.sql.SQLStore`."""

    def area_row(self, code: str) -> dict[str, Any] | None:
        """One area without its geometry: ``code, level, name, parent_code``, its ``props``
        (a grid's worker and phone, ...) and ``bounds`` ``[minx, miny, maxx, maxy]``;
        ``None`` if there is none."""
        rows = self._query(
            "SELECT code, level, name, parent_code, props, minx, miny, maxx, maxy FROM areas "
            "WHERE code = ?",
            (code,),
        )
        if not rows:
            return None
        code, level, name, parent, props, *bounds = rows[0]
        return {
            "code": code,
            "level": level,
            "name": name,
            "parent_code": parent,
            "props": _props(props),
            "bounds": [float(b) for b in bounds],
        }

    def child_areas(self, code: str | None, level: str) -> list[tuple[str, str]]:
        """``(code, name)`` of the areas of ``level`` inside ``code`` (all when ``None``)."""
        return [
            (c, n or c)
            for c, n in self._query(
                "SELECT code, name FROM areas WHERE level = ? AND code LIKE ? ORDER BY code",
                (level, (code or "") + "%"),
            )
        ]

    def grid_buildings(self, grid_code: str) -> pd.DataFrame:
        """The buildings of a grid, by id, with their ledger columns and props (the watcher)."""
        rows = self._query(
            f"SELECT {', '.join(BUILDING_COLUMNS)}, props, (minx + maxx) / 2, (miny + maxy) / 2 "
            "FROM buildings WHERE grid_code = ? ORDER BY building_id",
            (grid_code,),
        )
        frame = pd.DataFrame(
            [(*r[:-3], *r[-2:]) for r in rows], columns=[*BUILDING_COLUMNS, "lon", "lat"]
        )
        props = pd.DataFrame.from_records([_props(r[-3]) for r in rows], index=frame.index)
        return frame.join(props) if len(props.columns) else frame

    def building_row(self, building_id: str) -> dict[str, Any] | None:
        """One building without its geometry: its ledger columns, props, ``bounds`` and
        centre ``lon, lat``; ``None`` if there is none."""
        rows = self._query(
            f"SELECT {', '.join(BUILDING_COLUMNS)}, props, minx, miny, maxx, maxy FROM buildings "
            "WHERE building_id = ?",
            (building_id,),
        )
        if not rows:
            return None
        row = dict(zip(BUILDING_COLUMNS, rows[0][: len(BUILDING_COLUMNS)], strict=True))
        props, *bounds = rows[0][len(BUILDING_COLUMNS) :]
        row["props"] = _props(props)
        row["bounds"] = [float(b) for b in bounds]
        row["lon"], row["lat"] = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        return row

    def incidents_near(
        self,
        grid_code: str,
        bounds: list[float],
        *,
        since_ms: int,
        margin_deg: float = 0.0005,
        limit: int = 200,
    ) -> pd.DataFrame:
        """Incidents of a grid reported since ``since_ms`` lying within ``bounds`` widened
        by ``margin_deg`` (about 50 m), newest first."""
        minx, miny, maxx, maxy = bounds
        return incident_frame(
            self._frame(
                f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE grid_code = ? "
                "AND reported_at >= ? AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ? "
                f"ORDER BY reported_at DESC LIMIT {int(limit)}",
                (
                    grid_code,
                    int(since_ms),
                    minx - margin_deg,
                    maxx + margin_deg,
                    miny - margin_deg,
                    maxy + margin_deg,
                ),
            )
        )

    def area_incidents(
        self, area_code: str | None, *, since_ms: int, limit: int = 5000
    ) -> pd.DataFrame:
        """Incidents of an area reported since ``since_ms``, open or not, newest first."""
        where, params = area_condition(area_code)
        return incident_frame(
            self._frame(
                f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE reported_at >= ? "
                f"AND {where} ORDER BY reported_at DESC LIMIT {int(limit)}",
                (int(since_ms), *params),
            )
        )

    def window_figures(
        self, area_code: str | None, since_ms: Sequence[int], until_ms: int
    ) -> list[dict[str, float]]:
        """Figures of the incidents of an area reported in ``[since, until_ms)``, for each
        ``since`` of ``since_ms`` (one pass over the widest window): ``reported``,
        ``closed`` (of those, by now), ``closure_rate`` (void ones left out), ``handled``
        and ``late_handled`` (handled after the deadline then in force), ``on_time_rate`` and
        ``mean_hours_to_close`` (NaN where there is nothing to rate)."""
        where, params = area_condition(area_code, "i")
        first = min(since_ms)
        per_window = []
        for since in since_ms:
            inside = f"i.reported_at >= {int(since)}"
            per_window.append(
                f"sum(CASE WHEN {inside} THEN 1 ELSE 0 END), "
                f"sum(CASE WHEN {inside} AND status = 'closed' THEN 1 ELSE 0 END), "
                f"sum(CASE WHEN {inside} AND status = 'void' THEN 1 ELSE 0 END), "
                f"sum(CASE WHEN {inside} AND status = 'closed' THEN closed_at - reported_at "
                "END)"
            )
        cohort = self._query(
            f"SELECT {', '.join(per_window)} FROM incidents i WHERE i.reported_at >= ? "
            f"AND i.reported_at < ? AND {where}",
            (first, int(until_ms), *params),
        )[0]
        # each handle once, in the narrowest window it falls in (its lateness, a look-up of
        # the deadline then in force, asked once and not once per window); the windows'
        # sums are then the sums of their own bucket and the narrower ones
        windows = sorted(range(len(since_ms)), key=lambda k: -since_ms[k])
        bucket = " ".join(
            f"WHEN i.reported_at >= {int(since_ms[k])} THEN {rank}"
            for rank, k in enumerate(windows)
        )
        by_bucket = dict.fromkeys(range(len(windows)), (0, 0))
        for rank, done, late_n in self._query(
            f"SELECT CASE {bucket} END, count(*), "
            f"sum(CASE WHEN h.at > {DEADLINE_AT_HANDLE} THEN 1 ELSE 0 END) "
            "FROM events h JOIN incidents i ON i.incident_id = h.incident_id "
            "WHERE h.action = 'handle' AND i.reported_at >= ? AND i.reported_at < ? "
            f"AND {where} GROUP BY 1",
            (first, int(until_ms), *params),
        ):
            by_bucket[int(rank)] = (int(done or 0), int(late_n or 0))
        handled = [0] * (2 * len(since_ms))
        for rank, k in enumerate(windows):
            narrower = [by_bucket[r] for r in range(rank + 1)]
            handled[2 * k] = sum(d for d, _ in narrower)
            handled[2 * k + 1] = sum(n for _, n in narrower)
        out = []
        for k in range(len(since_ms)):
            reported, closed, void, close_ms = (v or 0 for v in cohort[4 * k : 4 * k + 4])
            done, late_n = (int(v or 0) for v in handled[2 * k : 2 * k + 2])
            reported, closed, void = int(reported), int(closed), int(void)
            rated = reported - void
            out.append(
                {
                    "reported": reported,
                    "closed": closed,
                    "closure_rate": closed / rated if rated > 0 else float("nan"),
                    "handled": done,
                    "late_handled": late_n,
                    "on_time_rate": 1 - late_n / done if done else float("nan"),
                    "mean_hours_to_close": close_ms / closed / 3_600_000
                    if closed
                    else float("nan"),
                }
            )
        return out

    def waiting_incidents(
        self, states: tuple[str, ...], *, area_code: str | None = None, limit: int | None = None
    ) -> tuple[pd.DataFrame, int]:
        """Open incidents of ``area_code`` in ``states`` (what waits on a role), the most
        urgent first (by deadline: the overdue ones have the earliest), at most ``limit``;
        and how many there are in all."""
        if not states:
            return incident_frame(pd.DataFrame(columns=list(INCIDENT_COLUMNS))), 0
        where, params = area_condition(area_code)
        marks = ", ".join("?" * len(states))
        # "open" said as the partial indexes say it, so that they serve the query
        condition = f"{open_sql()} AND status IN ({marks}) AND {where}"
        total = int(
            self._query(f"SELECT count(*) FROM incidents WHERE {condition}", (*states, *params))[0][
                0
            ]
        )
        sql = (
            f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE {condition} "
            "ORDER BY deadline IS NULL, deadline, incident_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return incident_frame(self._frame(sql, (*states, *params))), total
