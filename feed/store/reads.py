"""Reads of the live screens and the exports, behind named methods: what changed since a
cursor, open points, report points, crossings into near-due and overdue, recent events, area
codes and open counts per grid, incidents as they stood at a moment. Every rule in the SQL
(what "open" means, when an incident is near-due) comes from :mod:`gridmap.domain`.

Times are epoch ms (UTC); ``area_code`` confines to a street, community or grid (``None``:
everything), as :func:`gridmap.domain.areas.area_condition` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from gridmap.domain.areas import AREA_LEVELS, area_condition
from gridmap.domain.sla import due_case_sql, near_due_from_sql, time_limits
from gridmap.domain.workflow import CLOSED_STATES, open_sql
from gridmap.feed.store.base import INCIDENT_COLUMNS, from_epoch_ms, incident_frame
from gridmap.feed.store.common import chunks

#: Columns returned for live updates (events joined with their incident).
LIVE_COLUMNS = (
    "event_id",
    "incident_id",
    "at",
    "action",
    "from_state",
    "to_state",
    "lon",
    "lat",
    "category",
    "subcategory",
    "priority",
    "street_code",
    "community_code",
    "grid_code",
    "status",
    "deadline",
    "stage_entered_at",
    "escalated",
    "description",
)
_EVENT_SIDE = ("event_id", "incident_id", "at", "action", "from_state", "to_state")
#: Incident columns :meth:`LiveReadsMixin.incidents_as_of` rebuilds from the event log.
_AS_OF_COLUMNS = ("status", "stage_entered_at", "deadline", "closed_at")
#: Name (before the share in thousandths) of the index on the moment of turning near-due.
_NEAR_DUE_INDEX = "incidents_near_due_"
#: Columns of a crossing into near-due or overdue (:meth:`LiveReadsMixin.due_crossings`).
CROSSING_COLUMNS = (
    "incident_id",
    "lon",
    "lat",
    "status",
    "deadline",
    "stage_entered_at",
    "grid_code",
    "category",
    "subcategory",
    "street_code",
    "crossed",
)


class LiveReadsMixin:
    """Named reads for :class:`~gridmap.feed.store.sql.SQLStore`."""

    # --- events -------------------------------------------------------------------------
    def events_since(self, cursor: int, *, limit: int = 1000) -> tuple[pd.DataFrame, int]:
        """Events after ``cursor`` (an ``event_id``) joined with their incident's current row.

        Returns the events (oldest first, at most ``limit``; times tz-aware) and the new cursor.
        """
        rows, new_cursor = self.event_rows_since(cursor, limit=limit)
        frame = pd.DataFrame.from_records(rows, columns=list(LIVE_COLUMNS))
        for column in ("at", "deadline", "stage_entered_at"):
            frame[column] = from_epoch_ms(frame[column])
        return frame, new_cursor

    def event_rows_since(self, cursor: int, *, limit: int = 1000) -> tuple[list[dict], int]:
        """:meth:`events_since` as plain dicts with times in epoch ms (no pandas: the live
        tick's hot path)."""
        events = self._query(
            f"SELECT {', '.join(_EVENT_SIDE)} FROM events WHERE event_id > ? "
            f"ORDER BY event_id LIMIT {int(limit)}",
            (int(cursor),),
        )
        # then their incidents by primary key (two index lookups, whatever the statistics;
        # a join let PostgreSQL's planner hash the whole incidents table)
        incident_cols = [c for c in LIVE_COLUMNS if c not in _EVENT_SIDE]
        by_id: dict[str, tuple] = {}
        for chunk in chunks(sorted({e[1] for e in events}), 500):
            for row in self._query(
                f"SELECT incident_id, {', '.join(incident_cols)} FROM incidents "
                f"WHERE incident_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                by_id[row[0]] = row[1:]
        missing = (None,) * len(incident_cols)
        names = (*_EVENT_SIDE, *incident_cols)
        rows = [dict(zip(names, e + by_id.get(e[1], missing), strict=True)) for e in events]
        return rows, (int(events[-1][0]) if events else int(cursor))

    def last_event_id(self) -> int:
        """The newest event's id (0 in an empty store): the cursor of a first picture."""
        return int(self._query("SELECT COALESCE(max(event_id), 0) FROM events")[0][0])

    def recent_events(self, *, limit: int, area_code: str | None = None) -> list[dict]:
        """The ``limit`` newest events by event time (not by arrival: a day loaded in bulk
        arrives in no order of time) of the incidents of ``area_code``, each with its
        incident's columns as :data:`LIVE_COLUMNS` (times epoch ms)."""
        where, params = self._area_sql(area_code, "i")
        columns = [c for c in LIVE_COLUMNS if c not in ("event_id", "incident_id")]
        event_side = {"at", "action", "from_state", "to_state"}
        select = ", ".join(f"{'e' if c in event_side else 'i'}.{c}" for c in columns)
        rows = self._query(
            f"SELECT e.event_id, e.incident_id, {select} FROM events e "
            f"JOIN incidents i ON i.incident_id = e.incident_id WHERE {where} "
            f"ORDER BY e.at DESC, e.event_id DESC LIMIT {int(limit)}",
            params,
        )
        return [dict(zip(("event_id", "incident_id", *columns), r, strict=True)) for r in rows]

    # --- open incidents ---------------------------------------------------------------------
    def open_points(self, *, area_code: str | None = None) -> list[tuple]:
        """``(incident_id, lon, lat, status, deadline, stage_entered_at)`` of every located
        open incident of ``area_code``, by id."""
        where, params = self._area_sql(area_code)
        return self._query(
            "SELECT incident_id, lon, lat, status, deadline, stage_entered_at FROM incidents "
            f"WHERE {open_sql()} AND lon IS NOT NULL AND {where} ORDER BY {self.by_incident_id}",
            params,
        )

    def count_open_located(
        self,
        *,
        area_code: str | None = None,
        categories: Sequence[str] = (),
        statuses: Sequence[str] = (),
    ) -> int:
        """Located open incidents of ``area_code`` (the dots a map would draw), of
        ``categories`` and in ``statuses`` only, where given."""
        where, params = self._area_sql(area_code)
        for column, values in (("category", categories), ("status", statuses)):
            if values:
                where += f" AND {column} IN ({','.join('?' * len(values))})"
                params = [*params, *values]
        return int(
            self._query(
                f"SELECT count(*) FROM incidents WHERE {open_sql()} AND lon IS NOT NULL "
                f"AND {where}",
                params,
            )[0][0]
        )

    def due_crossings(
        self, since_ms: int, now_ms: int, *, area_code: str | None = None
    ) -> list[dict[str, Any]]:
        """Open incidents of ``area_code`` that crossed into overdue (their deadline) or
        near-due (the near-due share of their stage's time left) in ``(since_ms, now_ms]``:
        no event marks these moments, yet a screen must show them. Each as
        :data:`CROSSING_COLUMNS`, ``crossed`` being ``overdue`` or ``near_due``."""
        self._ensure_near_due_index()
        where, params = self._area_sql(area_code)
        near_from = near_due_from_sql()
        columns = ", ".join(CROSSING_COLUMNS[:-1])
        # two index range scans (deadline; the near-due moment), not one scan of every open
        # incident; an incident in both has turned overdue, which wins below
        rows = self._query(
            f"SELECT {columns}, 'near_due' FROM incidents WHERE {open_sql()} AND {where} "
            f"AND {near_from} > ? AND {near_from} <= ? UNION ALL "
            f"SELECT {columns}, 'overdue' FROM incidents WHERE {open_sql()} AND {where} "
            "AND deadline > ? AND deadline <= ?",
            (*params, since_ms, now_ms, *params, since_ms, now_ms),
        )
        crossings = {r[0]: dict(zip(CROSSING_COLUMNS, r, strict=True)) for r in rows}
        return list(crossings.values())

    def _ensure_near_due_index(self) -> None:
        """An index on the moment each open incident becomes near-due, for the near-due share
        in force (its expression is :func:`~gridmap.domain.sla.near_due_from_sql`, as the
        crossings query writes it); one of another share is dropped."""
        share = time_limits().near_due_share
        if getattr(self, "_near_due_indexed", None) == share:
            return
        name = f"{_NEAR_DUE_INDEX}{round(share * 1000)}"
        with self._transaction() as cur:
            for old in self._index_names(cur, _NEAR_DUE_INDEX):
                if old != name:
                    cur.execute(f"DROP INDEX {old}")
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON incidents ({near_due_from_sql()}) "
                f"WHERE {open_sql()}"
            )
        self._near_due_indexed = share

    def area_codes(self, level: str, *, within: str | None = None) -> list[str]:
        """Codes of the areas of ``level`` that lie in area ``within`` (all: ``None``)."""
        if level not in AREA_LEVELS:
            raise ValueError(f"unknown area level {level!r}; allowed: {list(AREA_LEVELS)}")
        return [
            r[0]
            for r in self._query(
                "SELECT code FROM areas WHERE level = ? AND code LIKE ? ORDER BY code",
                (level, (within or "") + "%"),
            )
        ]

    def open_counts_per_grid(
        self, codes: Sequence[str] | None = None, *, within: str | None = None
    ) -> dict[str, int]:
        """Open incidents per grid (from the incrementally kept summary): of ``codes``, or of
        the grids that lie in area ``within`` (grid codes extend their area's code)."""
        if codes is not None:
            found: dict[str, int] = {}
            for chunk in chunks(list(codes), 500):
                found.update(
                    (g, int(n))
                    for g, n in self._query(
                        "SELECT grid_code, sum(n) FROM open_counts WHERE grid_code IN "
                        f"({','.join('?' * len(chunk))}) GROUP BY grid_code",
                        chunk,
                    )
                )
            return found
        return {
            g: int(n)
            for g, n in self._query(
                "SELECT grid_code, sum(n) FROM open_counts WHERE grid_code LIKE ? "
                "GROUP BY grid_code",
                ((within or "") + "%",),
            )
        }

    # --- reports --------------------------------------------------------------------------
    def report_points(
        self,
        since_ms: int,
        until_ms: int | None = None,
        *,
        area_code: str | None = None,
        categories: Sequence[str] = (),
    ) -> pd.DataFrame:
        """``reported_at`` (epoch ms), ``lon``, ``lat`` (WGS84 degrees) and ``category`` of
        every located incident of ``area_code`` reported after ``since_ms`` (and by
        ``until_ms``), whatever its state since: the points of a heat layer."""
        where, params = self._area_sql(area_code)
        where += " AND reported_at > ? AND lon IS NOT NULL"
        params = [*params, int(since_ms)]
        if until_ms is not None:
            where += " AND reported_at <= ?"
            params.append(int(until_ms))
        if categories:
            where += f" AND category IN ({','.join('?' * len(categories))})"
            params += list(categories)
        return pd.DataFrame.from_records(
            self._query(
                f"SELECT reported_at, lon, lat, category FROM incidents WHERE {where}", params
            ),
            columns=["reported_at", "lon", "lat", "category"],
        )

    def incident_ids_in_area(self, incident_ids: Sequence[str], area_code: str | None) -> set[str]:
        """Those of ``incident_ids`` that are incidents of ``area_code`` (all that exist for
        ``None``)."""
        where, params = self._area_sql(area_code)
        found: set[str] = set()
        for chunk in chunks(sorted(set(incident_ids)), 500):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self._query(
                    f"SELECT incident_id FROM incidents WHERE incident_id IN ({marks}) AND {where}",
                    [*chunk, *params],
                )
            )
        return found

    # --- as of a moment ---------------------------------------------------------------------
    def incidents_as_of(
        self,
        at_ms: int,
        *,
        area_code: str | None = None,
        closed_since_ms: int | None = None,
    ) -> pd.DataFrame:
        """The incidents of ``area_code`` reported by ``at_ms``, each with its state at that
        moment rebuilt from the event log (escalations aside): ``status``,
        ``stage_entered_at`` and ``deadline`` as they were then, and ``due`` (its due mark
        then: ``overdue``, ``near_due``, ``on_time`` or none). Times tz-aware.

        Only incidents still open then are read, and, with ``closed_since_ms``, those closed
        after it too: closed and void are final states, so an incident closed by
        ``closed_since_ms`` needs no rebuilding, and the work grows with what is asked for,
        not with the whole history.
        """
        where, params = self._area_sql(area_code)
        since = at_ms if closed_since_ms is None else min(int(closed_since_ms), at_ms)
        columns = ", ".join(f"i.{c}" for c in INCIDENT_COLUMNS if c not in _AS_OF_COLUMNS)
        frame = self._frame(
            f"WITH cand AS (SELECT incident_id FROM incidents WHERE {where} AND "
            "reported_at <= ? AND (closed_at IS NULL OR closed_at > ?)), "
            "last AS (SELECT e.incident_id, e.to_state, e.at, e.deadline, ROW_NUMBER() OVER ("
            "PARTITION BY e.incident_id ORDER BY e.at DESC, e.event_id DESC) AS rn "
            "FROM events e WHERE e.incident_id IN (SELECT incident_id FROM cand) "
            "AND e.at <= ? AND e.action <> 'escalate') "
            f"SELECT {columns}, last.to_state AS status, last.at AS stage_entered_at, "
            "last.deadline AS deadline, i.closed_at AS closed_at, "
            f"CASE WHEN {open_sql('last.to_state')} THEN "
            f"{due_case_sql('?', 'last.deadline', 'last.at')} END AS due FROM incidents i "
            "JOIN last ON last.incident_id = i.incident_id AND last.rn = 1 "
            "ORDER BY i.incident_id",
            [*params, at_ms, since, at_ms, at_ms, at_ms],
        )
        due = frame.pop("due") if "due" in frame else pd.Series(dtype=object)
        frame = frame.reindex(columns=list(INCIDENT_COLUMNS))
        frame["closed_at"] = frame["closed_at"].where(frame["status"].isin(CLOSED_STATES))
        frame = incident_frame(frame)
        frame["due"] = due.to_numpy() if len(due) else []
        return frame

    def _area_sql(self, area_code: str | None, alias: str = "") -> tuple[str, list[Any]]:
        return area_condition(area_code, alias)
