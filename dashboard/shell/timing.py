"""``Server-Timing: app;dur=<ms>, cpu;dur=<ms>`` on every response: how long the server
took over it (routing, the callback, serialising and compressing) by the clock, and how much
CPU its thread used meanwhile, as the browser's DevTools and the benchmarks read them, without
the time the request waited in a queue or on the wire. The two differ when the process waits
for the CPU or the GIL (other requests, other programs)."""

from __future__ import annotations

import time

from flask import Flask, Response, g


def install_server_timing(server: Flask) -> None:
    """Time every request of ``server``. Call before other ``after_request`` hooks are
    registered (compression), so their work is counted: Flask runs them in reverse order."""

    @server.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.started_cpu = time.thread_time()

    @server.after_request
    def _stop(response: Response) -> Response:
        started = g.get("started")
        if started is not None:
            ms = (time.perf_counter() - started) * 1000
            cpu = (time.thread_time() - g.started_cpu) * 1000
            response.headers["Server-Timing"] = f"app;dur={ms:.2f}, cpu;dur={cpu:.2f}"
        return response
