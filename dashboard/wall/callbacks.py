"""Callbacks of the wall screen: the panels every few seconds, the rest in the browser.

The map and the ticker are live outside Dash: ``assets/wall-tick.js`` asks
``/live/tick.json`` (:mod:`gridmap.dashboard.wall.routes`) once a second for what changed since
the cursor the map last applied and hands it to ``assets/live-map.js``, which changes the map's
own MapLibre sources (``updateData`` and feature-state: the browser's work grows with what
changed, not with the map). A Dash callback a second, with its request, store updates and
React renders, cost the page's main thread more than drawing the map did. Here remain the
panels: KPI cards, the hourly chart, the ranking of areas and today's reports by subcategory
and by source (refreshed ahead on the server every 10 s and 60 s, so a callback every
:data:`PANEL_TICK_MS` is enough; each goes on the wire only when it changed). While the
auto-tour shows a street, the panels show that street (its figures, its communities ranked);
the server checks the street is in the caller's area. In the browser: ``assets/gridmap.js``'s
auto-tour.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, no_update

from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of, t
from gridmap.dashboard.shared.inputs import mapping
from gridmap.dashboard.wall import ids
from gridmap.dashboard.wall.widgets import (
    by_source,
    hourly_chart,
    kpi_cards,
    ranking_table,
    top_subcategories,
)
from gridmap.domain.access import Scope
from gridmap.domain.areas import child_level, level_of

#: Milliseconds between panel refreshes: the figures are recomputed every 10 s at most, so
#: asking more often would only cost the page's main thread.
PANEL_TICK_MS = 10000


#: The panels the callback refreshes, in its outputs' order.
PANELS = ("kpis", "hourly", "ranking", "rank_title", "top", "sources")


def panel_keys(values: dict[str, Any]) -> dict[str, str]:
    """Fingerprints of what each panel shows (``values``: panel name → its data)."""
    return {f"{name}_key": _key(value) for name, value in values.items()}


def panel_scope(scope: Scope, tour: Any) -> Scope:
    """The caller's scope, or the street the auto-tour shows now (``tour``: the tour's store,
    ``stops`` and the index ``i`` of the one shown) when that lies in the caller's area."""
    tour = tour if isinstance(tour, dict) else {}
    stops, i = tour.get("stops"), tour.get("i")
    if not isinstance(stops, list) or not isinstance(i, int) or not 0 <= i < len(stops):
        return scope
    code = stops[i].get("code") if isinstance(stops[i], dict) else None
    try:
        level_of(code)  # digits of an area's length, or not an area at all
    except ValueError:
        return scope
    if code == scope.area_code or not scope.contains_code(code):
        return scope
    return dataclasses.replace(scope, area_code=code)


def panel_values(scope: Scope) -> dict[str, Any]:
    """The data of every panel for ``scope`` (cached on the server)."""
    ctx = get_context()
    return {
        "kpis": ctx.kpis(scope),
        "hourly": (ctx.hourly(scope).to_json(), ctx.now().hour),
        "ranking": ctx.ranking(scope.area_code).to_json(),
        "rank_title": child_level(scope.area_code) or "",
        "top": ctx.breakdown(scope.area_code),
        "sources": ctx.breakdown(scope.area_code).get("source", {}),
    }


def render_panel(name: str, scope: Scope, lang: str) -> Any:
    """The children of panel ``name`` for ``scope`` in ``lang``."""
    ctx = get_context()
    if name == "kpis":
        return kpi_cards(ctx.kpis(scope), lang)
    if name == "hourly":
        return hourly_chart(ctx.hourly(scope), lang=lang)
    if name == "ranking":
        return ranking_table(ctx.ranking(scope.area_code), lang)
    if name == "rank_title":
        return t(f"rank_{child_level(scope.area_code) or 'grid'}", lang)
    if name == "top":
        return top_subcategories(ctx.breakdown(scope.area_code), lang)
    return by_source(ctx.breakdown(scope.area_code), lang)


def wall_panels(panels: dict[str, Any], tour: Any = None) -> tuple:
    """Each panel of the caller's area (or of the street the tour shows), only if it changed
    since the fingerprints in ``panels``; and the new ``panels``."""
    scope = panel_scope(current_scope(), tour)
    keys = panel_keys(panel_values(scope))
    lang = lang_of(panels.get("lang"))
    out = [
        render_panel(name, scope, lang)
        if keys[f"{name}_key"] != panels.get(f"{name}_key")
        else no_update
        for name in PANELS
    ]
    return (*out, {**panels, **keys})


def _key(value: Any) -> str:
    """A short fingerprint of a JSON-able value (to send a panel only when it changed)."""

    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def register(app: dash.Dash) -> None:
    """Define the wall's callbacks on ``app``."""
    app.callback(
        Output(ids.WALL_KPIS, "children"),
        Output(ids.WALL_HOURLY, "children"),
        Output(ids.WALL_RANKING, "children"),
        Output(ids.WALL_RANK_TITLE, "children"),
        Output(ids.WALL_TOP, "children"),
        Output(ids.WALL_SOURCES, "children"),
        Output(ids.WALL_PANELS, "data"),
        Input(ids.WALL_PANEL_TICK, "n_intervals"),
        Input(ids.WALL_TOUR, "data"),
        State(ids.WALL_PANELS, "data"),
        prevent_initial_call=True,
    )(_wall_panels)
    # in the browser: the auto-tour (assets/gridmap.js); the map follows the screen's size
    # by itself (assets/live-map.js)
    app.clientside_callback(
        ClientsideFunction(namespace="gridmap", function_name="tour"),
        Output(ids.WALL_TOUR, "data"),
        Input(ids.WALL_TOUR_TICK, "n_intervals"),
        State(ids.WALL_TOUR, "data"),
        prevent_initial_call=True,
    )


def _wall_panels(_n, tour, panels):
    return wall_panels(mapping(panels, "panels"), mapping(tour, "tour"))
