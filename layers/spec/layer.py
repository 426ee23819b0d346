"""One map layer as plain data: :class:`LayerSpec` (kind, data set, channels, style, tooltip,
zoom range in web-map zoom levels, widths and radii in CSS pixels; geometry is WGS84
EPSG:4326), its validation on construction, and the JSON round trips of one spec and of a
whole map (:func:`specs_to_json`, :func:`specs_from_json`) without loss.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gridmap.layers.spec.base import (
    CHANNEL_NAMES,
    KINDS,
    SPEC_VERSION,
    Kind,
    LayerSpecError,
    _check_keys,
    _is_number,
    _set,
)
from gridmap.layers.spec.channel import Channel


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
