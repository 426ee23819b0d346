"""Serving: waitress in front of the Dash/Flask app, optionally with the live simulator."""

from __future__ import annotations

import threading

from gridmap.settings import Settings


def serve(
    settings: Settings, *, host: str, port: int, simulate: bool = False, rate: float = 1.0
) -> int:
    """Serve the dashboard and API at ``http://host:port`` until interrupted."""
    from waitress import serve as waitress_serve

    from gridmap.dashboard.app import create_app

    app = create_app(settings)
    stop = threading.Event()
    if simulate:
        threading.Thread(
            target=_simulate, args=(settings, host, port, rate, stop), name="simulator", daemon=True
        ).start()
    print(f"gridmap: dashboard at http://{host}:{port}/", flush=True)
    try:
        waitress_serve(app.server, host=host, port=port, threads=8, ident="gridmap")
    finally:
        stop.set()
    return 0


def _simulate(settings: Settings, host: str, port: int, rate: float, stop) -> None:
    """Run the simulator against this server once it answers."""
    import time
    import urllib.request

    from gridmap.feed.simulator import run_simulator
    from gridmap.feed.store import open_store

    url = f"http://{host}:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    with open_store(settings.resolved_store_url) as store:
        key = store.add_api_key("simulator")
    print(f"gridmap: simulator posting about {rate:g}/s to {url}", flush=True)
    run_simulator(url, key, rate=rate, stop=stop)
