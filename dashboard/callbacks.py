"""Callbacks of the wall screen: one small server callback per tick, the rest in the browser.

The server reads what changed since the browser's cursor (kept in the page, so the server
stays stateless) and answers with a delta of a few KB; ``assets/live-map.js`` applies it to the
map's own MapLibre sources (``updateData`` and feature-state: the browser's work grows with what
changed, not with the map), and ``assets/gridmap.js`` fits the map to the screen and drives the
auto-tour. The clock and the "data as of" warning are plain script outside Dash (a callback a
second costs the page's main thread more than the clock is worth).
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update

from gridmap.dashboard import ids
from gridmap.dashboard.auth import current_scope
from gridmap.dashboard.context import get_context
from gridmap.dashboard.i18n import lang_of
from gridmap.dashboard.live import TICKER_LENGTH, delta, to_ms
from gridmap.dashboard.widgets import hourly_figure, kpi_cards, ticker_items


def wall_tick(
    state: dict[str, Any], applied: dict[str, Any], scale: float = 1.0
) -> tuple[dict, dict, list, list, Any]:
    """One tick, from what the map has applied: the delta, the new state, KPI cards, ticker,
    hourly chart.

    The delta starts at the map's applied cursor, so one the browser never applied (updates
    coalesce while it is busy drawing) is sent again rather than lost; changes are upserts, so
    applying one twice is harmless, and heat reports carry their event id, so the browser
    takes each once.
    """
    ctx = get_context()
    scope = current_scope()
    now = ctx.now()
    cursor = int(applied.get("cursor", 0))
    change = delta(ctx.store, cursor, int(state.get("since_ms", 0)), now, ctx.names(), scope)
    lines = change.pop("ticker")  # rendered here; the map needs none of it
    seen = {(t["id"], t["time"], t["state_code"]) for t in state.get("ticker", [])}
    fresh = [
        dict(t, fresh=True) for t in lines if (t["id"], t["time"], t["state_code"]) not in seen
    ]
    old = [dict(t, fresh=False) for t in state.get("ticker", [])]
    ticker = (fresh + old)[:TICKER_LENGTH]
    # panels go on the wire only when they changed (KPIs and the hourly chart are cached
    # for 10 s and 60 s): a quiet tick costs a few hundred bytes
    kpis, hourly_frame = ctx.kpis(scope), ctx.hourly(scope)
    kpi_key = _key(kpis)
    hourly_key = _key((hourly_frame.to_json(), now.hour, scale))
    new_state = {
        **state,
        "scale": scale,
        "since_ms": to_ms(now),
        "as_of": to_ms(now),
        "ticker": ticker,
        "hour": now.hour,
        "kpi_key": kpi_key,
        "hourly_key": hourly_key,
    }
    lang = lang_of(state.get("lang"))
    return (
        change,
        new_state,
        kpi_cards(kpis, lang) if kpi_key != state.get("kpi_key") else no_update,
        ticker_items(ticker, lang) if fresh else no_update,
        hourly_figure(hourly_frame, scale=scale, lang=lang)
        if hourly_key != state.get("hourly_key")
        else no_update,
    )


def _key(value: Any) -> str:
    """A short fingerprint of a JSON-able value (to send a panel only when it changed)."""
    import hashlib
    import json

    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


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
    Output(ids.WALL_APPLIED, "data"),
    Input(ids.WALL_DELTA, "data"),
    State(ids.WALL_APPLIED, "data"),
    prevent_initial_call=True,
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
