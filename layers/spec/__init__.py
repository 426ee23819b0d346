"""Layers as plain data: what the dashboard draws, in a form that round-trips through JSON.

A :class:`LayerSpec` says *what* to draw (a kind of layer, the data set it reads, its visual
channels as ``(field, scale)`` pairs, a few style values) and nothing about *how*: the plotly,
MapLibre and folium renderers read the same spec. Because a spec is frozen data that
serialises to JSON and back without loss, a snapshot can store the exact map that was shown.

Conventions
-----------
* Geometry is WGS84 longitude/latitude (EPSG:4326); zoom levels are web-map zoom levels
  (0 = the whole world in one 256-px tile); widths and radii are CSS pixels.
* A layer is shown at zoom ``z`` when ``min_zoom <= z < max_zoom`` (MapLibre's rule; either
  bound may be ``None``).
* Colours are CSS hex strings, ``#rrggbb`` (or ``#rgb`` / ``#rrggbbaa``).
* The palette is for the dark wall screen ("数据大屏"): cyan/teal accents on a navy field;
  amber is kept for near-due (临期) and red for overdue (超期) and used for nothing else.

The package, one job a module: :mod:`~gridmap.layers.spec.base` (layer kinds, scales,
channel names, the spec version and :class:`LayerSpecError`),
:mod:`~gridmap.layers.spec.palette` (the wall-screen colours and ramps),
:mod:`~gridmap.layers.spec.labels` (Chinese names of fields and due states),
:mod:`~gridmap.layers.spec.channel` (:class:`Channel`), :mod:`~gridmap.layers.spec.layer`
(:class:`LayerSpec` and JSON round trips), :mod:`~gridmap.layers.spec.figures` (the
choropleth figures and :func:`with_figure`), :mod:`~gridmap.layers.spec.catalogue`
(:data:`CATALOGUE`) and :mod:`~gridmap.layers.spec.scales` (:func:`scale_colours`).
"""

from __future__ import annotations

from gridmap.layers.spec.base import KINDS, SCALES, LayerSpecError
from gridmap.layers.spec.catalogue import CATALOGUE, catalogue_by_id
from gridmap.layers.spec.channel import Channel
from gridmap.layers.spec.figures import CHOROPLETH_FIGURES, with_figure
from gridmap.layers.spec.labels import DUE_LABELS, FIELD_LABELS
from gridmap.layers.spec.layer import LayerSpec, specs_from_json, specs_to_json
from gridmap.layers.spec.palette import (
    ACCENT,
    AMBER,
    BACKGROUND,
    DUE_COLOURS,
    NEUTRAL,
    OPEN_CLASS_COLOURS_DARK,
    OPEN_CLASS_COLOURS_LIGHT,
    RED,
    STATE_COLOURS,
)
from gridmap.layers.spec.scales import (
    OPEN_COUNT_BOUNDS,
    open_count_class,
    open_count_labels,
    scale_colours,
)

__all__ = [
    "ACCENT",
    "AMBER",
    "BACKGROUND",
    "CATALOGUE",
    "CHOROPLETH_FIGURES",
    "DUE_COLOURS",
    "DUE_LABELS",
    "FIELD_LABELS",
    "KINDS",
    "NEUTRAL",
    "OPEN_CLASS_COLOURS_DARK",
    "OPEN_CLASS_COLOURS_LIGHT",
    "OPEN_COUNT_BOUNDS",
    "RED",
    "SCALES",
    "STATE_COLOURS",
    "Channel",
    "LayerSpec",
    "LayerSpecError",
    "catalogue_by_id",
    "open_count_class",
    "open_count_labels",
    "scale_colours",
    "specs_from_json",
    "specs_to_json",
    "with_figure",
]
