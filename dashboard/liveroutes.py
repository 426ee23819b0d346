"""The wall map's live layers, served once per page load as compact JSON columns.

The browser (``assets/live-map.js``) builds MapLibre sources from them and from then on
applies only deltas. They hold every open incident of the caller's area (its scope, decided on
the server), so they are never cached: each answer is as new as the cursor it carries.
"""

from __future__ import annotations

import json

from flask import Flask, Response

from gridmap.dashboard.live import grid_classes, heat_payload, open_payload
from gridmap.dashboard.mapview import GRID_CLASSES, WALL_THEME


def install_live_routes(server: Flask) -> None:
    """Register ``/live/open.json``, ``/live/heat.json`` and ``/live/grid-classes.json``."""
    from gridmap.dashboard.auth import current_scope
    from gridmap.dashboard.context import get_context

    def respond(payload: dict) -> Response:
        response = Response(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            mimetype="application/json",
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.get("/live/open.json")
    def live_open():
        ctx = get_context()
        return respond(open_payload(ctx.store, ctx.now(), current_scope()))

    @server.get("/live/heat.json")
    def live_heat():
        ctx = get_context()
        return respond(heat_payload(ctx.store, ctx.now(), scope=current_scope()))

    @server.get("/live/grid-classes.json")
    def live_grid_classes():
        ctx = get_context()
        classes = grid_classes(ctx.store, scope=current_scope())
        return respond(
            {
                "colours": [colour for _bound, colour in GRID_CLASSES],
                "line": WALL_THEME["grid_line"],
                "codes": [c for c, k in classes.items() if k],
                "k": [k for k in classes.values() if k],
            }
        )
