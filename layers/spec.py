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
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

__all__ = [
    "ACCENT",
    "AMBER",
    "BACKGROUND",
    "CATALOGUE",
    "CHANNEL_NAMES",
    "CHOROPLETH_FIGURES",
    "DUE_COLOURS",
    "DUE_LABELS",
    "FIELD_LABELS",
    "KINDS",
    "NEUTRAL",
    "RED",
    "SCALES",
    "STATE_COLOURS",
    "TEAL",
    "Channel",
    "ChoroplethFigure",
    "LayerSpec",
    "LayerSpecError",
    "catalogue_by_id",
    "scale_colours",
    "specs_from_json",
    "specs_to_json",
    "with_figure",
]

Kind = Literal[
    "area_choropleth",
    "incident_heat",
    "dispatch_status",
    "buildings",
    "outlines",
    "labels",
    "basemap",
]
Scale = Literal["linear", "quantize", "quantile", "ordinal", "sqrt", "log"]

#: The layer kinds a renderer knows.
KINDS: tuple[str, ...] = get_args(Kind)
#: The scales a channel may use.
SCALES: tuple[str, ...] = get_args(Scale)
#: The visual channels a layer may have: fill colour, stroke (ring/outline) colour, point
#: size, heat weight.
CHANNEL_NAMES: tuple[str, ...] = ("color", "stroke", "size", "weight")
#: Version written into every serialised spec (``"version"`` key).
SPEC_VERSION = 1

# --------------------------------------------------------------------------- palette

#: The wall screen's field (dark navy).
BACKGROUND = "#06101f"
#: Main accent (cyan) and second accent (teal).
ACCENT = "#22d3ee"
TEAL = "#14b8a6"
#: Reserved for near-due (临期) and overdue (超期).
AMBER = "#f59e0b"
RED = "#ef4444"
#: No data / not applicable (NaN in a channel).
NEUTRAL = "#334155"

#: Workflow state code (see :mod:`gridmap.feed.workflow`) → marker colour. Open states run
#: from sky blue through cyan and teal to green as the incident moves along the loop; closed
#: and void are greys. No amber or red: those mean due status, drawn as a ring.
STATE_COLOURS: dict[str, str] = {
    "reported": "#38bdf8",
    "accepted": "#22d3ee",
    "dispatched": "#2dd4bf",
    "in_progress": "#a78bfa",
    "handled": "#4ade80",
    "verified": "#a3e635",
    "closed": "#64748b",
    "void": "#475569",
}
#: Due status (the values of :func:`gridmap.feed.sla.due_status`) → ring colour; ``""`` means
#: the stage has no deadline.
DUE_COLOURS: dict[str, str] = {
    "overdue": RED,
    "near_due": AMBER,
    "on_time": TEAL,
    "": NEUTRAL,
}
#: Due status → Chinese name.
DUE_LABELS: dict[str, str] = {
    "overdue": "超期",
    "near_due": "临期",
    "on_time": "正常",
    "": "无时限",
}

#: Sequential ramps, dark → bright, for counts on the dark field.
_RAMP_CYAN = ("#0b3d5c", "#0e5a7a", "#117a96", "#169bb0", "#22c3d0", "#5ee7e9", "#b4fbfb")
_RAMP_RED = ("#2b1a2e", "#4e1d33", "#742236", "#9c2837", "#c42f37", "#ef4444")
#: Low on-time rate is bad (red → amber), high is good (teal → cyan).
_RAMP_RATE = (RED, "#f97316", AMBER, "#84cc16", TEAL, ACCENT)
#: Incident density (heat): stays within cyan so it never reads as overdue.
_RAMP_HEAT = ("#083344", "#0e7490", "#06b6d4", "#67e8f9", "#ecfeff")

#: Field name → Chinese label, for tooltips and legends.
FIELD_LABELS: dict[str, str] = {
    "code": "编码",
    "name": "名称",
    "open": "未结案件",
    "overdue": "超期",
    "near_due": "临期",
    "reported": "上报",
    "closed": "结案",
    "on_time_rate": "按期处置率",
    "closure_rate": "结案率",
    "mean_hours_to_close": "平均结案时长(小时)",
    "count": "事件数",
    "incident_id": "事件编号",
    "category": "大类",
    "subcategory": "小类",
    "status": "状态",
    "due": "时限",
    "reported_at": "上报时间",
    "deadline": "时限截止",
    "description": "描述",
    "floors": "层数",
    "households": "户数",
    "population": "人口",
    "worker": "网格员",
}


class LayerSpecError(ValueError):
    """A layer spec (or a channel) with a value outside what is allowed."""


# --------------------------------------------------------------------------- Channel


@dataclasses.dataclass(frozen=True)
class Channel:
    """A visual channel: which field drives it and through which scale.

    Attributes
    ----------
    field
        Column of the layer's data.
    scale
        One of :data:`SCALES`. ``quantize``: equal-width classes over ``domain``;
        ``quantile``: classes holding equal numbers of values; ``linear``/``sqrt``/``log``:
        continuous interpolation between the ``range`` stops; ``ordinal``: ``domain[i]`` →
        ``range[i]``.
    domain
        ``None`` (from the data: min and max, or the values themselves for ``quantile``), a
        ``(low, high)`` pair for the numeric scales, a sample for ``quantile``, or the category
        values for ``ordinal`` (as many as ``range``).
    range
        Output values, low to high: colours for a colour channel, numbers (pixels, weights)
        for ``size``/``weight``.
    """

    field: str
    scale: Scale = "quantize"
    domain: tuple[Any, ...] | None = None
    range: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "domain", None if self.domain is None else tuple(self.domain))
        _set(self, "range", tuple(self.range))
        _check_channel(self)

    def to_dict(self) -> dict[str, Any]:
        """The channel as JSON-ready plain data (tuples become lists)."""
        return {
            "field": self.field,
            "scale": self.scale,
            "domain": None if self.domain is None else list(self.domain),
            "range": list(self.range),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "channel") -> Channel:
        """Build a channel from :meth:`to_dict` output; unknown keys are an error."""
        _check_keys(data, _CHANNEL_KEYS, required=("field",), where=where)
        return cls(**dict(data))


_CHANNEL_KEYS = tuple(f.name for f in dataclasses.fields(Channel))


def _check_channel(channel: Channel) -> None:
    if not isinstance(channel.field, str) or not channel.field:
        raise LayerSpecError(f"channel field must be a non-empty string, got {channel.field!r}")
    if channel.scale not in SCALES:
        raise LayerSpecError(f"scale {channel.scale!r} unknown; allowed: {list(SCALES)}")
    if not channel.range:
        raise LayerSpecError(f"channel {channel.field!r}: range is empty")
    if channel.domain is None:
        return
    if channel.scale == "ordinal":
        if len(set(channel.domain)) != len(channel.domain):
            raise LayerSpecError(f"channel {channel.field!r}: the ordinal domain repeats a value")
        if len(channel.domain) != len(channel.range):
            raise LayerSpecError(
                f"channel {channel.field!r}: an ordinal domain needs one value per range "
                f"entry, got {len(channel.domain)} values for {len(channel.range)}"
            )
        return
    numbers = [v for v in channel.domain if _is_number(v)]
    if (
        not numbers
        or len(numbers) != len(channel.domain)
        or not all(math.isfinite(v) for v in numbers)
    ):
        raise LayerSpecError(
            f"channel {channel.field!r}: a {channel.scale} domain holds finite numbers, "
            f"got {list(channel.domain)!r}"
        )
    if channel.scale != "quantile" and (len(numbers) != 2 or numbers[0] > numbers[1]):
        raise LayerSpecError(
            f"channel {channel.field!r}: a {channel.scale} domain is (low, high) with "
            f"low <= high, got {list(channel.domain)!r}"
        )
    if channel.scale == "log" and numbers[0] <= 0:
        raise LayerSpecError(f"channel {channel.field!r}: a log domain must be > 0")


# --------------------------------------------------------------------------- LayerSpec


@dataclasses.dataclass(frozen=True)
class LayerSpec:
    """One map layer as plain data (kepler.gl-like).

    Attributes
    ----------
    id
        Unique id, lower case ``[a-z0-9_]`` (also the MapLibre layer id).
    kind
        One of :data:`KINDS`; picks the renderer.
    data_id
        The data set the layer reads: ``"districts"``, ``"streets"``, ``"communities"``,
        ``"grids"``, ``"buildings"`` (the base layers, EPSG:4326), ``"incidents_open"`` (open
        incidents with ``status`` and ``due``), ``"incidents_24h"`` (incidents reported in the
        last 24 hours); for ``basemap``, a name in :data:`gridmap.layers.basemap.BASEMAPS`.
    label, label_en
        Chinese name shown in legends and the layer list; English name.
    visible
        Shown when the map opens.
    opacity
        0–1, applied to the whole layer.
    channels
        Channel name (one of :data:`CHANNEL_NAMES`) → :class:`Channel`.
    style
        Fixed, JSON-compatible style values (tuples are stored as lists). Keys used by the
        renderers: ``line_color``, ``line_width`` (px), ``line_dash`` (list of px),
        ``fill_color``, ``radius`` (px), ``ring_width`` (px), ``text_field``, ``text_size``
        (px), ``text_color``, ``halo_color``, ``halo_width`` (px), ``h3_resolution``,
        ``h3_max_zoom`` (hexagons below this zoom, a heat map at and above it),
        ``heat_radius`` (px), ``window_hours``.
    tooltip
        Fields shown on hover, in order.
    min_zoom, max_zoom
        Zoom range in which the layer is drawn (``min_zoom <= z < max_zoom``), 0–24.

    Notes
    -----
    A spec is frozen; derive a changed one with :func:`dataclasses.replace`. ``channels`` and
    ``style`` are copied on construction and should be treated as read-only.
    """

    id: str
    kind: Kind
    data_id: str
    label: str
    label_en: str
    visible: bool = True
    opacity: float = 1.0
    channels: Mapping[str, Channel] = dataclasses.field(default_factory=dict)
    style: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    tooltip: tuple[str, ...] = ()
    min_zoom: float | None = None
    max_zoom: float | None = None

    __hash__ = None  # type: ignore[assignment]  # holds dicts: not hashable

    def __post_init__(self) -> None:
        _check_id(self.id)
        if self.kind not in KINDS:
            raise LayerSpecError(f"kind {self.kind!r} unknown; allowed: {list(KINDS)}")
        for name in ("data_id", "label", "label_en"):
            if not isinstance(getattr(self, name), str):
                raise LayerSpecError(f"layer {self.id!r}: {name} must be a string")
        if not isinstance(self.visible, bool):
            raise LayerSpecError(f"layer {self.id!r}: visible must be true or false")
        _set(self, "opacity", _check_opacity(self.id, self.opacity))
        _set(self, "channels", _normalise_channels(self.id, self.channels))
        _set(self, "style", _normalise_style(self.id, self.style))
        _set(self, "tooltip", _normalise_tooltip(self.id, self.tooltip))
        _check_zoom(self.id, self.min_zoom, self.max_zoom)

    # ------------------------------------------------------------------ (de)serialisation

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON-ready plain data, with a ``"version"`` key."""
        return {
            "version": SPEC_VERSION,
            "id": self.id,
            "kind": self.kind,
            "data_id": self.data_id,
            "label": self.label,
            "label_en": self.label_en,
            "visible": self.visible,
            "opacity": self.opacity,
            "channels": {name: ch.to_dict() for name, ch in self.channels.items()},
            "style": json.loads(json.dumps(self.style)),
            "tooltip": list(self.tooltip),
            "min_zoom": self.min_zoom,
            "max_zoom": self.max_zoom,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerSpec:
        """Build a spec from :meth:`to_dict` output.

        Raises
        ------
        LayerSpecError
            On unknown or missing keys, an unsupported version, or any invalid value; the
            message names the allowed values.
        """
        if not isinstance(data, Mapping):
            raise LayerSpecError(f"a layer spec is a JSON object, got {type(data).__name__}")
        where = f"layer {data.get('id')!r}"
        _check_keys(data, (*_SPEC_KEYS, "version"), required=_REQUIRED_KEYS, where=where)
        version = data.get("version", SPEC_VERSION)
        if version != SPEC_VERSION:
            raise LayerSpecError(f"{where}: version {version!r} unknown; allowed: [1]")
        values = {k: v for k, v in data.items() if k != "version"}
        channels = values.get("channels") or {}
        if not isinstance(channels, Mapping):
            raise LayerSpecError(f"{where}: channels must be an object")
        values["channels"] = {
            name: Channel.from_dict(ch, where=f"{where} channel {name!r}")
            if isinstance(ch, Mapping)
            else ch
            for name, ch in channels.items()
        }
        return cls(**values)

    def to_json(self, *, indent: int | None = None) -> str:
        """The spec as JSON text (UTF-8 Chinese kept, no NaN)."""
        return _dumps(self.to_dict(), indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> LayerSpec:
        """Parse :meth:`to_json` output (see :meth:`from_dict` for the errors)."""
        return cls.from_dict(_loads(text))

    # ------------------------------------------------------------------ helpers

    def visible_at(self, zoom: float) -> bool:
        """Whether the layer's zoom range includes ``zoom`` (ignores :attr:`visible`)."""
        return (self.min_zoom is None or zoom >= self.min_zoom) and (
            self.max_zoom is None or zoom < self.max_zoom
        )


_SPEC_KEYS = tuple(f.name for f in dataclasses.fields(LayerSpec))
_REQUIRED_KEYS = ("id", "kind", "data_id", "label", "label_en")
_ID = re.compile(r"^[a-z0-9_]+$")


def specs_to_json(specs: Iterable[LayerSpec], *, indent: int | None = None) -> str:
    """A list of specs (a whole map, in draw order) as one JSON array."""
    return _dumps([s.to_dict() for s in specs], indent)


def specs_from_json(text: str | bytes) -> tuple[LayerSpec, ...]:
    """Parse :func:`specs_to_json` output; duplicate ids are an error."""
    data = _loads(text)
    if not isinstance(data, list):
        raise LayerSpecError(f"a map is a JSON array of layer specs, got {type(data).__name__}")
    specs = tuple(LayerSpec.from_dict(d) for d in data)
    _check_unique_ids(specs)
    return specs


def _dumps(data: Any, indent: int | None) -> str:
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        data, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators
    )


def _loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayerSpecError(f"not valid JSON: {exc}") from exc


def _set(obj: object, name: str, value: Any) -> None:
    """Assign on a frozen dataclass during ``__post_init__``."""
    object.__setattr__(obj, name, value)


def _is_number(value: Any) -> bool:
    """A real number (not a bool)."""
    real = isinstance(value, int | float | np.integer | np.floating)
    return real and not isinstance(value, bool)


def _check_keys(
    data: Mapping[str, Any], allowed: Sequence[str], *, required: Sequence[str], where: str
) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise LayerSpecError(f"{where}: unknown key(s) {unknown}; allowed: {list(allowed)}")
    missing = [k for k in required if k not in data]
    if missing:
        raise LayerSpecError(f"{where}: missing key(s) {missing}")


def _check_id(layer_id: Any) -> None:
    if not isinstance(layer_id, str) or not _ID.match(layer_id):
        raise LayerSpecError(f"layer id must match [a-z0-9_]+, got {layer_id!r}")


def _check_opacity(layer_id: str, opacity: Any) -> float:
    if not _is_number(opacity) or not 0.0 <= float(opacity) <= 1.0:
        raise LayerSpecError(f"layer {layer_id!r}: opacity must be in [0, 1], got {opacity!r}")
    return float(opacity)


def _normalise_channels(layer_id: str, channels: Any) -> dict[str, Channel]:
    if not isinstance(channels, Mapping):
        raise LayerSpecError(f"layer {layer_id!r}: channels must be a mapping")
    out = {}
    for name, channel in channels.items():
        if name not in CHANNEL_NAMES:
            raise LayerSpecError(
                f"layer {layer_id!r}: channel {name!r} unknown; allowed: {list(CHANNEL_NAMES)}"
            )
        if not isinstance(channel, Channel):
            raise LayerSpecError(
                f"layer {layer_id!r}: channel {name!r} must be a Channel, got "
                f"{type(channel).__name__}"
            )
        out[name] = channel
    return out


def _normalise_style(layer_id: str, style: Any) -> dict[str, Any]:
    """A JSON-compatible copy of ``style`` (tuples become lists, so JSON round trips are exact)."""
    if not isinstance(style, Mapping):
        raise LayerSpecError(f"layer {layer_id!r}: style must be a mapping")
    try:
        return json.loads(json.dumps(dict(style), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise LayerSpecError(f"layer {layer_id!r}: style is not JSON-compatible ({exc})") from exc


def _normalise_tooltip(layer_id: str, tooltip: Any) -> tuple[str, ...]:
    if not isinstance(tooltip, list | tuple) or not all(isinstance(f, str) for f in tooltip):
        raise LayerSpecError(f"layer {layer_id!r}: tooltip is a list of field names")
    return tuple(tooltip)


def _check_zoom(layer_id: str, low: Any, high: Any) -> None:
    for name, value in (("min_zoom", low), ("max_zoom", high)):
        if value is not None and (not _is_number(value) or not 0 <= value <= 24):
            raise LayerSpecError(
                f"layer {layer_id!r}: {name} must be None or in [0, 24], got {value!r}"
            )
    if low is not None and high is not None and low >= high:
        raise LayerSpecError(f"layer {layer_id!r}: min_zoom {low} must be below max_zoom {high}")


def _check_unique_ids(specs: Sequence[LayerSpec]) -> None:
    counts = collections.Counter(s.id for s in specs)
    duplicates = sorted(k for k, n in counts.items() if n > 1)
    if duplicates:
        raise LayerSpecError(f"duplicate layer id(s) {duplicates}")


# --------------------------------------------------------------------------- choropleth figures


@dataclasses.dataclass(frozen=True)
class ChoroplethFigure:
    """A figure an area choropleth can show: a column of ``geo.aggregate.area_figures``.

    Attributes
    ----------
    field
        Column name.
    label, label_en
        Chinese and English names.
    channel
        The colour channel that shows it.
    """

    field: str
    label: str
    label_en: str
    channel: Channel


#: The figures the choropleths offer: open backlog, overdue backlog, on-time rate (0–1).
CHOROPLETH_FIGURES: dict[str, ChoroplethFigure] = {
    f.field: f
    for f in (
        ChoroplethFigure("open", "未结案件", "Open", Channel("open", "quantize", None, _RAMP_CYAN)),
        ChoroplethFigure(
            "overdue", "超期案件", "Overdue", Channel("overdue", "quantize", None, _RAMP_RED)
        ),
        ChoroplethFigure(
            "on_time_rate",
            "按期处置率",
            "On-time rate",
            Channel("on_time_rate", "quantize", (0.0, 1.0), _RAMP_RATE),
        ),
    )
}


def with_figure(spec: LayerSpec, figure: str) -> LayerSpec:
    """An area choropleth ``spec`` recoloured by another figure.

    Parameters
    ----------
    spec
        A layer of kind ``area_choropleth``.
    figure
        A key of :data:`CHOROPLETH_FIGURES`: ``"open"``, ``"overdue"`` or ``"on_time_rate"``.
    """
    if spec.kind != "area_choropleth":
        raise LayerSpecError(f"layer {spec.id!r} is a {spec.kind}, not an area_choropleth")
    if figure not in CHOROPLETH_FIGURES:
        raise LayerSpecError(f"figure {figure!r} unknown; allowed: {list(CHOROPLETH_FIGURES)}")
    channels = {**spec.channels, "color": CHOROPLETH_FIGURES[figure].channel}
    return dataclasses.replace(spec, channels=channels)


# --------------------------------------------------------------------------- the catalogue


def _outline(
    layer_id: str,
    data_id: str,
    label: str,
    label_en: str,
    *,
    width: float,
    color: str,
    min_zoom: float | None = None,
    dash: tuple[float, ...] | None = None,
) -> LayerSpec:
    style: dict[str, Any] = {"line_color": color, "line_width": width}
    if dash:
        style["line_dash"] = list(dash)
    return LayerSpec(
        layer_id,
        "outlines",
        data_id,
        label,
        label_en,
        style=style,
        tooltip=("name", "code"),
        min_zoom=min_zoom,
    )


def _choropleth(level: str, data_id: str, label: str, label_en: str, visible: bool) -> LayerSpec:
    spec = LayerSpec(
        f"{level}_choropleth",
        "area_choropleth",
        data_id,
        label,
        label_en,
        visible=visible,
        opacity=0.75,
        style={"line_color": BACKGROUND, "line_width": 0.5},
        tooltip=("name", "code", *CHOROPLETH_FIGURES),
    )
    return with_figure(spec, "open")


def _labels(
    layer_id: str, data_id: str, label: str, label_en: str, *, size: float, min_zoom: float | None
) -> LayerSpec:
    return LayerSpec(
        layer_id,
        "labels",
        data_id,
        label,
        label_en,
        style={
            "text_field": "name",
            "text_size": size,
            "text_color": "#e0f7ff",
            "halo_color": BACKGROUND,
            "halo_width": 2,
        },
        min_zoom=min_zoom,
    )


def _state_channel() -> Channel:
    return Channel("status", "ordinal", tuple(STATE_COLOURS), tuple(STATE_COLOURS.values()))


def _due_channel() -> Channel:
    return Channel("due", "ordinal", ("overdue", "near_due"), (RED, AMBER))


#: The layers the dashboard offers, in draw order (first is drawn lowest): the basemap, area
#: fills, buildings, heat, outlines from fine to coarse, incident points, and labels on top,
#: so no fill covers a line and nothing covers a name. One choropleth per area level; its
#: figure is switched with :func:`with_figure`. Visible by default: basemap, grids by open
#: count, outlines, open incidents, labels.
CATALOGUE: tuple[LayerSpec, ...] = (
    LayerSpec(
        "basemap",
        "basemap",
        "offline",
        "底图",
        "Basemap",
        style={"background": BACKGROUND},
    ),
    _choropleth("street", "streets", "街道 · 分级设色", "Streets by figure", False),
    _choropleth("community", "communities", "社区 · 分级设色", "Communities by figure", False),
    _choropleth("grid", "grids", "网格 · 分级设色", "Grids by figure", True),
    LayerSpec(
        "buildings",
        "buildings",
        "buildings",
        "楼栋",
        "Buildings",
        opacity=0.9,
        style={"fill_color": "#0f2a44", "line_color": "#1e4e79", "line_width": 0.5},
        tooltip=("name", "floors", "households", "population"),
        min_zoom=15,
    ),
    LayerSpec(
        "incident_heat",
        "incident_heat",
        "incidents_24h",
        "事件热力 (24小时)",
        "Incident heat (24 h)",
        visible=False,
        opacity=0.8,
        channels={"color": Channel("count", "quantize", None, _RAMP_HEAT)},
        style={"window_hours": 24, "h3_resolution": 8, "h3_max_zoom": 13, "heat_radius": 18},
        tooltip=("count",),
    ),
    _outline(
        "grid_outlines", "grids", "网格界", "Grid outlines", width=0.6, color="#1b6f8a", min_zoom=13
    ),
    _outline(
        "community_outlines",
        "communities",
        "社区界",
        "Community outlines",
        width=1.0,
        color="#2aa7c0",
        dash=(3, 2),
    ),
    _outline("street_outlines", "streets", "街道界", "Street outlines", width=1.8, color=TEAL),
    _outline("district_outline", "districts", "区界", "District outline", width=3.0, color=ACCENT),
    LayerSpec(
        "dispatch_status",
        "dispatch_status",
        "incidents_open",
        "派遣状态 (未结事件)",
        "Dispatch status (open incidents)",
        channels={"color": _state_channel(), "stroke": _due_channel()},
        style={"radius": 4, "ring_width": 2.5, "line_color": BACKGROUND},
        tooltip=("incident_id", "category", "subcategory", "status", "due", "reported_at"),
    ),
    _labels("community_labels", "communities", "社区名称", "Community names", size=12, min_zoom=13),
    _labels("street_labels", "streets", "街道名称", "Street names", size=16, min_zoom=None),
)


def catalogue_by_id() -> dict[str, LayerSpec]:
    """:data:`CATALOGUE` keyed by layer id, in draw order."""
    return {spec.id: spec for spec in CATALOGUE}


# --------------------------------------------------------------------------- colour scales

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_BYTE_HEX = np.array([f"{i:02x}" for i in range(256)])


def scale_colours(values: Any, channel: Channel, *, neutral: str = NEUTRAL) -> list[str]:
    """The colour of each value through ``channel``'s scale, vectorised.

    Parameters
    ----------
    values
        Array-like (list, numpy array, pandas Series) of numbers, or of categories for an
        ``ordinal`` scale.
    channel
        Colour channel; its ``range`` holds the palette (hex colours for ``linear``, ``sqrt``
        and ``log``, which interpolate in RGB).
    neutral
        Colour for missing values (NaN/None), values a ``log``/``sqrt`` scale cannot take
        (``<= 0`` / ``< 0``) and categories outside an ordinal domain.

    Returns
    -------
    list of str
        One colour per value. ``quantize``: ``len(range)`` equal-width classes over the
        domain (values outside are clamped); ``quantile``: classes of equal counts over the
        domain sample or the values; a domain of one value gives the first colour.
    """
    palette = np.asarray(channel.range, dtype=object)
    if channel.scale == "ordinal":
        return _ordinal(values, channel, palette, neutral)
    x = _as_float(values)
    out = np.full(len(x), neutral, dtype=object)
    finite = np.isfinite(x)
    if channel.scale == "log":
        finite &= x > 0
    elif channel.scale == "sqrt":
        finite &= x >= 0
    if not finite.any():
        return out.tolist()
    if channel.scale == "quantile":
        out[finite] = palette[_quantile_classes(x[finite], channel, len(palette))]
    elif channel.scale == "quantize":
        out[finite] = palette[_quantize_classes(x[finite], channel, len(palette))]
    else:
        out[finite] = _interpolate(x[finite], channel)
    return out.tolist()


def _as_float(values: Any) -> np.ndarray:
    """Values as float64, NaN where missing or not a number."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if array.dtype.kind in "fiub":
        return array.astype(np.float64)
    series = pd.Series(array.ravel(), dtype=object)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _ordinal(values: Any, channel: Channel, palette: np.ndarray, neutral: str) -> list[str]:
    items = pd.Index(np.asarray(values, dtype=object).ravel(), dtype=object)
    domain = channel.domain if channel.domain is not None else items.dropna().unique()
    index = pd.Index(list(domain), dtype=object).get_indexer(items)
    picked = palette[index % len(palette)]
    return np.where(index >= 0, picked, neutral).tolist()


def _bounds(x: np.ndarray, channel: Channel) -> tuple[float, float]:
    if channel.domain is not None:
        return float(channel.domain[0]), float(channel.domain[-1])
    return float(x.min()), float(x.max())


def _quantize_classes(x: np.ndarray, channel: Channel, n: int) -> np.ndarray:
    low, high = _bounds(x, channel)
    if high <= low:
        return np.zeros(len(x), dtype=np.intp)
    classes = np.floor((x - low) / (high - low) * n).astype(np.intp)
    return np.clip(classes, 0, n - 1)


def _quantile_classes(x: np.ndarray, channel: Channel, n: int) -> np.ndarray:
    sample = x if channel.domain is None else np.asarray(channel.domain, dtype=np.float64)
    thresholds = np.quantile(sample, np.arange(1, n) / n)
    return np.searchsorted(thresholds, x, side="right")


def _interpolate(x: np.ndarray, channel: Channel) -> np.ndarray:
    """Continuous ``linear``/``sqrt``/``log`` scale into an RGB ramp, as ``#rrggbb``."""
    f = {"linear": lambda v: v, "sqrt": np.sqrt, "log": np.log}[channel.scale]
    low, high = _bounds(x, channel)
    span = f(high) - f(low)
    t = np.zeros(len(x)) if span <= 0 else np.clip((f(x) - f(low)) / span, 0.0, 1.0)
    stops = _rgb(channel.range)
    if len(stops) == 1:
        stops = np.vstack([stops, stops])
    position = t * (len(stops) - 1)
    i = np.minimum(np.floor(position).astype(np.intp), len(stops) - 2)
    frac = (position - i)[:, None]
    rgb = np.rint(stops[i] * (1 - frac) + stops[i + 1] * frac).astype(np.intp)
    r, g, b = _BYTE_HEX[rgb[:, 0]], _BYTE_HEX[rgb[:, 1]], _BYTE_HEX[rgb[:, 2]]
    return np.strings.add(np.strings.add(np.strings.add("#", r), g), b).astype(object)


def _rgb(colours: Sequence[Any]) -> np.ndarray:
    """``(n, 3)`` float RGB of hex colours (alpha ignored)."""
    rows = []
    for colour in colours:
        if not isinstance(colour, str) or not _HEX.match(colour):
            raise LayerSpecError(
                f"a continuous colour scale needs hex colours (#rgb, #rrggbb, #rrggbbaa), "
                f"got {colour!r}"
            )
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        rows.append([int(digits[k : k + 2], 16) for k in (0, 2, 4)])
    return np.asarray(rows, dtype=np.float64)
