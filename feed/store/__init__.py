"""The incident store: one interface, two backends chosen by URL.

``sqlite:///path/to.db`` is the embedded default (WAL, every acknowledged write on disk);
``postgresql://...`` is PostgreSQL + PostGIS for production.
"""

from __future__ import annotations

from gridmap.feed.store.base import Store, StoreError


def open_store(url: str) -> Store:
    """Open (and migrate) the store at ``url``.

    Raises
    ------
    StoreError
        For a URL of an unknown scheme; the message names the supported ones.
    """
    if url.startswith("sqlite:///") or url == "sqlite://":
        from gridmap.feed.store.sqlite import SQLiteStore

        return SQLiteStore(url)
    if url.startswith(("postgresql://", "postgres://")):
        from gridmap.feed.store.postgres import PostgresStore

        return PostgresStore(url)
    raise StoreError(
        f"unknown store URL {url!r}; use sqlite:///path/to.db or postgresql://user@host/db"
    )


__all__ = ["Store", "StoreError", "open_store"]
