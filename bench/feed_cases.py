"""Benchmarks of the live feed: durable ingest, single-POST latency, live queries.

Each runs on a fresh store of its own (SQLite in a temporary folder; PostGIS in a throwaway
schema when a server answers at ``GRIDMAP_BENCH_PG``, default ``postgresql://127.0.0.1:5432/test``)
and beside the naive way where there is one.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from gridmap.feed.service import IntakeService, plan_event
from gridmap.feed.store import SQLStore, open_store
from gridmap.feed.store.common import now_ms

#: Server processes in the latency benchmark (one per core).
SERVER_WORKERS = os.cpu_count() or 1
PG_URL = os.environ.get("GRIDMAP_BENCH_PG", "postgresql://127.0.0.1:5432/test")


@contextmanager
def temp_store(kind: str) -> Iterator[SQLStore]:
    """A fresh store of ``kind`` (``sqlite`` or ``postgres``), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                yield store
            finally:
                store.close()
        return
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    store = open_store(f"{PG_URL}?options=-csearch_path%3D{schema},public")
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def backends() -> list[str]:
    """``sqlite``, plus ``postgres`` when a server answers."""
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception:
        return ["sqlite"]
    return ["sqlite", "postgres"]


def _incidents(n: int, *, open_share: float = 1.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = pd.Timestamp.now(tz="Asia/Shanghai").floor("s") - pd.Timedelta(hours=1)
    status = np.where(rng.random(n) < open_share, "reported", "closed")
    grid = np.char.add("510108004006", np.char.zfill(rng.integers(1, 400, n).astype(str), 3))
    return pd.DataFrame(
        {
            "incident_id": [f"B{i:08d}" for i in range(n)],
            "source": "hotline",
            "category": "SR",
            "subcategory": "SR01",
            "priority": 3,
            "reported_at": t,
            "lon": 104.1,
            "lat": 30.66,
            "grid_code": grid,
            "community_code": "510108004006",
            "street_code": "510108004",
            "description": "暴露垃圾",
            "department": "区城市管理和综合执法局",
            "status": status,
            "stage_entered_at": t,
            "deadline": t + pd.Timedelta(minutes=30),
            "escalated": False,
        }
    )


def _accept_events(ids: list[str], at: int) -> list[dict]:
    return [{"incident_id": i, "action": "accept", "at": at, "actor": "bench"} for i in ids]


def bench_ingest(_data, repeat: int) -> list[dict]:
    """Durable events/s through the bulk path vs one transaction (commit) per event."""
    rows = []
    for kind in backends():
        with temp_store(kind) as store:
            n, batch, naive_n = 20_000, 1_000, 1_000
            store.bulk_load(_incidents(n + naive_n))
            ids = [f"B{i:08d}" for i in range(n + naive_n)]
            at = now_ms()
            start = time.perf_counter()
            for i in range(0, n, batch):
                store.apply_events(_accept_events(ids[i : i + batch], at), plan_event)
            bulk = n / (time.perf_counter() - start)
            start = time.perf_counter()
            for incident in ids[n:]:
                store.apply_events(_accept_events([incident], at), plan_event)
            naive = naive_n / (time.perf_counter() - start)
            rows.append(
                {
                    "name": f"ingest_bulk_{kind}",
                    "value": bulk,
                    "unit": "events/s",
                    "baseline": naive,
                    "baseline_name": "one commit per event",
                    "ratio": round(bulk / naive, 2),
                    "goal": 10_000 if kind == "sqlite" else None,
                    "batch": batch,
                    "durable": "synchronous=FULL" if kind == "sqlite" else "fsync on",
                }
            )
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(store_url: str) -> Iterator[tuple[str, str]]:
    """The real server (``gridmap run``, waitress) in a process of its own on a free port, so
    the measuring client does not share its interpreter; yields (base URL, API key)."""
    import subprocess
    import sys

    with open_store(store_url) as store:
        key = store.add_api_key("bench")
    port = _free_port()
    env = {**os.environ, "GRIDMAP_STORE_URL": store_url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gridmap.dashboard.shell.cli",
            "run",
            "--port",
            str(port),
            "--workers",
            str(SERVER_WORKERS),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base, key
    finally:
        proc.terminate()
        proc.wait(20)


def bench_post_latency(data, repeat: int) -> list[dict]:
    """p95 of single Open311 POSTs paced at 200 requests/s (server and client on 2 cores),
    into a store holding the tier's grids, so each post is assigned to its grid on arrival."""
    rows = []
    grids = data.grids
    for kind in backends():
        with temp_store(kind) as store:
            store.put_areas("grid", grids)
            with _server(store.url) as (base, key):
                latencies = _paced_posts(base, key, rate=200, seconds=8)
                p95 = float(np.percentile(latencies, 95) * 1000)
                rows.append(
                    {
                        "name": f"post_p95_{kind}",
                        "value": p95,
                        "unit": "ms",
                        "baseline": None,
                        "baseline_name": None,
                        "ratio": None,
                        "goal": 10 if kind == "sqlite" else None,
                        "p50_ms": float(np.percentile(latencies, 50) * 1000),
                        "p99_ms": float(np.percentile(latencies, 99) * 1000),
                        "requests": len(latencies),
                        "rate_per_s": 200,
                    }
                )
    return rows


def _paced_posts(base: str, key: str, *, rate: float, seconds: float) -> list[float]:
    """Latencies (s) of POSTs sent at ``rate`` per second for ``seconds``.

    The load comes from 4 client processes × 2 keep-alive connections, each pacing its share
    on a fixed schedule (an open loop: a slow answer does not slow the offered load), so the
    client neither shares the server's interpreter nor its own GIL with 16 threads.
    """
    from concurrent.futures import ProcessPoolExecutor

    lanes = 8
    with ProcessPoolExecutor(4) as pool:
        start_at = time.time() + 1.0
        jobs = [
            pool.submit(_lane, base, key, lane, lanes, rate / lanes, seconds, start_at)
            for lane in range(lanes)
        ]
        return [t for job in jobs for t in job.result()]


def _lane(base, key, lane, lanes, rate, seconds, start_at) -> list[float]:
    """One client connection's share of the load (runs in a worker process)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    body = {"service_code": "SR01", "lat": 30.665, "long": 104.105, "description": "压测"}
    headers = {"Content-Type": "application/json", "X-API-Key": key}
    latencies = []
    n = int(rate * seconds)
    for i in range(n):
        delay = start_at + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        # bytes: http.client then sends headers and body in one segment (a str body goes in a
        # second one and meets Nagle's algorithm and delayed ACKs)
        data = json.dumps({**body, "service_request_id": f"P{lane}-{i:06d}"}).encode()
        began = time.perf_counter()
        conn.request("POST", "/open311/v2/requests.json", body=data, headers=headers)
        resp = conn.getresponse()
        resp.read()
        latencies.append(time.perf_counter() - began)
        if resp.status not in (200, 201):
            raise RuntimeError(f"POST answered {resp.status}")
    conn.close()
    return latencies


def bench_live_queries(data, repeat: int) -> list[dict]:
    """Events-since-cursor and open counts per grid with the tier's open incidents."""
    open_n = 100_000 if data.scale == "city" else 5_000
    rows = []
    for kind in backends():
        with temp_store(kind) as store:
            frame = _incidents(open_n * 3, open_share=1 / 3, seed=1)
            store.bulk_load(frame)
            ids = frame.loc[frame["status"] == "reported", "incident_id"].tolist()
            service = IntakeService(store)
            at = now_ms()
            for i in range(0, 20_000, 1000):  # a stream of recent events
                service.apply_events(_accept_events(ids[i : i + 1000], at))
            last = store.last_event_id()
            since = _p95(lambda last=last, store=store: store.events_since(last - 50), 200)
            counts = _p95(store.open_counts, 200)
            recount = _p95(store.recount_open, 20)
            assert (
                store.open_counts()
                .set_index(["grid_code", "status"])["n"]
                .sort_index()
                .equals(store.recount_open().set_index(["grid_code", "status"])["n"].sort_index())
            )
            rows += [
                {
                    "name": f"events_since_p95_{kind}",
                    "value": since,
                    "unit": "ms",
                    "baseline": None,
                    "baseline_name": None,
                    "ratio": None,
                    "goal": 20,
                    "open_incidents": len(ids),
                    "events_returned": 50,
                },
                {
                    "name": f"open_counts_p95_{kind}",
                    "value": counts,
                    "unit": "ms",
                    "baseline": recount,
                    "baseline_name": "recount from scratch (GROUP BY)",
                    "ratio": round(recount / counts, 2) if counts else None,
                    "goal": 20,
                    "open_incidents": len(ids),
                },
            ]
    return rows


def _p95(fn, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.percentile(times, 95) * 1000)


def bench_simulator_memory(_data, repeat: int) -> list[dict]:
    """RSS growth of the server while the simulator plays a compressed live stretch
    (20 requests/s for 180 s: as many requests as an hour at the demo's 1/s)."""
    from gridmap.feed.simulator import run_simulator

    with temp_store("sqlite") as store, _server(store.url) as (base, key):
        pid = _server_pid(base)
        samples = []
        stop = threading.Event()
        result: dict = {}
        thread = threading.Thread(
            target=lambda: result.update(
                run_simulator(base, key, rate=20, duration=180, seed=1, stop=stop)
            )
        )
        thread.start()
        while thread.is_alive():
            samples.append(_rss_mb(pid))
            thread.join(5)
    first, last = statistics.mean(samples[2:5]), statistics.mean(samples[-3:])
    return [
        {
            "name": "simulator_rss_growth",
            "value": last - first,
            "unit": "MB",
            "baseline": None,
            "baseline_name": None,
            "ratio": None,
            "goal": None,
            "requests": sum(v for k, v in result.items() if k in ("reports", "events")),
            "rss_start_mb": first,
            "rss_end_mb": last,
            "seconds": 180,
        }
    ]


def _server_pid(base: str) -> str:
    """PID of the process listening at ``base`` (Linux ``ss``), or ``self``."""
    import subprocess

    port = base.rsplit(":", 1)[1]
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True)
    for part in out.stdout.split("pid=")[1:]:
        return part.split(",", 1)[0]
    return "self"


def _rss_mb(pid: str = "self") -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
