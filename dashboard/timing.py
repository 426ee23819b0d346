"""``Server-Timing: app;dur=<ms>`` on every response: how long the server worked on it
(routing, the callback, serialising and compressing), as the browser's DevTools and the
benchmarks read it, without the time the request waited in a queue or on the wire."""

from __future__ import annotations

import time

from flask import Flask, Response, g


def install_server_timing(server: Flask) -> None:
    """Time every request of ``server``. Call before other ``after_request`` hooks are
    registered (compression), so their work is counted: Flask runs them in reverse order."""

    @server.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @server.after_request
    def _stop(response: Response) -> Response:
        started = g.get("started")
        if started is not None:
            ms = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={ms:.2f}"
        return response
