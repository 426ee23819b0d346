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


def stored_key_hashes(url: str) -> list[str]:
    """What the store at ``url`` keeps of the API keys, read with a database client of its
    own (as an operator, or a thief of the file, would see it), not through the store."""
    sql = "SELECT key_hash FROM api_keys"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return [r[0] for r in conn.execute(sql)]
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(sql)]


def sqlite_plans(path: str, statements: list[tuple[str, tuple]]) -> list[str]:
    """SQLite's query plan of each ``(sql, params)``, asked with a connection of its own."""
    with sqlite3.connect(path) as conn:
        return [
            " ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            for sql, params in statements
        ]


def sqlite_has_statistics(path: str) -> bool:
    """Whether the SQLite database at ``path`` holds planner statistics (``ANALYZE``'s)."""
    with sqlite3.connect(path) as conn:
        return bool(
            conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall()
        )


def sqlite_drop_statistics(path: str) -> None:
    """Forget the planner statistics of the SQLite database at ``path``."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE IF EXISTS sqlite_stat1")
