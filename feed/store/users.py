"""Dashboard users: a role, the area it is tied to, and a password stored as a scrypt hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pandas as pd

from gridmap.feed.access import Scope, check_role_area
from gridmap.feed.store.common import now_ms

#: scrypt cost parameters (about 50 ms and 16 MB per check: slow for a guesser, fine for a login).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class UsersMixin:
    """User management for :class:`~gridmap.feed.store.sql.SQLStore`."""

    def add_user(
        self, username: str, role: str, area_code: str | None = None, password: str | None = None
    ) -> str:
        """Create (or replace) a user; returns the password (a new random one if not given).

        Raises
        ------
        ValueError
            For a bad name, an unknown role, or an area code that does not fit the role.
        """
        if not username or len(username) > 64 or not username.isprintable() or " " in username:
            raise ValueError("a user name has 1–64 characters and no spaces")
        area_code = check_role_area(role, area_code)
        if area_code and not self._query("SELECT 1 FROM areas WHERE code = ?", (area_code,)):
            known = self._query("SELECT count(*) FROM areas")[0][0]
            if known:  # an empty store cannot check yet; one with areas must know the code
                raise ValueError(f"no area with code {area_code} in the store")
        password = password or secrets.token_urlsafe(12)
        with self._transaction() as cur:
            cur.execute(
                self._sql(
                    "INSERT INTO users (username, pw_hash, role, area_code, created_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET "
                    "pw_hash = excluded.pw_hash, role = excluded.role, "
                    "area_code = excluded.area_code, created_at = excluded.created_at"
                ),
                (username, hash_password(password), role, area_code, now_ms()),
            )
        return password

    def check_user(self, username: str, password: str) -> Scope | None:
        """The scope of ``username`` if ``password`` is right, else ``None``."""
        rows = self._query(
            "SELECT pw_hash, role, area_code FROM users WHERE username = ?", (username,)
        )
        if not rows:
            hash_password(password)  # the same time whether or not the user exists
            return None
        pw_hash, role, area = rows[0]
        return Scope(username, role, area) if verify_password(password, pw_hash) else None

    def user_scope(self, username: str) -> Scope | None:
        """The current scope of ``username`` (``None`` once removed)."""
        rows = self._query("SELECT role, area_code FROM users WHERE username = ?", (username,))
        return Scope(username, rows[0][0], rows[0][1]) if rows else None

    def list_users(self) -> pd.DataFrame:
        """``username``, ``role``, ``area_code``, ``created`` of every user."""
        frame = self._frame(
            "SELECT username, role, area_code, created_at FROM users ORDER BY username"
        )
        frame["created"] = pd.to_datetime(frame.pop("created_at"), unit="ms", utc=True)
        return frame

    def remove_user(self, username: str) -> bool:
        """Delete ``username``; whether there was one."""
        with self._transaction() as cur:
            cur.execute(self._sql("DELETE FROM users WHERE username = ?"), (username,))
            return cur.rowcount > 0


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex) of ``password``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a :func:`hash_password` string (constant-time compare)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(got.hex(), digest)
