"""Callbacks of the wall screen: the panels every few seconds, the rest in the browser.

The map and the ticker are live outside Dash: ``assets/wall-tick.js`` asks
``/live/tick.json`` (:mod:`gridmap.dashboard.wall.routes`) once a second for what changed since
the cursor the map last applied and hands it to ``assets/live-map.js``, which changes the map's
own MapLibre sources (``updateData`` and feature-state: the browser's work grows with what
changed, not with the map). A Dash callback a second, with its request, store updates and
React renders, cost the page's main thread more than drawing the map did. Here remain the KPI
cards and the hourly chart (refreshed ahead on the server every 10 s and 60 s, so a callback
every :data:`PANEL_TICK_MS` is enough; each goes on the wire only when it changed), and in the
browser ``assets/gridmap.js``'s fit to the screen and auto-tour.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, no_update

from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of
from gridmap.dashboard.shared.inputs import mapping
from gridmap.dashboard.wall import ids
from gridmap.dashboard.wall.widgets import hourly_chart, kpi_cards

#: Milliseconds between panel refreshes (the KPIs are recomputed every 10 s at most).
PANEL_TICK_MS = 5000


def panel_keys(kpis: dict[str, Any], hourly_json: str, hour: int) -> dict[str, str]:
    """Fingerprints of what the KPI cards and the hourly chart show."""
    return {"kpi_key": _key(kpis), "hourly_key": _key((hourly_json, hour))}


def wall_panels(panels: dict[str, Any]) -> tuple[Any, Any, dict]:
    """The KPI cards and the hourly chart of the caller's area, each only if it changed since
    the fingerprints in ``panels``; and the new ``panels``."""
    ctx = get_context()
    scope = current_scope()
    kpis, hourly_frame = ctx.kpis(scope), ctx.hourly(scope)
    keys = panel_keys(kpis, hourly_frame.to_json(), ctx.now().hour)
    lang = lang_of(panels.get("lang"))
    return (
        kpi_cards(kpis, lang) if keys["kpi_key"] != panels.get("kpi_key") else no_update,
        hourly_chart(hourly_frame, lang=lang)
        if keys["hourly_key"] != panels.get("hourly_key")
        else no_update,
        {**panels, **keys},
    )


def _key(value: Any) -> str:
    """A short fingerprint of a JSON-able value (to send a panel only when it changed)."""

    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def register(app: dash.Dash) -> None:
    """Define the wall's callbacks on ``app``."""
    app.callback(
        Output(ids.WALL_KPIS, "children"),
        Output(ids.WALL_HOURLY, "children"),
        Output(ids.WALL_PANELS, "data"),
        Input(ids.WALL_PANEL_TICK, "n_intervals"),
        State(ids.WALL_PANELS, "data"),
        prevent_initial_call=True,
    )(_wall_panels)
    # in the browser: fit the map to the screen, and the auto-tour (assets/gridmap.js)
    app.clientside_callback(
        ClientsideFunction(namespace="gridmap", function_name="fit"),
        Output(ids.WALL_SCALE, "data"),
        Input(ids.WALL_CLOCK_TICK, "n_intervals"),
        State(ids.WALL_SCALE, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="gridmap", function_name="tour"),
        Output(ids.WALL_TOUR, "data"),
        Input(ids.WALL_TOUR_TICK, "n_intervals"),
        State(ids.WALL_TOUR, "data"),
        prevent_initial_call=True,
    )


def _wall_panels(_n, panels):
    return wall_panels(mapping(panels, "panels"))
