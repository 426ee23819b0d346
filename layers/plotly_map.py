"""The plotly renderer of layer specs: each :class:`~gridmap.layers.spec.LayerSpec` becomes
parts of one plotly ``map`` figure (MapLibre): area kinds as ``layout.map.layers`` that
MapLibre fetches by URL (the browser keeps their geometry; a callback never sends it again),
point kinds as traces built from data frames in WGS84 lon/lat (EPSG:4326). Sizes and widths
are CSS pixels, zoom limits web-map zoom levels.

The folium renderer (:mod:`gridmap.layers.folium_export`) draws the same specs for the HTML
export, :mod:`gridmap.layers.files` writes their data as GIS files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import mapping

from gridmap.geo.hexbins import h3_bins, h3_cell_polygons
from gridmap.layers.spec import LayerSpec, scale_colours

#: The area level each area data set is, for URLs of its geometry.
AREA_LEVELS = {
    "districts": "district",
    "streets": "street",
    "communities": "community",
    "grids": "grid",
}
#: Above this many points an incident heat layer draws H3 hexagons instead of a density.
HEX_ABOVE_POINTS = 20_000
#: Font of map labels (Debian's fonts-noto-cjk; MapLibre asks the server for its glyphs).
LABEL_FONT = "Noto Sans CJK SC Regular"

#: ``source_url(spec, k)``: the URL of a spec's GeoJSON (``k``: the colour class of an area
#: choropleth, else ``None``).
SourceUrl = Callable[[LayerSpec, "int | None"], str]


@dataclasses.dataclass
class PlotlyMap:
    """A rendered map: its traces, its ``layout.map.layers``, and where each spec went.

    Attributes
    ----------
    traces
        In draw order.
    layers
        ``layout.map.layers`` entries, in draw order (below the traces).
    parts
        Spec id → ``[("data", i), …]`` or ``[("layers", i), …]``: the indices to patch when
        the layer is switched on or off or its data changes.
    """

    traces: list[Any] = dataclasses.field(default_factory=list)
    layers: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    parts: dict[str, list[tuple[str, int]]] = dataclasses.field(default_factory=dict)

    def add_trace(self, spec: LayerSpec, trace: Any) -> None:
        self.parts.setdefault(spec.id, []).append(("data", len(self.traces)))
        self.traces.append(trace)

    def add_layer(self, spec: LayerSpec, layer: dict[str, Any]) -> None:
        self.parts.setdefault(spec.id, []).append(("layers", len(self.layers)))
        zooms = {"minzoom": spec.min_zoom, "maxzoom": spec.max_zoom}
        self.layers.append(
            {
                "name": spec.id,
                "visible": spec.visible,
                "sourcetype": "geojson",
                **{k: v for k, v in zooms.items() if v is not None},
                **layer,
            }
        )

    def trace_index(self, spec_id: str, n: int = 0) -> int:
        """The index of the ``n``-th trace of a spec (its data is patched there)."""
        return [i for where, i in self.parts[spec_id] if where == "data"][n]


def render_plotly(
    specs: Iterable[LayerSpec],
    *,
    frames: Mapping[str, pd.DataFrame],
    source_url: SourceUrl,
) -> PlotlyMap:
    """Render ``specs`` (in draw order) into the parts of a plotly map figure.

    Parameters
    ----------
    specs
        Layer specs; ``basemap`` is the figure's style, drawn by none of these parts.
    frames
        Data of the point kinds by ``data_id``: ``incidents_open`` (``incident_id``, ``lon``,
        ``lat``, ``status``, ``due``) for ``dispatch_status``, ``incidents_24h`` (``lon``,
        ``lat``) for ``incident_heat``.
    source_url
        Where MapLibre fetches each area layer's GeoJSON.

    Raises
    ------
    ValueError
        A point layer whose data set is not in ``frames``.
    """
    out = PlotlyMap()
    for spec in specs:
        RENDERERS[spec.kind](out, spec, frames, source_url)
    return out


def _frame(spec: LayerSpec, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    if spec.data_id not in frames:
        raise ValueError(
            f"layer {spec.id!r} reads {spec.data_id!r}, which is not among the frames given: "
            f"{sorted(frames)}"
        )
    return frames[spec.data_id]


def _basemap(out: PlotlyMap, spec: LayerSpec, frames, source_url) -> None:
    """The basemap is the figure's style (:mod:`gridmap.layers.basemap`), not a part."""


def _choropleth(out: PlotlyMap, spec: LayerSpec, frames, source_url) -> None:
    """One fill layer per colour of the spec's colour channel, each fetching the areas of
    that class, so a change of classes refetches small files and recolours nothing else."""
    for k, colour in enumerate(spec.channels["color"].range):
        out.add_layer(
            spec,
            {
                "source": source_url(spec, k),
                "type": "fill",
                "color": colour,
                "fill": {"outlinecolor": spec.style.get("line_color", colour)},
                "opacity": spec.opacity,
                "below": "traces",
            },
        )


def _buildings(out: PlotlyMap, spec: LayerSpec, frames, source_url) -> None:
    out.add_layer(
        spec,
        {
            "source": source_url(spec, None),
            "type": "fill",
            "color": spec.style.get("fill_color", "#0f2a44"),
            "fill": {"outlinecolor": spec.style.get("line_color", "#1e4e79")},
            "opacity": spec.opacity,
            "below": "traces",
        },
    )


def _outlines(out: PlotlyMap, spec: LayerSpec, frames, source_url) -> None:
    line: dict[str, Any] = {"width": spec.style.get("line_width", 1.0)}
    if spec.style.get("line_dash"):
        line["dash"] = list(spec.style["line_dash"])
    out.add_layer(
        spec,
        {
            "source": source_url(spec, None),
            "type": "line",
            "color": spec.style.get("line_color", "#22d3ee"),
            "opacity": spec.opacity,
            "line": line,
            "below": "traces",
        },
    )


def _labels(out: PlotlyMap, spec: LayerSpec, frames, source_url) -> None:
    out.add_layer(
        spec,
        {
            "source": source_url(spec, None),
            "type": "symbol",
            "opacity": spec.opacity,
            # icon "": plotly's default icon ("marker") would be fetched from a CDN
            "symbol": {
                "text": "{" + spec.style.get("text_field", "name") + "}",
                "placement": "point",
                "icon": "",
                "textfont": {
                    "size": spec.style.get("text_size", 14),
                    "color": spec.style.get("text_color", "#e0f7ff"),
                    "family": LABEL_FONT,
                },
            },
        },
    )


def _heat(out: PlotlyMap, spec: LayerSpec, frames, source_url) -> None:
    out.add_trace(spec, heat_trace(spec, _frame(spec, frames)))


def heat_trace(spec: LayerSpec, frame: pd.DataFrame) -> Any:
    """The incidents of an ``incident_heat`` layer: a density (``heat_radius`` px) coloured by
    the spec's ramp from transparent to its brightest stop or, above :data:`HEX_ABOVE_POINTS`
    points, H3 hexagons of ``h3_resolution`` coloured by their counts (a density of that
    many points costs the browser more than it shows). Callbacks replace the whole trace."""
    ramp = list(spec.channels["color"].range) if "color" in spec.channels else ["#22d3ee"]
    if len(frame) > HEX_ABOVE_POINTS:
        return _hexagons(spec, frame, ramp)
    stops = [[0.0, "rgba(0,0,0,0)"]] + [
        [(k + 1) / len(ramp), colour] for k, colour in enumerate(ramp)
    ]
    return go.Densitymap(
        lat=frame["lat"].round(5).tolist(),
        lon=frame["lon"].round(5).tolist(),
        radius=spec.style.get("heat_radius", 14),
        colorscale=stops,
        opacity=spec.opacity,
        showscale=False,
        hoverinfo="skip",
        name=spec.id,
        visible=spec.visible,
    )


def _hexagons(spec: LayerSpec, frame: pd.DataFrame, ramp: list[str]) -> Any:
    bins = h3_bins(frame["lon"], frame["lat"], resolution=int(spec.style.get("h3_resolution", 8)))
    cells = h3_cell_polygons(bins["cell"])
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": cell, "properties": {}, "geometry": mapping(geom)}
            for cell, geom in zip(cells["cell"], cells.geometry, strict=True)
        ],
    }
    steps = [[k / max(len(ramp) - 1, 1), colour] for k, colour in enumerate(ramp)]
    return go.Choroplethmap(
        geojson=geojson,
        locations=bins["cell"].tolist(),
        z=bins["count"].tolist(),
        colorscale=steps,
        marker={"opacity": spec.opacity, "line": {"width": 0}},
        showscale=False,
        hovertemplate="%{z}<extra></extra>",
        name=spec.id,
        visible=spec.visible,
    )


def _dispatch_status(out: PlotlyMap, spec: LayerSpec, frames, source_url) -> None:
    """Two traces: rings in the stroke channel's colours under the incidents that have a due
    mark in its domain (near-due, overdue), then every incident as a dot in the colour
    channel's colour (its workflow state)."""
    rings, points = dispatch_arrays(spec, _frame(spec, frames))
    radius = float(spec.style.get("radius", 4))
    out.add_trace(
        spec,
        go.Scattermap(
            ids=rings["ids"],
            lat=rings["lat"],
            lon=rings["lon"],
            mode="markers",
            hoverinfo="skip",
            name=f"{spec.id}_rings",
            visible=spec.visible,
            marker={"size": radius * 3.5, "opacity": 0.4, "color": rings["marker_color"]},
        ),
    )
    out.add_trace(
        spec,
        go.Scattermap(
            ids=points["ids"],
            lat=points["lat"],
            lon=points["lon"],
            customdata=points["ids"],
            mode="markers",
            hovertemplate="%{customdata}<extra></extra>",
            name=spec.id,
            visible=spec.visible,
            marker={"size": radius * 1.5, "color": points["marker_color"], "opacity": 0.9},
        ),
    )


def dispatch_arrays(
    spec: LayerSpec, frame: pd.DataFrame
) -> tuple[dict[str, list], dict[str, list]]:
    """The arrays of a ``dispatch_status`` layer's two traces (``ids``, ``lat``, ``lon``,
    ``marker_color``): rings for the incidents whose due mark is in the stroke channel's
    domain, dots for all. Callbacks patch these into the traces when filters change."""
    lat = frame["lat"].round(6).tolist()
    lon = frame["lon"].round(6).tolist()
    ids = frame["incident_id"].tolist()
    dots = scale_colours(frame[spec.channels["color"].field], spec.channels["color"])
    stroke = spec.channels.get("stroke")
    ringed: list[int] = []
    ring_colours: list[str] = []
    if stroke is not None:
        marks = frame[stroke.field].tolist()
        ringed = [i for i, mark in enumerate(marks) if mark in (stroke.domain or ())]
        ring_colours = scale_colours([marks[i] for i in ringed], stroke)
    rings = {
        "ids": [ids[i] for i in ringed],
        "lat": [lat[i] for i in ringed],
        "lon": [lon[i] for i in ringed],
        "marker_color": ring_colours,
    }
    return rings, {"ids": ids, "lat": lat, "lon": lon, "marker_color": dots}


#: Kind → renderer.
RENDERERS: dict[str, Callable[..., None]] = {
    "basemap": _basemap,
    "area_choropleth": _choropleth,
    "buildings": _buildings,
    "outlines": _outlines,
    "labels": _labels,
    "incident_heat": _heat,
    "dispatch_status": _dispatch_status,
}
