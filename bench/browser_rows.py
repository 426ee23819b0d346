"""The browser benchmarks' result rows, from what :mod:`gridmap.bench.browser_cases` saw.

Rows follow :mod:`gridmap.bench.cases` (``name``, ``value``, ``unit``, ``baseline``,
``baseline_name``, ``ratio``, ``goal`` and extras); a value is ``None`` where nothing was
measured (a page that never painted, a window in which no update finished).
"""

from __future__ import annotations

import statistics
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from gridmap.bench.browser_page import TICK_PATH
from gridmap.bench.rows import row

NAIVE = "naive Dash app: whole figure rebuilt by one callback (inline GeoJSON, no compression)"
PLAIN = "plain MapLibre page: the same data as static gzipped GeoJSON, nothing but MapLibre"
#: Time-to-paint budgets on a wall-screen PC with a GPU (not this machine), seconds.
GPU_BUDGET_S = {"district": 1.5, "city": 3.0}
#: The goals of issue 12, per tier: first paint at most this many times the plain page's
#: and at least this many times faster than the naive page's; MB on the wire to it.
PAINT_TO_PLAIN = 1.2
FASTER_THAN_NAIVE = {"district": 1.5, "city": 4.0}
MB_TO_PAINT = {"district": 1.0, "city": 3.0}


def percentiles(values: list[float]) -> tuple[float | None, float | None]:
    """(p50, p95) of ``values``, rounded; ``(None, None)`` for none."""
    if not values:
        return None, None
    p50, p95 = np.percentile(values, [50, 95])
    return round(float(p50), 2), round(float(p95), 2)


def median(values: list[float | None]) -> float | None:
    """Median of the values that are not ``None``, rounded; ``None`` if there are none."""
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def _ratio(value: float | None, limit: float | None) -> float | None:
    """``value / limit``, rounded, where both were measured."""
    return round(value / limit, 2) if value and limit else None


def wall_ticks(updates: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the wall's ticks, the other update responses: Dash callbacks of the panels)."""
    tick = [r for r in updates if urlsplit(r["url"]).path == TICK_PATH]
    return tick, [r for r in updates if urlsplit(r["url"]).path != TICK_PATH]


def _per_path(requests: list[dict]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for r in requests:
        n, kb = out.get(urlsplit(r["url"]).path, [0, 0.0])
        out[urlsplit(r["url"]).path] = [n + 1, round(kb + r.get("bytes", 0) / 1e3, 1)]
    return dict(sorted(out.items())[:20])


def rows(scale: str, loads: dict, live: dict, facts: dict) -> list[dict[str, Any]]:
    """The five rows of the browser case.

    Parameters
    ----------
    loads
        ``{"ours": [load, …], "naive": [load, …]}``, each load a dict with ``painted``,
        ``paint_s``, ``bytes``, ``largest``, ``updates``, ``offhost``.
    live
        ``{"ours": window, "naive": window}`` from
        :meth:`gridmap.bench.browser_page.PageRun.update_window`, plus ``painted``,
        ``sim_requests_per_s``, ``offhost``.
    facts
        What the store holds and how the page was probed, added to the first row.
    """
    paint = {k: median([x["paint_s"] for x in v]) for k, v in loads.items()}
    mb = {k: median([x["bytes"] and x["bytes"] / 1e6 for x in v]) for k, v in loads.items()}
    painted = {k: [x["painted"] for x in v] for k, v in loads.items()}
    offhost = {u for v in loads.values() for x in v for u in x["offhost"]}
    offhost |= {u for w in live.values() for u in w["offhost"]}
    ups, others = wall_ticks(live["ours"]["updates"])
    naive_ups, naive_from = live["naive"]["updates"], "updates every 2 s"
    if not naive_ups:  # none finished (city tier): each would be the whole figure again
        naive_ups = [r for x in loads["naive"] for r in x["updates"]]
        naive_from = "no update finished in the window; the figure responses of the page loads"
    kb = {k: percentiles([r["bytes"] / 1e3 for r in v]) for k, v in (("", ups), ("n", naive_ups))}
    ms = {
        k: percentiles([r["server_ms"] for r in v if "server_ms" in r])
        for k, v in (("", ups), ("n", naive_ups))
    }
    cpu = {
        k: percentiles([r["server_cpu_ms"] for r in v if "server_cpu_ms" in r])
        for k, v in (("", ups), ("n", naive_ups))
    }
    counts = {
        "updates": len(ups),
        "updates_naive": len(live["naive"]["updates"]),
        "unfinished": live["ours"]["unfinished"],
        "unfinished_naive": live["naive"]["unfinished"],
        "naive_baseline_from": naive_from,
    }
    share = {(k, m): round(w[m], 3) for k, w in live.items() for m in ("busy_share", "cpu_share")}
    every = NAIVE + ", every 2 s"
    return [
        row(
            "browser_first_paint_s",
            paint["ours"],
            "s",
            paint["naive"],
            NAIVE + ", no updates",
            goal=round(1 / FASTER_THAN_NAIVE[scale], 2),
            goal_is="ratio to the naive page at most this, and ratio_to_plain at most "
            f"{PAINT_TO_PLAIN}",
            goal_ratio_to_plain=PAINT_TO_PLAIN,
            painted=painted["ours"],
            painted_naive=painted["naive"],
            samples=[x["paint_s"] for x in loads["ours"]],
            samples_naive=[x["paint_s"] for x in loads["naive"]],
            plain_s=paint.get("plain"),
            ratio_to_plain=_ratio(paint["ours"], paint.get("plain")),
            samples_plain=[x["paint_s"] for x in loads.get("plain", [])],
            exact_s={k: [x.get("exact_s") for x in v] for k, v in loads.items()},
            said_s={k: [x.get("said_s") for x in v] for k, v in loads.items()},
            plain_name=PLAIN,
            budget_with_gpu_s=GPU_BUDGET_S[scale],
            offline=not offhost,
            offhost_requests=sorted(offhost)[:20],
            **facts,
        ),
        row(
            "browser_bytes_to_first_paint",
            mb["ours"],
            "MB",
            mb["naive"],
            NAIVE + ", no updates",
            goal=MB_TO_PAINT[scale],
            painted=painted["ours"],
            painted_naive=painted["naive"],
            largest_kb=loads["ours"][-1]["largest"],
            largest_kb_naive=loads["naive"][-1]["largest"],
            plain_mb=mb.get("plain"),
        ),
        row(
            "browser_update_bytes_p95",
            kb[""][1],
            "KB",
            kb["n"][1],
            every,
            goal=2.0,
            p50=kb[""][0],
            p50_naive=kb["n"][0],
            **counts,
            other_dash_responses_kb=[round(r["bytes"] / 1e3, 1) for r in others][:20],
            other_requests_in_window=_per_path(live["ours"]["other"]),
        ),
        row(
            "browser_update_server_ms_p95",
            ms[""][1],
            "ms",
            ms["n"][1],
            every,
            goal=10.0,
            p50=ms[""][0],
            p50_naive=ms["n"][0],
            clock="wall clock in the server (Server-Timing app), shared 2 cores with the "
            "browser's software GL and the simulator",
            **counts,
        ),
        row(
            "browser_update_server_cpu_ms_p95",
            cpu[""][1],
            "ms",
            cpu["n"][1],
            every,
            goal=10.0,
            p50=cpu[""][0],
            p50_naive=cpu["n"][0],
            clock="CPU time of the serving thread (Server-Timing cpu): the server's own work",
            **counts,
        ),
        row(
            "browser_main_thread_busy",
            share["ours", "busy_share"],
            "share",
            share["naive", "busy_share"],
            every,
            goal=0.05,
            cpu_share=share["ours", "cpu_share"],
            cpu_share_naive=share["naive", "cpu_share"],
            window_s=live["ours"].get("window_s"),
            warmup_s=live["ours"].get("warmup_s"),
            warmup_busy_share=live["ours"].get("warmup_busy_share"),
            warmup_busy_share_naive=live["naive"].get("warmup_busy_share"),
            map_renders_per_s=round(live["ours"]["renders_per_s"], 1),
            map_renders_per_s_naive=round(live["naive"]["renders_per_s"], 1),
            painted_before_window=live["ours"]["painted"],
            painted_before_window_naive=live["naive"]["painted"],
            sim_requests_per_s=live["ours"]["sim_requests_per_s"],
            sim_requests_per_s_naive=live["naive"]["sim_requests_per_s"],
        ),
    ]


def desk_rows(desk: dict, median_plain: float | None) -> list[dict[str, Any]]:
    """The desk's rows: its first map paint (beside the plain MapLibre page of the wall's
    data, the limit of drawing that much) and the time from a filter change to the map
    showing it (:func:`gridmap.bench.browser_desk.desk_run`)."""
    loads = desk["loads"]
    shown = [ms for ms in desk["change_ms"] if ms is not None]
    p50, p95 = percentiles(shown)
    return [
        row(
            "browser_desk_first_paint_s",
            median([x["paint_s"] for x in loads]),
            "s",
            median_plain,
            PLAIN + " (the wall's layers, not the desk's: a reference, not a like for like)",
            samples=[x["paint_s"] for x in loads],
            mb_to_paint=median([x["bytes"] and x["bytes"] / 1e6 for x in loads]),
            painted=[x["painted"] for x in loads],
            offline=not desk["offhost"],
        ),
        row(
            "browser_desk_filter_to_map_ms_p95",
            p95,
            "ms",
            None,
            "",
            p50=p50,
            samples=[None if ms is None else round(ms) for ms in desk["change_ms"]],
            not_shown=len(desk["change_ms"]) - len(shown),
            goal="<= 300 ms p95",
            met=p95 is not None and p95 <= 300,
            how="a control's value set by dash_clientside.set_props, to MapLibre idle with "
            "the change drawn (states, categories, the figure, the heat's window)",
        ),
        *_drill_rows(desk.get("drill") or {}, desk.get("login") or {}),
    ]


def _drill_rows(drill: dict, login: dict) -> list[dict[str, Any]]:
    """The drill-down's rows: a click to the next level drawn, back drawn, sign-in to a
    painted desk (:func:`gridmap.bench.browser_desk.drill_run`, ``login_run``)."""
    rows = []
    for name, samples, how in (
        (
            "browser_drill_click_to_next_level_ms_p95",
            drill.get("down_ms") or [],
            "district → street → community → grid → building as a click on the map goes "
            "(Dash's navigation, the map moved into the new page and put there), to the new "
            "page's breadcrumbs drawn and the map still with its tiles loaded; as many rounds "
            "as --repeat (up to 3), the first with each page cold on the server",
        ),
        (
            "browser_drill_back_ms_p95",
            drill.get("back_ms") or [],
            "the browser's back, each level up, to the same",
        ),
    ):
        shown = [ms for ms in samples if ms is not None]
        p50, p95 = percentiles(shown)
        rows.append(
            row(
                name,
                None if p95 is None else round(p95),
                "ms",
                None,
                "",
                goal="<= 1000 ms p95",
                met=p95 is not None and p95 <= 1000 and len(shown) == len(samples),
                p50=None if p50 is None else round(p50),
                samples=[None if ms is None else round(ms) for ms in samples],
                offline=not drill.get("offhost"),
                how=how,
            )
        )
    signed = [s for s in login.get("login_s") or [] if s is not None]
    value = median(signed)
    rows.append(
        row(
            "browser_login_to_painted_desk_s",
            value,
            "s",
            None,
            "",
            goal="<= 2 s",
            met=value is not None and value <= 2,
            samples=login.get("login_s") or [],
            harness_s=login.get("harness_s") or [],
            how="a street office's user presses sign in; to the desk's map painted (the "
            "redirect, the page, Dash, the map and its data), both on the page's clock "
            "(harness_s: until the harness heard of it)",
        )
    )
    return rows
