"""The desk of street offices and community workstations, at ``/``: its page (:mod:`.page`),
callbacks (:mod:`.callbacks`, the incident detail in :mod:`.detail`), the map's layers
(:mod:`.layers`, its choropleth classes served by :mod:`.routes`), data (:mod:`.data`),
snapshot exports (:mod:`.exports`, built by
:mod:`.snapshot`) and component ids (:mod:`.ids`).

Assets (``dashboard/assets``) it runs on: ``desk.css``.
"""

from __future__ import annotations

import dash

from gridmap.dashboard.desk import callbacks, exports, page, routes

#: The assets of this screen (in ``dashboard/assets``).
ASSETS = ("desk.css",)


def install(app: dash.Dash) -> None:
    """Add the desk to ``app``: its page, callbacks and export routes."""
    page.register()
    callbacks.register(app)
    exports.install_export_routes(app.server)
    routes.install_desk_routes(app.server)
