"""Live writes of the store: new incidents (idempotent, many per commit) and workflow events
(checked against the transition table in order, written in one transaction)."""

from __future__ import annotations

from typing import Any

from gridmap.domain.workflow import CLOSED_STATES
from gridmap.feed.store.base import EVENT_COLUMNS, INCIDENT_COLUMNS
from gridmap.feed.store.common import (
    MUTABLE_COLUMNS,
    ConflictError,
    NotFoundError,
    chunks,
    iso_local,
    now_ms,
    plain_value,
)


class LiveWritesMixin:
    """Incident creation and workflow events, for :class:`~gridmap.feed.store.sql.SQLStore`."""

    def create_incident(self, row: dict[str, Any], event: dict[str, Any]) -> tuple[dict, bool]:
        """Store a new incident and its ``report`` event, idempotently.

        Parameters
        ----------
        row
            Incident columns (times as epoch ms) including ``body_hash``.
        event
            The first workflow event (times as epoch ms).

        Returns
        -------
        (row, created)
            The row and whether it was created now (``False``: the same request was already
            stored).

        Raises
        ------
        ConflictError
            The id exists with a different body.
        """
        result = self.create_incidents([(row, event)])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def create_incidents(
        self, items: list[tuple[dict[str, Any], dict[str, Any]]]
    ) -> list[tuple[dict, bool] | ConflictError]:
        """Store several new incidents in one transaction (one commit, one fsync).

        Each item's outcome is independent: a conflicting one yields its
        :class:`ConflictError` in the result list while the others are stored.
        """
        columns = [*INCIDENT_COLUMNS, "last_event_at", "body_hash", "api_client"]
        insert = self._sql(
            f"INSERT INTO incidents ({', '.join(columns)}) VALUES "
            f"({', '.join('?' * len(columns))}) ON CONFLICT (incident_id) DO NOTHING"
        )
        results: list[tuple[dict, bool] | ConflictError] = []
        with self._transaction() as cur:
            for row, event in items:
                cur.execute(insert, [plain_value(row.get(c)) for c in columns])
                if cur.rowcount == 0:
                    cur.execute(
                        self._sql("SELECT body_hash FROM incidents WHERE incident_id = ?"),
                        (row["incident_id"],),
                    )
                    stored = cur.fetchone()
                    if stored is None or stored[0] != row.get("body_hash"):
                        results.append(
                            ConflictError(
                                f"incident {row['incident_id']!r} exists with a different body; "
                                "use a new id, or post workflow events to change it"
                            )
                        )
                    else:
                        results.append((row, False))
                    continue
                self._insert_event(cur, event)
                self._bump_open(cur, row.get("grid_code"), None, row["status"])
                results.append((row, True))
        return results

    def apply_events(self, events: list[dict[str, Any]], planner) -> list[dict[str, Any]]:
        """Apply workflow events atomically: all of them, or none.

        The batch is read with one query, checked and planned in memory in order (a later
        event of the batch sees the state an earlier one left), then written with one
        ``executemany`` per table, so a batch of thousands costs a handful of statements.

        Parameters
        ----------
        events
            Each with ``incident_id``, ``action``, ``at`` (epoch ms) and optional ``actor``,
            ``note``, ``department``, ``deadline``, ``client_event_id``.
        planner
            ``planner(incident_row: dict, event: dict) -> (updates, stored_event)``: the
            incident's changed columns and the event row to log; raises ``ValueError`` for an
            illegal transition. Kept outside the store so the workflow rules live in one place.

        Returns
        -------
        list of dict
            Per event: ``{"incident_id", "status"}``, or ``{"incident_id", "duplicate": True}``
            for an event whose ``client_event_id`` was already stored.

        Raises
        ------
        NotFoundError, ConflictError, ValueError
            Naming the offending event's position in the batch; nothing is written.
        """
        results: list[dict[str, Any]] = []
        with self._transaction() as cur:
            seen = self._stored_client_ids(cur, events)
            current = self._lock_incidents(cur, {e["incident_id"] for e in events})
            original = {k: v["status"] for k, v in current.items()}
            logged: list[dict[str, Any]] = []
            for pos, event in enumerate(events):
                where = f"event {pos}" if len(events) > 1 else "event"
                client_id = event.get("client_event_id")
                key = (event["incident_id"], client_id)
                if client_id and key in seen:
                    results.append({"incident_id": event["incident_id"], "duplicate": True})
                    continue
                row = current.get(event["incident_id"])
                if row is None:
                    raise NotFoundError(f"{where}: unknown incident {event['incident_id']!r}")
                if row["last_event_at"] is not None and event["at"] < row["last_event_at"]:
                    raise ConflictError(
                        f"{where}: 'at' is older than the incident's latest event "
                        f"({iso_local(row['last_event_at'])}); an older event cannot override "
                        f"the newer state {row['status']!r}"
                    )
                try:
                    update, stored = planner(row, event)
                except ValueError as exc:
                    raise type(exc)(f"{where}: {exc}") from None
                row.update(update, last_event_at=event["at"], _changed=True)
                logged.append(stored)
                if client_id:
                    seen.add(key)
                results.append({"incident_id": event["incident_id"], "status": row["status"]})
            self._write_planned(cur, current, original, logged)
        return results

    def _stored_client_ids(self, cur, events: list[dict[str, Any]]) -> set[tuple[str, str]]:
        """(incident, client_event_id) pairs already stored, of the incidents in ``events``
        (a sender's id is unique per incident: another incident's ids are not looked at)."""
        incidents = sorted({e["incident_id"] for e in events if e.get("client_event_id")})
        found: set[tuple[str, str]] = set()
        for chunk in chunks(incidents, 500):
            cur.execute(
                self._sql(
                    "SELECT incident_id, client_event_id FROM events WHERE incident_id IN "
                    f"({','.join('?' * len(chunk))}) AND client_event_id IS NOT NULL"
                ),
                chunk,
            )
            found.update((r[0], r[1]) for r in cur.fetchall())
        return found

    def _lock_incidents(self, cur, ids: set[str]) -> dict[str, dict[str, Any]]:
        columns = [*INCIDENT_COLUMNS, "last_event_at"]
        rows: dict[str, dict[str, Any]] = {}
        for chunk in chunks(sorted(ids), 500):  # sorted: concurrent batches lock in one order
            cur.execute(
                self._sql(
                    f"SELECT {', '.join(columns)} FROM incidents WHERE incident_id IN "
                    f"({','.join('?' * len(chunk))}) ORDER BY incident_id{self.lock_suffix}"
                ),
                chunk,
            )
            for found in cur.fetchall():
                row = dict(zip(columns, found, strict=True))
                rows[row["incident_id"]] = row
        return rows

    def _write_planned(self, cur, current, original, logged) -> None:
        changed = [r for r in current.values() if r.get("_changed")]
        if not changed:
            return
        cur.executemany(
            self._sql(
                "UPDATE incidents SET "
                + ", ".join(f"{c} = ?" for c in MUTABLE_COLUMNS)
                + " WHERE incident_id = ?"
            ),
            [[plain_value(r[c]) for c in MUTABLE_COLUMNS] + [r["incident_id"]] for r in changed],
        )
        columns = [*EVENT_COLUMNS, "client_event_id", "received_at"]
        received = now_ms()
        cur.executemany(
            self._sql(
                f"INSERT INTO events ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            ),
            [[plain_value({**e, "received_at": received}.get(c)) for c in columns] for e in logged],
        )
        deltas: dict[tuple[str, str], int] = {}
        for row in changed:
            old, new = original[row["incident_id"]], row["status"]
            if old == new:
                continue
            grid = row["grid_code"] or ""
            if old not in CLOSED_STATES:
                deltas[(grid, old)] = deltas.get((grid, old), 0) - 1
            if new not in CLOSED_STATES:
                deltas[(grid, new)] = deltas.get((grid, new), 0) + 1
        cur.executemany(
            self._sql(
                "INSERT INTO open_counts (grid_code, status, n) VALUES (?, ?, ?) "
                "ON CONFLICT (grid_code, status) DO UPDATE SET n = open_counts.n + excluded.n"
            ),
            [(g, st, d) for (g, st), d in sorted(deltas.items()) if d],
        )

    def _insert_event(self, cur, event: dict[str, Any]) -> int:
        columns = [*EVENT_COLUMNS, "client_event_id", "received_at"]
        event = {**event, "received_at": now_ms()}
        cur.execute(
            self._sql(
                f"INSERT INTO events ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))}) "
                "RETURNING event_id"
            ),
            [plain_value(event.get(c)) for c in columns],
        )
        return int(cur.fetchone()[0])

    def _bump_open(self, cur, grid_code: str | None, old: str | None, new: str) -> None:
        grid = grid_code or ""
        changes = []
        if old is not None and old not in CLOSED_STATES:
            changes.append((grid, old, -1))
        if new not in CLOSED_STATES:
            changes.append((grid, new, 1))
        if old == new:
            return
        for change in changes:
            cur.execute(
                self._sql(
                    "INSERT INTO open_counts (grid_code, status, n) VALUES (?, ?, ?) "
                    "ON CONFLICT (grid_code, status) DO UPDATE SET n = open_counts.n + excluded.n"
                ),
                change,
            )
