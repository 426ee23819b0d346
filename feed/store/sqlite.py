"""The embedded store: SQLite in WAL mode with ``synchronous=FULL``, so a transaction that has
committed — an acknowledged write — is on disk. Geometry is WKB with its bounds in columns."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

from gridmap.feed.store.base import StoreError
from gridmap.feed.store.schema import SQLITE_MIGRATIONS
from gridmap.feed.store.sql import SQLStore, _Transaction

#: Incidents from which a store without planner statistics gathers them as it opens.
ANALYZE_FROM = 10_000


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
        self._write_lock = WriteLock(self.path.with_name(self.path.name + ".writelock"))
        super().__init__(url)
        if self.upgraded_from is not None:
            self._after_bulk_load()  # an upgrade's new indexes have no statistics yet
        else:
            self._analyze_if_never()

    def _after_bulk_load(self) -> None:
        # without statistics SQLite may read a grid's open incidents through the index of
        # all its incidents by time (1.3 s for the district's grids) and not the partial
        # index of the open ones (26 ms)
        with self._transaction() as cur:
            cur.execute("ANALYZE")

    def _analyze_if_never(self) -> None:
        """Gather the planner's statistics once for a store that holds many incidents and
        has none (a database filled before they were kept); a small or new store is left to
        the planner's defaults until a bulk load."""
        with self._transaction() as cur:
            if self._table_exists(cur, "sqlite_stat1"):
                return
            cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM incidents LIMIT {ANALYZE_FROM})")
            if cur.fetchone()[0] >= ANALYZE_FROM:
                cur.execute("ANALYZE")

    def _transaction(self):
        return _LockedTransaction(self)

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

    def _index_names(self, cur, prefix: str) -> list[str]:
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE ?", (prefix + "%",)
        )
        return [r[0] for r in cur.fetchall()]

    def _table_exists(self, cur, name: str) -> bool:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return cur.fetchone() is not None


class WriteLock:
    """One writer at a time across the threads and processes that share a database file.

    SQLite's own busy handler polls a locked database with sleeps of 1, 2, 5, 10 … 100 ms, so
    two server processes writing together add those sleeps to a request's latency. A blocking
    ``flock`` on a lock file beside the database instead wakes the next writer the moment the
    last one commits. The lock is released by the kernel if its holder dies.

    Parameters
    ----------
    path
        The lock file (created if missing; it holds no data).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self) -> None:
        self._threads.acquire()
        try:
            if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


class _LockedTransaction(_Transaction):
    """A write transaction that holds the store's :class:`WriteLock` from BEGIN to COMMIT."""

    def __enter__(self):
        self.store._write_lock.acquire()
        try:
            return super().__enter__()
        except BaseException:
            self.store._write_lock.release()
            raise

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            self.store._write_lock.release()
