"""A server killed with SIGKILL mid-stream holds every incident it acknowledged, once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from gridmap.feed.store import open_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gridmap.dashboard.shell.cli", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _post(port: int, key: str, i: int) -> str | None:
    body = json.dumps(
        {
            "service_code": "SR01",
            "lat": 30.665,
            "long": 104.105,
            "service_request_id": f"K{i:05d}",
            "description": f"第{i}号",
        }
    ).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/open311/v2/requests.json",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-API-Key": key},
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read())[0]["service_request_id"]
    except (OSError, urllib.error.HTTPError):
        return None


def test_sigkill_loses_no_acknowledged_incident(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    with open_store(url) as store:
        key = store.add_api_key("test")
    env = {**os.environ, "GRIDMAP_STORE_URL": url, "GRIDMAP_DATA_DIR": str(tmp_path)}
    port = _free_port()
    server = _start(env, port)
    acknowledged: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        i = 0
        while not stop.is_set() and i < 5000:
            got = _post(port, key, i)
            if got:
                acknowledged.append(got)
            i += 1

    sender = threading.Thread(target=stream)
    sender.start()
    while len(acknowledged) < 50:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL)  # in the middle of the stream
    server.wait()
    time.sleep(0.3)
    stop.set()
    sender.join()
    restarted = _start(env, port)
    try:
        with open_store(url) as store:
            ids = store.get_incidents()["incident_id"].tolist()
            events = {i: len(store.get_events(i)) for i in ids}
        counts = {i: ids.count(i) for i in set(ids)}
        assert acknowledged, "nothing was acknowledged"
        missing = [i for i in acknowledged if i not in counts]
        assert not missing, f"acknowledged but lost: {missing[:5]}"
        assert all(n == 1 for n in counts.values())
        # every stored incident has exactly its one report event: nothing half-written
        assert all(events.get(i) == 1 for i in counts)
    finally:
        restarted.terminate()
        restarted.wait(10)
