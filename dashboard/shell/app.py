"""The Dash application: created by :func:`create_app`, stateless between requests.

Live state lives in the store; each process holds only caches derived from it, so several
server processes behind one address show the same thing. Everything the page needs is served
by this server (plotly.js, fonts are the machine's own): no request leaves the machine unless a
tile URL is configured.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from pathlib import Path
from typing import ClassVar

import dash
import flask
from flask import jsonify
from flask_compress import Compress

from gridmap.dashboard import desk, wall
from gridmap.dashboard.login import install_login
from gridmap.dashboard.shared.auth import install_guard
from gridmap.dashboard.shared.context import AppContext
from gridmap.dashboard.shared.georoutes import (
    GeoCache,
    install_geo_routes,
    install_unknown_data_paths,
    warm_area_layers,
)
from gridmap.dashboard.shared.inputs import install_input_errors
from gridmap.dashboard.shared.photoroutes import install_photo_routes
from gridmap.dashboard.shell.headers import install_security_headers
from gridmap.dashboard.shell.rules import put_rules_in_force
from gridmap.dashboard.shell.timing import install_server_timing
from gridmap.feed.api import install_api
from gridmap.feed.photos import PhotoFiles
from gridmap.feed.service import IntakeService
from gridmap.feed.store import open_store
from gridmap.settings import Settings

DASHBOARD = Path(__file__).resolve().parents[1]


class GridmapDash(dash.Dash):
    """Dash, with the scripts of component libraries a page does not use left out of its
    first HTML (Dash lists every imported library on every page: the wall would load the
    desk's table library, 0.36 MB compressed, for nothing), Dash's polyfill left out of
    every page, and the map's scripts first."""

    #: Pages (paths) and the script names they do without.
    UNUSED_SCRIPTS: ClassVar[dict[str, tuple[str, ...]]] = {"/wall": ("dash_ag_grid",)}
    #: Scripts no page needs: Dash's ``@babel/polyfill`` (core-js 2, which a browser that
    #: draws WebGL 2 has natively; its evaluation cost 40–140 ms of each page load here).
    #: The one global of it Dash's libraries use, ``regeneratorRuntime``, comes from
    #: ``assets/vendor/regenerator-runtime``.
    NEEDLESS_SCRIPTS: ClassVar[tuple[str, ...]] = ("/deps/polyfill@",)
    #: Scripts put first on every page, in this order: the map's library, then the pages'
    #: own (``assets/``), which start the map's requests as they run. Dash lists them after
    #: React and the component libraries (the desk's table library alone is 0.36 MB to
    #: evaluate), so the map was asked for only once all of those had run; nothing of ours
    #: needs them when it loads.
    FIRST_SCRIPTS: ClassVar[tuple[str, ...]] = ("/assets/vendor/maplibre-gl/", "/assets/")
    #: Pages (paths) and the class their ``<html>`` element has from the first paint (the
    #: wall's dark ground, before Dash has drawn anything: ``assets/wall.css``).
    PAGE_CLASSES: ClassVar[dict[str, str]] = {"/wall": "gm-wall"}
    #: Pages (paths) whose map is drawn before Dash starts: on the wall the map is made from
    #: its own scripts (``assets/live-map.js``) and is what the room looks at; Dash's start
    #: (its scripts run, its layout asked for and drawn) on the same two cores made the map
    #: wait for the panels. Dash starts once the map has painted
    #: (``window.gridmapStartDash``), or after this many ms whatever the map does; its
    #: libraries (React, the renderer, the components: ~0.2 s of the main thread to evaluate
    #: here) are loaded only then, in their order.
    MAP_FIRST: ClassVar[dict[str, int]] = {"/wall": 3000}
    #: The type a map-first page's Dash library scripts have until its map has painted.
    LATER_TYPE = "text/x-gridmap-later"

    def interpolate_index(self, **kwargs):
        """The page's first HTML, as Dash makes it, less the unused libraries' scripts and
        the needless ones, the map's scripts first (a map-first page's Dash libraries held
        until its map has painted), and with the page's class."""
        path = flask.request.path.rstrip("/") or "/"
        unused = [f"/{name}/" for name in self.UNUSED_SCRIPTS.get(path, ())]
        unused += self.NEEDLESS_SCRIPTS
        lines = [
            line
            for line in kwargs.get("scripts", "").split("\n")
            if not any(part in line for part in unused)
        ]
        lines.sort(key=self._script_rank)
        if path in self.MAP_FIRST:  # Dash's libraries held: a type no browser runs
            held = f'<script type="{self.LATER_TYPE}" src="/_dash-component-suites/'
            lines = [line.replace('<script src="/_dash-component-suites/', held) for line in lines]
        kwargs["scripts"] = "\n".join(lines)
        if path in self.MAP_FIRST:
            kwargs["renderer"] = (
                '<script id="_dash-renderer" type="application/javascript">'
                f"{self._map_first_renderer(self.MAP_FIRST[path])}</script>"
            )
        page = super().interpolate_index(**kwargs)
        if path in self.PAGE_CLASSES:
            page = page.replace("<html>", f'<html class="{self.PAGE_CLASSES[path]}">', 1)
        return page

    @classmethod
    def _script_rank(cls, line: str) -> int:
        """Where a script tag of Dash's list goes (:data:`FIRST_SCRIPTS` first, in their
        order; the rest, Dash's inline scripts last among them, as Dash has them)."""
        for rank, part in enumerate(cls.FIRST_SCRIPTS):
            if f'src="{part}' in line:
                return rank
        return len(cls.FIRST_SCRIPTS)

    def _map_first_renderer(self, wait_ms: int) -> str:
        """The inline script that starts Dash (its own ``renderer`` line) when the page's map
        calls ``window.gridmapStartDash``, or after ``wait_ms``."""
        return (
            "window.gridmapStartDash = function () {"
            " if (window.gridmapDashStarted) { return; }"
            " window.gridmapDashStarted = true;"
            f" var start = function () {{ {self.renderer} window.renderer = renderer; }};"
            " var srcs = Array.prototype.map.call(document.querySelectorAll("
            f"'script[type=\"{self.LATER_TYPE}\"]'), function (e) {{ return e.src; }});"
            " if (!srcs.length) { start(); return; }"
            " srcs.forEach(function (src, i) {"
            " var s = document.createElement('script'); s.src = src; s.async = false;"
            " if (i === srcs.length - 1) { s.onload = start; s.onerror = start; }"
            " document.body.appendChild(s); }); };"
            f" setTimeout(window.gridmapStartDash, {int(wait_ms)});"
        )

    def csp_hashes(self, hash_algorithm: str = "sha256") -> list[str]:
        """Dash's hashes of its inline scripts, and of the map-first pages' own."""
        hashes = list(super().csp_hashes(hash_algorithm))
        digest = getattr(hashlib, hash_algorithm)
        for wait_ms in sorted(set(self.MAP_FIRST.values())):
            script = self._map_first_renderer(wait_ms).encode("utf-8")
            hashes.append(
                f"'{hash_algorithm}-{base64.b64encode(digest(script).digest()).decode()}'"
            )
        return hashes


def create_app(settings: Settings) -> dash.Dash:
    """Build the Dash app (and its Flask server with the intake API) for ``settings``."""
    put_rules_in_force(settings)
    app = GridmapDash(
        __name__,
        title="网格化管理 · 一张图",
        serve_locally=True,
        compress=False,  # flask-compress below compresses every response, API included
        update_title=None,
        use_pages=True,
        pages_folder="",  # each screen's package registers its own page
        assets_folder=str(DASHBOARD / "assets"),
        suppress_callback_exceptions=True,
    )
    install_server_timing(app.server)  # first: its after-hook runs last, after compression
    app.server.config["COMPRESS_MIMETYPES"] = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "application/vnd.mapbox-vector-tile",
        "image/svg+xml",
    ]
    Compress(app.server)
    store = open_store(settings.resolved_store_url)
    photos = PhotoFiles(settings.photos_path)
    service = IntakeService(store, timezone=settings.timezone, photos=photos)
    context = AppContext(settings=settings, store=store, geo_cache=GeoCache(store), service=service)
    app.server.config["GRIDMAP_SETTINGS"] = settings
    app.server.config["GRIDMAP_CONTEXT"] = context
    threading.Thread(target=service.warm_up, name="intake-warm-up", daemon=True).start()
    threading.Thread(
        target=warm_area_layers, args=(context.geo_cache,), name="geo-warm-up", daemon=True
    ).start()
    threading.Thread(target=context.warm_up, name="figures-warm-up", daemon=True).start()
    install_guard(app.server, store, settings)
    install_login(app.server, store, settings)
    install_input_errors(app)
    install_api(app.server, lambda: service)
    install_geo_routes(app.server, context.geo_cache)
    install_photo_routes(app.server, store, photos)
    wall.install(app)
    desk.install(app)
    install_unknown_data_paths(app.server)
    app.layout = dash.html.Div(dash.page_container)
    install_security_headers(app, settings)

    @app.server.get("/healthz")
    def healthz():
        try:
            ok = store.ping()
        except Exception as exc:  # the store is down: say so, do not crash
            return jsonify({"ok": False, "store": str(exc)}), 503
        return jsonify({"ok": ok}), 200 if ok else 503

    return app
