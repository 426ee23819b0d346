"""Dashboard users: a role, the area it is tied to, and a password stored as a scrypt hash;
their sessions (server-side, so that logout, a new password and removal end them) and the
count of failed logins (per user and per address, so that guessing is slow)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pandas as pd

from gridmap.domain.access import Scope, check_role_area
from gridmap.feed.store.common import now_ms

#: scrypt cost parameters (about 50 ms and 16 MB per check: slow for a guesser, fine for a login).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
#: Failed logins counted over this window, ms.
FAILURE_WINDOW_MS = 15 * 60_000
#: Failed logins of one user name, and from one address, that lock further tries until the
#: oldest of them leaves the window (an attempt counts from the moment it is made).
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20


class LoginLockedError(Exception):
    """Too many failed logins; ``retry_after_s`` says when the next try is allowed."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


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
            # a new password (or role) ends the sessions of the old one
            cur.execute(self._sql("DELETE FROM sessions WHERE username = ?"), (username,))
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

    def set_password(self, username: str, password: str | None = None) -> str:
        """Give ``username`` a new password (a random one if not given) and end every session
        of the old one; returns the password.

        Raises
        ------
        KeyError
            If there is no such user.
        """
        password = password or secrets.token_urlsafe(12)
        with self._transaction() as cur:
            cur.execute(
                self._sql("UPDATE users SET pw_hash = ? WHERE username = ?"),
                (hash_password(password), username),
            )
            if cur.rowcount == 0:
                raise KeyError(f"no user named {username!r}")
            cur.execute(self._sql("DELETE FROM sessions WHERE username = ?"), (username,))
        return password

    def user_scope(self, username: str) -> Scope | None:
        """The current scope of ``username`` (``None`` once removed)."""
        rows = self._query("SELECT role, area_code FROM users WHERE username = ?", (username,))
        return Scope(username, rows[0][0], rows[0][1]) if rows else None

    def list_users(self) -> pd.DataFrame:
        """``username``, ``role``, ``area_code`` (``None`` for district-wide roles),
        ``created`` of every user."""
        frame = self._frame(
            "SELECT username, role, area_code, created_at FROM users ORDER BY username"
        )
        frame["area_code"] = (
            frame["area_code"].astype(object).where(frame["area_code"].notna(), None)
        )
        frame["created"] = pd.to_datetime(frame.pop("created_at"), unit="ms", utc=True)
        return frame

    def remove_user(self, username: str) -> bool:
        """Delete ``username`` and end its sessions; whether there was one (a user made
        again under the same name starts with no session)."""
        with self._transaction() as cur:
            cur.execute(self._sql("DELETE FROM users WHERE username = ?"), (username,))
            removed = cur.rowcount > 0
            cur.execute(self._sql("DELETE FROM sessions WHERE username = ?"), (username,))
        return removed

    # --- sessions ------------------------------------------------------------------------
    def start_session(self, username: str, days: float) -> str:
        """A new session of ``username`` lasting ``days`` from now (not extended by use);
        returns its token (only a hash of it is stored)."""
        token = secrets.token_urlsafe(32)
        now = now_ms()
        with self._transaction() as cur:
            cur.execute(self._sql("DELETE FROM sessions WHERE expires_at < ?"), (now,))
            cur.execute(
                self._sql(
                    "INSERT INTO sessions (token_hash, username, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?)"
                ),
                (_token_hash(token), username, now, now + int(days * 86_400_000)),
            )
        return token

    def session_scope(self, token: str | None) -> Scope | None:
        """The scope of the user of session ``token``; ``None`` once it has ended (expired,
        logged out, new password, user removed) or for an unknown token."""
        if not token or not isinstance(token, str):
            return None
        rows = self._query(
            "SELECT u.username, u.role, u.area_code FROM sessions s JOIN users u "
            "ON u.username = s.username WHERE s.token_hash = ? AND s.expires_at > ?",
            (_token_hash(token), now_ms()),
        )
        return Scope(*rows[0]) if rows else None

    def end_sessions(self, username: str) -> int:
        """End every session of ``username``; how many there were."""
        with self._transaction() as cur:
            cur.execute(self._sql("DELETE FROM sessions WHERE username = ?"), (username,))
            return cur.rowcount

    # --- failed logins -------------------------------------------------------------------
    def begin_login(self, username: str, address: str) -> None:
        """Count a login attempt of ``username`` from ``address`` before its password is
        checked; raise :class:`LoginLockedError` instead while either has
        :data:`MAX_FAILURES_PER_USER` / :data:`MAX_FAILURES_PER_ADDRESS` attempts in the last
        :data:`FAILURE_WINDOW_MS` that did not succeed.

        The check and the count are one transaction that such transactions take in turn, so
        guesses sent all at once are counted like guesses sent one after another. A
        successful login takes its attempt back (:meth:`clear_login_failures`).
        """
        now = now_ms()
        since = now - FAILURE_WINDOW_MS
        with self._transaction() as cur:
            self._lock_table(cur, "login_failures")
            cur.execute(self._sql("DELETE FROM login_failures WHERE at <= ?"), (since,))
            waits = []
            for column, value, limit in (
                ("username", username[:64], MAX_FAILURES_PER_USER),
                ("address", address[:64], MAX_FAILURES_PER_ADDRESS),
            ):
                cur.execute(
                    self._sql(
                        f"SELECT at FROM login_failures WHERE {column} = ? AND at > ? "
                        "ORDER BY at DESC LIMIT ?"
                    ),
                    (value, since, limit),
                )
                times = [r[0] for r in cur.fetchall()]
                if len(times) >= limit:
                    waits.append(times[-1] + FAILURE_WINDOW_MS - now)
            if waits:
                raise LoginLockedError(max(1, -(-max(waits) // 1000)))
            cur.execute(
                self._sql("INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)"),
                (username[:64], address[:64], now),
            )

    def clear_login_failures(self, username: str) -> None:
        """Forget the attempts of ``username`` (after a successful login)."""
        with self._transaction() as cur:
            cur.execute(self._sql("DELETE FROM login_failures WHERE username = ?"), (username,))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
