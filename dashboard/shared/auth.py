"""The caller's scope, decided on the server for every request (the login pages themselves
are :mod:`gridmap.dashboard.login`).

With ``auth`` on, a request without a valid session gets the login page (pages) or a 401
(callbacks, live routes, geometry, exports); a logged-in user's
:class:`~gridmap.domain.access.Scope` is read from the store with the session on each
request, so a logout, a new password, a removed user or a changed area takes effect at once.
With ``auth`` off every visitor is the district centre (personal data masked). The intake API
authenticates by API key instead (:mod:`gridmap.feed.api`).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from pathlib import Path
from urllib.parse import quote

from flask import Flask, abort, current_app, g, jsonify, redirect, request, session

from gridmap.domain.access import Scope
from gridmap.feed.api import request_api_key
from gridmap.feed.store import SQLStore
from gridmap.settings import Settings

#: Endpoints served without a login: the login itself, health, Dash's static code and the
#: intake API (which checks its own keys). Decided by the route a request matched, never by
#: how its path begins (``/loginx`` or ``/open311/../live/open.json`` are not public).
PUBLIC_ENDPOINTS = frozenset(
    {
        "login_form",
        "login",
        "logout_form",
        "logout",
        "healthz",
        "_dash_assets.static",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "/_favicon.ico",
    }
)
#: Blueprints whose every endpoint is public (they authenticate by API key).
PUBLIC_BLUEPRINTS = frozenset({"intake"})
#: Pages (a browser is sent to the login form; anything else gets a 401): these paths, and
#: every path under these prefixes (the drill-down).
PAGE_PATHS = ("/", "/wall")
PAGE_PREFIXES = ("/area/", "/building/", "/incident/")
#: Endpoints an API client may also reach with its key instead of a login (a photo's
#: ``media_url`` in an Open311 answer).
KEYED_ENDPOINTS = frozenset({"photo"})


def current_scope() -> Scope:
    """The scope of the request being served (set by the guard :func:`install_guard` adds).

    Without one (a path the guard let through, or no request at all), logins on means 401,
    never the whole district; logins off means the district centre.
    """
    scope = g.get("scope")
    if scope is not None:
        return scope
    settings = current_app.config.get("GRIDMAP_SETTINGS")
    if settings is not None and settings.auth:
        abort(401)
    return Scope.district()


def is_public(endpoint: str | None) -> bool:
    """Whether the route ``endpoint`` is served without a login."""
    if endpoint is None:
        return False
    return endpoint in PUBLIC_ENDPOINTS or endpoint.partition(".")[0] in PUBLIC_BLUEPRINTS


def is_page(path: str) -> bool:
    """Whether ``path`` is one of the dashboard's pages."""
    return path in PAGE_PATHS or path.startswith(PAGE_PREFIXES)


def install_guard(server: Flask, store: SQLStore, settings: Settings) -> None:
    """Add the per-request guard to ``server``: every request but the public ones
    (:data:`PUBLIC_ENDPOINTS`) carries the session of a user, whose scope it gets.

    A login is a server-side session (:meth:`~gridmap.feed.store.SQLStore.start_session`):
    the cookie holds only its random token, signed, and lasts ``session_days`` from the login,
    not extended by use.
    """
    server.secret_key = settings.secret_key or _secret_key(settings.data_dir)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(days=settings.session_days),
    )

    @server.before_request
    def guard():
        if not settings.auth:
            g.scope = Scope.district()
            return None
        if is_public(request.endpoint):
            return None
        scope = store.session_scope(session.get("sid"))
        if scope is None and request.endpoint in KEYED_ENDPOINTS:
            scope = store.api_key_scope(request_api_key())
        if scope is None:
            session.clear()
            if request.method == "GET" and is_page(request.path):
                return redirect(f"/login?next={quote(request.path)}")
            return jsonify({"error": "login required", "login": "/login"}), 401
        g.scope = scope
        return None


def _secret_key(data_dir: Path) -> str:
    """The key in ``<data_dir>/secret_key``, made (owner-only) the first time."""
    path = data_dir / "secret_key"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another server process may be writing it this moment
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} is empty; delete it and start again") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
