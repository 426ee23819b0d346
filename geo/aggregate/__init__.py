"""The figures a grid is judged by: counts, backlog, closure and on-time rates, series, H3 bins.

Every function works on whole columns (``pandas.factorize`` once, then ``numpy.bincount`` for
each figure), never on one incident at a time, so a table of ten million incidents takes
seconds. Nothing here knows the workflow or SLA tables of :mod:`gridmap.feed`: states and
shares are plain parameters whose defaults mirror ``gridmap.domain.workflow`` and
``gridmap.domain.sla``.

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

The package, one job a module: :mod:`~gridmap.geo.aggregate.counts` (:func:`count_by_area`),
:mod:`~gridmap.geo.aggregate.figures` (:func:`area_figures`),
:mod:`~gridmap.geo.aggregate.on_time` (:func:`on_time_by_incident`),
:mod:`~gridmap.geo.aggregate.series` (:func:`time_series`, :func:`typical_day_profile`),
:mod:`~gridmap.geo.aggregate.hexbins` (:func:`h3_bins`, :func:`h3_bins_multi`,
:func:`h3_cell_polygons`), on top of :mod:`~gridmap.geo.aggregate.common` (area levels,
states and the column-wise counting steps) and :mod:`~gridmap.geo.aggregate.times` (time
values, windows and their conversion to comparable instants).
"""

from __future__ import annotations

from gridmap.geo.aggregate.common import (
    CLOSED_STATES,
    LEVEL_COLUMNS,
    NEAR_DUE_SHARE,
    OPEN_STATES,
    VOID_STATES,
)
from gridmap.geo.aggregate.common import Level as Level
from gridmap.geo.aggregate.counts import count_by_area
from gridmap.geo.aggregate.figures import area_figures
from gridmap.geo.aggregate.hexbins import h3_bins, h3_bins_multi, h3_cell_polygons
from gridmap.geo.aggregate.on_time import on_time_by_incident
from gridmap.geo.aggregate.series import time_series, typical_day_profile
from gridmap.geo.aggregate.times import TimeLike as TimeLike
from gridmap.geo.aggregate.times import Window as Window

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
