"""API keys of the reporting systems: made once, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets

import pandas as pd

from gridmap.domain.access import Scope, role_of_area
from gridmap.domain.areas import CODE_LENGTHS
from gridmap.feed.store.common import now_ms


class ApiKeysMixin:
    """Key management for :class:`~gridmap.feed.store.sql.SQLStore`."""

    def add_api_key(self, name: str, area_code: str | None = None) -> str:
        """Create (or replace) the key of reporting system ``name``; returns the new key.

        Only a SHA-256 hash of the key is stored. ``area_code`` (a street or community code)
        confines the system: it reads and changes only incidents of that area.
        """
        if not name or len(name) > 100:
            raise ValueError("an API key needs a name of 1–100 characters")
        if area_code is not None and (
            not area_code.isdigit()
            or len(area_code) not in (CODE_LENGTHS["street"], CODE_LENGTHS["community"])
        ):
            raise ValueError(
                f"an API key's area is a 9-digit street or 12-digit community code, "
                f"got {area_code!r}"
            )
        key = "gm_" + secrets.token_urlsafe(32)
        with self._transaction() as cur:
            cur.execute(
                self._sql(
                    "INSERT INTO api_keys (name, key_hash, created_at, area_code) "
                    "VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash, "
                    "created_at = excluded.created_at, area_code = excluded.area_code"
                ),
                (name, _hash_key(key), now_ms(), area_code),
            )
        return key

    def list_api_keys(self) -> list[tuple[str, pd.Timestamp]]:
        """(name, created) of every key; the keys themselves are not stored."""
        return [
            (name, pd.Timestamp(ms, unit="ms", tz="UTC").tz_convert("Asia/Shanghai"))
            for name, ms in self._query("SELECT name, created_at FROM api_keys ORDER BY 1")
        ]

    def revoke_api_key(self, name: str) -> bool:
        """Delete the key of ``name``; whether there was one."""
        with self._transaction() as cur:
            cur.execute(self._sql("DELETE FROM api_keys WHERE name = ?"), (name,))
            return cur.rowcount > 0

    def check_api_key(self, key: str | None) -> str | None:
        """The name of the system owning ``key``, or ``None``."""
        scope = self.api_key_scope(key)
        return scope.user if scope else None

    def api_key_scope(self, key: str | None) -> Scope | None:
        """The scope of the system owning ``key`` (its area, masked reads), or ``None``."""
        if not key:
            return None
        rows = self._query(
            "SELECT name, area_code FROM api_keys WHERE key_hash = ?", (_hash_key(key),)
        )
        if not rows:
            return None
        name, area = rows[0]
        return Scope(name, "planner" if area is None else role_of_area(area), area)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
