"""The map figure: static geometry as MapLibre layers fetched once by URL, live incidents as
plotly traces that callbacks patch.

Why this split (DESIGN.md, "The map path"): a ``choroplethmap`` trace re-processes every
feature whenever any trace of its figure changes, and inline GeoJSON in ``map.layers`` is
re-compared on every update. Layers whose ``source`` is a URL stay out of the callback JSON
and are never touched by a live update; only the small incident traces change.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from gridmap.feed.store.base import to_epoch_ms
from gridmap.layers.basemap import maplibre_style
from gridmap.layers.spec import DUE_COLOURS, STATE_COLOURS

#: Glyphs served by :mod:`gridmap.dashboard.georoutes` (CJK is drawn with local fonts).
GLYPHS_URL = "/glyphs/{fontstack}/{range}.pbf"

#: Trace positions in the map figure (the clientside code relies on them).
HEAT, HALO, POINTS, FLASH = 0, 1, 2, 3

#: Open-count classes of the grid choropleth: (upper bound inclusive, colour).
GRID_CLASSES: tuple[tuple[float, str], ...] = (
    (0, "#0a2038"),
    (1, "#0d3b5a"),
    (3, "#0f5e7a"),
    (6, "#13899a"),
    (float("inf"), "#22c3c9"),
)

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
    # open-count classes on a light page (the wall's GRID_CLASSES are for a dark one)
    "classes": ("#f4f7fb", "#d6e8f5", "#9cc8e8", "#4f9bd4", "#1f5fa8"),
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


def grid_class(open_count: float) -> int:
    """Choropleth class of a grid with ``open_count`` open incidents."""
    for k, (bound, _colour) in enumerate(GRID_CLASSES):
        if open_count <= bound:
            return k
    return len(GRID_CLASSES) - 1


def base_layers(
    theme: dict[str, str],
    rev: str = "0",
    *,
    buildings: bool = True,
    classes: bool = True,
    label_split: float | None = None,
) -> list[dict]:
    """``layout.map.layers``: choropleth classes, outlines, buildings, area labels.

    Every source is a URL served by :mod:`gridmap.dashboard.georoutes`; ``rev`` versions the
    choropleth class files so a change of classes refetches only those. ``classes=False``
    leaves the choropleth out (the wall draws it itself, recoloured live by feature-state).
    ``label_split`` (a web-map zoom level), for a map of several districts: district names
    below it, street names from it on; ``None`` labels the streets at every zoom.
    """
    layers: list[dict[str, Any]] = []
    colours = theme.get("classes") or [colour for _bound, colour in GRID_CLASSES]
    for k, colour in enumerate(colours if classes else ()):
        layers.append(
            {
                "sourcetype": "geojson",
                "source": f"/geo/grid-class/{k}.geojson?rev={rev}",
                "type": "fill",
                "color": colour,
                "opacity": 0.55,
                "below": "traces",
            }
        )
    if buildings:
        layers.append(
            {
                "sourcetype": "geojson",
                "source": "/geo/buildings.geojson",
                "type": "fill",
                "color": theme["building"],
                "opacity": 0.8,
                "minzoom": 14.5,
                "below": "traces",
            }
        )
    # the wall draws grid lines from its own live grid source (one download of the grids)
    levels = [("grid", 0.4, "grid_line")] if classes else []
    levels += [
        ("community", 0.8, "community_line"),
        ("street", 1.6, "street_line"),
        ("district", 3.0, "district_line"),
    ]
    for level, width, key in levels:
        layers.append(
            {
                "sourcetype": "geojson",
                "source": f"/geo/{level}.geojson",
                "type": "line",
                "color": theme[key],
                "line": {"width": width},
                "below": "traces",
                **({"minzoom": 13} if level == "grid" else {}),
            }
        )
    if label_split is None:
        layers.append(_label_layer("street", theme, 15))
    else:
        layers.append(_label_layer("district", theme, 18, maxzoom=label_split))
        layers.append(_label_layer("street", theme, 15, minzoom=label_split))
    return layers


def _label_layer(level: str, theme: dict[str, str], size: int, **zooms: float) -> dict:
    """A symbol layer of the names of one level's areas, one label inside each area."""
    return {
        "sourcetype": "geojson",
        "source": f"/geo/labels/{level}.geojson",
        "type": "symbol",
        # icon "" : plotly's default icon ("marker") would be fetched from a CDN
        "symbol": {
            "text": "{name}",
            "placement": "point",
            "icon": "",
            "textfont": {
                "size": size,
                "color": theme["label"],
                "family": "Noto Sans CJK SC Regular",
            },
        },
        **zooms,
    }


def _point_arrays(incidents: pd.DataFrame, now_ms: int) -> dict[str, list]:
    due = due_of(incidents, now_ms)
    colours = [STATE_COLOURS.get(s, "#9fb3c8") for s in incidents["status"]]
    return {
        "ids": incidents["incident_id"].tolist(),
        "lat": incidents["lat"].round(6).tolist(),
        "lon": incidents["lon"].round(6).tolist(),
        "color": colours,
        "due": due,
    }


def due_of(incidents: pd.DataFrame, now_ms: int) -> list[str]:
    """``overdue`` / ``near_due`` / ``""`` per open incident at ``now_ms``."""
    deadline = _ms(incidents["deadline"])
    entered = _ms(incidents["stage_entered_at"])
    out = []
    for d, e in zip(deadline, entered, strict=True):
        if d is None:
            out.append("")
        elif d < now_ms:
            out.append("overdue")
        elif e is not None and (d - now_ms) < 0.2 * (d - e):
            out.append("near_due")
        else:
            out.append("")
    return out


def _ms(series: pd.Series) -> list[int | None]:
    """Epoch ms (``None`` for missing), whatever the resolution the times are held in
    (pandas 3 keeps the store's ms; an ``astype("int64")`` would give ms, not ns)."""
    return [None if v is None else int(v) for v in to_epoch_ms(series)]


def map_figure(
    open_incidents: pd.DataFrame,
    heat: pd.DataFrame,
    *,
    now_ms: int,
    center: dict[str, float],
    zoom: float,
    theme: dict[str, str],
    tile_url: str = "",
    rev: str = "0",
    uirevision: str = "map",
    label_split: float | None = None,
) -> go.Figure:
    """The map: offline style, base layers by URL, and the four live traces.

    Parameters
    ----------
    open_incidents
        ``incident_id``, ``lon``, ``lat`` (WGS84), ``status``, ``deadline``,
        ``stage_entered_at``.
    heat
        ``lon``, ``lat`` of recent reports (the density layer).
    """
    pts = _point_arrays(open_incidents, now_ms)
    halo_idx = [i for i, d in enumerate(pts["due"]) if d]
    fig = go.Figure()
    fig.add_trace(
        go.Densitymap(
            lat=heat["lat"].round(5).tolist(),
            lon=heat["lon"].round(5).tolist(),
            radius=14,
            colorscale=[
                [0, "rgba(0,0,0,0)"],
                [0.3, "rgba(34,195,201,0.35)"],
                [0.6, "rgba(255,196,0,0.55)"],
                [1, "rgba(255,64,64,0.8)"],
            ],
            showscale=False,
            hoverinfo="skip",
            name="heat",
        )
    )
    fig.add_trace(
        go.Scattermap(
            ids=[pts["ids"][i] for i in halo_idx],
            lat=[pts["lat"][i] for i in halo_idx],
            lon=[pts["lon"][i] for i in halo_idx],
            mode="markers",
            hoverinfo="skip",
            name="halo",
            marker={
                "size": 12,
                "opacity": 0.35,
                "color": [DUE_COLOURS[pts["due"][i]] for i in halo_idx],
            },
        )
    )
    fig.add_trace(
        go.Scattermap(
            ids=pts["ids"],
            lat=pts["lat"],
            lon=pts["lon"],
            mode="markers",
            name="incidents",
            marker={"size": 5, "color": pts["color"], "opacity": 0.9},
            customdata=pts["ids"],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scattermap(
            ids=[],
            lat=[],
            lon=[],
            mode="markers",
            hoverinfo="skip",
            name="flash",
            marker={"size": 30, "color": "#ff4d4f", "opacity": 0.6},
        )
    )
    layers = base_layers(theme, rev, buildings=theme["name"] != "wall", label_split=label_split)
    return _map_layout(fig, theme, center, zoom, layers, uirevision)


def _map_layout(
    fig: go.Figure,
    theme: dict[str, str],
    center: dict[str, float],
    zoom: float,
    layers: list[dict],
    uirevision: str,
) -> go.Figure:
    """The map subplot of a theme, without chrome; zoom and pan survive updates."""
    fig.update_layout(
        map={
            # the style goes by URL: an inline style object is diffed by MapLibre on every
            # figure update (and it failed with "Map error." as soon as live updates flowed)
            "style": f"/map-style/{theme['name']}.json",
            "center": center,
            "zoom": zoom,
            "layers": layers,
            "uirevision": uirevision,
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        paper_bgcolor=theme["background"],
        plot_bgcolor=theme["background"],
        showlegend=False,
        uirevision=uirevision,
    )
    return fig


def wall_map_figure(
    *,
    center: dict[str, float],
    zoom: float,
    theme: dict[str, str],
    uirevision: str = "wall",
    label_split: float | None = None,
) -> go.Figure:
    """The wall's map: the offline style and the static layers by URL, and no data at all.

    The live layers (grid colours, heat, incidents, due rings, flashes) are MapLibre sources
    of their own that ``assets/live-map.js`` adds to this map and updates with deltas
    (``GeoJSONSource.updateData`` and feature-state), so a live update costs the browser work
    in proportion to what changed: plotly's traces would re-process every point, and a
    ``Patch`` of a 100,000-point trace still rebuilds the whole trace in the browser. The one
    empty trace is what makes plotly create the map.
    """
    fig = go.Figure(go.Scattermap(lat=[], lon=[], mode="markers", hoverinfo="skip"))
    layers = base_layers(theme, buildings=False, classes=False, label_split=label_split)
    return _map_layout(fig, theme, center, zoom, layers, uirevision)
