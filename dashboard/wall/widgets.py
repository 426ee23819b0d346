"""Small pieces of the wall screen built from plain data: KPI cards, the hourly chart, the
ranking of areas and the bars of today's reports (by subcategory, by source). Plain HTML sized
in viewport units: no plotting library on the wall."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from dash import html

from gridmap.dashboard.shared.i18n import t
from gridmap.dashboard.shared.numbers import change_text, figure_text
from gridmap.domain.categories import SOURCES, SUBCATEGORY_NAMES

#: Bars in the panel of today's top subcategories.
TOP_SUBCATEGORIES = 5

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
                    html.Div(figure_text(value, kind), className="kpi-value"),
                    html.Div(change_text(value, before, kind, lang), className="kpi-change"),
                ],
                className="kpi-card" + (" kpi-alert" if key == "overdue" and value else ""),
                id=f"kpi-{key}",
            )
        )
    return cards


def hourly_chart(frame: pd.DataFrame, lang: str = "zh") -> list:
    """Reports per hour today (bars) against the usual day (a dotted mark per hour), as plain
    HTML sized in viewport units, so it grows with the wall and costs the page no plotting
    library: drawn with plotly it held the wall's first paint back by ~0.6 s here.

    ``frame`` has ``today`` and ``usual`` per hour 0–23 (counts; ``today`` NaN or 0 for the
    hours still to come)."""
    peak = _nice_ceiling(_peak(frame))
    columns = []
    for hour in range(24):
        today = _count(frame["today"].get(hour)) if hour in frame.index else 0.0
        usual = _count(frame["usual"].get(hour)) if hour in frame.index else 0.0
        columns.append(
            html.Div(
                [
                    html.Div(
                        className="hourly-bar", style={"height": f"{100 * today / peak:.1f}%"}
                    ),
                    html.Div(
                        className="hourly-usual", style={"bottom": f"{100 * usual / peak:.1f}%"}
                    ),
                ],
                className="hourly-col",
                title=f"{hour:02d}:00 · {t('today', lang)} {today:.0f} · "
                f"{t('usual', lang)} {usual:.1f}",
            )
        )
    ticks = [
        html.Span(str(hour), style={"gridColumn": f"{hour + 1}"}) for hour in (0, 6, 12, 18, 23)
    ]
    return [
        html.Div(
            [
                html.Span([html.I(className="swatch-today"), t("today", lang)]),
                html.Span([html.I(className="swatch-usual"), t("usual", lang)]),
            ],
            className="hourly-legend",
        ),
        html.Div(
            [
                html.Div([html.Span(f"{peak:,.0f}"), html.Span("0")], className="hourly-y"),
                html.Div(columns, className="hourly-plot"),
            ],
            className="hourly-body",
        ),
        html.Div(ticks, className="hourly-x"),
    ]


def _count(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def _nice_ceiling(value: float) -> float:
    """The axis top: 5 for an empty day, else the next 1, 2 or 5 × 10ⁿ at or above ``value``."""
    if value <= 0:
        return 5.0
    step = 10 ** math.floor(math.log10(value))
    return next(m * step for m in (1, 2, 5, 10) if m * step >= value)


def _peak(frame: pd.DataFrame) -> float:
    """The highest count of the chart (0 for a day with no reports and no usual day)."""
    values = pd.concat([frame["today"], frame["usual"]]).fillna(0)
    return float(values.max()) if len(values) else 0.0


def ranking_table(frame: pd.DataFrame, lang: str = "zh") -> html.Table:
    """The areas of :meth:`AppContext.ranking`, worst first: rank, name, overdue (red when
    any), open, today's on-time rate."""
    head = html.Thead(
        html.Tr(
            [
                html.Th("#"),
                html.Th(t("rank_area", lang)),
                html.Th(t("overdue", lang)),
                html.Th(t("rank_open", lang)),
                html.Th(t("rank_rate", lang)),
            ]
        )
    )
    rows = []
    for rank, (code, row) in enumerate(frame.iterrows(), start=1):
        rate = row["on_time_rate"]
        rows.append(
            html.Tr(
                [
                    html.Td(str(rank), className="rank-n"),
                    html.Td(str(row["name"]), className="rank-name", title=str(code)),
                    html.Td(
                        f"{int(row['overdue']):,}",
                        className="rank-overdue" + (" hot" if row["overdue"] else ""),
                    ),
                    html.Td(f"{int(row['open']):,}"),
                    html.Td("—" if pd.isna(rate) else f"{rate * 100:.0f}%"),
                ]
            )
        )
    return html.Table([head, html.Tbody(rows)], className="rank-table")


def bar_rows(items: list[tuple[str, int]], lang: str = "zh", kind: str = "") -> list[html.Div]:
    """One row per ``(label, count)``: the label, a bar as long as its share of the largest,
    the count. An empty list says there is nothing yet."""
    if not items:
        return [html.Div(t("none_today", lang), className="bars-empty")]
    top = max(n for _label, n in items) or 1
    return [
        html.Div(
            [
                html.Span(label, className="bar-label"),
                html.Span(
                    html.I(style={"width": f"{100 * n / top:.1f}%"}),
                    className=f"bar-track {kind}".strip(),
                ),
                html.Span(f"{n:,}", className="bar-count"),
            ],
            className="bar-row",
        )
        for label, n in items
    ]


def top_subcategories(breakdown: dict[str, dict[str, int]], lang: str = "zh") -> list:
    """Today's most reported subcategories (:data:`TOP_SUBCATEGORIES`), named in ``lang``."""
    items = list(breakdown.get("subcategory", {}).items())[:TOP_SUBCATEGORIES]
    index = 1 if lang == "en" else 0
    named = [(SUBCATEGORY_NAMES.get(code, (code, code))[index], n) for code, n in items]
    return bar_rows(named, lang, "bars-cat")


def by_source(breakdown: dict[str, dict[str, int]], lang: str = "zh") -> list:
    """Today's reports by how they came in, every source of the table named in ``lang``."""
    counts = breakdown.get("source", {})
    index = 1 if lang == "en" else 0
    items = [(SOURCES[code][index], counts.get(code, 0)) for code in SOURCES]
    items += [(code, n) for code, n in counts.items() if code not in SOURCES]
    items.sort(key=lambda item: -item[1])
    return bar_rows(items if any(n for _l, n in items) else [], lang, "bars-src")
