"""One folium layer per layer kind: area choropleths, outlines and buildings as simplified,
quantised GeoJSON polygons (tolerance in metres), incident heat as H3 hexagons, dispatch
status as circle markers with a due ring, and labels as permanent tooltips; all from data in
WGS84 lon/lat (EPSG:4326), sizes in CSS pixels, colours through the spec's scales.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.utilities import JsCode

from gridmap.geo.hexbins import h3_bins, h3_cell_polygons
from gridmap.layers.folium_export.tooltips import Mask, _tooltip, _tooltip_frame, escaped
from gridmap.layers.geojson import area_geojson, feature_collection, label_points
from gridmap.layers.spec import (
    ACCENT,
    BACKGROUND,
    LayerSpec,
    scale_colours,
)


def _channel_colours(spec: LayerSpec, name: str, values: pd.DataFrame, **kwargs) -> list[str]:
    channel = spec.channels[name]
    if channel.field not in values.columns:
        raise ValueError(
            f"layer {spec.id!r}: its {name} channel reads {channel.field!r}, which the data "
            f"{spec.data_id!r} lacks; columns: {list(values.columns)}"
        )
    return scale_colours(values[channel.field], channel, **kwargs)


def _area_layer(
    spec: LayerSpec,
    frame: gpd.GeoDataFrame,
    mask: Mask | None,
    tolerance_m: float,
    *,
    style: Callable[[dict], dict],
    extra: dict[str, list[str]] | None = None,
    clean: bool = True,
) -> folium.GeoJson:
    """Polygons as a simplified, quantised GeoJson layer styled per feature."""
    table, fields = _tooltip_frame(spec, frame, mask, extra=["code"] if "code" in frame else [])
    for column, values in (extra or {}).items():
        table[column] = values
    table = gpd.GeoDataFrame(table, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    properties = [c for c in table.columns if c != table.geometry.name]
    data = area_geojson(
        table,
        properties=properties,
        tolerance_m=tolerance_m,
        id_field="code" if "code" in table else None,
        clean=clean,
    )
    return folium.GeoJson(
        json.loads(data),
        style_function=style,
        tooltip=_tooltip(fields),
        smooth_factor=0.5,
    )


def _choropleth(spec: LayerSpec, frame, mask, tolerance_m) -> folium.GeoJson:
    fill = _channel_colours(spec, "color", frame)
    line = spec.style.get("line_color", BACKGROUND)
    width = spec.style.get("line_width", 0.5)
    opacity = spec.opacity

    def style(feature: dict) -> dict:
        return {
            "fillColor": feature["properties"]["_fill"],
            "fillOpacity": opacity,
            "color": line,
            "weight": width,
        }

    return _area_layer(spec, frame, mask, tolerance_m, style=style, extra={"_fill": fill})


def _outlines(spec: LayerSpec, frame, mask, tolerance_m) -> folium.GeoJson:
    outline = {
        "fill": False,
        "color": spec.style.get("line_color", ACCENT),
        "weight": spec.style.get("line_width", 1),
        "opacity": spec.opacity,
        "dashArray": " ".join(str(v) for v in spec.style.get("line_dash", [])) or None,
    }
    return _area_layer(spec, frame, mask, tolerance_m, style=lambda _feature: outline)


def _buildings(spec: LayerSpec, frame, mask, tolerance_m) -> folium.GeoJson:
    look = {
        "fillColor": spec.style.get("fill_color", "#0f2a44"),
        "fillOpacity": spec.opacity,
        "color": spec.style.get("line_color", "#1e4e79"),
        "weight": spec.style.get("line_width", 0.5),
    }
    # footprints are small: quantise only, no simplification
    return _area_layer(spec, frame, mask, 0.0, style=lambda _feature: look, clean=False)


def _heat(spec: LayerSpec, frame, mask, tolerance_m) -> folium.GeoJson:
    """Incident density as H3 hexagons (plain vector polygons: no heat-map plugin needed)."""
    lon, lat = _lonlat(frame, spec)
    bins = h3_bins(lon, lat, resolution=int(spec.style.get("h3_resolution", 8)))
    cells = h3_cell_polygons(bins["cell"])
    cells["count"] = bins["count"].to_numpy()
    fill = _channel_colours(spec, "color", cells)
    opacity = spec.opacity

    def style(feature: dict) -> dict:
        return {"fillColor": feature["properties"]["_fill"], "fillOpacity": opacity, "weight": 0}

    cells["code"] = cells["cell"]
    return _area_layer(spec, cells, mask, 0.0, style=style, extra={"_fill": fill}, clean=False)


def _lonlat(frame: pd.DataFrame, spec: LayerSpec) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        geoms = frame.geometry
        if (geoms.geom_type.dropna() == "Point").all():
            return geoms.x.to_numpy(), geoms.y.to_numpy()
    if {"lon", "lat"} <= set(frame.columns):
        return frame["lon"].to_numpy(np.float64), frame["lat"].to_numpy(np.float64)
    raise ValueError(
        f"layer {spec.id!r}: data {spec.data_id!r} needs lon/lat columns (WGS84 degrees) or "
        f"point geometry; columns: {list(frame.columns)}"
    )


def _dispatch(spec: LayerSpec, frame, mask, tolerance_m) -> folium.GeoJson:
    """Open incidents coloured by workflow state; overdue/near-due marked with a ring."""
    lon, lat = _lonlat(frame, spec)
    table, fields = _tooltip_frame(spec, frame, mask)
    table["_fill"] = _channel_colours(spec, "color", frame)
    table["_ring"] = (
        _channel_colours(spec, "stroke", frame, neutral="")
        if "stroke" in spec.channels
        else [""] * len(frame)
    )
    table["lon"], table["lat"] = lon, lat
    data = feature_collection(table, "lon", "lat", [*table.columns.drop(["lon", "lat"])])
    radius = float(spec.style.get("radius", 4))
    ring_width = float(spec.style.get("ring_width", 2.5))
    line = spec.style.get("line_color", BACKGROUND)
    opacity = spec.opacity

    def style(feature: dict) -> dict:
        ring = feature["properties"]["_ring"]
        return {
            "fillColor": feature["properties"]["_fill"],
            "fillOpacity": opacity,
            "color": ring or line,
            "weight": ring_width if ring else 0.5,
            "radius": radius + ring_width if ring else radius,
        }

    return folium.GeoJson(
        json.loads(data),
        marker=folium.CircleMarker(radius=radius, fill=True),
        style_function=style,
        tooltip=_tooltip(fields),
    )


def _labels(spec: LayerSpec, frame, mask, tolerance_m) -> folium.GeoJson:
    """Names as permanent tooltips on invisible points (one layer, no per-label script)."""
    field = spec.style.get("text_field", "name")
    if field not in frame.columns:
        raise ValueError(
            f"layer {spec.id!r}: text_field {field!r} not in data {spec.data_id!r}; "
            f"columns: {list(frame.columns)}"
        )
    points = label_points(
        gpd.GeoDataFrame(frame[[field]], geometry=frame.geometry.to_numpy(), crs=frame.crs)
    )
    text = escaped(points[field].astype(object).where(points[field].notna(), "").astype(str))
    table = pd.DataFrame(
        {"text": text.to_numpy(), "lon": points.geometry.x, "lat": points.geometry.y}
    )
    data = feature_collection(table, "lon", "lat", ["text"])
    bind = JsCode(
        "function (feature, layer) {"
        " layer.bindTooltip(String(feature.properties.text), {permanent: true,"
        f" direction: 'center', interactive: false, className: 'gm-label gm-label-{spec.id}'}});"
        " }"
    )
    return folium.GeoJson(
        json.loads(data),
        marker=folium.CircleMarker(radius=0, opacity=0, fill_opacity=0),
        on_each_feature=bind,
    )


_RENDERERS: dict[str, Callable[..., folium.GeoJson]] = {
    "area_choropleth": _choropleth,
    "outlines": _outlines,
    "buildings": _buildings,
    "incident_heat": _heat,
    "dispatch_status": _dispatch,
    "labels": _labels,
}
