"""Callbacks of the wall screen: one small server callback per tick, the rest in the browser.

The server reads what changed since the browser's cursor (kept in the page, so the server
stays stateless) and answers with a delta of a few KB; clientside functions in
``assets/gridmap.js`` apply it to the map as a ``dash_clientside.Patch`` (the geometry layers
are never re-sent), keep the clock and the "data as of" warning, and drive the auto-tour.
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback
from dash import no_update as NO_UPDATE  # noqa: N811

from gridmap.dashboard import ids
from gridmap.dashboard.context import get_context
from gridmap.dashboard.live import TICKER_LENGTH, delta, to_ms
from gridmap.dashboard.widgets import hourly_figure, kpi_cards, ticker_items


def wall_tick(state: dict[str, Any]) -> tuple[dict, dict, list, list, Any]:
    """One tick: the delta for the map, the new state, KPI cards, ticker, hourly chart."""
    ctx = get_context()
    now = ctx.now()
    change = delta(ctx.store, int(state.get("cursor", 0)), int(state.get("since_ms", 0)), now,
                   ctx.names())
    fresh = [dict(line, fresh=True) for line in change["ticker"]]
    old = [dict(line, fresh=False) for line in state.get("ticker", [])]
    ticker = (fresh + old)[:TICKER_LENGTH]
    new_state = {**state, "cursor": change["cursor"], "since_ms": to_ms(now),
                 "as_of": to_ms(now), "ticker": ticker, "hour": now.hour}
    hourly = NO_UPDATE
    if change["changes"] or state.get("hour") != now.hour:
        hourly = hourly_figure(ctx.hourly())
    return change, new_state, kpi_cards(ctx.kpis()), ticker_items(ticker), hourly


@callback(
    Output(ids.WALL_DELTA, "data"),
    Output(ids.WALL_STATE, "data"),
    Output(ids.WALL_KPIS, "children"),
    Output(ids.WALL_TICKER, "children"),
    Output(ids.WALL_HOURLY, "figure"),
    Input(ids.WALL_TICK, "n_intervals"),
    State(ids.WALL_STATE, "data"),
    prevent_initial_call=True,
)
def _wall_tick(_n, state):
    return wall_tick(state or {})


clientside_callback(
    ClientsideFunction(namespace="gridmap", function_name="applyDelta"),
    Output(ids.WALL_MAP, "figure"),
    Input(ids.WALL_DELTA, "data"),
    State(ids.WALL_MAP, "figure"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="gridmap", function_name="clock"),
    Output(ids.WALL_CLOCK, "children"),
    Output(ids.WALL_ASOF, "children"),
    Output(ids.WALL_ASOF, "className"),
    Input(ids.WALL_CLOCK_TICK, "n_intervals"),
    State(ids.WALL_STATE, "data"),
)

clientside_callback(
    ClientsideFunction(namespace="gridmap", function_name="tour"),
    Output(ids.WALL_MAP, "figure", allow_duplicate=True),
    Output(ids.WALL_TOUR, "data"),
    Input(ids.WALL_TOUR_TICK, "n_intervals"),
    State(ids.WALL_TOUR, "data"),
    prevent_initial_call=True,
)
