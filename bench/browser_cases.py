"""Browser benchmarks: our wall page beside the naive live map, and the desk, in headless
Chromium.

The pages are served by real server processes on free loopback ports over the same store
(:mod:`gridmap.bench.browser_store`): ours is ``gridmap run`` (``/wall``), the naive way is
:mod:`gridmap.bench.naive_app` and the limit, the same data drawn with nothing but MapLibre,
is :mod:`gridmap.bench.plain_app` (its first paint only). Per page: seconds and bytes from
navigation start to the first map paint (the median of ``min(repeat, 3)`` cold loads; the
naive page without updates, since at the city tier it never paints with them), then, while
the live simulator plays ~20 requests/s through our API for :data:`WINDOW_S` seconds, the
bytes and server time of each
live update and the share of the time the page's main thread is busy. The desk
(:mod:`gridmap.bench.browser_desk`): its first paint, and a dozen filter changes timed to the
map showing them.

On a machine without a GPU Chromium draws WebGL in software, so time to paint is compared as a
ratio to the naive way measured in the same run (docs/ARCHITECTURE.md, "Benchmarks").
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from gridmap.bench import browser_rows
from gridmap.bench.browser_desk import desk_run, drill_run, login_run
from gridmap.bench.browser_page import (
    CHROMIUM,
    FLAGS,
    SETTLE_STEP_PX,
    SETTLE_TOLERANCE,
    PageRun,
)
from gridmap.bench.browser_store import cached_store, fresh_copy

#: Seconds to wait for the first paint before giving up (reported as not painted).
PAINT_TIMEOUT_S = {"district": 30.0, "city": 90.0}
#: Seconds of live updates watched per page, after a warm-up of :data:`WARMUP_S`. A wall runs
#: for days: the budget is for its steady state, so the window starts once the one-time work
#: after the first paint is done (label glyphs arriving, software GL compiling the programs of
#: layers drawn for the first time: one program took ~1 s on a core here). The main thread's
#: share during the warm-up is reported beside it.
WINDOW_S = 30.0
WARMUP_S = 15.0
#: Simulator requests per second: ~35 % new reports, the rest workflow events, so about 20
#: incidents change per 1-s tick of the wall (the budget is for ≤ 50).
SIM_RATE = 20.0


def bench_browser(data, repeat: int) -> list[dict]:
    """Our ``/wall`` beside the naive app, at ``data.scale``: paint, bytes, live updates."""
    timeout = PAINT_TIMEOUT_S[data.scale]
    cached, info = cached_store(data.scale, data.folder, log=_log)
    with tempfile.TemporaryDirectory(prefix="gridmap-bench-browser-") as tmp:
        db = fresh_copy(cached, info, Path(tmp))
        url = f"sqlite:///{db}"
        key, facts = _store_facts(url)
        facts.update(store=info["incidents"], buildings_loaded=info["buildings"])
        # logins off whatever the caller's environment says: the wall as the centre sees it
        env = {**os.environ, "GRIDMAP_STORE_URL": url, "GRIDMAP_DATA_DIR": tmp}
        env["GRIDMAP_AUTH"] = "false"
        from playwright.sync_api import sync_playwright

        ours_cmd = ["-m", "gridmap.dashboard.shell.cli", "run", "--port"]
        with (
            _serving(ours_cmd, env, "/healthz", Path(tmp) / "ours.log") as ours,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            # every page's paint is measured alike (the first frame showing its final
            # picture); each page's own word that it painted is waited for and reported:
            # ours and the plain page say it (the first frame once every source had
            # loaded), the naive page by plotly's public events
            probe = "gridmapPainted"
            naive_cmd = ["-m", "gridmap.bench.naive_app", "--store", url, "--interval-ms"]
            plain_cmd = ["-m", "gridmap.bench.plain_app", "--store", url, "--port"]
            loads: dict[str, list[dict]] = {"ours": [], "naive": [], "plain": []}
            with (
                _serving([*naive_cmd, "0", "--port"], env, "/", Path(tmp) / "n0.log") as naive,
                _serving(plain_cmd, env, "/", Path(tmp) / "plain.log") as plain,
            ):
                for i in range(min(max(repeat, 1), 3)):
                    _log(f"browser: page load {i + 1}: ours, the naive page, the plain page")
                    loads["ours"].append(_load(browser, ours + "/wall", probe, timeout))
                    loads["naive"].append(_load(browser, naive + "/", "generic", timeout))
                    loads["plain"].append(_load(browser, plain + "/", "plainPainted", timeout))
            _log("browser: the desk, its first paint and its filters")
            desk = desk_run(browser, ours + "/", timeout, min(max(repeat, 1), 3))
            _log("browser: the drill-down, a level at a time and back")
            desk["drill"] = drill_run(
                browser, ours, facts.pop("drill_steps"), timeout, min(max(repeat, 1), 3)
            )
            auth_env = {**env, "GRIDMAP_AUTH": "true"}
            with _serving(ours_cmd, auth_env, "/healthz", Path(tmp) / "auth.log") as signed:
                _log("browser: signing in to a painted desk")
                desk["login"] = login_run(
                    browser, signed, *BENCH_USER, timeout, min(max(repeat, 1), 3)
                )
            _log("browser: live updates on our page")
            live = {"ours": _live(browser, ours + "/wall", probe, timeout, ours, key)}
            with _serving([*naive_cmd, "2000", "--port"], env, "/", Path(tmp) / "n2.log") as naive:
                _log("browser: live updates on the naive page")
                live["naive"] = _live(browser, naive + "/", "generic", timeout, ours, key)
            browser.close()
    facts["probe"] = PAINT_MEASURE
    return [
        *browser_rows.rows(data.scale, loads, live, facts),
        *browser_rows.desk_rows(
            desk, median_plain=browser_rows.median([x["paint_s"] for x in loads["plain"]])
        ),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


#: How the first paint of each page is measured (reported with the figures).
PAINT_MEASURE = (
    "the first frame from which the map's canvas shows its final picture (sampled every "
    f"{SETTLE_STEP_PX} px, at most {SETTLE_TOLERANCE:.1%} of the samples off), alike on every "
    "page; exact_s: the same with none off; said_s: each page's own word (ours and the plain "
    "page: the first frame once every source had loaded; the naive page: plotly's first "
    "plotly_afterplot with data)"
)
#: The street office's user the sign-in is timed with (made in the bench's copy of the store).
BENCH_USER = ("bench-street", "bench-password-1")


def _store_facts(url: str) -> tuple[str, dict[str, Any]]:
    """An API key for the simulator, a street office's user, the drill-down's steps (the
    busiest street, its first community, grid and building), and what the store holds."""
    from gridmap.feed.store import open_store

    with open_store(url) as store:
        key = store.add_api_key("bench-browser")
        streets = store.get_incidents(open_only=True)["street_code"].value_counts()
        street = streets.index[0]
        store.add_user(BENCH_USER[0], "street", street, BENCH_USER[1])
        names = dict(store.child_areas(None, "street"))
        community, community_name = store.child_areas(street, "community")[0]
        grid = store.child_areas(community, "grid")[0][0]
        steps = [
            (f"/area/{street}", names[street]),
            (f"/area/{community}", community_name),
            (f"/area/{grid}", grid),
        ]
        buildings = store.grid_buildings(grid)
        if len(buildings):  # (the city tier's store holds none: its drill-down ends at a grid)
            building = buildings.iloc[0]
            label = building["name"] or building["building_id"]
            steps.append((f"/building/{building['building_id']}", label))
        day_ago = int(time.time() * 1000) - 86_400_000
        open_n = store.current_figures(pd.Timestamp.now(tz="UTC"))["open"]
        recent = store.count_reported(day_ago)
        counts = store.layer_counts()
    return key, {
        "open_incidents": int(open_n),
        "reports_24h": int(recent),
        "grids": counts["grid"],
        "incidents_in_store": counts["incidents"],
        "drill_steps": steps,
    }


@contextmanager
def _serving(args: list[str], env: dict, ready: str, log: Path) -> Iterator[str]:
    """A server process (``python`` + ``args`` + a free port) until the block ends; yields
    its base URL once ``ready`` answers."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, *args, str(port)], env=env, stdout=out, stderr=out)
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"{args[1]} exited: {log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(base + ready, timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{args[1]} did not answer at {base + ready}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _load(browser, url: str, probe: str, timeout: float) -> dict[str, Any]:
    """One cold page load: seconds and bytes to the first paint (the first frame showing the
    map's final picture, measured alike on every page), the page's own word that it painted
    (``probe``), the largest responses until the paint, and the Dash update responses so far
    (the naive page's one is its whole figure)."""
    run = PageRun.open(browser, url, settle=True)
    try:
        paint = run.wait_for_settled(probe, timeout)
        loaded = run.loaded_by(paint)
        largest = sorted(loaded, key=lambda item: -item[1])[:5]
        return {
            "painted": paint is not None,
            "paint_s": paint,
            "said_s": run.signal(probe),
            "exact_s": run.settled_at(0.0) if paint is not None else None,
            "bytes": sum(size for _url, size in loaded) if paint is not None else None,
            "largest": [[urlsplit(u).path, round(size / 1e3, 1)] for u, size in largest],
            "updates": run.traffic.updates(),
            "offhost": run.traffic.offhost,
        }
    finally:
        run.close()


@contextmanager
def _simulator(base: str, key: str) -> Iterator[dict]:
    from gridmap.feed.simulator import run_simulator

    stop, stats = threading.Event(), {}
    thread = threading.Thread(
        target=lambda: stats.update(run_simulator(base, key, rate=SIM_RATE, seed=7, stop=stop)),
        daemon=True,
    )
    thread.start()
    try:
        yield stats
    finally:
        stop.set()
        thread.join(30)


def _live(browser, url: str, probe: str, timeout: float, api: str, key: str) -> dict[str, Any]:
    """Open the page, wait for its paint (or the time-out), then watch live updates."""
    run = PageRun.open(browser, url)
    try:
        painted = run.wait_for_paint(probe, timeout) is not None
        started = time.monotonic()
        with _simulator(api, key) as stats:
            warm = run.update_window(WARMUP_S, grace_s=0)
            window = run.update_window(WINDOW_S)
            seconds = time.monotonic() - started
        window.update(
            painted=painted,
            window_s=WINDOW_S,
            warmup_s=WARMUP_S,
            warmup_busy_share=warm["busy_share"],
            warmup_cpu_share=warm["cpu_share"],
            sim_requests_per_s=round(
                (stats.get("reports", 0) + stats.get("events", 0)) / seconds, 1
            ),
            offhost=run.traffic.offhost,
        )
        return window
    finally:
        run.close()
