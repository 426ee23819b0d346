"""Small helpers of the tests that change or inspect a store without its private methods."""

from __future__ import annotations

import sqlite3

import psycopg


def with_description(store, incident_id: str, text: str) -> None:
    """Reload one incident with another description (a bulk load replaces an incident by id
    and keeps its events)."""
    frame = store.get_incidents()
    row = frame[frame["incident_id"] == incident_id].copy()
    assert len(row) == 1, f"no incident {incident_id}"
    row["description"] = text
    store.bulk_load(row)


def raw_rows(url: str, sql: str) -> list[tuple]:
    """Rows of ``sql`` read with a connection of its own (to look at what is on disk, as an
    operator with a database client would), not through the store."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchall()
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()
