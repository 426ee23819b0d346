"""The wall's live data: the map's layers once per page load as compact JSON columns, then
one small tick a second.

The browser (``assets/live-map.js``) builds MapLibre sources from the layers and from then on
applies only the deltas that ``assets/wall-tick.js`` fetches from ``/live/tick.json``, outside
Dash's callback machinery (a Dash callback a second kept the page's main thread busier than
drawing the map). Everything is of the caller's area (its scope, decided on the server) and
never cached: each answer is as new as the cursor it carries.
"""

from __future__ import annotations

import json

from flask import Flask, Response, request

from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of
from gridmap.dashboard.shared.inputs import refusal
from gridmap.dashboard.shared.mapview import WALL_THEME, wall_map_layers
from gridmap.dashboard.wall.live import (
    grid_classes,
    heat_payload,
    open_legend,
    open_payload,
    tick_payload,
)
from gridmap.layers.spec import OPEN_CLASS_COLOURS_DARK


def install_live_routes(server: Flask) -> None:
    """Register ``/live/map.json``, ``/live/open.json``, ``/live/heat.json``,
    ``/live/grid-classes.json`` and ``/live/tick.json``."""

    def respond(payload: dict, status: int = 200) -> Response:
        response = Response(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            status=status,
            mimetype="application/json",
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.get("/live/map.json")
    def live_map():
        """The wall map of the caller's area: its style's URL, its static layers (the
        catalogue's outlines and names, :func:`wall_map_layers`) and the bounds it shows whole
        (WGS84 degrees). Asked for as the page's scripts start, so the map is made while Dash
        is still drawing the page."""
        ctx = get_context()
        scope = current_scope()
        _center, zoom, _name = ctx.area_view(scope)
        return respond(
            {
                "style": f"/map-style/{WALL_THEME['name']}.json",
                "layers": wall_map_layers(ctx.label_split(scope, zoom)),
                "bounds": ctx.area_bounds(scope),
            }
        )

    @server.get("/live/open.json")
    def live_open():
        """Every located open incident of the caller's area, and ``dense`` when there are more
        than the ``wall_dense_open`` setting. For a dense area ``?first=1`` (the page's first
        ask) answers only ``deferred``, ``dense``, ``count``, ``cursor`` and the legend: the
        wall asks again, for all of them, once it is zoomed in to where dots are drawn."""
        ctx = get_context()
        scope = current_scope()
        count = ctx.store.count_open_located(area_code=scope.area_code)
        dense = count > ctx.settings.wall_dense_open
        if dense and request.args.get("first") == "1":
            cursor = ctx.store.last_event_id()
            deferred = {"deferred": True, "dense": True, "count": count, "cursor": cursor}
            return respond({**deferred, **open_legend()})
        return respond({**open_payload(ctx.store, ctx.now(), scope), "dense": dense})

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
                "colours": list(OPEN_CLASS_COLOURS_DARK),
                "line": WALL_THEME["grid_line"],
                "codes": [c for c, k in classes.items() if k],
                "k": [k for k in classes.values() if k],
            }
        )

    @server.get("/live/tick.json")
    def live_tick():
        """``?cursor=<last applied event id>&since=<last tick's now, epoch ms>&lang=zh|en``."""
        values = {}
        for field in ("cursor", "since"):
            text = request.args.get(field, "")
            if not (text.isascii() and text.isdigit()) or len(text) > 18:
                return refusal(
                    400,
                    field,
                    f"{field} must be a whole number from 0 to 10^18 "
                    "(cursor: an event id; since: epoch ms)",
                )
            values[field] = int(text)
        cursor, since = values["cursor"], values["since"]
        ctx = get_context()
        payload = tick_payload(
            ctx.store,
            cursor,
            since,
            ctx.now(),
            ctx.names(),
            current_scope(),
            lang_of(request.args.get("lang")),
        )
        return respond(payload)
