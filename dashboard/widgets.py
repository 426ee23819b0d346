"""Small pieces of the wall screen built from plain data (KPI cards, ticker, hourly chart)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import html

from gridmap.dashboard.i18n import t

KPI_CARDS = (
    # (key, source, kind); the label is the i18n text "kpi_<key>"
    ("reported", "today", "count"),
    ("dispatched", "today", "count"),
    ("in_progress", "current", "count"),
    ("overdue", "current", "count"),
    ("on_time_rate", "today", "rate"),
    ("closure_rate", "today", "rate"),
)


def kpi_cards(kpis: dict[str, Any], lang: str = "zh") -> list[html.Div]:
    """Big-numeral cards with the change against yesterday at the same time."""
    cards = []
    for key, source, kind in KPI_CARDS:
        label = t(f"kpi_{key}", lang)
        value = kpis[source].get(key)
        before = kpis["yesterday"].get(key) if source == "today" else None
        cards.append(
            html.Div(
                [
                    html.Div(label, className="kpi-label"),
                    html.Div(_fmt(value, kind), className="kpi-value"),
                    html.Div(_change(value, before, kind, lang), className="kpi-change"),
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


def _change(value, before, kind, lang: str = "zh") -> str:
    if before is None or value is None:
        return t("now", lang)
    if any(isinstance(v, float) and math.isnan(v) for v in (value, before)):
        return f"{t('vs_yesterday', lang)} —"
    diff = value - before
    arrow = "▲" if diff > 0 else ("▼" if diff < 0 else "＝")
    text = f"{abs(diff) * 100:.1f}{t('points', lang)}" if kind == "rate" else f"{abs(int(diff)):,}"
    return f"{t('vs_yesterday', lang)} {arrow} {text}"


def hourly_figure(
    frame: pd.DataFrame, *, dark: bool = True, scale: float = 1.0, lang: str = "zh"
) -> go.Figure:
    """Reports per hour today against the usual day: a slim chart without notebook chrome.

    ``scale`` is the screen's width over 1920 px: type grows with the wall, not in pixels.
    """
    fg = "#9fd8ea" if dark else "#234"
    fig = go.Figure()
    fig.add_bar(
        x=list(frame.index),
        y=frame["today"].tolist(),
        name=t("today", lang),
        marker_color="#22c3c9",
    )
    fig.add_scatter(
        x=list(frame.index),
        y=frame["usual"].round(1).tolist(),
        name=t("usual", lang),
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
        # counts: never below zero, and a day with no reports yet still shows 0–5, not ±1
        yaxis={
            "showgrid": True,
            "gridcolor": "rgba(120,180,220,0.15)",
            "zeroline": False,
            "rangemode": "nonnegative",
            **({} if _peak(frame) > 0 else {"range": [0, 5]}),
        },
        bargap=0.25,
        uirevision="hourly",
    )
    return fig


def _peak(frame: pd.DataFrame) -> float:
    """The highest count of the chart (0 for a day with no reports and no usual day)."""
    values = pd.concat([frame["today"], frame["usual"]]).fillna(0)
    return float(values.max()) if len(values) else 0.0
