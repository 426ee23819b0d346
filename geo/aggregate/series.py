"""Incidents over time: :func:`time_series` counts them per time bucket of a pandas frequency
(buckets in the data's local time zone, empty ones included) and
:func:`typical_day_profile` sets today's counts per local hour of day against the mean of
the previous days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from gridmap.geo.aggregate.common import _bincount, _counts_by_value
from gridmap.geo.aggregate.times import TimeLike, Window, _instant, _timestamp, _utc_ns


def time_series(
    incidents: pd.DataFrame,
    *,
    window: Window | None,
    freq: str = "h",
    by: str | None = None,
    on: str = "reported_at",
) -> pd.DataFrame:
    """Incidents per time bucket (e.g. reports per hour today), empty buckets included.

    Parameters
    ----------
    incidents
        Incident table with the time column ``on`` (and ``by`` if given).
    window
        ``(start, end)``, half-open, on column ``on``. A ``None`` bound takes the earliest or
        just after the latest time in the data.
    freq
        pandas frequency of the buckets: ``"h"``, ``"15min"``, ``"D"`` (local midnight),
        ``"W"``, ``"MS"``... Buckets start at ``start`` floored to ``freq`` in local time.
    by
        Optional column (e.g. ``"category"``) whose values become columns.
    on
        Time column counted: ``"reported_at"`` (reports) or e.g. ``"closed_at"`` (closures).

    Returns
    -------
    pandas.DataFrame
        Indexed by bucket start (timezone of the data, named ``bucket``). Columns: ``count``
        when ``by`` is None, else one int64 column per value of ``by`` in the table (sorted,
        zeros if absent from the window) plus ``total``. The last bucket may be cut short by
        ``end``.
    """
    times = incidents[on]
    start, end = _series_bounds(times, window)
    starts = _bucket_starts(start, end, freq)
    t = _utc_ns(times)
    in_window = (t >= _instant(start, times)) & (t < _instant(end, times))
    bucket = np.searchsorted(_utc_ns(starts), t, side="right") - 1
    n = len(starts)
    index = pd.DatetimeIndex(starts, name="bucket")
    if by is None:
        return pd.DataFrame({"count": _bincount(bucket, in_window, n)}, index=index)
    parts = _counts_by_value(bucket, in_window & (bucket >= 0), incidents[by], n)
    out = pd.DataFrame({**parts, "total": _bincount(bucket, in_window, n)}, index=index)
    out.columns.name = by
    return out


def typical_day_profile(
    incidents: pd.DataFrame,
    *,
    now: TimeLike,
    days: int = 28,
    on: str = "reported_at",
) -> pd.DataFrame:
    """Today's incidents per hour of day against the mean of the previous ``days`` days.

    The usual day is taken over the ``days`` whole local calendar days before the day of
    ``now``: ``[midnight - days, midnight)``. Its count per hour of day is divided by
    ``days`` (days without any incident count as zeros).

    Parameters
    ----------
    incidents
        Incident table with the time column ``on``.
    now
        The present moment; "today" is its local calendar day up to ``now``.
    days
        Number of previous days averaged (>= 1).
    on
        Time column counted (default ``reported_at``).

    Returns
    -------
    pandas.DataFrame
        Index ``hour`` 0–23 (local). ``mean``: mean count per day in that hour over the
        previous days (float). ``today``: count today, from midnight to ``now`` (the hour of
        ``now`` is partial); NaN for hours that have not begun.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    times = incidents[on]
    now_ts = _timestamp(now, times)
    midnight = now_ts.normalize()
    history = _hour_counts(times, (midnight - pd.Timedelta(days=days), midnight))
    today = _hour_counts(times, (midnight, now_ts)).astype(np.float64)
    today[np.arange(24) > now_ts.hour] = np.nan
    return pd.DataFrame(
        {"mean": history / days, "today": today}, index=pd.RangeIndex(24, name="hour")
    )


def _hour_counts(times: pd.Series, window: Window) -> np.ndarray:
    """Counts per local hour of day (length 24) of the times in ``window``."""
    t = _utc_ns(times)
    mask = (t >= _instant(window[0], times)) & (t < _instant(window[1], times))
    hours = times[mask].dt.hour.to_numpy(dtype=np.int64)
    return np.bincount(hours, minlength=24)


def _series_bounds(times: pd.Series, window: Window | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Window bounds as timestamps, ``None`` replaced by the span of the data."""
    start, end = window if window is not None else (None, None)
    if (start is None or end is None) and not times.notna().any():
        raise ValueError("no window given and no times to take one from")
    start_ts = _timestamp(start, times) if start is not None else times.min()
    end_ts = _timestamp(end, times) if end is not None else times.max() + pd.Timedelta(1, "ns")
    return start_ts, end_ts


def _bucket_starts(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Bucket starts from ``start`` floored to ``freq`` (local time) up to before ``end``."""
    try:
        origin = start.floor(freq)
    except ValueError:  # calendar frequencies (week, month): roll back to one on the grid
        origin = to_offset(freq).rollback(start.normalize())
    return pd.date_range(origin, end, freq=freq, inclusive="left")
