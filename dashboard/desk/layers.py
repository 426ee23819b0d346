"""The desk map's layers: the layer catalogue (:data:`gridmap.layers.spec.CATALOGUE`) as the
desk offers it, drawn by MapLibre GL JS (:mod:`gridmap.layers.maplibre`).

The desk is a light page, so the catalogue's specs (made for the dark wall) get light colours
here; the area choropleths show the figure the user picks (open, overdue, on-time rate), counts
in classes of equal numbers of areas (quantiles: most areas have few incidents). The classes
of a figure come from :func:`figure_classes` (``/desk/figures/<layer>.json``) and colour the
areas by feature-state: picking another figure sends a few codes, never the geometry again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
from dash import html

from gridmap.dashboard.shared.i18n import name_of, t
from gridmap.dashboard.shared.mapview import DESK_THEME, area_source_url, due_of
from gridmap.domain.access import Scope
from gridmap.domain.areas import LEVEL_OF_LAYER
from gridmap.domain.workflow import STATES
from gridmap.feed.store import SQLStore
from gridmap.layers.maplibre import render_maplibre
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
#: The incident columns :func:`open_geojson` reads.
OPEN_COLUMNS = (
    "incident_id",
    "lon",
    "lat",
    "status",
    "category",
    "subcategory",
    "deadline",
    "stage_entered_at",
)
#: Hours of reports the heat shows until the user picks another window.
DEFAULT_HOURS = 24


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


def desk_source_url(spec: LayerSpec) -> str | dict[str, Any]:
    """Where the desk map's source of ``spec`` comes from: the area layers' geometry and the
    buildings' tiles (:func:`area_source_url`: a level's fills, outlines and names share one
    file; the desk's carry the areas' names and grid workers), the open incidents and the
    reports of the default window (:mod:`.routes`). Everything is of the caller's area,
    decided on the server."""
    if spec.kind == "dispatch_status":
        return "/desk/open.geojson"
    if spec.kind == "incident_heat":
        return f"/desk/reports.geojson?hours={DEFAULT_HOURS}"
    url = area_source_url(spec)
    # the areas' names and grid workers for the tooltips (the wall's areas carry codes only)
    if isinstance(url, str) and url.startswith("/geo/") and "/labels/" not in url:
        return url + "?with=ledger"
    return url


def desk_map_layers(figure: str = "open") -> dict[str, Any]:
    """The desk map's sources and style layers: the catalogue's specs as the desk draws them
    (:func:`desk_specs`), rendered for MapLibre (:func:`gridmap.layers.maplibre.render_maplibre`).

    The map is MapLibre's own, made by ``assets/desk-map.js`` in the page's map element (no
    plotly.js, no private fields of any library). Geometry is fetched once; a filter of
    category or status is a filter expression in the browser, a figure sets the areas'
    feature-state from :func:`figure_classes`, a time window fetches the reports again.
    """
    return render_maplibre(desk_specs(figure), desk_source_url)


def figure_classes(
    store: SQLStore,
    spec_id: str,
    figure: str,
    scope: Scope,
    now: pd.Timestamp,
    *,
    area_figures: Callable[[str, str | None], pd.DataFrame] | None = None,
) -> dict[str, Any]:
    """The colour class of each area of a desk choropleth by ``figure``, in ``scope``.

    ``area_figures(level, area_code)`` gives the figures per area (the server's cached
    ones); by default they are read from ``store`` as of ``now``.

    Returns
    -------
    dict
        ``{"codes": [...], "k": [...], "values": [...], "colours": [...], "figure"}``: area
        ``codes[i]`` has the figure ``values[i]`` (a count, or a rate in per cent with one
        decimal) and is in class ``k[i]``, drawn ``colours[k[i]]`` (the figure's light ramp).
        Areas without a value (an on-time rate where nothing was handled today) are in
        none.

    Raises
    ------
    KeyError
        An unknown layer id or figure, or a layer that is not a choropleth.
    """
    if figure not in CHOROPLETH_FIGURES:
        raise KeyError(f"figure {figure[:40]!r} unknown; allowed: {list(CHOROPLETH_FIGURES)}")
    spec = {s.id: s for s in desk_specs(figure) if s.kind == "area_choropleth"}.get(spec_id)
    if spec is None:
        raise KeyError(f"no choropleth layer {spec_id[:40]!r}")
    channel = spec.channels["color"]
    level = LEVEL_OF_LAYER[spec.data_id]
    codes = store.area_codes(level, within=scope.area_code)
    if area_figures is None:
        figures = store.area_figures(level, now, area_code=scope.area_code)
    else:
        figures = area_figures(level, scope.area_code)
    values = figures.reindex(codes)[channel.field]
    if channel.field != "on_time_rate":
        values = values.fillna(0)  # no incidents: a count of 0, not "no data"
    index = {colour: k for k, colour in enumerate(channel.range)}
    classes = [index.get(c, -1) for c in scale_colours(values.to_numpy(), channel)]
    rate = channel.field == "on_time_rate"
    shown = [
        (code, k, f"{v * 100:.1f}%" if rate else int(v))
        for code, k, v in zip(codes, classes, values.to_numpy(), strict=True)
        if k >= 0
    ]
    return {
        "figure": figure,
        "codes": [code for code, _k, _v in shown],
        "k": [k for _code, k, _v in shown],
        "values": [v for _code, _k, v in shown],
        "colours": list(channel.range),
    }


def open_geojson(
    incidents: pd.DataFrame, now_ms: int, hidden: int = 0, cursor: int | None = None
) -> bytes:
    """The open incidents with a location as GeoJSON points (WGS84, 5 decimals: about 1 m)
    with the fields the desk's layers and filters use: ``incident_id``, ``status``, ``due``
    (``overdue``, ``near_due`` or empty at ``now_ms``), ``category``, ``subcategory``; and,
    when ``hidden``, that many were too many to send (a member ``hidden`` of the collection);
    ``cursor``: the newest event they include (the live delta goes on from there)."""
    located = incidents.dropna(subset=["lon", "lat"])
    due = due_of(located, now_ms)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": {
                "incident_id": i,
                "status": s,
                "due": d,
                "category": c,
                "subcategory": sub,
            },
        }
        for i, lon, lat, s, d, c, sub in zip(
            located["incident_id"],
            located["lon"].astype(float),
            located["lat"].astype(float),
            located["status"],
            due,
            located["category"],
            located["subcategory"],
            strict=True,
        )
    ]
    extra: dict[str, int] = {"hidden": hidden} if hidden else {}
    if cursor is not None:
        extra["cursor"] = cursor
    return _collection(features, **extra)


def reports_geojson(points: pd.DataFrame) -> bytes:
    """Reports (``lon``, ``lat`` WGS84 degrees, ``category``) as GeoJSON points for the heat."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": {"category": c},
        }
        for lon, lat, c in zip(
            points["lon"].astype(float),
            points["lat"].astype(float),
            points["category"],
            strict=True,
        )
    ]
    return _collection(features)


def _collection(features: list[dict[str, Any]], **members: Any) -> bytes:
    return json.dumps(
        {"type": "FeatureCollection", "features": features, **members},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


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
