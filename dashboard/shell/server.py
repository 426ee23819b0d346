"""Serving: waitress (one process) or gunicorn (several) in front of the Dash/Flask app,
optionally with the live simulator."""

from __future__ import annotations

import threading
import time
import urllib.request

from gridmap.dashboard.shell.words import say
from gridmap.settings import Settings


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    simulate: bool = False,
    rate: float = 1.0,
    workers: int = 1,
    lang: str = "zh",
) -> int:
    """Serve the dashboard and API at ``http://host:port`` until interrupted.

    One process (waitress, 8 threads) by default; ``workers > 1`` runs that many processes
    behind the one address (gunicorn, threaded workers). The app is stateless between
    requests, so every worker shows the same thing.
    """
    stop = threading.Event()
    if simulate:
        threading.Thread(
            target=_simulate,
            args=(settings, host, port, rate, stop, lang),
            name="simulator",
            daemon=True,
        ).start()
    print(say("serving", lang, url=f"http://{host}:{port}/"), flush=True)
    try:
        if workers > 1:
            _serve_processes(settings, host, port, workers)
        else:
            from waitress import serve as waitress_serve

            from gridmap.dashboard.shell.app import create_app

            app = create_app(settings)
            waitress_serve(app.server, host=host, port=port, threads=8, ident="gridmap")
    finally:
        stop.set()
    return 0


def _serve_processes(settings: Settings, host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("timeout", 120)

        def load(self):
            from gridmap.dashboard.shell.app import create_app

            return create_app(settings).server  # built in each worker, after the fork

    _App().run()


def _simulate(settings: Settings, host: str, port: int, rate: float, stop, lang: str) -> None:
    """Run the simulator against this server once it answers."""

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
    print(say("simulating", lang, rate=f"{rate:g}", url=url), flush=True)
    run_simulator(url, key, rate=rate, stop=stop)
