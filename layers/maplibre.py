"""Layer specs drawn by MapLibre GL JS: each :class:`~gridmap.layers.spec.LayerSpec` becomes a
MapLibre source and style layers (plain JSON the browser hands to ``map.addSource`` and
``map.addLayer``), as the folium renderer turns specs into Leaflet layers.

Sources are GeoJSON by URL (``source_url(spec)``: the server's, so the geometry goes to the
browser once and stays out of every update); specs with the same URL share one source (a
level's fills and outlines are one download), its features keyed by their ``code``
(``promoteId``) so that a figure colours them by feature-state. Sizes are CSS pixels at a
1920-pixel-wide screen (the page scales them with the screen); colours come from the spec's
style and channels, as MapLibre expressions the browser evaluates per feature. A layer's
``minzoom`` and ``maxzoom`` are the spec's zoom range; each layer names its spec in
``metadata["gridmap:spec"]`` (so a page switches a spec's layers together) and the fields
its tooltip shows in ``metadata["gridmap:tooltip"]``.

What each kind needs of its features: ``area_choropleth`` a feature-state ``k`` (the class
of its figure: ``range[k]`` of the colour channel; none, no fill), ``dispatch_status`` the
fields of its channels (``status``, ``due``), ``incident_heat`` nothing (points).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gridmap.layers.spec import BACKGROUND, NEUTRAL, LayerSpec

#: Where a spec's data comes from: a GeoJSON URL, or a MapLibre source of its own (vector
#: tiles: ``{"type": "vector", "tiles": [...], ...}``, drawn from the layer named after the
#: spec's data set).
SourceUrl = Callable[[LayerSpec], "str | dict[str, Any]"]
#: A fill no one sees: an area without a figure class.
CLEAR = "rgba(0,0,0,0)"


def render_maplibre(specs: list[LayerSpec] | tuple[LayerSpec, ...], source_url: SourceUrl) -> dict:
    """``{"sources": {id: source}, "layers": [layer, ...]}`` for the specs, in draw order.

    Raises
    ------
    ValueError
        For a kind this renderer does not draw (it names the ones it does).
    """
    sources: dict[str, Any] = {}
    by_url: dict[str, str] = {}
    layers: list[dict[str, Any]] = []
    for spec in specs:
        render = _RENDERERS.get(spec.kind)
        if render is None:
            raise ValueError(
                f"layer {spec.id!r}: MapLibre draws kinds {sorted(_RENDERERS)}, not {spec.kind!r}"
            )
        url = source_url(spec)
        given = url if isinstance(url, dict) else None
        source = by_url.setdefault(json.dumps(url, sort_keys=True), f"gm-{spec.id}")
        if source not in sources:
            sources[source] = dict(given) if given else {"type": "geojson", "data": url}
            if spec.kind in _AREA_KINDS:
                sources[source]["promoteId"] = "code"
        for layer in render(spec, source):
            if given and given.get("type") == "vector":
                layer["source-layer"] = spec.data_id
            layer["metadata"] = {"gridmap:spec": spec.id, "gridmap:tooltip": list(spec.tooltip)}
            if spec.min_zoom is not None:
                layer["minzoom"] = spec.min_zoom
            if spec.max_zoom is not None:
                layer["maxzoom"] = spec.max_zoom
            if not spec.visible:
                layer.setdefault("layout", {})["visibility"] = "none"
            layers.append(layer)
    return {"sources": sources, "layers": layers}


def _match(field: list, domain, colours, fallback: str) -> list:
    """``domain[i] → colours[i]``, else ``fallback``: a MapLibre ``match`` expression."""
    expression: list[Any] = ["match", field]
    for value, colour in zip(domain, colours, strict=True):
        expression += [value, colour]
    return [*expression, fallback]


def _area_choropleth(spec: LayerSpec, source: str) -> list[dict[str, Any]]:
    colours = spec.channels["color"].range
    k = ["coalesce", ["feature-state", "k"], -1]
    return [
        {
            "id": f"gm-{spec.id}",
            "type": "fill",
            "source": source,
            "paint": {
                "fill-color": _match(k, range(len(colours)), colours, CLEAR),
                "fill-opacity": spec.opacity,
                "fill-outline-color": spec.style.get("line_color", BACKGROUND),
            },
        }
    ]


def _incident_heat(spec: LayerSpec, source: str) -> list[dict[str, Any]]:
    ramp = spec.channels["color"].range
    stops: list[Any] = [0, CLEAR]
    for i, colour in enumerate(ramp[1:], start=1):
        stops += [i / (len(ramp) - 1), colour]
    return [
        {
            "id": f"gm-{spec.id}",
            "type": "heatmap",
            "source": source,
            "paint": {
                "heatmap-radius": spec.style.get("heat_radius", 18),
                "heatmap-color": ["interpolate", ["linear"], ["heatmap-density"], *stops],
                "heatmap-opacity": spec.opacity,
            },
        }
    ]


def _by_zoom(size: float) -> list:
    """``size`` from a few streets across the screen (zoom 14) in, half of it at a district
    (zoom 11) and out: thousands of full-size dots would bury the map."""
    return ["interpolate", ["linear"], ["zoom"], 11, round(size * 0.5, 2), 14, size]


def _dispatch_status(spec: LayerSpec, source: str) -> list[dict[str, Any]]:
    """Dots coloured by state, and under them rings for what is near-due or overdue, both
    smaller when zoomed out."""
    state, due = spec.channels["color"], spec.channels["stroke"]
    radius = spec.style.get("radius", 4)
    ring = spec.style.get("ring_width", 2.5)
    return [
        {
            "id": f"gm-{spec.id}-rings",
            "type": "circle",
            "source": source,
            "filter": ["in", ["get", due.field], ["literal", list(due.domain)]],
            "paint": {
                "circle-radius": _by_zoom(radius + ring + 1),
                "circle-color": CLEAR,
                "circle-stroke-width": _by_zoom(ring),
                "circle-stroke-color": _match(["get", due.field], due.domain, due.range, CLEAR),
            },
        },
        {
            "id": f"gm-{spec.id}",
            "type": "circle",
            "source": source,
            "paint": {
                "circle-radius": _by_zoom(radius),
                "circle-color": _match(["get", state.field], state.domain, state.range, NEUTRAL),
                "circle-stroke-width": 0.6,
                "circle-stroke-color": spec.style.get("line_color", BACKGROUND),
                "circle-opacity": spec.opacity,
            },
        },
    ]


def _outlines(spec: LayerSpec, source: str) -> list[dict[str, Any]]:
    paint: dict[str, Any] = {
        "line-color": spec.style.get("line_color", "#22d3ee"),
        "line-width": spec.style.get("line_width", 1.0),
        "line-opacity": spec.opacity,
    }
    if spec.style.get("line_dash"):
        paint["line-dasharray"] = list(spec.style["line_dash"])
    return [{"id": f"gm-{spec.id}", "type": "line", "source": source, "paint": paint}]


def _labels(spec: LayerSpec, source: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"gm-{spec.id}",
            "type": "symbol",
            "source": source,
            "layout": {
                "text-field": ["get", spec.style.get("text_field", "name")],
                "text-size": spec.style.get("text_size", 14),
                # names never hide each other's streets: all of them are drawn
                "text-allow-overlap": False,
                "text-padding": 1,
            },
            "paint": {
                "text-color": spec.style.get("text_color", "#e0f7ff"),
                "text-halo-color": spec.style.get("halo_color", BACKGROUND),
                "text-halo-width": spec.style.get("halo_width", 2),
                "text-opacity": spec.opacity,
            },
        }
    ]


def _buildings(spec: LayerSpec, source: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"gm-{spec.id}",
            "type": "fill",
            "source": source,
            "paint": {
                "fill-color": spec.style.get("fill_color", "#1c3550"),
                "fill-outline-color": spec.style.get("line_color", "#1e4e79"),
                "fill-opacity": spec.opacity,
            },
        }
    ]


_RENDERERS: dict[str, Callable[[LayerSpec, str], list[dict[str, Any]]]] = {
    "area_choropleth": _area_choropleth,
    "outlines": _outlines,
    "labels": _labels,
    "buildings": _buildings,
    "incident_heat": _incident_heat,
    "dispatch_status": _dispatch_status,
}
#: Kinds drawn from an area layer: their features are keyed by ``code``.
_AREA_KINDS = {"area_choropleth", "outlines", "labels"}
