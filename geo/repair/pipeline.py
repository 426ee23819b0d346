"""The repair pipeline: :func:`repair_polygons` checks its input (lon/lat in a geographic
CRS), runs the repair steps of :mod:`gridmap.geo.repair.steps` in order, measures areas
before and after in the metric CRS (m², default EPSG:4544), and turns the working state into
the repaired GeoDataFrame (input CRS, EPSG:4326 when it had none), the rejected rows and the
per-feature :class:`~gridmap.geo.repair.report.RepairRecord` list.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gridmap.geo.repair.measure import _area_change, _area_m2, _drawn_area_m2, _metric_transform
from gridmap.geo.repair.report import (
    NORMALISATIONS,
    REJECT_REASON_COLUMN,
    RepairRecord,
    RepairReport,
    Status,
)
from gridmap.geo.repair.steps import (
    _drop_slivers,
    _make_valid,
    _note_orientation,
    _orient,
    _reject_still_invalid,
    _reject_unusable,
    _remove_repeated_points,
    _remove_spikes,
    _unwrap_collections,
    _warn_area,
    _Work,
)


def repair_polygons(
    gdf: gpd.GeoDataFrame,
    *,
    id_column: str,
    metric_crs: str = "EPSG:4544",
    area_tolerance: float = 0.05,
    min_part_area_m2: float = 1.0,
) -> tuple[gpd.GeoDataFrame, RepairReport]:
    """Make every boundary a valid, RFC 7946-oriented Polygon/MultiPolygon or reject it.

    Steps, each vectorised over all features unless noted:

    1. reject null and empty geometries, non-polygonal types (points, lines) and
       NaN/infinite coordinates;
    2. take the polygons out of a GeometryCollection (dropping and counting its lines
       and points);
    3. remove repeated consecutive points;
    4. remove spikes, i.e. vertices where the ring turns back on itself
       (per ring, only for features still invalid);
    5. note clockwise exterior rings / counter-clockwise holes of valid features;
    6. repair what is still invalid with ``shapely.make_valid(method="structure")``,
       keep only its polygonal parts and count the lines and points it left;
    7. drop parts smaller than ``min_part_area_m2`` of multi-part features (never the
       largest part, so no feature is rejected for being small);
    8. orient all polygons (exterior counter-clockwise, holes clockwise);
    9. compare areas before and after in ``metric_crs`` and flag big changes.

    A feature is ``"ok"`` when none of this changed it (its geometry is returned as
    given), ``"repaired"`` when something did, ``"rejected"`` when nothing usable is
    left. Coordinates are never moved, snapped or simplified except by the steps above.

    Parameters
    ----------
    gdf
        Boundaries in geographic lon/lat (EPSG:4326 or another geographic CRS such as
        CGCS2000 EPSG:4490). A GeoDataFrame without a CRS is taken as EPSG:4326.
    id_column
        Column with the feature ids used in the report (duplicates are allowed here;
        see :func:`gridmap.geo.validate.find_duplicate_ids`).
    metric_crs
        Projected CRS used for all areas (metres). Default CGCS2000 / 3-degree
        Gauss-Kruger CM 105E, right for Chengdu.
    area_tolerance
        A repair changing the area by more than this fraction (default 5 %) is
        flagged: ``area_flagged`` and a ``"warning: ..."`` action. Status stays
        ``"repaired"``.
    min_part_area_m2
        Sliver threshold in m² for extra parts of multi-part results. ``0`` keeps all.

    Returns
    -------
    repaired : GeoDataFrame
        The kept features, all columns and the original index order, geometry
        repaired, in the input CRS (EPSG:4326 when the input had none).
    report : RepairReport
        One record per input feature; rejected rows are in ``report.rejected``.

    Notes
    -----
    *Area before* is the **drawn area** of the input rings: each ring is split at its
    self-intersections into simple loops whose absolute shoelace areas are summed
    (formally the integral of the absolute winding number); holes are subtracted
    from their polygon, parts of a multipolygon are added, and the result is clipped
    at zero. For a valid polygon this is its ordinary area. For a bow-tie it is the
    area of both triangles (the plain shoelace formula gives ~0 because the two lobes
    cancel), so fixing a bow-tie is not flagged; a ring that loops over itself counts
    the doubly covered part twice and overlapping multipolygon parts count their
    overlap twice, so unioning them is flagged when the overlap is large.

    Raises
    ------
    TypeError
        If ``gdf`` is not a GeoDataFrame.
    KeyError
        If ``id_column`` is missing.
    ValueError
        If the CRS is projected or a threshold is negative.
    """
    src_crs = _check_input(gdf, id_column, area_tolerance, min_part_area_m2)
    to_metric = _metric_transform(src_crs, metric_crs)
    original = np.asarray(gdf.geometry.array, dtype=object)
    work = _Work.start(original)

    _reject_unusable(work)
    _unwrap_collections(work)
    area_before = _drawn_area_m2(work.geoms, work.alive, to_metric)
    _remove_repeated_points(work)
    _remove_spikes(work)
    _note_orientation(work)
    _make_valid(work)
    _reject_still_invalid(work)
    _drop_slivers(work, to_metric, min_part_area_m2)
    _orient(work)
    area_after = _area_m2(work.geoms, work.alive, to_metric)
    change, flagged = _area_change(area_before, area_after, work.alive, area_tolerance)
    _warn_area(work, change, flagged, area_tolerance)

    records = _build_records(gdf, id_column, original, work, area_before, area_after, change)
    repaired, rejected = _split_frame(gdf, work, src_crs)
    report = RepairReport(
        records=records,
        rejected=rejected,
        metric_crs=metric_crs,
        area_tolerance=area_tolerance,
        min_part_area_m2=min_part_area_m2,
    )
    return repaired, report


def _check_input(
    gdf: gpd.GeoDataFrame, id_column: str, area_tolerance: float, min_part_area_m2: float
) -> pyproj.CRS:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"expected a GeoDataFrame, got {type(gdf).__name__}")
    if id_column not in gdf.columns:
        raise KeyError(f"id column {id_column!r} not in {list(gdf.columns)}")
    if area_tolerance < 0 or min_part_area_m2 < 0:
        raise ValueError("area_tolerance and min_part_area_m2 must be >= 0")
    crs = pyproj.CRS.from_user_input(gdf.crs or "EPSG:4326")
    if not crs.is_geographic:
        raise ValueError(
            f"repair_polygons expects lon/lat coordinates, got projected CRS {crs.to_string()}"
        )
    return crs


def _build_records(
    gdf: gpd.GeoDataFrame,
    id_column: str,
    original: np.ndarray,
    work: _Work,
    area_before: np.ndarray,
    area_after: np.ndarray,
    change: np.ndarray,
) -> list[RepairRecord]:
    validity = np.full(len(original), None, dtype=object)
    present = ~shapely.is_missing(original)
    validity[present] = shapely.is_valid_reason(original[present])
    records = []
    for i, (label, feature_id) in enumerate(zip(gdf.index, gdf[id_column], strict=True)):
        kinds = tuple(kind for kind, _ in work.actions[i])
        repaired = any(kind not in NORMALISATIONS for kind in kinds)
        status: Status = "rejected" if work.reasons[i] else ("repaired" if repaired else "ok")
        records.append(
            RepairRecord(
                index=label,
                id=feature_id,
                status=status,
                actions=tuple(text for _, text in work.actions[i]),
                action_kinds=kinds,
                reason=work.reasons[i],
                input_type=None if original[i] is None else original[i].geom_type,
                output_type=None if work.geoms[i] is None else work.geoms[i].geom_type,
                validity=validity[i],
                area_before_m2=_float_or_none(area_before[i]),
                area_after_m2=_float_or_none(area_after[i]),
                area_change=_float_or_none(change[i]),
                area_flagged="area_warning" in kinds,
            )
        )
    return records


def _split_frame(
    gdf: gpd.GeoDataFrame, work: _Work, crs: pyproj.CRS
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Kept rows with repaired geometry, and rejected rows untouched plus a reason."""
    alive = work.alive
    out_crs = gdf.crs or crs
    geometry_name = gdf.geometry.name
    repaired = gdf.iloc[np.flatnonzero(alive)].copy()
    repaired[geometry_name] = gpd.GeoSeries(work.geoms[alive], index=repaired.index, crs=out_crs)
    repaired = repaired.set_crs(out_crs, allow_override=True)
    rejected = gdf.iloc[np.flatnonzero(~alive)].copy()
    rejected[REJECT_REASON_COLUMN] = pd.Series(
        work.reasons[~alive], index=rejected.index, dtype=object
    )
    if rejected.crs is None:
        rejected = rejected.set_crs(out_crs)
    return repaired, rejected


def _float_or_none(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)
