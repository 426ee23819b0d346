"""The wall screen (数据大屏) of the district centre, at ``/wall``: its page (:mod:`.page`),
its callbacks (:mod:`.callbacks`), the live routes its map and ticker poll (:mod:`.routes`,
wire format in :mod:`.live`), its panels (:mod:`.widgets`) and component ids (:mod:`.ids`).

Assets (``dashboard/assets``) it runs on: ``wall.css``, ``gridmap.js`` (fit and tour),
``live-map.js`` (the map and its live layers), ``live-dots.js`` (the open incidents' dots) and
``wall-tick.js`` (the one-second tick).
"""

from __future__ import annotations

import dash

from gridmap.dashboard.wall import callbacks, page, routes

#: The assets of this screen (in ``dashboard/assets``).
ASSETS = ("wall.css", "gridmap.js", "live-dots.js", "live-map.js", "wall-tick.js")


def install(app: dash.Dash) -> None:
    """Add the wall to ``app``: its page, callbacks and live routes."""
    page.register()
    callbacks.register(app)
    routes.install_live_routes(app.server)
