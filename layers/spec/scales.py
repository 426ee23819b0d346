"""Colour scales: :func:`scale_colours` maps the values of a channel's field to CSS hex
colours through its scale (quantize, quantile, ordinal, or linear/sqrt/log interpolated in
RGB), vectorised with numpy, giving the neutral colour to missing or unusable values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from gridmap.layers.spec.base import LayerSpecError
from gridmap.layers.spec.channel import Channel
from gridmap.layers.spec.palette import NEUTRAL

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
    # a value equal to a threshold stays below it: where most areas have none (0 open in
    # most grids of a quiet day), the thresholds are 0 and those areas must be the lightest
    return np.searchsorted(thresholds, x, side="left")


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


#: Classes of open incidents per area that the wall's grid colours and the image's fill use:
#: each class holds the counts up to its bound (inclusive), the last one everything above.
OPEN_COUNT_BOUNDS: tuple[float, ...] = (0, 1, 3, 6, float("inf"))


def open_count_class(count: float) -> int:
    """The class (0 …) of an area with ``count`` open incidents."""
    for k, bound in enumerate(OPEN_COUNT_BOUNDS):
        if count <= bound:
            return k
    return len(OPEN_COUNT_BOUNDS) - 1


def open_count_labels() -> tuple[str, ...]:
    """What each class holds, for legends: ``0``, ``1``, ``2–3``, ``4–6``, ``7+``."""
    labels, low = [], 0
    for bound in OPEN_COUNT_BOUNDS:
        if bound == float("inf"):
            labels.append(f"{low}+")
        else:
            labels.append(str(int(bound)) if low == bound else f"{low}–{int(bound)}")
            low = int(bound) + 1
    return tuple(labels)
