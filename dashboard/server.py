"""Serving: waitress in front of the Dash/Flask app, optionally with the live simulator."""

from __future__ import annotations

from gridmap.settings import Settings


def serve(settings: Settings, *, host: str, port: int, simulate: bool = False,
          rate: float = 1.0) -> int:
    """Serve the dashboard and API at ``http://host:port`` until interrupted."""
    from waitress import serve as waitress_serve

    from gridmap.dashboard.app import create_app

    app = create_app(settings)
    print(f"gridmap: dashboard at http://{host}:{port}/", flush=True)
    waitress_serve(app.server, host=host, port=port, threads=8, ident="gridmap")
    return 0
