"""Shared pieces of the browser tests: Debian's Chromium, cut off from everything but
loopback, and the ``gridmap run`` server as a subprocess."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Marks of every browser test module.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]
#: Chromium flags: headless, no background traffic, and no name resolves but loopback.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gridmap run`` on a port of its own, started, killed and restarted by the tests."""

    def __init__(self, env: dict, port: int) -> None:
        self.env, self.port, self.proc = env, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gridmap.dashboard.shell.cli", "run", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """End the server if it still runs."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@contextmanager
def demo_server(data: Path, *, incidents: int, seed: int) -> Iterator[Server]:
    """``gridmap run`` over a demo store of ``incidents`` made in ``data`` (its data folder),
    started; ``store_url`` says where the store is. Stopped when the block ends."""
    from .conftest import demo_store

    server = Server({**os.environ, "GRIDMAP_DATA_DIR": str(data)}, free_port())
    server.store_url = demo_store(data, incidents=incidents, seed=seed)
    server.start()
    try:
        yield server
    finally:
        server.stop()
