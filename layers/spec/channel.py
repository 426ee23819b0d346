"""A visual channel as plain data: :class:`Channel` says which field drives a fill, stroke,
size or weight and through which scale (domain → range; colours as CSS hex strings, sizes
in CSS pixels), validates itself on construction and round-trips through JSON.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from gridmap.layers.spec.base import SCALES, LayerSpecError, Scale, _check_keys, _is_number, _set


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
