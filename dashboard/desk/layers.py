"""The desk map's layers: the layer catalogue (:data:`gridmap.layers.spec.CATALOGUE`) as the
desk offers it, drawn by the plotly renderer (:mod:`gridmap.layers.plotly_map`).

The desk is a light page, so the catalogue's specs (made for the dark wall) get light colours
here; the area choropleths show the figure the user picks (open, overdue, on-time rate), counts
in classes of equal numbers of areas (quantiles: most areas have few incidents). Each
class of a choropleth is a GeoJSON file of its own (``/geo/choropleth/<layer>/<k>.geojson``,
built by :func:`choropleth_classes` for the caller's area), so picking another figure
refetches a few small files and the rest of the map stays as it is.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from dash import html

from gridmap.dashboard.shared.i18n import name_of, t
from gridmap.dashboard.shared.mapview import DESK_THEME, area_source_url, due_of, map_layout
from gridmap.domain.access import Scope
from gridmap.domain.workflow import STATES
from gridmap.feed.store import SQLStore
from gridmap.layers.plotly_map import AREA_LEVELS, PlotlyMap, render_plotly
from gridmap.layers.spec import (
    CATALOGUE,
    CHOROPLETH_FIGURES,
    DUE_COLOURS,
    STATE_COLOURS,
    LayerSpec,
    scale_colours,
    with_figure,
)

#: Light ramps of the choropleth figures (five classes each, so a figure's layers take the
#: places of another's): counts light → dark blue or red; on-time rate red (bad) → teal.
LIGHT_RAMPS = {
    "open": ("#eef5fb", "#cfe3f3", "#9cc8e8", "#4f9bd4", "#1f5fa8"),
    "overdue": ("#fdf0f0", "#f9cccc", "#f29a9a", "#e35d5d", "#b42323"),
    "on_time_rate": ("#d64545", "#ef8a3c", "#f2c94c", "#7cc47f", "#1f9d8a"),
}
#: Outline colours on a light page, by area data set.
LIGHT_LINES = {
    "districts": DESK_THEME["district_line"],
    "streets": DESK_THEME["street_line"],
    "communities": DESK_THEME["community_line"],
    "grids": DESK_THEME["grid_line"],
}
#: Most incident dots the desk draws; above, it asks for a filter instead.
DESK_MAX_DOTS = 20_000
#: No frames: the layers' structure only (which trace and layer each spec has).
_NO_FRAMES = {
    "incidents_open": pd.DataFrame(columns=["incident_id", "lon", "lat", "status", "due"]),
    "incidents_24h": pd.DataFrame(columns=["lon", "lat"]),
}


def desk_specs(figure: str = "open") -> tuple[LayerSpec, ...]:
    """The catalogue's layers as the desk draws them (no basemap: the style is the page's),
    the choropleths showing ``figure`` (a key of :data:`CHOROPLETH_FIGURES`)."""
    specs = []
    for spec in CATALOGUE:
        if spec.kind == "basemap":
            continue
        if spec.kind == "area_choropleth":
            spec = with_figure(spec, figure)
            # counts crowd at the low end: classes of equal numbers of areas tell more
            scale = "quantize" if figure == "on_time_rate" else "quantile"
            colour = dataclasses.replace(
                spec.channels["color"], range=LIGHT_RAMPS[figure], scale=scale
            )
            spec = dataclasses.replace(
                spec,
                channels={**spec.channels, "color": colour},
                opacity=0.65,
                style={**spec.style, "line_color": "#ffffff"},
            )
        elif spec.kind == "outlines":
            style = {**spec.style, "line_color": LIGHT_LINES.get(spec.data_id, "#3b6fb6")}
            spec = dataclasses.replace(spec, style=style)
        elif spec.kind == "labels":
            style = {**spec.style, "text_color": DESK_THEME["label"], "halo_color": "#ffffff"}
            spec = dataclasses.replace(spec, style=style)
        elif spec.kind == "buildings":
            style = {**spec.style, "fill_color": DESK_THEME["building"], "line_color": "#a9b8c9"}
            spec = dataclasses.replace(spec, style=style, opacity=0.8)
        specs.append(spec)
    return tuple(specs)


def source_url(figure: str, rev: str):
    """``source_url(spec, k)`` for :func:`render_plotly`: the server's GeoJSON of each area
    layer (``rev`` tells apart the files of different callers' areas in the browser)."""

    def url(spec: LayerSpec, k: int | None) -> str:
        if spec.kind == "area_choropleth":
            return f"/geo/choropleth/{spec.id}/{k}.geojson?figure={figure}&rev={rev}"
        return area_source_url(spec, k)

    return url


def desk_parts(figure: str = "open", rev: str = "all") -> PlotlyMap:
    """The desk map's layers and traces without data (for callbacks to know where to patch)."""
    return render_plotly(desk_specs(figure), frames=_NO_FRAMES, source_url=source_url(figure, rev))


def incident_frames(
    incidents: pd.DataFrame, heat: pd.DataFrame, now_ms: int
) -> dict[str, pd.DataFrame]:
    """The point layers' data: open incidents with their due mark, and the recent reports."""
    located = incidents.dropna(subset=["lon", "lat"]).reset_index(drop=True)
    return {
        "incidents_open": located.assign(due=due_of(located, now_ms)),
        "incidents_24h": heat,
    }


def capped(frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], int]:
    """The frames with no incident dots when there are more than :data:`DESK_MAX_DOTS` (a
    city's worth would be megabytes of traces and a smear; the grid colours and the heat
    still show them, and a filter brings the dots back); and how many were left out."""
    count = len(frames["incidents_open"])
    if count <= DESK_MAX_DOTS:
        return frames, 0
    return {**frames, "incidents_open": frames["incidents_open"].iloc[0:0]}, count


def desk_map(
    frames: Mapping[str, pd.DataFrame],
    *,
    center: dict[str, float],
    zoom: float,
    figure: str = "open",
    rev: str = "all",
) -> tuple[go.Figure, PlotlyMap]:
    """The desk's map figure (light style, the catalogue's layers) and where each layer is."""
    rendered = render_plotly(desk_specs(figure), frames=frames, source_url=source_url(figure, rev))
    fig = go.Figure(rendered.traces)
    return map_layout(fig, DESK_THEME, center, zoom, rendered.layers, "desk"), rendered


def choropleth_classes(
    store: SQLStore,
    whole_layer: bytes,
    spec_id: str,
    figure: str,
    scope: Scope,
    now: pd.Timestamp,
) -> list[bytes]:
    """The classes of a desk choropleth as GeoJSON, one per colour: the areas of the caller's
    ``scope`` whose ``figure`` falls in each, cut from ``whole_layer`` (the level's simplified
    GeoJSON, so neighbouring classes share their simplified edges exactly). Areas without a
    value (an on-time rate where nothing was handled today) are in none.

    Raises
    ------
    KeyError
        An unknown layer id or figure, or a layer that is not a choropleth.
    """
    if figure not in CHOROPLETH_FIGURES:
        raise KeyError(f"figure {figure[:40]!r} unknown; allowed: {list(CHOROPLETH_FIGURES)}")
    spec = {s.id: s for s in desk_specs(figure) if s.kind == "area_choropleth"}.get(spec_id)
    if spec is None:
        raise KeyError(f"no choropleth layer {spec_id!r}")
    channel = spec.channels["color"]
    features = [
        f
        for f in json.loads(whole_layer)["features"]
        if scope.contains_code(f["properties"].get("code"))
    ]
    figures = store.area_figures(AREA_LEVELS[spec.data_id], now, area_code=scope.area_code)
    values = figures.reindex([f["properties"]["code"] for f in features])[channel.field]
    if channel.field != "on_time_rate":
        values = values.fillna(0)  # no incidents: a count of 0, not "no data"
    colours = scale_colours(values.to_numpy(), channel)
    return [
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [f for f, c in zip(features, colours, strict=True) if c == mine],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        for mine in channel.range
    ]


def layer_options(lang: str = "zh") -> list[dict[str, str]]:
    """The layer switches the desk offers: one per spec, named in ``lang``."""
    return [
        {"label": spec.label if lang == "zh" else spec.label_en, "value": spec.id}
        for spec in desk_specs()
    ]


def figure_options(lang: str = "zh") -> list[dict[str, str]]:
    """The figures the area choropleths can show, named in ``lang``."""
    return [
        {"label": f.label if lang == "zh" else f.label_en, "value": key}
        for key, f in CHOROPLETH_FIGURES.items()
    ]


def desk_legend(lang: str = "zh", figure: str = "open", hidden: int = 0) -> list:
    """What the colours mean: workflow states, the due rings, the choropleths' ramp of
    ``figure`` (classes of equal numbers of areas for counts, equal steps for the on-time
    rate); and, when ``hidden`` incidents were too many to draw as dots, a word on it."""
    states = [s for s in STATES.values() if s.is_open]
    rows = [
        html.Span([html.I(style={"background": STATE_COLOURS[s.code]}), name_of(s, lang)])
        for s in states
    ]
    rows += [
        html.Span([html.I(className="ring", style={"borderColor": DUE_COLOURS[d]}), t(d, lang)])
        for d in ("near_due", "overdue")
    ]
    chosen = CHOROPLETH_FIGURES[figure]
    ramp = [html.I(style={"background": colour}) for colour in LIGHT_RAMPS[figure]]
    words = t("rate_low_high" if figure == "on_time_rate" else "low_high", lang)
    out = [
        html.Div(rows, className="legend-row"),
        html.H5(chosen.label if lang == "zh" else chosen.label_en),
        html.Span([*ramp, words], className="legend-ramp"),
    ]
    if hidden:
        out.append(html.P(t("too_many_dots", lang).format(n=hidden), className="legend-note"))
    return out
