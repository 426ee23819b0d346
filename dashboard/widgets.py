"""Small pieces of the wall screen built from plain data (KPI cards, ticker, hourly chart)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import html

KPI_CARDS = (
    # (key, label, source, kind)
    ("reported", "今日上报", "today", "count"),
    ("dispatched", "今日派遣", "today", "count"),
    ("in_progress", "处置中", "current", "count"),
    ("overdue", "超期", "current", "count"),
    ("on_time_rate", "按期处置率", "today", "rate"),
    ("closure_rate", "结案率", "today", "rate"),
)


def kpi_cards(kpis: dict[str, Any]) -> list[html.Div]:
    """Big-numeral cards with the change against yesterday at the same time."""
    cards = []
    for key, label, source, kind in KPI_CARDS:
        value = kpis[source].get(key)
        before = kpis["yesterday"].get(key) if source == "today" else None
        cards.append(
            html.Div(
                [
                    html.Div(label, className="kpi-label"),
                    html.Div(_fmt(value, kind), className="kpi-value"),
                    html.Div(_change(value, before, kind), className="kpi-change"),
                ],
                className="kpi-card" + (" kpi-alert" if key == "overdue" and value else ""),
                id=f"kpi-{key}",
            )
        )
    return cards


def _fmt(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.1f}%" if kind == "rate" else f"{int(value):,}"


def _change(value, before, kind) -> str:
    if before is None or value is None:
        return "当前"
    if any(isinstance(v, float) and math.isnan(v) for v in (value, before)):
        return "较昨日 —"
    diff = value - before
    arrow = "▲" if diff > 0 else ("▼" if diff < 0 else "＝")
    text = f"{abs(diff) * 100:.1f}个百分点" if kind == "rate" else f"{abs(int(diff)):,}"
    return f"较昨日 {arrow} {text}"


def ticker_items(lines: list[dict[str, Any]]) -> list[html.Li]:
    """The newest events, newest first; urgent and overdue ones marked to flash."""
    items = []
    for line in lines:
        cls = "tick"
        if line.get("urgent"):
            cls += " tick-urgent"
        if line.get("fresh"):
            cls += " tick-fresh"
        items.append(
            html.Li(
                [
                    html.Span(line["time"], className="tick-time"),
                    html.Span(line["category"], className="tick-cat"),
                    html.Span(line["street"], className="tick-street"),
                    html.Span(line["state"], className=f"tick-state state-{line['state_code']}"),
                ],
                className=cls,
            )
        )
    return items


def hourly_figure(frame: pd.DataFrame, *, dark: bool = True, scale: float = 1.0) -> go.Figure:
    """Reports per hour today against the usual day: a slim chart without notebook chrome.

    ``scale`` is the screen's width over 1920 px: type grows with the wall, not in pixels.
    """
    fg = "#9fd8ea" if dark else "#234"
    fig = go.Figure()
    fig.add_bar(x=list(frame.index), y=frame["today"].tolist(), name="今日", marker_color="#22c3c9")
    fig.add_scatter(
        x=list(frame.index),
        y=frame["usual"].round(1).tolist(),
        name="常态",
        mode="lines",
        line={"color": "#ffb020", "width": 2, "dash": "dot"},
    )
    fig.update_layout(
        margin={"l": 28, "r": 6, "t": 6, "b": 22},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": fg, "size": round(12 * scale)},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        xaxis={"showgrid": False, "tickmode": "array", "tickvals": [0, 6, 12, 18, 23]},
        yaxis={"showgrid": True, "gridcolor": "rgba(120,180,220,0.15)", "zeroline": False},
        bargap=0.25,
        uirevision="hourly",
    )
    return fig
