"""Callbacks of the wall screen: one small server callback per tick, the rest in the browser.

The server reads what changed since the browser's cursor (kept in the page, so the server
stays stateless) and answers with a delta of a few KB; clientside functions in
``assets/gridmap.js`` apply it to the map as a ``dash_clientside.Patch`` (the geometry layers
are never re-sent), keep the clock and the "data as of" warning, and drive the auto-tour.
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update

from gridmap.dashboard import ids
from gridmap.dashboard.context import get_context
from gridmap.dashboard.live import TICKER_LENGTH, delta, to_ms
from gridmap.dashboard.widgets import hourly_figure, kpi_cards, ticker_items

#: New reports go to the density layer (the dearest to redraw) every this many ticks.
HEAT_EVERY_TICKS = 10


def wall_tick(
    state: dict[str, Any], applied: dict[str, Any], scale: float = 1.0
) -> tuple[dict, dict, list, list, Any]:
    """One tick, from what the map has applied: the delta, the new state, KPI cards, ticker,
    hourly chart.

    The delta starts at the map's applied cursor, so one the browser never applied (updates
    coalesce while it is busy drawing) is sent again rather than lost; changes are upserts, so
    applying one twice is harmless. Heat points are additive: they carry the cursor range they
    cover and the browser takes them only if that range starts where its heat stands.
    """
    ctx = get_context()
    now = ctx.now()
    cursor = int(applied.get("cursor", 0))
    change = delta(ctx.store, cursor, int(state.get("since_ms", 0)), now, ctx.names())
    heat_from = int(applied.get("heat_cursor", cursor))
    heat_ticks = int(state.get("heat_ticks", 0)) + 1
    change["heat"] = []
    if heat_ticks >= HEAT_EVERY_TICKS and change["cursor"] > heat_from:
        change["heat"] = report_points(ctx.store, heat_from, change["cursor"])
        change["heat_from"], change["heat_to"] = heat_from, change["cursor"]
        heat_ticks = 0
    seen = {(t["id"], t["time"], t["state_code"]) for t in state.get("ticker", [])}
    fresh = [
        dict(t, fresh=True)
        for t in change["ticker"]
        if (t["id"], t["time"], t["state_code"]) not in seen
    ]
    old = [dict(t, fresh=False) for t in state.get("ticker", [])]
    ticker = (fresh + old)[:TICKER_LENGTH]
    new_state = {
        **state,
        "scale": scale,
        "since_ms": to_ms(now),
        "as_of": to_ms(now),
        "ticker": ticker,
        "hour": now.hour,
        "heat_ticks": heat_ticks,
    }
    hourly = no_update
    if fresh or state.get("hour") != now.hour or state.get("scale") != scale:
        hourly = hourly_figure(ctx.hourly(), scale=scale)
    return change, new_state, kpi_cards(ctx.kpis()), ticker_items(ticker), hourly


def report_points(store, after: int, upto: int) -> list[list[float]]:
    """[lon, lat] of incidents reported by events in ``(after, upto]``."""
    ids = [
        r[0]
        for r in store._query(
            "SELECT incident_id FROM events WHERE event_id > ? AND event_id <= ? "
            "AND action = 'report'",
            (after, upto),
        )
    ]
    points = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        points += [
            [round(x, 5), round(y, 5)]
            for x, y in store._query(
                "SELECT lon, lat FROM incidents WHERE lon IS NOT NULL AND incident_id IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            )
        ]
    return points


@callback(
    Output(ids.WALL_DELTA, "data"),
    Output(ids.WALL_STATE, "data"),
    Output(ids.WALL_KPIS, "children"),
    Output(ids.WALL_TICKER, "children"),
    Output(ids.WALL_HOURLY, "figure"),
    Input(ids.WALL_TICK, "n_intervals"),
    State(ids.WALL_STATE, "data"),
    State(ids.WALL_APPLIED, "data"),
    State(ids.WALL_SCALE, "data"),
    prevent_initial_call=True,
)
def _wall_tick(_n, state, applied, scale):
    return wall_tick(state or {}, applied or {}, float((scale or {}).get("scale", 1.0)))


clientside_callback(
    ClientsideFunction(namespace="gridmap", function_name="applyDelta"),
    Output(ids.WALL_MAP, "figure"),
    Output(ids.WALL_APPLIED, "data"),
    Input(ids.WALL_DELTA, "data"),
    State(ids.WALL_MAP, "figure"),
    State(ids.WALL_APPLIED, "data"),
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
    ClientsideFunction(namespace="gridmap", function_name="fit"),
    Output(ids.WALL_MAP, "figure", allow_duplicate=True),
    Output(ids.WALL_SCALE, "data"),
    Input(ids.WALL_CLOCK_TICK, "n_intervals"),
    State(ids.WALL_SCALE, "data"),
    State(ids.WALL_MAP, "figure"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="gridmap", function_name="tour"),
    Output(ids.WALL_MAP, "figure", allow_duplicate=True),
    Output(ids.WALL_TOUR, "data"),
    Input(ids.WALL_TOUR_TICK, "n_intervals"),
    State(ids.WALL_TOUR, "data"),
    prevent_initial_call=True,
)
