"""The panels of a drill-down page, built from plain data: the breadcrumbs, the area's
figures (today against yesterday, and over 7 and 30 days), the ranking of its children, the
grid's ledger (its worker, its buildings) and the caller's to-do list. Text users typed and
personal data go through the caller's scope (masked as the role says; React escapes)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import dcc, html

from gridmap.dashboard.desk.area import AREA_PATH, BUILDING_PATH, INCIDENT_PATH, Crumb
from gridmap.dashboard.shared.i18n import name_of, t
from gridmap.dashboard.shared.numbers import change_text, figure_text, is_missing
from gridmap.domain.access import Scope
from gridmap.domain.categories import SUBCATEGORY_NAMES
from gridmap.domain.workflow import STATES

#: The figures of an area page: (key, where it is read, kind); labels are "fig_<key>".
TODAY_FIGURES = (
    ("reported", "today", "count"),
    ("open", "current", "count"),
    ("overdue", "current", "count"),
    ("near_due", "current", "count"),
    ("on_time_rate", "today", "rate"),
    ("closure_rate", "today", "rate"),
)
WINDOW_FIGURES = (
    ("reported", "count"),
    ("closure_rate", "rate"),
    ("on_time_rate", "rate"),
    ("mean_hours_to_close", "hours"),
)
#: Rows of the to-do list shown (the table lists them all).
TODO_ROWS = 8


def breadcrumbs(steps: list[Crumb], tail: str | None = None) -> html.Nav:
    """The breadcrumbs: links for the caller's areas, plain names above them; ``tail`` (a
    building or an incident) after the last area."""
    parts: list[Any] = []
    for i, step in enumerate(steps):
        if i:
            parts.append(html.Span("›", className="crumb-sep"))
        last = i == len(steps) - 1 and tail is None
        if step.href and not last:
            parts.append(dcc.Link(step.label, href=step.href, className="crumb"))
        else:
            parts.append(html.Span(step.label, className="crumb crumb-here" if last else "crumb"))
    if tail is not None:
        parts += [html.Span("›", className="crumb-sep"), html.Span(tail, className="crumb-here")]
    return html.Nav(parts, className="crumbs", **{"aria-label": "breadcrumbs"})


def figures_strip(kpis: dict[str, Any], windows: dict[int, dict], lang: str) -> html.Div:
    """Today's figures with the change against yesterday at the same time, then the figures
    of the incidents reported in the last 7 and 30 days."""
    cards = []
    for key, source, kind in TODAY_FIGURES:
        value = kpis[source].get(key)
        before = kpis["yesterday"].get(key) if source == "today" else None
        cards.append(
            html.Div(
                [
                    html.Div(t(f"fig_{key}", lang), className="fig-label"),
                    html.Div(figure_text(value, kind), className="fig-value"),
                    html.Div(change_text(value, before, kind, lang), className="fig-change"),
                ],
                className="fig-card" + (" fig-alert" if key == "overdue" and value else ""),
                id=f"fig-{key}",
            )
        )
    for days, figures in sorted(windows.items()):
        rows = [
            html.Div(
                [
                    html.Span(t(f"win_{key}", lang)),
                    html.B(figure_text(figures.get(key), kind)),
                ]
            )
            for key, kind in WINDOW_FIGURES
        ]
        cards.append(
            html.Div(
                [html.Div(t("last_days", lang).format(days), className="fig-label"), *rows],
                className="fig-card fig-window",
                id=f"fig-{days}d",
            )
        )
    return html.Div(cards, className="fig-strip")


def children_ranking(frame: pd.DataFrame, level: str, lang: str) -> html.Div:
    """The areas the page's area is split into, worst first, each a link one level down."""
    head = html.Tr(
        [
            html.Th("#"),
            html.Th(t(f"level_{level}", lang)),
            html.Th(t("fig_overdue", lang)),
            html.Th(t("rank_near", lang)),
            html.Th(t("fig_open", lang)),
            html.Th(t("rank_today", lang)),
            html.Th(t("rank_rate", lang)),
        ]
    )
    rows = []
    for rank, (code, row) in enumerate(frame.iterrows(), start=1):
        rate = row["on_time_rate"]
        rows.append(
            html.Tr(
                [
                    html.Td(str(rank)),
                    html.Td(dcc.Link(str(row["name"]), href=AREA_PATH.format(code), title=code)),
                    html.Td(f"{int(row['overdue']):,}", className="hot" if row["overdue"] else ""),
                    html.Td(f"{int(row['near_due']):,}"),
                    html.Td(f"{int(row['open']):,}"),
                    html.Td(f"{int(row['reported']):,}"),
                    html.Td("—" if is_missing(rate) else f"{rate * 100:.0f}%"),
                ]
            )
        )
    return html.Div(
        [
            html.H4(t(f"rank_{level}", lang)),
            html.Table([html.Thead(head), html.Tbody(rows)], className="desk-rank"),
        ],
        className="side-panel",
        id="desk-ranking",
    )


def grid_ledger(
    props: dict[str, Any], buildings: pd.DataFrame, scope: Scope, lang: str
) -> html.Div:
    """A grid's ledger: its grid worker (name and phone as the role may read them) and its
    buildings with households and population, each a link to the building's page."""
    worker = scope.field("worker", props.get("worker")) or "—"
    phone = scope.field("worker_phone", props.get("worker_phone")) or "—"
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(str(b["name"] or b["building_id"]), href=_building(b))),
                html.Td(_int(b.get("floors"))),
                html.Td(_int(b.get("households"))),
                html.Td(_int(b.get("population"))),
                html.Td(scope.field("watcher", b.get("watcher")) or "—"),
            ]
        )
        for b in buildings.to_dict("records")
    ]
    totals = (
        f"{len(buildings):,} {t('unit_buildings', lang)} · "
        f"{_int(buildings['households'].sum() if len(buildings) else 0)} "
        f"{t('unit_households', lang)} · "
        f"{_int(buildings['population'].sum() if len(buildings) else 0)} "
        f"{t('unit_people', lang)}"
    )
    head = html.Tr(
        [
            html.Th(t(k, lang))
            for k in ("fld_building", "fld_floors", "fld_households", "fld_population", "watcher")
        ]
    )
    return html.Div(
        [
            html.H4(t("grid_ledger", lang)),
            html.Dl(
                [
                    html.Dt(t("grid_worker", lang)),
                    html.Dd(worker, id="grid-worker"),
                    html.Dt(t("phone", lang)),
                    html.Dd(phone, id="grid-worker-phone"),
                ],
                className="ledger-facts",
            ),
            html.Div(totals, className="ledger-totals"),
            html.Table(
                [html.Thead(head), html.Tbody(rows)], className="desk-rank", id="grid-buildings"
            ),
        ],
        className="side-panel",
        id="desk-ledger",
    )


def todo_list(rows: pd.DataFrame, due: list[str], total: int, lang: str) -> html.Div:
    """What waits on the caller (most urgent first): a line per incident, a link to it."""
    items = []
    for (_, r), d in zip(rows.head(TODO_ROWS).iterrows(), due, strict=False):
        sub = SUBCATEGORY_NAMES.get(r["subcategory"], ("", ""))[1 if lang == "en" else 0]
        items.append(
            html.Li(
                [
                    dcc.Link(r["incident_id"], href=INCIDENT_PATH.format(r["incident_id"])),
                    " ",
                    html.Span(sub),
                    " · ",
                    html.Span(name_of(STATES[r["status"]], lang)),
                    " ",
                    html.Span(t(d, lang), className=f"due-{d}") if d else None,
                ]
            )
        )
    return html.Div(
        [
            html.H4(f"{t('todo', lang)} · {total:,}"),
            html.Ol(items) if items else html.P(t("todo_none", lang)),
        ],
        className="side-panel",
        id="desk-todo",
    )


def _building(row: dict[str, Any]) -> str:
    return BUILDING_PATH.format(row["building_id"])


def _int(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"
