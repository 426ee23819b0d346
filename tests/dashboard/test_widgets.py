"""The wall's small pieces built from plain data: the hourly chart."""

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
