"""The incident store: one interface, two backends chosen by URL.

``sqlite:///path/to.db`` is the embedded default (WAL, every acknowledged write on disk);
``postgresql://...`` is PostgreSQL + PostGIS for production. Everything outside the store
uses what this package names (:func:`open_store`, :class:`SQLStore` and its public methods,
the errors), never SQL of its own nor a private method.
"""

from __future__ import annotations

from gridmap.feed.store.base import StoreError
from gridmap.feed.store.common import ConflictError, NotFoundError
from gridmap.feed.store.sql import SQLStore


def open_store(url: str) -> SQLStore:
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


__all__ = ["ConflictError", "NotFoundError", "SQLStore", "StoreError", "open_store"]
