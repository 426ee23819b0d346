"""Layer specs drawn by MapLibre GL JS: each :class:`~gridmap.layers.spec.LayerSpec` becomes a
MapLibre source and style layers (plain JSON the browser hands to ``map.addSource`` and
``map.addLayer``), as the folium renderer turns specs into Leaflet layers.

Sources are GeoJSON by URL (``source_url(spec)``: the server's, so the geometry goes to the
browser once and stays out of every update); sizes are CSS pixels at a 1920-pixel-wide screen
(the page scales them with the screen); colours come from the spec's style. A layer's
``minzoom`` and ``maxzoom`` are the spec's zoom range.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridmap.layers.spec import BACKGROUND, LayerSpec

SourceUrl = Callable[[LayerSpec], str]


def render_maplibre(specs: list[LayerSpec] | tuple[LayerSpec, ...], source_url: SourceUrl) -> dict:
    """``{"sources": {id: source}, "layers": [layer, ...]}`` for the specs, in draw order.

    Raises
    ------
    ValueError
        For a kind this renderer does not draw (it names the ones it does).
    """
    sources: dict[str, Any] = {}
    layers: list[dict[str, Any]] = []
    for spec in specs:
        render = _RENDERERS.get(spec.kind)
        if render is None:
            raise ValueError(
                f"layer {spec.id!r}: MapLibre draws kinds {sorted(_RENDERERS)}, not {spec.kind!r}"
            )
        source = f"gm-{spec.id}"
        sources[source] = {"type": "geojson", "data": source_url(spec)}
        for layer in render(spec, source):
            if spec.min_zoom is not None:
                layer["minzoom"] = spec.min_zoom
            if spec.max_zoom is not None:
                layer["maxzoom"] = spec.max_zoom
            if not spec.visible:
                layer.setdefault("layout", {})["visibility"] = "none"
            layers.append(layer)
    return {"sources": sources, "layers": layers}


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
    "outlines": _outlines,
    "labels": _labels,
    "buildings": _buildings,
}
