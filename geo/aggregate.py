"""The figures a grid is judged by: counts, backlog, closure and on-time rates, series, H3 bins.

Every function works on whole columns (``pandas.factorize`` once, then ``numpy.bincount`` for
each figure), never on one incident at a time, so a table of ten million incidents takes
seconds. Nothing here knows the workflow or SLA tables of :mod:`gridmap.feed`: states and
shares are plain parameters whose defaults mirror ``gridmap.feed.workflow`` and
``gridmap.feed.sla``.

Conventions
-----------
* Coordinates are WGS84 longitude/latitude in degrees (EPSG:4326); polygons have lon in x.
* Times are timezone-aware :class:`pandas.Timestamp` (the demo data uses Asia/Shanghai).
  A naive ``now`` or window bound is read in the time zone of the column it is compared with.
* A window ``(start, end)`` is half-open, ``start <= t < end``; either bound may be ``None``
  (unbounded) and ``window=None`` means all time.
* Counts are integers, durations are hours (float), rates are shares in 0–1, NaN where the
  denominator is 0.
* Incidents with no area code (not yet assigned to a grid) are never silently lost: the
  number left out is in ``result.attrs["unassigned"]`` (and ``attrs["unmatched"]`` counts
  codes absent from an explicit ``areas`` list). H3 binning reports skipped points in
  ``result.attrs["skipped"]``.

The incident table has (at least, depending on the function) ``incident_id``, ``category``,
``status``, ``reported_at``, ``stage_entered_at``, ``deadline``, ``closed_at``, ``lon``,
``lat`` and the area codes ``grid_code`` (15 digits), ``community_code`` (12) and
``street_code`` (9). The event log has ``incident_id``, ``at``, ``deadline`` and optionally
``seq``, ``from_state``, ``to_state``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from h3.api import basic_int as h3_int
from pandas.tseries.frequencies import to_offset

__all__ = [
    "CLOSED_STATES",
    "LEVEL_COLUMNS",
    "NEAR_DUE_SHARE",
    "OPEN_STATES",
    "VOID_STATES",
    "area_figures",
    "count_by_area",
    "h3_bins",
    "h3_bins_multi",
    "h3_cell_polygons",
    "on_time_by_incident",
    "time_series",
    "typical_day_profile",
]

#: Area level → the incident column holding its code.
LEVEL_COLUMNS: dict[str, str] = {
    "grid": "grid_code",
    "community": "community_code",
    "street": "street_code",
}
#: States in which an incident still needs work (mirrors ``gridmap.feed.workflow``).
OPEN_STATES: tuple[str, ...] = (
    "reported",
    "accepted",
    "dispatched",
    "in_progress",
    "handled",
    "verified",
)
#: States in which an incident needs no more work.
CLOSED_STATES: tuple[str, ...] = ("closed", "void")
#: Closed states that are not a closure (作废): left out of closure and on-time rates.
VOID_STATES: tuple[str, ...] = ("void",)
#: Share of a stage's time left under which an open incident is near-due (临期).
NEAR_DUE_SHARE = 0.2

Level = Literal["grid", "community", "street"]
TimeLike = pd.Timestamp | dt.datetime | np.datetime64 | str
Window = tuple[TimeLike | None, TimeLike | None]

_HOUR = np.timedelta64(3_600_000_000_000, "ns")
_NS = "datetime64[ns]"


# --------------------------------------------------------------------------------------------
# counts by area
# --------------------------------------------------------------------------------------------


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


def _counts_by_value(
    codes: np.ndarray, keep: np.ndarray, values: pd.Series, n: int
) -> dict[str, np.ndarray]:
    """``{value: counts per area}`` for each distinct non-missing value, in sorted order."""
    value_codes, uniques = pd.factorize(values, sort=True)
    keep = keep & (value_codes >= 0)
    k = len(uniques)
    flat = np.bincount(codes[keep] * k + value_codes[keep], minlength=n * k)
    table = flat.reshape(n, k).astype(np.int64)
    return {value: table[:, j] for j, value in enumerate(uniques)}


# --------------------------------------------------------------------------------------------
# the figures of an area
# --------------------------------------------------------------------------------------------


def area_figures(
    incidents: pd.DataFrame,
    *,
    level: Level = "grid",
    now: TimeLike,
    closed_states: Sequence[str] = CLOSED_STATES,
    void_states: Sequence[str] = VOID_STATES,
    window: Window | None = None,
    events: pd.DataFrame | None = None,
    near_due_share: float = NEAR_DUE_SHARE,
    areas: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The figures an area is judged by, one row per area code.

    Two kinds of figure sit side by side. The *backlog* (``open``, ``overdue``, ``near_due``)
    is a snapshot at ``now`` over **all** incidents in the table, whenever reported. The
    *outcome* figures follow the **cohort** of incidents reported in ``window``:

    ``reported``
        Incidents with ``start <= reported_at < end`` (void ones included).
    ``void``
        Of those, how many are in a ``void_states`` state (作废).
    ``closed``
        Of those, how many are closed: status in ``closed_states`` and not in
        ``void_states``.
    ``open``
        Incidents whose status is not in ``closed_states``, at ``now``.
    ``overdue`` (超期)
        Open incidents with ``deadline < now`` (a deadline equal to ``now`` is not overdue).
    ``near_due`` (临期)
        Open incidents not overdue with less than ``near_due_share`` of the stage's time
        left: ``deadline - now < near_due_share * (deadline - stage_entered_at)``.
        Incidents without a deadline (NaT) are neither overdue nor near-due.
    ``on_time``
        Of the ``closed`` incidents that have events in ``events``, how many were handled on
        time at every stage (see :func:`on_time_by_incident`). NaN when ``events`` is None.
    ``closure_rate`` (结案率)
        ``closed / (reported - void)``: void incidents are left out of both.
    ``on_time_rate`` (按期处置率)
        ``on_time`` / (``closed`` incidents that have events). NaN when ``events`` is None.
    ``mean_hours_to_close``
        Mean of ``closed_at - reported_at`` in hours over the ``closed`` incidents.

    Rates and means are NaN where their denominator is 0.

    Parameters
    ----------
    incidents
        Incident table: area code column of ``level``, ``incident_id`` (with ``events``),
        ``status``, ``reported_at``, ``stage_entered_at``, ``deadline``, ``closed_at``.
        ``status`` and the stage columns are taken as the state at ``now``.
    level
        ``"grid"``, ``"community"`` or ``"street"``.
    now
        The moment the backlog is judged at (a naive value is read in the data's time zone).
    closed_states, void_states
        States that need no more work, and those of them that are not closures.
    window
        ``(start, end)`` on ``reported_at``, half-open; ``None``: the whole table.
    events
        Optional event log (``incident_id``, ``at``, ``deadline``, optional ``seq``,
        ``from_state``, ``to_state``) for the on-time figures.
    near_due_share
        Share of the stage time below which an open incident is near-due (0–1).
    areas
        Codes to report, in this order (areas without incidents get zero counts and NaN
        rates). Default: every code present, sorted.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code. Counts are int64 except ``on_time`` (float64, NaN without
        events); rates are 0–1; ``mean_hours_to_close`` is in hours. ``attrs`` holds
        ``unassigned`` and ``unmatched`` (incidents left out for want of a usable area code).
    """
    column = _level_column(level)
    codes, index = _area_codes(incidents[column], areas)
    n = len(index)
    status = incidents["status"]
    closed_now = status.isin(list(closed_states)).to_numpy(dtype=bool)
    void = status.isin(list(void_states)).to_numpy(dtype=bool)
    cohort = _window_mask(incidents, "reported_at", window)
    closed = cohort & closed_now & ~void
    overdue, near_due = _backlog_masks(incidents, ~closed_now, now, near_due_share)

    reported_n = _bincount(codes, cohort, n)
    void_n = _bincount(codes, cohort & void, n)
    closed_n = _bincount(codes, closed, n)
    out = pd.DataFrame(
        {
            "reported": reported_n,
            "void": void_n,
            "closed": closed_n,
            "open": _bincount(codes, ~closed_now, n),
            "overdue": _bincount(codes, overdue, n),
            "near_due": _bincount(codes, near_due, n),
        },
        index=index,
    )
    on_time_n, judged_n = _on_time_counts(incidents, codes, closed, n, events)
    out["on_time"] = on_time_n
    out["closure_rate"] = _rate(closed_n, reported_n - void_n)
    out["on_time_rate"] = _rate(on_time_n, judged_n)
    out["mean_hours_to_close"] = _mean_hours_to_close(incidents, codes, closed, n)
    out.attrs.update(_lost_counts(incidents[column], codes, np.ones(len(codes), dtype=bool)))
    return out


def _backlog_masks(
    incidents: pd.DataFrame, is_open: np.ndarray, now: TimeLike, share: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(overdue, near_due)`` masks of open incidents at ``now``."""
    now64 = _instant(now, incidents["deadline"])
    deadline = _utc_ns(incidents["deadline"])
    left = (deadline - now64) / _HOUR  # hours, NaN without a deadline
    total = (deadline - _utc_ns(incidents["stage_entered_at"])) / _HOUR
    overdue = is_open & (left < 0)
    near_due = is_open & (left >= 0) & (left < share * total)
    return overdue, near_due


def _on_time_counts(
    incidents: pd.DataFrame,
    codes: np.ndarray,
    closed: np.ndarray,
    n: int,
    events: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(on_time, judged)`` per area: float NaN counts without events."""
    if events is None:
        nan = np.full(n, np.nan)
        return nan, nan.copy()
    verdict = on_time_by_incident(events)
    # one hash lookup (``Series.isin`` on Arrow strings is ~50x slower than ``get_indexer``)
    position = verdict.index.get_indexer(incidents["incident_id"])
    judged = closed & (position >= 0)
    on_time = judged & np.r_[verdict.to_numpy(dtype=bool), False][position]
    on_time_n = _bincount(codes, on_time, n).astype(np.float64)
    return on_time_n, _bincount(codes, judged, n).astype(np.float64)


def _mean_hours_to_close(
    incidents: pd.DataFrame, codes: np.ndarray, closed: np.ndarray, n: int
) -> np.ndarray:
    """Mean ``closed_at - reported_at`` in hours per area over ``closed`` (NaN if none)."""
    hours = (_utc_ns(incidents["closed_at"]) - _utc_ns(incidents["reported_at"])) / _HOUR
    use = closed & np.isfinite(hours) & (codes >= 0)
    total = np.bincount(codes[use], weights=hours[use], minlength=n)
    return _rate(total, np.bincount(codes[use], minlength=n))


# --------------------------------------------------------------------------------------------
# on time at every stage
# --------------------------------------------------------------------------------------------


def on_time_by_incident(events: pd.DataFrame) -> pd.Series:
    """Whether each incident's handling stayed within every stage deadline (按期).

    Definition: take an incident's events in order (by ``seq`` if present, else by ``at``,
    ties in log order). Each event after the first is judged against the deadline *in force*
    when it happened: the ``deadline`` set by the latest earlier event that sets one. Every
    event sets the deadline (a NaT deadline meaning "none", as after 结案) **except** an event
    that keeps the state (``from_state == to_state``) and carries no deadline, such as 督办
    (escalate): it leaves the earlier deadline in force. (Without ``from_state``/``to_state``
    columns every event sets it.) An event is *late* when ``at > deadline in force``; an event
    exactly at the deadline is on time, and no deadline is never late. An incident is on
    time when none of its events is late. So a stage finished late, a 延期 (extension) asked
    for after the deadline, or a 督办 issued after the deadline all make the incident late.

    Parameters
    ----------
    events
        Event log with ``incident_id``, ``at``, ``deadline`` (timezone-aware, NaT for none)
        and optionally ``seq``, ``from_state``, ``to_state``.

    Returns
    -------
    pandas.Series
        bool, indexed by ``incident_id`` (each incident in the log once, in order of first
        appearance): True when on time.
    """
    ids, uniques = pd.factorize(events["incident_id"])
    order = _event_order(ids, events)
    ids = ids[order]
    at = _utc_ns(events["at"])[order]
    deadline = _utc_ns(events["deadline"])[order]
    first = np.r_[True, ids[1:] != ids[:-1]] if len(ids) else np.zeros(0, dtype=bool)
    keeps_state = _keeps_state(events)[order]
    sets_deadline = first | ~(keeps_state & np.isnat(deadline))
    in_force = _deadline_in_force(deadline, sets_deadline, first)
    late = at > in_force  # NaT compares False: no deadline, never late
    late_incident = np.zeros(len(uniques), dtype=bool)
    late_incident[ids[late]] = True
    return pd.Series(~late_incident, index=pd.Index(uniques, name="incident_id"), name="on_time")


def _event_order(ids: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """Positions that sort events by incident then ``seq`` (or ``at``); stable."""
    key_column = "seq" if "seq" in events.columns else "at"
    key = events[key_column]
    key = _utc_ns(key).view(np.int64) if key_column == "at" else key.to_numpy(dtype=np.int64)
    same = ids[1:] == ids[:-1]
    if np.all(ids[1:] >= ids[:-1]) and np.all(~same | (key[1:] >= key[:-1])):
        return np.arange(len(ids))  # already grouped and in order (as stores write it)
    return np.lexsort((key, ids))


def _keeps_state(events: pd.DataFrame) -> np.ndarray:
    """True for events that leave the state unchanged (False without state columns)."""
    if not {"from_state", "to_state"} <= set(events.columns):
        return np.zeros(len(events), dtype=bool)
    same = events["from_state"] == events["to_state"]  # missing compares False
    return same.to_numpy(dtype=bool, na_value=False)


def _deadline_in_force(
    deadline: np.ndarray, sets_deadline: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """For each event, the deadline set by the latest earlier setter in its incident.

    ``first`` events are always setters, so the running maximum of setter positions never
    reaches back into the previous incident.
    """
    n = len(deadline)
    in_force = np.full(n, np.datetime64("NaT"), dtype=_NS)
    if n == 0:
        return in_force
    setter = np.maximum.accumulate(np.where(sets_deadline, np.arange(n), 0))
    in_force[1:] = deadline[setter[:-1]]
    in_force[first] = np.datetime64("NaT")
    return in_force


# --------------------------------------------------------------------------------------------
# time series
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# H3 bins
# --------------------------------------------------------------------------------------------


def h3_bins(
    lon: np.ndarray | pd.Series,
    lat: np.ndarray | pd.Series,
    *,
    resolution: int,
    weights: np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Points binned into H3 cells of one resolution.

    Parameters
    ----------
    lon, lat
        WGS84 longitude and latitude, degrees (EPSG:4326), same length.
    resolution
        H3 resolution 0–15 (7 ≈ 5 km², 8 ≈ 0.7 km², 9 ≈ 0.1 km² per cell).
    weights
        Optional weight per point, summed per cell into a ``weight`` column.

    Returns
    -------
    pandas.DataFrame
        One row per occupied cell, sorted by cell: ``cell`` (H3 id, hex str), ``count``
        (int64 points), ``weight`` (float64, only with ``weights``), ``lon``/``lat`` (the
        cell centre, WGS84 degrees). ``attrs["skipped"]`` is the number of points left out
        because lon, lat or weight is NaN/infinite or lon/lat is out of range;
        ``count.sum() + attrs["skipped"] == len(lon)``.

    Notes
    -----
    h3 4.5 has no vectorised point-to-cell call (``h3.api.numpy_int`` only changes the type
    of collections), so each *distinct* coordinate pair goes through the scalar C call
    ``h3.api.basic_int.latlng_to_cell`` (integer ids, no string per point); duplicate
    points are found first with one hash (``pandas.factorize``), and ids are turned into
    strings and centres once per occupied cell. The cells are exact, as
    ``h3.latlng_to_cell`` would give.
    """
    return h3_bins_multi(lon, lat, resolutions=(resolution,), weights=weights)[resolution]


def h3_bins_multi(
    lon: np.ndarray | pd.Series,
    lat: np.ndarray | pd.Series,
    resolutions: Sequence[int] = (7, 8, 9),
    *,
    weights: np.ndarray | pd.Series | None = None,
) -> dict[int, pd.DataFrame]:
    """:func:`h3_bins` at several resolutions, sharing the validation and deduplication.

    Each resolution is computed from the points themselves (a point's res-7 cell is not
    always the parent of its res-9 cell), so every table is exact.

    Parameters
    ----------
    lon, lat
        WGS84 longitude and latitude, degrees.
    resolutions
        H3 resolutions 0–15.
    weights
        Optional weight per point.

    Returns
    -------
    dict[int, pandas.DataFrame]
        ``{resolution: table}``, tables as returned by :func:`h3_bins`.
    """
    x, y, w, skipped = _valid_points(lon, lat, weights)
    ux, uy, point_of = _distinct_points(x, y)
    out = {}
    for res in resolutions:
        cells = _cells_of_points(ux, uy, int(res))
        out[int(res)] = _bin_cells(cells, point_of, w, skipped, int(res))
    return out


def h3_cell_polygons(cells: Iterable[str | int]) -> gpd.GeoDataFrame:
    """Hexagon (or pentagon) polygons of H3 cells, for drawing.

    Parameters
    ----------
    cells
        H3 cell ids, hex strings (as in :func:`h3_bins`) or integers.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``cell`` (hex str) and ``resolution``; geometry in EPSG:4326 with
        **longitude in x** and latitude in y (h3 returns lat/lng pairs; they are swapped).
        Cells crossing the antimeridian are not split.
    """
    ids = [c if isinstance(c, str) else h3.int_to_str(int(c)) for c in cells]
    if not ids:
        return gpd.GeoDataFrame(
            {"cell": pd.Series([], dtype="str"), "resolution": np.array([], dtype=np.int64)},
            geometry=gpd.GeoSeries([], crs="EPSG:4326"),
            crs="EPSG:4326",
        )
    rings = [h3.cell_to_boundary(c) for c in ids]  # per cell: a few thousand at most
    sizes = np.fromiter((len(r) for r in rings), dtype=np.int64, count=len(rings))
    latlng = np.array([p for r in rings for p in r], dtype=np.float64).reshape(-1, 2)
    polygons = shapely.polygons(
        shapely.linearrings(latlng[:, ::-1], indices=np.repeat(np.arange(len(ids)), sizes))
    )
    return gpd.GeoDataFrame(
        {
            "cell": pd.Series(ids, dtype="str"),
            "resolution": np.array([h3.get_resolution(c) for c in ids], dtype=np.int64),
        },
        geometry=polygons,
        crs="EPSG:4326",
    )


def _valid_points(
    lon: np.ndarray | pd.Series,
    lat: np.ndarray | pd.Series,
    weights: np.ndarray | pd.Series | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    """The usable points (finite, lon in [-180, 180], lat in [-90, 90]) and how many were not."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"lon and lat differ in shape: {x.shape} vs {y.shape}")
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != x.shape:
            raise ValueError(f"weights have shape {w.shape}, points {x.shape}")
        ok &= np.isfinite(w)
        w = w[ok]
    return x[ok], y[ok], w, int(ok.size - ok.sum())


def _distinct_points(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(x, y)`` pairs and, per point, the position of its pair.

    The two float64 bit patterns are mixed into one uint64 key, which hashes about twice as
    fast as a pair; the grouping is then checked exactly, and a (rare) key collision falls
    back to hashing the pairs themselves.
    """
    x = np.ascontiguousarray(x)
    y = np.ascontiguousarray(y)
    key = (x.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ y.view(np.uint64)
    point_of, _ = pd.factorize(key)
    first = np.empty(point_of.max(initial=-1) + 1, dtype=np.int64)
    first[point_of[::-1]] = np.arange(len(point_of) - 1, -1, -1)  # first point of each key
    ux, uy = x[first], y[first]
    if np.array_equal(ux[point_of], x) and np.array_equal(uy[point_of], y):
        return ux, uy, point_of
    point_of, pairs = pd.factorize(x + 1j * y)
    return pairs.real.copy(), pairs.imag.copy(), point_of


def _cells_of_points(x: np.ndarray, y: np.ndarray, res: int) -> np.ndarray:
    """uint64 H3 cell of each point (scalar C call per point; see :func:`h3_bins`)."""
    cell = h3_int.latlng_to_cell
    return np.fromiter(
        map(cell, y.tolist(), x.tolist(), [res] * len(x)), dtype=np.uint64, count=len(x)
    )


def _bin_cells(
    cells: np.ndarray, point_of: np.ndarray, w: np.ndarray | None, skipped: int, res: int
) -> pd.DataFrame:
    """Counts (and weights) per cell, with the cell ids as strings and their centres."""
    uniques, cell_of_pair = np.unique(cells, return_inverse=True)
    cell_of_point = cell_of_pair[point_of]
    ids = [h3_int.int_to_str(int(c)) for c in uniques.tolist()]
    centres = np.array([h3_int.cell_to_latlng(int(c)) for c in uniques.tolist()]).reshape(-1, 2)
    data: dict[str, object] = {
        "cell": pd.Series(ids, dtype="str"),
        "count": np.bincount(cell_of_point, minlength=len(uniques)).astype(np.int64),
    }
    if w is not None:
        data["weight"] = np.bincount(cell_of_point, weights=w, minlength=len(uniques))
    data["lon"] = centres[:, 1]
    data["lat"] = centres[:, 0]
    out = pd.DataFrame(data)
    out.attrs.update(skipped=skipped, resolution=res)
    return out


# --------------------------------------------------------------------------------------------
# shared small steps
# --------------------------------------------------------------------------------------------


def _level_column(level: str) -> str:
    """The code column of an area level."""
    try:
        return LEVEL_COLUMNS[level]
    except KeyError:
        raise ValueError(f"unknown level {level!r}; known: {list(LEVEL_COLUMNS)}") from None


def _area_codes(codes: pd.Series, areas: Iterable[str] | None) -> tuple[np.ndarray, pd.Index]:
    """Integer area position per incident (-1: no code, or a code not in ``areas``)."""
    if areas is None:
        positions, uniques = pd.factorize(codes, sort=True)
        index = pd.Index(uniques, name=codes.name)
    else:
        index = pd.Index(list(areas), name=codes.name)
        if not index.is_unique:
            raise ValueError("areas has duplicate codes")
        positions = index.get_indexer(codes)
    return np.asarray(positions, dtype=np.int64), index


def _lost_counts(codes: pd.Series, positions: np.ndarray, among: np.ndarray) -> dict[str, int]:
    """``unassigned`` (no code) and ``unmatched`` (code not in the areas) among ``among``."""
    missing = codes.isna().to_numpy(dtype=bool)
    return {
        "unassigned": int((among & missing).sum()),
        "unmatched": int((among & ~missing & (positions < 0)).sum()),
    }


def _bincount(positions: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """int64 count per position ``0..n-1`` of the masked rows (negative positions dropped)."""
    use = mask & (positions >= 0)
    return np.bincount(positions[use], minlength=n).astype(np.int64)


def _rate(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` as float, NaN where the denominator is 0 (or NaN)."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


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
