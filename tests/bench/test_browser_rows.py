"""The browser benchmarks' rows from what the pages reported (no browser here)."""

from __future__ import annotations

from gridmap.bench.browser_rows import desk_rows, median, percentiles, row, rows, wall_ticks


def _load(paint_s, size, updates=()):
    return {
        "painted": paint_s is not None,
        "paint_s": paint_s,
        "bytes": size,
        "largest": [["/x", 1.0]],
        "updates": list(updates),
        "offhost": [],
    }


def _window(updates, busy=0.5, offhost=()):
    return {
        "updates": updates,
        "unfinished": 0,
        "other": [{"url": "http://127.0.0.1:1/live/open.json", "bytes": 2000}],
        "busy_share": busy,
        "cpu_share": busy / 2,
        "renders_per_s": 1.0,
        "painted": True,
        "sim_requests_per_s": 19.0,
        "offhost": list(offhost),
    }


def _update(size, ms, path="/live/tick.json?cursor=1&since=2"):
    return {"url": "http://127.0.0.1:1" + path, "post": "", "bytes": size, "server_ms": ms}


def test_helpers():
    assert row("x", None, "s", 2.0, "naive")["ratio"] is None
    assert row("x", 1.0, "s", 4.0, "naive")["ratio"] == 0.25
    assert median([None, 3.0, 1.0, 2.0]) == 2.0 and median([None]) is None
    assert percentiles([]) == (None, None) and percentiles([1.0, 1.0, 1.0]) == (1.0, 1.0)
    tick, other = wall_ticks([_update(1, 1), _update(2, 2, path="/_dash-update-component")])
    assert [r["bytes"] for r in tick] == [1] and [r["bytes"] for r in other] == [2]


def test_rows_compare_ours_with_the_naive_way():
    loads = {
        "ours": [_load(4.0, 2_000_000), _load(None, None), _load(6.0, 3_000_000)],
        "naive": [
            _load(2.0, 8_000_000, [_update(2_700_000, 1200.0, path="/_dash-update-component")])
        ]
        * 3,
        "plain": [_load(2.5, 1_000_000)] * 3,
    }
    live = {
        "ours": _window(
            [_update(2000, 30.0)] * 10 + [_update(500, 5.0, path="/_dash-update-component")]
        ),
        "naive": _window([], busy=0.1, offhost=["http://example.com/a"]),
    }
    out = {r["name"]: r for r in rows("city", loads, live, {"grids": 3})}
    paint = out["browser_first_paint_s"]
    assert (paint["value"], paint["baseline"], paint["ratio"]) == (5.0, 2.0, 2.5)
    assert paint["painted"] == [True, False, True] and paint["grids"] == 3
    assert (paint["plain_s"], paint["ratio_to_plain"]) == (2.5, 2.0)  # the limit, beside
    assert not paint["offline"] and paint["offhost_requests"] == ["http://example.com/a"]
    assert out["browser_bytes_to_first_paint"]["value"] == 2.5
    assert out["browser_bytes_to_first_paint"]["goal"] == 3.0  # the city's budget
    assert paint["goal"] == 0.25 and paint["goal_ratio_to_plain"] == 1.2  # 4x the naive
    assert out["browser_bytes_to_first_paint"]["plain_mb"] == 1.0
    size = out["browser_update_bytes_p95"]
    assert (size["value"], size["updates"], size["other_dash_responses_kb"]) == (2.0, 10, [0.5])
    assert size["baseline"] == 2700.0 and "page loads" in size["naive_baseline_from"]
    assert size["other_requests_in_window"] == {"/live/open.json": [1, 2.0]}
    assert out["browser_update_server_ms_p95"]["value"] == 30.0
    busy = out["browser_main_thread_busy"]
    assert (busy["value"], busy["baseline"], busy["goal"]) == (0.5, 0.1, 0.05)
    assert out["browser_update_bytes_p95"]["goal"] == 2.0
    assert out["browser_update_server_ms_p95"]["goal"] == 10.0


def test_desk_rows_report_its_paint_and_the_filters_p95():
    desk = {
        "loads": [_load(3.0, 900_000), _load(4.0, 1_100_000), _load(None, None)],
        "change_ms": [float(ms) for ms in range(10, 200, 10)] + [None],
        "offhost": [],
    }
    paint, change, *_drill = desk_rows(desk, median_plain=2.0)
    assert (paint["value"], paint["baseline"], paint["ratio"]) == (3.5, 2.0, 1.75)
    assert paint["mb_to_paint"] == 1.0 and paint["painted"] == [True, True, False]
    assert change["value"] == 181.0 and change["p50"] == 100.0  # of the 19 shown
    assert change["not_shown"] == 1 and change["samples"][-1] is None


def test_drill_rows_say_whether_each_goal_is_met():
    desk = {
        "loads": [_load(3.0, 900_000)],
        "change_ms": [100.0, 200.0],
        "offhost": [],
        "drill": {"down_ms": [400.0, 900.0, None], "back_ms": [300.0, 500.0], "offhost": []},
        "login": {"login_s": [1.5, 2.5, 1.8]},
    }
    _paint, change, down, back, login = desk_rows(desk, median_plain=2.0)
    assert change["met"] is True and change["goal"] == "<= 300 ms p95"
    assert down["samples"] == [400, 900, None] and down["met"] is False  # one never drawn
    assert back["met"] is True and back["value"] <= 500
    assert login["value"] == 1.8 and login["met"] is True
