"""The wall's small pieces built from plain data: the hourly chart, the ranking, the bars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridmap.dashboard.wall.widgets import _nice_ceiling, hourly_chart


def _frame(today, usual) -> pd.DataFrame:
    return pd.DataFrame({"today": today, "usual": usual}, index=range(24))


def _heights(chart) -> tuple[list[float], list[float]]:
    columns = chart[1].children[1].children
    bars = [float(c.children[0].style["height"].rstrip("%")) for c in columns]
    usual = [float(c.children[1].style["bottom"].rstrip("%")) for c in columns]
    return bars, usual


def test_bars_and_usual_marks_share_one_axis_up_to_a_round_top():
    today = [0.0] * 24
    today[9], today[10] = 170.0, 85.0
    usual = np.linspace(0, 120, 24)
    chart = hourly_chart(_frame(today, usual), lang="zh")
    bars, marks = _heights(chart)
    top = chart[1].children[0].children[0].children
    assert top == "200"  # the next round number above the highest of both series
    assert bars[9] == 85.0 and bars[10] == 42.5 and bars[0] == 0.0
    assert marks[-1] == 60.0
    assert "今日" in str(chart[0]) and "常态" in str(chart[0])
    assert "Today" in str(hourly_chart(_frame(today, usual), lang="en")[0])


def test_an_empty_day_draws_an_empty_axis_from_0_to_5():
    chart = hourly_chart(_frame([np.nan] * 24, [0.0] * 24))
    bars, marks = _heights(chart)
    assert bars == [0.0] * 24 and marks == [0.0] * 24
    assert chart[1].children[0].children[0].children == "5"


def test_nice_ceiling():
    assert [_nice_ceiling(v) for v in (0, 0.4, 3, 7, 10, 11, 180, 2001)] == [
        5,
        0.5,
        5,
        10,
        10,
        20,
        200,
        5000,
    ]


def test_the_ranking_lists_areas_worst_first_with_their_figures():
    from gridmap.dashboard.wall.widgets import ranking_table

    frame = pd.DataFrame(
        {
            "name": ["万年场街道", "青龙街道"],
            "open": [589, 202],
            "overdue": [59, 0],
            "on_time_rate": [0.912, np.nan],
        },
        index=["510108011", "510108015"],
    )
    table = ranking_table(frame, "zh")
    rows = [[td.children for td in tr.children] for tr in table.children[1].children]
    assert rows == [["1", "万年场街道", "59", "589", "91%"], ["2", "青龙街道", "0", "202", "—"]]
    hot = [tr.children[2].className for tr in table.children[1].children]
    assert hot == ["rank-overdue hot", "rank-overdue"]  # red only where something is late
    assert "On time" in str(ranking_table(frame, "en").children[0])


def test_todays_bars_name_subcategories_and_every_source_in_the_language():
    from gridmap.dashboard.wall.widgets import by_source, top_subcategories

    breakdown = {
        "subcategory": {"SR01": 7, "SR03": 5, "XX99": 1},
        "source": {"hotline": 12, "grid_worker": 36},
    }
    top = top_subcategories(breakdown, "zh")
    labels = [row.children[0].children for row in top]
    widths = [row.children[1].children.style["width"] for row in top]
    assert labels == ["暴露垃圾", "道路不洁", "XX99"]  # an unknown code shows as itself
    assert widths == ["100.0%", "71.4%", "14.3%"]
    assert top_subcategories(breakdown, "en")[1].children[0].children == "Dirty road"
    sources = by_source(breakdown, "en")
    named = [(row.children[0].children, row.children[2].children) for row in sources]
    assert named[:2] == [("Grid worker", "36"), ("12345 hotline", "12")]
    assert {n for n, _c in named} >= {"Video AI", "Resident", "IoT alarm"}  # none is left out
    empty = by_source({"subcategory": {}, "source": {}}, "zh")
    assert empty[0].children == "今日暂无上报"
