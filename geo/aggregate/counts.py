"""Incident counts per area: :func:`count_by_area` gives one row per area code (grid,
community or street) with int64 counts per value of a column (e.g. status or category),
the open backlog and the total, over an optional half-open ``reported_at`` window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from gridmap.geo.aggregate.common import (
    OPEN_STATES,
    Level,
    _area_codes,
    _bincount,
    _counts_by_value,
    _level_column,
    _lost_counts,
)
from gridmap.geo.aggregate.times import Window, _window_mask


def count_by_area(
    incidents: pd.DataFrame,
    *,
    level: Level = "grid",
    by: Sequence[str] = ("status",),
    window: Window | None = None,
    open_states: Sequence[str] | None = OPEN_STATES,
    areas: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Incidents per area, wide: one column per value of ``by``, plus ``open`` and ``total``.

    Parameters
    ----------
    incidents
        Incident table with the area code column of ``level``, ``reported_at`` (when a window
        is given), ``status`` (when ``open_states`` is given) and the ``by`` column.
    level
        ``"grid"``, ``"community"`` or ``"street"``: groups by ``grid_code``,
        ``community_code`` or ``street_code``.
    by
        ``()`` for totals only, or one column name, typically ``("status",)`` or
        ``("category",)``; each distinct value in the table becomes a column (sorted; a
        value absent from the window gets zeros). Rows whose ``by`` value is missing count
        in ``total`` only.
    window
        ``(start, end)``: only incidents with ``start <= reported_at < end``. ``None``: all.
    open_states
        States counted in the ``open`` column; ``None`` leaves the column out.
    areas
        Codes to report, in this order (areas without incidents get zeros). Default: every
        code present, sorted.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code (named after the code column; every code in the table, in or
        out of the window), int64 counts. ``attrs`` holds
        ``unassigned`` (incidents in the window with no area code) and ``unmatched`` (with a
        code not in ``areas``); neither is in any row.
    """
    by = tuple(by)
    if len(by) > 1:
        raise ValueError(f"by takes at most one column, got {by!r}")
    column = _level_column(level)
    codes, index = _area_codes(incidents[column], areas)
    in_window = _window_mask(incidents, "reported_at", window)
    keep = in_window & (codes >= 0)
    n = len(index)
    parts: dict[str, np.ndarray] = {}
    if by:
        parts.update(_counts_by_value(codes, keep, incidents[by[0]], n))
    if open_states is not None:
        is_open = incidents["status"].isin(list(open_states)).to_numpy(dtype=bool)
        parts["open"] = _bincount(codes, keep & is_open, n)
    parts["total"] = _bincount(codes, keep, n)
    out = pd.DataFrame(parts, index=index)
    out.columns.name = by[0] if by else None
    out.attrs.update(_lost_counts(incidents[column], codes, in_window))
    return out
