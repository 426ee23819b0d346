"""Building the folium map: :func:`folium_map` checks that every spec has its data,
reprojects each layer to WGS84 lon/lat (EPSG:4326), opens a Leaflet-only map on the layers'
bounds (or on Chenghua when there are none) with the chosen basemap, adds one feature group
per spec through the renderers, gates layers by zoom and adds the title and legend.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from gridmap.domain.privacy import mask_personal
from gridmap.layers.basemap import folium_overlays, folium_tiles
from gridmap.layers.folium_export.page import _add_page_elements
from gridmap.layers.folium_export.renderers import _RENDERERS
from gridmap.layers.folium_export.standalone import _LEAFLET_CSS, _LEAFLET_JS
from gridmap.layers.folium_export.tooltips import Mask
from gridmap.layers.folium_export.zoom_gate import _ZoomGate
from gridmap.layers.spec import (
    LayerSpec,
)

_WGS84 = "EPSG:4326"
_CHENGHUA = (30.68, 104.15)  # lat, lon: where an empty map opens


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
        ``dispatch_status`` reads ``status`` and ``due`` (``gridmap.domain.sla.due_status``).
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
