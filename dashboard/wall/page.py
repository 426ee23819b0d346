"""The wall screen (``/wall``): dark, large type, the district's map in the middle, figures
around it, live within seconds, nothing to click."""

from __future__ import annotations

import json

import dash
from dash import dcc, html

from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of, name_of, t
from gridmap.dashboard.wall import ids
from gridmap.dashboard.wall.callbacks import (
    PANEL_TICK_MS,
    PANELS,
    panel_keys,
    panel_values,
    render_panel,
)
from gridmap.dashboard.wall.live import TICKER_LENGTH, snapshot, ticker_cells
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import STATES
from gridmap.layers.spec import (
    DUE_COLOURS,
    OPEN_CLASS_COLOURS_DARK,
    STATE_COLOURS,
    open_count_labels,
)

#: Milliseconds between live updates (``assets/wall-tick.js`` reads it from the page): a new
#: event is on the map within a tick and a frame, well inside the 3 s the centre is promised.
TICK_MS = 1000


def layout(tour: str | None = None, lang: str | None = None, **_query) -> html.Div:
    """Build the page from the store (called per page load, never at import).

    Query ``?tour=20`` cycles through the streets every 20 seconds; ``?lang=en`` shows the
    screen in English.
    """
    lang = lang_of(lang)
    ctx = get_context()
    now = ctx.now()
    scope = current_scope()
    snap = snapshot(ctx.store, ctx.names(), scope)
    center, zoom, district = ctx.area_view(scope)
    panel = {name: render_panel(name, scope, lang) for name in PANELS}
    bounds = ctx.area_bounds(scope)
    tour_seconds = _tour_seconds(tour)
    return html.Div(
        [
            html.Header(
                [
                    html.Div(
                        [
                            html.Span(district, className="wall-district"),
                            html.Span(t("app_title", lang), className="wall-title"),
                        ],
                        className="wall-titles",
                    ),
                    html.Div(
                        [
                            html.Span(id=ids.WALL_CLOCK, className="wall-clock"),
                            html.Span(id=ids.WALL_ASOF, className="wall-asof"),
                        ],
                        className="wall-time",
                    ),
                ],
                className="wall-header",
            ),
            html.Main(
                [
                    html.Section(
                        [
                            html.Div(panel["kpis"], id=ids.WALL_KPIS, className="wall-kpis"),
                            html.H3(
                                panel["rank_title"], id=ids.WALL_RANK_TITLE, className="panel-title"
                            ),
                            html.Div(panel["ranking"], id=ids.WALL_RANKING, className="wall-rank"),
                            html.H3(t("sources_today", lang), className="panel-title"),
                            html.Div(panel["sources"], id=ids.WALL_SOURCES, className="bars"),
                        ],
                        className="wall-left",
                    ),
                    html.Section(
                        [
                            # MapLibre's own map, made by assets/live-map.js from
                            # /live/map.json as the scripts start and moved in here
                            html.Div(id=ids.WALL_MAP, className="wall-map"),
                            _legend(lang),
                        ],
                        className="wall-center",
                    ),
                    html.Section(
                        [
                            html.H3(t("hourly_title", lang), className="panel-title"),
                            html.Div(panel["hourly"], id=ids.WALL_HOURLY, className="wall-hourly"),
                            html.H3(t("top_today", lang), className="panel-title"),
                            html.Div(panel["top"], id=ids.WALL_TOP, className="bars"),
                            html.H3(t("newest", lang), className="panel-title"),
                            # filled and kept by assets/wall-tick.js (from data-ticker below)
                            html.Ul(id=ids.WALL_TICKER, className="wall-ticker"),
                        ],
                        className="wall-right",
                    ),
                ],
                className="wall-main",
            ),
            dcc.Store(
                id=ids.WALL_PANELS,
                data={"lang": lang, **panel_keys(panel_values(scope))},
            ),
            dcc.Store(
                id=ids.WALL_TOUR,
                data={
                    "stops": ctx.street_stops(scope),
                    "i": -1,
                    "home": {"center": center, "zoom": zoom, "bounds": bounds},
                },
            ),
            dcc.Interval(id=ids.WALL_PANEL_TICK, interval=PANEL_TICK_MS),
            dcc.Interval(
                id=ids.WALL_TOUR_TICK,
                interval=max(tour_seconds, 1) * 1000,
                disabled=tour_seconds <= 0,
            ),
        ],
        className="wall",
        lang=lang,
        # where assets/wall-tick.js starts: the event cursor and the time of this picture,
        # the tick, and the ticker's lines
        **{
            "data-cursor": str(snap["cursor"]),
            "data-since": str(epoch_ms(now)),
            "data-tick-ms": str(TICK_MS),
            "data-ticker-length": str(TICKER_LENGTH),
            "data-ticker": json.dumps(
                [ticker_cells(line, lang) for line in snap["ticker"]], ensure_ascii=False
            ),
        },
    )


def _tour_seconds(value: object) -> int:
    """Seconds per street of ``?tour=`` (0: no tour); a repeated parameter counts once, the
    last; anything but a whole number is no tour."""
    if isinstance(value, list):
        value = value[-1] if value else None
    text = str(value or "")
    return max(0, min(3600, int(text))) if text.isascii() and text.isdigit() else 0


def _legend(lang: str = "zh") -> html.Div:
    states = ("reported", "accepted", "dispatched", "in_progress", "handled", "verified")
    items = [
        html.Span([html.I(style={"background": STATE_COLOURS[s]}), name_of(STATES[s], lang)])
        for s in states
    ]
    items += [
        html.Span([html.I(className="ring", style={"borderColor": DUE_COLOURS[d]}), t(d, lang)])
        for d in ("near_due", "overdue")
    ]
    classes = [
        html.Span([html.I(style={"background": colour}), label])
        for colour, label in zip(OPEN_CLASS_COLOURS_DARK, open_count_labels(), strict=True)
    ]
    return html.Div(
        [
            html.Div(items, className="legend-row"),
            html.Div(
                [html.Span(t("grid_open", lang), className="legend-title"), *classes],
                className="legend-row",
            ),
            # the dots at district zoom are only what needs eyes (wall/live.py's rule)
            html.Div(t("far_dots", lang), className="legend-note"),
        ],
        className="wall-legend",
        id=ids.WALL_LEGEND,
    )


def register() -> None:
    """Make this the page at ``/wall`` (once per process: the page registry is Dash's own)."""
    if __name__ not in dash.page_registry:
        dash.register_page(__name__, path="/wall", title="网格化管理 · 指挥大屏", layout=layout)
