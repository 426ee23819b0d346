"""The vocabulary of a layer spec: the layer kinds and scales a renderer knows, the visual
channel names, the version written into serialised specs, :class:`LayerSpecError`, and the
small validation helpers :class:`~gridmap.layers.spec.channel.Channel` and
:class:`~gridmap.layers.spec.layer.LayerSpec` share (number test, key check, assignment on
a frozen dataclass).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

import numpy as np

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


class LayerSpecError(ValueError):
    """A layer spec (or a channel) with a value outside what is allowed."""


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
