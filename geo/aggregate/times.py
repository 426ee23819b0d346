"""Time values for the figures: the accepted time-like types and ``(start, end)`` windows
(half-open, ``None`` for an open bound), the window mask of a column, and the conversion of
timezone-aware columns and bounds to comparable ``datetime64[ns]`` UTC instants (a naive
value is read in the time zone of the column it is compared with). Durations derived from
these are in hours (``_HOUR``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TimeLike = pd.Timestamp | dt.datetime | np.datetime64 | str
Window = tuple[TimeLike | None, TimeLike | None]

_HOUR = np.timedelta64(3_600_000_000_000, "ns")
_NS = "datetime64[ns]"


def _window_mask(incidents: pd.DataFrame, column: str, window: Window | None) -> np.ndarray:
    """``start <= incidents[column] < end`` (None bounds open); all True without a window."""
    if window is None:
        return np.ones(len(incidents), dtype=bool)
    times = incidents[column]
    t = _utc_ns(times)
    start, end = window
    mask = ~np.isnat(t)
    if start is not None:
        mask &= t >= _instant(start, times)
    if end is not None:
        mask &= t < _instant(end, times)
    return mask


def _utc_ns(times: pd.Series | pd.Index) -> np.ndarray:
    """A datetime column as ``datetime64[ns]`` (UTC wall time if tz-aware), NaT kept."""
    index = pd.DatetimeIndex(times)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return index.as_unit("ns").to_numpy()


def _timestamp(value: TimeLike, like: pd.Series) -> pd.Timestamp:
    """``value`` as a Timestamp in the time zone of ``like`` (a naive value is local)."""
    ts = pd.Timestamp(value)
    tz = getattr(like.dtype, "tz", None)
    if tz is None:
        return ts.tz_localize(None) if ts.tz is not None else ts
    return ts.tz_localize(tz) if ts.tz is None else ts.tz_convert(tz)


def _instant(value: TimeLike, like: pd.Series) -> np.datetime64:
    """``value`` comparable with :func:`_utc_ns` of ``like``."""
    ts = _timestamp(value, like)
    if ts.tz is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return np.datetime64(ts.as_unit("ns").asm8, "ns")
