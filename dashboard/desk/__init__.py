"""The desk of street offices and community workstations: its drill-down pages (:mod:`.page`:
``/`` the caller's own area, ``/area/<code>`` any area in it, on one frame; what they show is
decided by :mod:`.area`, their panels by :mod:`.panels`, their table by :mod:`.table`;
:mod:`.incident_page`: ``/incident/<id>`` with the actions of :mod:`.actions`, and
``/building/<id>``), callbacks (:mod:`.callbacks`, the incident detail in :mod:`.detail`),
the map's layers
(:mod:`.layers`, its choropleth classes served by :mod:`.routes`), data (:mod:`.data`),
snapshot exports (:mod:`.exports`, built by
:mod:`.snapshot`) and component ids (:mod:`.ids`).

Assets (``dashboard/assets``) it runs on: ``desk.css``.
"""

from __future__ import annotations

import dash

from gridmap.dashboard.desk import callbacks, exports, incident_page, page, routes

#: The assets of this screen (in ``dashboard/assets``).
ASSETS = ("desk.css",)


def install(app: dash.Dash) -> None:
    """Add the desk to ``app``: its page, callbacks and export routes."""
    page.register()
    callbacks.register(app)
    incident_page.register(app)
    exports.install_export_routes(app.server)
    routes.install_desk_routes(app.server)
