"""The base ledger (一本账) of the drill-down pages: one area, one building, a grid's
buildings, the incidents at a place, and figures over a window of days.

Times are epoch ms (UTC); coordinates WGS84 degrees; ``area_code`` confines to a street,
community or grid as :func:`gridmap.domain.areas.area_condition` says.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from gridmap.domain.areas import area_condition
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

    def window_figures(self, area_code: str | None, since_ms: int, until_ms: int) -> dict:
        """Figures of the incidents of an area reported in ``[since_ms, until_ms)``:
        ``reported``, ``closed`` (of those, by now), ``closure_rate`` (void ones left out),
        ``handled`` and ``late_handled`` (handled after the deadline then in force),
        ``on_time_rate`` and ``mean_hours_to_close`` (NaN where there is nothing to rate)."""
        where, params = area_condition(area_code, "i")
        reported, closed, void, hours = self._query(
            "SELECT count(*), sum(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status = 'void' THEN 1 ELSE 0 END), "
            "avg(CASE WHEN status = 'closed' THEN (closed_at - reported_at) / 3600000.0 END) "
            f"FROM incidents i WHERE reported_at >= ? AND reported_at < ? AND {where}",
            (int(since_ms), int(until_ms), *params),
        )[0]
        handled, late = self._query(
            f"SELECT count(*), sum(CASE WHEN h.at > {DEADLINE_AT_HANDLE} THEN 1 ELSE 0 END) "
            "FROM events h JOIN incidents i ON i.incident_id = h.incident_id "
            "WHERE h.action = 'handle' AND i.reported_at >= ? AND i.reported_at < ? "
            f"AND {where}",
            (int(since_ms), int(until_ms), *params),
        )[0]
        reported, closed, void = int(reported), int(closed or 0), int(void or 0)
        handled, late = int(handled), int(late or 0)
        cohort = reported - void
        return {
            "reported": reported,
            "closed": closed,
            "closure_rate": closed / cohort if cohort > 0 else float("nan"),
            "handled": handled,
            "late_handled": late,
            "on_time_rate": 1 - late / handled if handled else float("nan"),
            "mean_hours_to_close": float(hours) if hours is not None else float("nan"),
        }
