"""The map's frame: themes, the offline style, the wall's static layers and the URLs of the
area layers' GeoJSON; the layers themselves are the catalogue's specs drawn by the MapLibre
renderer (:mod:`gridmap.layers.maplibre`).

Why static geometry goes by URL (docs/ARCHITECTURE.md, "The map path"): a source whose data is
a URL is fetched and indexed once by MapLibre's worker, stays out of every page update and is
cached by the browser; live layers are sources of their own, changed by deltas.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from gridmap.domain.areas import LEVEL_OF_LAYER
from gridmap.domain.sla import DUE_ORDER, due_codes
from gridmap.feed.store.base import to_epoch_ms
from gridmap.feed.store.tiles import BUILDING_ZOOMS
from gridmap.layers.basemap import maplibre_style
from gridmap.layers.maplibre import render_maplibre
from gridmap.layers.spec import LayerSpec, catalogue_by_id

#: Glyphs served by :mod:`gridmap.dashboard.shared.georoutes` (CJK is drawn with local fonts).
GLYPHS_URL = "/glyphs/{fontstack}/{range}.pbf"


WALL_THEME = {
    "name": "wall",
    "background": "#06101f",
    "district_line": "#5fe3ff",
    "street_line": "#2aa8c8",
    "community_line": "#1a5f7a",
    "grid_line": "#123a52",
    "label": "#cfefff",
    "building": "#1c3550",
}
DESK_THEME = {
    "name": "desk",
    "background": "#eef2f6",
    "district_line": "#1d4e89",
    "street_line": "#3b6fb6",
    "community_line": "#8aa9cf",
    "grid_line": "#c3d3e6",
    "label": "#123",
    "building": "#c9d3de",
}


THEMES = {"wall": WALL_THEME, "desk": DESK_THEME}


def style_for(
    theme_name: str, tile_url: str = "", basemap: str = "", key: str = ""
) -> dict[str, Any]:
    """The MapLibre style of a theme: offline (nothing remote) unless a basemap with tiles
    is configured (the ``basemap``, ``tile_url`` and ``tianditu_key`` settings)."""
    theme = THEMES[theme_name]
    return maplibre_style(
        basemap or ("custom" if tile_url else "offline"),
        tile_url=tile_url or None,
        key=key or None,
        background=theme["background"],
        glyphs_url=GLYPHS_URL,
    )


def due_of(incidents: pd.DataFrame, now_ms: int) -> list[str]:
    """``overdue`` / ``near_due`` / ``""`` per open incident at ``now_ms``."""
    codes = due_codes(
        to_epoch_ms(incidents["deadline"]), to_epoch_ms(incidents["stage_entered_at"]), now_ms
    )
    return [DUE_ORDER[c] for c in codes]


def area_source_url(spec: LayerSpec) -> str | dict[str, Any]:
    """Where the map gets an area layer (:mod:`gridmap.dashboard.shared.georoutes`): the
    GeoJSON of a level's outlines or of its names, one URL for every caller, answered with the
    caller's own area (decided on the server, cached privately per session); buildings as
    vector tiles (a city's 600,000: a tile at a time, from the zoom they are made for)."""
    if spec.kind == "buildings":
        low, high = BUILDING_ZOOMS
        return {
            "type": "vector",
            "tiles": ["/tiles/buildings/{z}/{x}/{y}.pbf"],
            "minzoom": low,
            "maxzoom": high,
        }
    level = LEVEL_OF_LAYER.get(spec.data_id, "grid")
    if spec.kind == "labels":
        return f"/geo/labels/{level}.geojson"
    return f"/geo/{level}.geojson"


def wall_specs(label_split: float | None = None) -> tuple[LayerSpec, ...]:
    """The wall's static layers: the catalogue's area outlines and street names in the wall's
    colours (its grids, heat and incidents are live MapLibre sources of their own); community
    outlines and names (from the zoom of a street shown whole) only on a wall of one
    district.
    ``label_split`` (a web-map zoom level), for a map of several districts: district names
    below it, street names from it on; ``None`` names the streets at every zoom."""
    catalogue = catalogue_by_id()
    specs = []
    for layer_id, key, width in (
        ("community_outlines", "community_line", 0.8),
        ("street_outlines", "street_line", 1.6),
        ("district_outline", "district_line", 3.0),
    ):
        if layer_id == "community_outlines" and label_split is not None:
            # a city's 3,000 communities: half a megabyte a no-touch screen never shows at
            # city zoom, where the grid colours already draw finer than communities
            continue
        spec = catalogue[layer_id]
        style = {"line_color": WALL_THEME[key], "line_width": width}
        specs.append(dataclasses.replace(spec, style=style))
    street = catalogue["street_labels"]
    style = {**street.style, "text_color": WALL_THEME["label"], "text_size": 15}
    street = dataclasses.replace(street, style=style, min_zoom=label_split)
    if label_split is None:
        # a street shown whole by the tour names its communities (the catalogue's zoom)
        community = catalogue["community_labels"]
        specs.append(
            dataclasses.replace(
                community,
                style={**community.style, "text_color": "#8fd3e8", "text_size": 13},
            )
        )
    if label_split is not None:
        specs.append(
            LayerSpec(
                "district_labels",
                "labels",
                "districts",
                "区名称",
                "District names",
                style={**style, "text_size": 18},
                max_zoom=label_split,
            )
        )
    specs.append(street)
    return tuple(specs)


def wall_map_layers(label_split: float | None = None) -> dict[str, Any]:
    """The wall map's static layers as MapLibre sources and style layers (outlines and names,
    from the catalogue's specs: :func:`gridmap.layers.maplibre.render_maplibre`), their
    geometry by URL.

    The map is MapLibre's own, made by ``assets/live-map.js`` in the page's map element: no
    plotly.js on the wall. Its live layers (grid colours, heat, incidents, due rings, flashes)
    are sources of their own, loaded once and then changed by deltas
    (``GeoJSONSource.updateData`` and feature-state), so a live update costs the browser work
    in proportion to what changed.
    """
    return render_maplibre(wall_specs(label_split), area_source_url)
