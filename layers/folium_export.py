"""A shareable map as one standalone HTML file that works with no network at all.

:func:`folium_map` draws layer specs (:mod:`gridmap.layers.spec`) with folium/Leaflet;
:func:`standalone_html` renders it with every script and stylesheet inlined, so the file can be
mailed or copied onto the intranet and opened anywhere.

folium's pages load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. This page needs only
Leaflet (no popups, no icon markers: jQuery, Bootstrap and the icon fonts are left out); a copy
of Leaflet 1.9.4 ships in ``layers/vendor/leaflet`` (BSD-2-Clause, from the npm package).
Plugin scripts that folium itself ships (``folium/templates/*.js``) are inlined from the
installed package. branca's ``embedded=True`` is not used: it was seen writing a Python bytes
literal into the page.

Personal data: only the columns a layer's tooltip names are written into the page, and text
that can hold names or phone numbers (``description``, ``worker_phone``, ...) goes through a
mask first (:func:`gridmap.feed.privacy.mask_personal` by default).

Coordinates: every layer is reprojected to WGS84 lon/lat (EPSG:4326) at the boundary; areas
are simplified as a coverage in metres (see :func:`gridmap.layers.geojson.area_geojson`).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from gridmap.feed.privacy import mask_personal
from gridmap.feed.workflow import STATES
from gridmap.geo.aggregate import h3_bins, h3_cell_polygons
from gridmap.layers.basemap import folium_overlays, folium_tiles
from gridmap.layers.geojson import area_geojson, feature_collection, label_points
from gridmap.layers.spec import (
    ACCENT,
    BACKGROUND,
    CHOROPLETH_FIGURES,
    DUE_COLOURS,
    DUE_LABELS,
    FIELD_LABELS,
    NEUTRAL,
    STATE_COLOURS,
    LayerSpec,
    scale_colours,
)

__all__ = ["LEAFLET_VERSION", "PERSONAL_COLUMNS", "folium_map", "standalone_html"]

#: Version of the vendored Leaflet.
LEAFLET_VERSION = "1.9.4"
_VENDOR = Path(__file__).resolve().parent / "vendor" / "leaflet"
_LEAFLET_JS = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
_LEAFLET_CSS = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"
#: Columns whose text may hold personal data: masked before they reach the page.
PERSONAL_COLUMNS = ("description", "worker_phone", "phone", "contact", "reporter")
_WGS84 = "EPSG:4326"
_CHENGHUA = (30.68, 104.15)  # lat, lon: where an empty map opens

Mask = Callable[[str | None], str | None]


# --------------------------------------------------------------------------- the map


def folium_map(
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame],
    specs: Sequence[LayerSpec],
    *,
    basemap: str | None = None,
    tile_url: str | None = None,
    key: str | None = None,
    title: str = "网格化管理 · 一张图",
    mask: Mask | None = mask_personal,
    tolerance_m: float = 3.0,
    legend: bool = True,
) -> folium.Map:
    """Draw layer specs with folium, ready for :func:`standalone_html`.

    Parameters
    ----------
    layers
        ``data_id`` → table. Area layers: GeoDataFrames of polygons with a CRS (the columns
        their channels and tooltips name, e.g. ``open`` joined from ``area_figures``).
        ``incident_heat`` and ``dispatch_status``: incident points as ``lon``/``lat`` columns
        (WGS84 degrees) or a point GeoDataFrame; drawn as given (filter by time first).
        ``dispatch_status`` reads ``status`` and ``due`` (``gridmap.feed.sla.due_status``).
    specs
        Layers in draw order (first lowest); a ``basemap`` spec names the basemap.
    basemap
        A key of :data:`gridmap.layers.basemap.BASEMAPS`; default: the ``basemap`` spec's
        ``data_id``, else ``"offline"`` (no tiles, nothing fetched).
    tile_url, key
        For the ``custom`` and Tianditu basemaps (settings ``tile_url``, ``tianditu_key``).
    title
        Page title and title bar.
    mask
        Applied to every non-missing value of the :data:`PERSONAL_COLUMNS` present;
        ``None`` writes them unmasked (only for a reader allowed to see them).
    tolerance_m
        Coverage-simplification tolerance for area layers, metres.
    legend
        Whether to draw a legend of the layers.

    Returns
    -------
    folium.Map
        With only Leaflet as its script/style dependency.

    Raises
    ------
    ValueError
        If a spec's ``data_id`` is not in ``layers`` (the message lists what is), a layer
        lacks a column its channel needs, or a basemap is misconfigured.
    """
    specs = list(specs)
    name = basemap or next((s.data_id for s in specs if s.kind == "basemap"), "offline")
    drawn = [s for s in specs if s.kind != "basemap"]
    _check_layers(layers, drawn)
    frames = {s.data_id: _to_wgs84(layers[s.data_id], s.data_id) for s in drawn}
    m = _new_map(name, tile_url, key, title, _bounds(frames.values()))
    gates = []
    for spec in drawn:
        group = folium.FeatureGroup(name=spec.label, show=spec.visible)
        _RENDERERS[spec.kind](spec, frames[spec.data_id], mask, tolerance_m).add_to(group)
        group.add_to(m)
        if spec.min_zoom is not None or spec.max_zoom is not None:
            gates.append((group, spec.min_zoom, spec.max_zoom))
    folium.LayerControl(collapsed=False).add_to(m)
    if gates:
        _ZoomGate(gates).add_to(m)
    _add_page_elements(m, title, drawn, legend=legend)
    return m


def _check_layers(layers: Mapping[str, Any], specs: Sequence[LayerSpec]) -> None:
    missing = sorted({s.data_id for s in specs} - set(layers))
    if missing:
        raise ValueError(f"no data for data_id(s) {missing}; given: {sorted(layers)}")


def _to_wgs84(frame: gpd.GeoDataFrame | pd.DataFrame, data_id: str) -> pd.DataFrame:
    """The layer in EPSG:4326 (a plain lon/lat table is taken as WGS84 already)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    if frame.crs is None:
        raise ValueError(
            f"layer {data_id!r} has no CRS: is the data in WGS84? "
            "set it with frame.set_crs('EPSG:4326')"
        )
    return frame.to_crs(_WGS84)


def _bounds(frames: Any) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` over every layer, WGS84 degrees."""
    boxes = []
    for frame in frames:
        if isinstance(frame, gpd.GeoDataFrame) and not frame.geometry.is_empty.all():
            boxes.append(frame.total_bounds)
        elif {"lon", "lat"} <= set(frame.columns) and frame["lon"].notna().any():
            boxes.append([frame.lon.min(), frame.lat.min(), frame.lon.max(), frame.lat.max()])
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return None
    stacked = np.asarray(boxes, dtype=np.float64)
    return (*stacked[:, :2].min(axis=0), *stacked[:, 2:].max(axis=0))


def _new_map(
    basemap: str,
    tile_url: str | None,
    key: str | None,
    title: str,
    bounds: tuple[float, float, float, float] | None,
) -> folium.Map:
    centre = (
        _CHENGHUA if bounds is None else ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
    )
    m = folium.Map(
        location=list(centre),
        zoom_start=12,
        control_scale=True,
        prefer_canvas=True,
        **folium_tiles(basemap, tile_url=tile_url, key=key),
    )
    # Only Leaflet: the page has no popups or icon markers, so no jQuery/Bootstrap/fonts.
    m.default_js = [("leaflet", _LEAFLET_JS)]
    m.default_css = [("leaflet_css", _LEAFLET_CSS)]
    for overlay in folium_overlays(basemap, tile_url=tile_url, key=key):
        folium.TileLayer(**overlay).add_to(m)
    m.get_root().title = html.escape(title)
    if bounds is not None:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


# --------------------------------------------------------------------------- per kind


def _tooltip_frame(
    spec: LayerSpec, frame: pd.DataFrame, mask: Mask | None, extra: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """Only the tooltip columns (plus ``extra``), masked and as display text."""
    fields = [f for f in spec.tooltip if f in frame.columns]
    keep = list(dict.fromkeys([*fields, *extra]))
    out = pd.DataFrame(frame[keep]).copy()
    for column in fields:
        out[column] = _display(out[column], column, mask)
    return out, fields


def _display(values: pd.Series, column: str, mask: Mask | None) -> pd.Series:
    """Tooltip text: masked personal text, Chinese state names, percentages, local times."""
    if column in PERSONAL_COLUMNS and mask is not None:
        return _masked(values, mask)
    if column == "status":
        return values.map(lambda v: STATES[v].name if v in STATES else v)
    if column == "due":
        return values.map(lambda v: DUE_LABELS.get(v, v))
    if column.endswith("_rate"):
        numbers = pd.to_numeric(values, errors="coerce")
        return numbers.map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d %H:%M").fillna("")
    return values


def _masked(values: pd.Series, mask: Mask) -> pd.Series:
    present = values.notna()
    out = values.astype(object).copy()
    out[present] = [mask(str(v)) for v in values[present]]
    return out


def _tooltip(fields: list[str]) -> folium.GeoJsonTooltip | None:
    if not fields:
        return None
    return folium.GeoJsonTooltip(
        fields=fields,
        aliases=[FIELD_LABELS.get(f, f) for f in fields],
        sticky=True,
        class_name="gm-tooltip",
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
    text = points[field].astype(object).where(points[field].notna(), "")
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


class _ZoomGate(MacroElement):
    """Show each gated layer only at ``min_zoom <= zoom < max_zoom`` (MapLibre's rule)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var gates = [
            {%- for layer, low, high in this.gates %}
                {layer: {{ layer.get_name() }}, low: {{ low|tojson }},
                 high: {{ high|tojson }}, hidden: false},
            {%- endfor %}
            ];
            function apply() {
                var z = map.getZoom();
                gates.forEach(function (g) {
                    var inside = (g.low === null || z >= g.low) && (g.high === null || z < g.high);
                    if (!inside && map.hasLayer(g.layer)) {
                        map.removeLayer(g.layer);
                        g.hidden = true;
                    } else if (inside && g.hidden) {
                        map.addLayer(g.layer);
                        g.hidden = false;
                    }
                });
            }
            map.on("zoomend", apply);
            apply();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, gates: list[tuple[folium.FeatureGroup, float | None, float | None]]):
        super().__init__()
        self._name = "ZoomGate"
        self.gates = gates


# --------------------------------------------------------------------------- page: title, legend


def _add_page_elements(
    m: folium.Map, title: str, specs: Sequence[LayerSpec], *, legend: bool
) -> None:
    """Style, title bar and a legend of the layers shown when the page opens."""
    root = m.get_root()
    root.header.add_child(Element(f"<style>{_page_css(specs)}</style>"), name="gridmap_css")
    root.html.add_child(Element(f'<div class="gm-title">{html.escape(title)}</div>'))
    shown = [s for s in specs if s.visible]
    if legend and shown:
        root.html.add_child(Element(_legend_html(shown)), name="gridmap_legend")


def _page_css(specs: Sequence[LayerSpec]) -> str:
    """The page's style; ``html body`` outranks leaflet.css, which is inlined after it."""
    labels = "".join(
        f"html body .gm-label-{s.id}{{font-size:{float(s.style.get('text_size', 13))}px;"
        f"color:{s.style.get('text_color', '#e0f7ff')};"
        f"text-shadow:0 0 {float(s.style.get('halo_width', 2))}px "
        f"{s.style.get('halo_color', BACKGROUND)};}}"
        for s in specs
        if s.kind == "labels"
    )
    return (
        f"html body .leaflet-container{{background:{BACKGROUND};"
        "font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif}"
        "html body .gm-title{position:fixed;top:0;left:0;right:0;z-index:1000;"
        f"padding:.4rem 1rem;color:{ACCENT};background:rgba(6,16,31,.85);font-size:1.3rem;"
        "letter-spacing:.1em;text-align:center;pointer-events:none;"
        "font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif}"
        "html body .gm-legend{position:fixed;left:.6rem;bottom:1.8rem;z-index:1000;"
        "max-width:18rem;max-height:70vh;overflow:auto;padding:.5rem .7rem;color:#cfe8f3;"
        "background:rgba(6,16,31,.85);font-size:.8rem;border:1px solid #12415c;"
        "border-radius:4px;font-family:inherit}"
        "html body .gm-legend h4{margin:.3rem 0 .2rem;font-size:.85rem;color:#e0f7ff}"
        "html body .gm-sw{display:inline-block;width:.9rem;height:.9rem;margin-right:.25rem;"
        "vertical-align:middle;border-radius:2px}"
        "html body .gm-ring{border-radius:50%;background:transparent;border:2px solid}"
        "html body .leaflet-control-layers,html body .gm-tooltip{"
        "background:rgba(6,16,31,.9);color:#cfe8f3;border:1px solid #12415c}"
        "html body .leaflet-control-layers-expanded{top:2.4rem}"
        "html body .leaflet-control-zoom{margin-top:3rem}"
        "html body .leaflet-tooltip.gm-label{background:transparent;border:0;box-shadow:none;"
        "padding:0;font-weight:600;white-space:nowrap}"
        "html body .leaflet-tooltip.gm-label:before{display:none}"
        "html body .leaflet-control-scale-line{background:rgba(6,16,31,.7);color:#cfe8f3}"
        "html body .leaflet-control-attribution{background:rgba(6,16,31,.7);color:#8fb3c4}"
        "html body .leaflet-control-attribution a{color:#8fb3c4}" + labels
    )


def _swatches(colours: Sequence[str]) -> str:
    return "".join(f'<span class="gm-sw" style="background:{c}"></span>' for c in colours)


def _legend_html(specs: Sequence[LayerSpec]) -> str:
    parts = ['<div class="gm-legend">']
    for spec in specs:
        parts.append(f"<h4>{html.escape(spec.label)}</h4>")
        parts.append(_legend_body(spec))
    parts.append("</div>")
    return "".join(parts)


def _legend_body(spec: LayerSpec) -> str:
    if spec.kind == "dispatch_status":
        states = "".join(
            f"<div>{_swatches([colour])}{html.escape(STATES[code].name)}</div>"
            for code, colour in STATE_COLOURS.items()
            if STATES[code].is_open
        )
        rings = "".join(
            f'<div><span class="gm-sw gm-ring" style="border-color:{DUE_COLOURS[code]}">'
            f"</span>{DUE_LABELS[code]}</div>"
            for code in ("overdue", "near_due")
        )
        return states + rings
    if "color" in spec.channels:
        channel = spec.channels["color"]
        figure = CHOROPLETH_FIGURES.get(channel.field)
        name = figure.label if figure else FIELD_LABELS.get(channel.field, channel.field)
        return f"<div>{html.escape(name)}：低 {_swatches(channel.range)} 高</div>"
    colour = spec.style.get("line_color") or spec.style.get("text_color") or NEUTRAL
    return f"<div>{_swatches([colour])}</div>"


# --------------------------------------------------------------------------- standalone HTML

_SCRIPT_TAG = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.IGNORECASE)
_STYLE_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?(images/[^'\")]+)['\"]?\s*\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_REMOTE = re.compile(
    r"""(?:<script[^>]*\ssrc\s*=\s*["']?|<link[^>]*\shref\s*=\s*["']?|<img[^>]*\ssrc\s*=\s*["']?"""
    r"""|url\(\s*["']?|@import\s+["']?)(?:https?:)?//""",
    re.IGNORECASE,
)


def standalone_html(m: folium.Map) -> str:
    """The map as one HTML page with every script and stylesheet inlined.

    Leaflet comes from ``layers/vendor/leaflet`` (its CSS images become ``data:`` URIs);
    a script folium or branca ships in its ``templates`` folder is inlined from the
    installed package.

    Parameters
    ----------
    m
        A map, typically from :func:`folium_map` (whose only dependency is Leaflet).

    Returns
    -------
    str
        The page; it fetches nothing when opened (no ``<script src>``, ``<link href>``,
        ``url()`` or ``@import`` pointing at a host).

    Raises
    ------
    ValueError
        If the page references a script or stylesheet with no local copy (e.g. the jQuery,
        Bootstrap or Font Awesome of a plain ``folium.Map``; set ``m.default_js`` and
        ``m.default_css`` to drop them), or a remote reference remains after inlining.
    """
    page = m.get_root().render()
    unknown: list[str] = []
    page = _SCRIPT_TAG.sub(lambda match: _inline_script(match.group(1), unknown), page)
    page = _STYLE_LINK.sub(lambda match: _inline_style(match.group(1), unknown), page)
    if unknown:
        raise ValueError(
            f"no local copy of {unknown}; local copies exist for Leaflet and for "
            f"{sorted(_package_scripts())}"
        )
    left = sorted({page[mt.start() : mt.end() + 60] for mt in _REMOTE.finditer(page)})
    if left:
        raise ValueError(f"the page still references remote resources: {left}")
    return page


def _inline_script(url: str, unknown: list[str]) -> str:
    source = _local_script(url)
    if source is None:
        unknown.append(url)
        return f'<script src="{url}"></script>'
    text = _SOURCE_MAP.sub("", source.read_text(encoding="utf-8"))
    text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
    return f"<script>/* {source.name} (inlined) */\n{text}\n</script>"


def _inline_style(url: str, unknown: list[str]) -> str:
    if not re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.css$", url):
        unknown.append(url)
        return f'<link rel="stylesheet" href="{url}"/>'
    css = (_VENDOR / "leaflet.css").read_text(encoding="utf-8")
    css = _CSS_URL.sub(lambda mt: f'url("{_data_uri(_VENDOR / mt.group(1))}")', css)
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return f"<style>/* leaflet.css {LEAFLET_VERSION} (inlined) */\n{css}\n</style>"


def _local_script(url: str) -> Path | None:
    if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.js$", url):
        return _VENDOR / "leaflet.js"
    return _package_scripts().get(url.rsplit("/", 1)[-1])


def _package_scripts() -> dict[str, Path]:
    """Scripts that folium and branca ship, by file name."""
    import branca

    found: dict[str, Path] = {}
    for package in (branca, folium):
        folder = Path(package.__file__).resolve().parent / "templates"
        found.update({p.name: p for p in sorted(folder.glob("*.js"))})
    return found


def _data_uri(path: Path) -> str:
    kind = {".png": "image/png", ".svg": "image/svg+xml"}.get(
        path.suffix, "application/octet-stream"
    )
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
