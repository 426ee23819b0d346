"""The embedded store: SQLite in WAL mode with ``synchronous=FULL``, so a transaction that has
committed — an acknowledged write — is on disk. Geometry is WKB with its bounds in columns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gridmap.feed.store.base import StoreError
from gridmap.feed.store.schema import SQLITE_MIGRATIONS
from gridmap.feed.store.sql import SQLStore


class SQLiteStore(SQLStore):
    """The embedded store at ``sqlite:///path/to.db`` (the folder is created if missing)."""

    begin_sql = "BEGIN IMMEDIATE"  # take the write lock up front: no upgrade deadlocks
    migrations = SQLITE_MIGRATIONS

    def __init__(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        if not path:
            raise StoreError("sqlite URL needs a path: sqlite:///data/gridmap.db")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(url)

    def _connect(self):
        try:
            conn = sqlite3.connect(
                str(self.path), timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.url}: {exc}") from exc
        return conn

    def _table_exists(self, cur, name: str) -> bool:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return cur.fetchone() is not None
