"""Repair messy boundary polygons (网格, 社区, 街道) before anything else uses them.

Boundary files from district, street and community offices are rarely clean:
self-intersecting rings (bow-ties), clockwise exterior rings, repeated points, spikes
(zero-width excursions), collapsed slivers, coordinates rounded to 1/1024 degree,
geometry collections, null and empty geometries. :func:`repair_polygons` turns every
feature into a valid ``Polygon`` / ``MultiPolygon`` oriented per RFC 7946 (exterior
rings counter-clockwise, holes clockwise) or rejects it with a reason, and writes down
what it did to each feature in a :class:`RepairReport`. Nothing disappears silently.

Coordinates stay in the input's geographic CRS (WGS84 / CGCS2000 lon/lat, degrees);
every area is measured in a metric CRS (default ``EPSG:4544``, CGCS2000 / 3-degree
Gauss-Kruger CM 105E) and reported in square metres.

Repairs use :func:`shapely.make_valid` with ``method="structure"``: exterior rings add
area and holes remove it, so a bow-tie keeps both triangles, a ring that loops over
itself keeps the whole covered footprint (``"linework"`` applies an even-odd rule and
punches the doubly covered part out as a hole), overlapping parts of a multipolygon
are unioned (``"linework"`` cuts their overlap out) and a hole that touches its shell
along a line stays a hole. ``keep_collapsed=True`` keeps parts that collapsed to lines
or points so they can be counted in the report before they are dropped.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.errors import GEOSException

__all__ = ["RepairRecord", "RepairReport", "repair_polygons"]

Status = Literal["ok", "repaired", "rejected"]

#: Action kinds that only normalise a valid feature (a Shapefile stores outer rings clockwise by
#: its spec): listed in the record's actions, but the feature's status stays ``"ok"``.
NORMALISATIONS = frozenset({"reoriented_exterior", "reoriented_holes"})

#: Column added to :attr:`RepairReport.rejected` with the reason of each rejection.
REJECT_REASON_COLUMN = "reject_reason"

# shapely.get_type_id codes
_POINT, _LINESTRING, _LINEARRING, _POLYGON = 0, 1, 2, 3
_MULTIPOINT, _MULTILINESTRING, _MULTIPOLYGON, _COLLECTION = 4, 5, 6, 7
_POLYGONAL_TYPES = (_POLYGON, _MULTIPOLYGON)
_COMPOUND_TYPES = (_MULTIPOINT, _MULTILINESTRING, _MULTIPOLYGON, _COLLECTION)

#: Two segments are collinear when |cross| <= eps * |a| * |b| (sine of the angle).
_COLLINEAR_EPS = 1e-12


# --------------------------------------------------------------------------- report


@dataclasses.dataclass(frozen=True)
class RepairRecord:
    """What :func:`repair_polygons` did to one input feature.

    Attributes
    ----------
    index
        The feature's label in the input GeoDataFrame's index.
    id
        The feature's value in the id column.
    status
        ``"ok"`` (untouched), ``"repaired"`` (changed, kept) or ``"rejected"`` (dropped,
        see :attr:`reason`; the row is in :attr:`RepairReport.rejected`).
    actions
        What was done, in plain words, e.g. ``"fixed self-intersection"``.
    action_kinds
        A stable key for each entry of :attr:`actions` (same order), for counting.
    reason
        Why the feature was rejected, ``None`` when it was kept.
    input_type, output_type
        Geometry type before and after (``None`` for a null geometry / a rejection).
    validity
        :func:`shapely.is_valid_reason` of the input geometry (``None`` when null).
    area_before_m2
        Drawn area of the input in m² (see :func:`repair_polygons`), ``None`` when the
        input is not polygonal.
    area_after_m2
        Area of the output in m², ``None`` when rejected.
    area_change
        Relative change ``(after - before) / before``; ``None`` when it is undefined.
    area_flagged
        ``True`` when the area changed by more than the tolerance: look at this one.
    """

    index: Any
    id: Any
    status: Status
    actions: tuple[str, ...] = ()
    action_kinds: tuple[str, ...] = ()
    reason: str | None = None
    input_type: str | None = None
    output_type: str | None = None
    validity: str | None = None
    area_before_m2: float | None = None
    area_after_m2: float | None = None
    area_change: float | None = None
    area_flagged: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (lists instead of tuples, ``None`` instead of NaN)."""
        out = dataclasses.asdict(self)
        out["index"] = _json_scalar(self.index)
        out["id"] = _json_scalar(self.id)
        out["actions"] = list(self.actions)
        out["action_kinds"] = list(self.action_kinds)
        return out


@dataclasses.dataclass
class RepairReport:
    """Per-feature account of a :func:`repair_polygons` run.

    Attributes
    ----------
    records
        One :class:`RepairRecord` per input feature, in input order.
    rejected
        The rejected input rows, untouched (original geometry, all attributes), plus a
        ``reject_reason`` column. Not part of :meth:`to_dict`.
    metric_crs
        CRS the areas were measured in.
    area_tolerance
        Relative area change above which a repair is flagged.
    min_part_area_m2
        Parts of a multi-part feature smaller than this were dropped as slivers.
    """

    records: list[RepairRecord]
    rejected: gpd.GeoDataFrame = dataclasses.field(repr=False, compare=False)
    metric_crs: str = "EPSG:4544"
    area_tolerance: float = 0.05
    min_part_area_m2: float = 1.0

    def summary(self) -> dict[str, Any]:
        """Counts: loaded, ok, repaired, rejected, area_flagged, per action kind, per reason.

        ``actions`` counts features per action kind (a feature counts once per kind);
        ``reasons`` counts rejected features per reason.
        """
        statuses = Counter(r.status for r in self.records)
        kinds: Counter[str] = Counter()
        for record in self.records:
            kinds.update(set(record.action_kinds))
        return {
            "loaded": len(self.records),
            "ok": statuses["ok"],
            "repaired": statuses["repaired"],
            "rejected": statuses["rejected"],
            "area_flagged": sum(r.area_flagged for r in self.records),
            "actions": dict(sorted(kinds.items())),
            "reasons": dict(sorted(Counter(r.reason for r in self.records if r.reason).items())),
        }

    def rejected_ids(self) -> list[Any]:
        """Ids of the rejected features, in input order."""
        return [r.id for r in self.records if r.status == "rejected"]

    def flagged(self) -> list[RepairRecord]:
        """Records whose area changed by more than :attr:`area_tolerance`."""
        return [r for r in self.records if r.area_flagged]

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable report: settings, :meth:`summary` and every record."""
        return {
            "metric_crs": self.metric_crs,
            "area_tolerance": self.area_tolerance,
            "min_part_area_m2": self.min_part_area_m2,
            "summary": self.summary(),
            "records": [r.to_dict() for r in self.records],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text (UTF-8 characters kept, e.g. Chinese names)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


# ---------------------------------------------------------------------- public API


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


# ------------------------------------------------------------------- working state


@dataclasses.dataclass
class _Work:
    """Mutable per-feature state threaded through the repair steps."""

    geoms: np.ndarray
    reasons: np.ndarray
    actions: list[list[tuple[str, str]]]

    @classmethod
    def start(cls, geoms: np.ndarray) -> _Work:
        n = len(geoms)
        return cls(geoms.copy(), np.full(n, None, dtype=object), [[] for _ in range(n)])

    @property
    def alive(self) -> np.ndarray:
        """Boolean mask of features not rejected (yet)."""
        return np.array([r is None for r in self.reasons], dtype=bool)

    def add(self, i: int, kind: str, text: str) -> None:
        self.actions[i].append((kind, text))

    def reject(self, i: int, reason: str) -> None:
        self.reasons[i] = reason
        self.geoms[i] = None


# ------------------------------------------------------------------- input checks


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


def _metric_transform(src_crs: pyproj.CRS, metric_crs: str) -> Callable[[np.ndarray], np.ndarray]:
    """Vectorised lon/lat -> metric geometry transform (drops Z, areas are 2D)."""
    transformer = pyproj.Transformer.from_crs(src_crs, metric_crs, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return lambda geoms: shapely.transform(geoms, project)


# ----------------------------------------------------------------- repair steps


def _reject_unusable(work: _Work) -> None:
    """Reject null, empty and non-polygonal geometries and NaN/infinite coordinates."""
    geoms = work.geoms
    null = shapely.is_missing(geoms)
    empty = ~null & shapely.is_empty(geoms)
    type_ids = shapely.get_type_id(geoms)
    wrong = ~null & ~empty & ~np.isin(type_ids, (*_POLYGONAL_TYPES, _COLLECTION))
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    non_finite = np.bincount(owner[~np.isfinite(coords).all(axis=1)], minlength=len(geoms)) > 0
    for i in np.flatnonzero(null):
        work.reject(i, "null geometry")
    for i in np.flatnonzero(empty):
        work.reject(i, "empty geometry")
    for i in np.flatnonzero(wrong):
        work.reject(i, f"not a polygon type ({geoms[i].geom_type})")
    for i in np.flatnonzero(non_finite & ~wrong):
        work.reject(i, "invalid coordinates (NaN or infinite)")


def _unwrap_collections(work: _Work) -> None:
    """Replace each GeometryCollection by its polygons; lines and points are counted."""
    idx = np.flatnonzero(work.alive & (shapely.get_type_id(work.geoms) == _COLLECTION))
    if idx.size == 0:
        return
    polygonal, counts = _collect_polygonal(work.geoms[idx])
    for k, i in enumerate(idx):
        if counts.polygons[k] == 0:
            work.reject(i, "no polygonal part left (GeometryCollection without polygons)")
            continue
        _note_dropped(work, i, counts.lines[k], counts.points[k], "from GeometryCollection")
        if counts.polygons[k] > 1:
            work.add(i, "merged_collection", "merged GeometryCollection parts into MultiPolygon")
        else:
            work.add(i, "unwrapped_collection", "took the polygon out of a GeometryCollection")
        work.geoms[i] = polygonal[k]


def _remove_repeated_points(work: _Work) -> None:
    """Drop repeated consecutive vertices (exact duplicates, e.g. after rounding)."""
    idx = np.flatnonzero(work.alive)
    before = shapely.get_num_coordinates(work.geoms[idx])
    try:
        cleaned = shapely.remove_repeated_points(work.geoms[idx])
    except GEOSException:  # a ring collapsed below 3 points: do it one by one
        cleaned = np.array([_remove_repeated_or_keep(g) for g in work.geoms[idx]], dtype=object)
    removed = before - shapely.get_num_coordinates(cleaned)
    for k in np.flatnonzero(removed):
        i, n = idx[k], int(removed[k])
        work.add(i, "removed_repeated_points", f"removed {_plural(n, 'repeated point')}")
        work.geoms[i] = cleaned[k]


def _remove_repeated_or_keep(geom: shapely.Geometry) -> shapely.Geometry:
    try:
        return shapely.remove_repeated_points(geom)
    except GEOSException:  # leave it to make_valid, which collapses it properly
        return geom


def _remove_spikes(work: _Work) -> None:
    """Cut zero-width excursions out of the rings of still-invalid features.

    A valid ring cannot contain a spike (its two edges overlap), so only invalid
    features are looked at, one ring at a time.
    """
    idx = np.flatnonzero(work.alive & ~shapely.is_valid(work.geoms))
    for i in idx[_has_spike(work.geoms[idx])]:
        despiked, n = _despike_geometry(work.geoms[i])
        if n:
            text = "removed spike" if n == 1 else f"removed spikes ({n} vertices)"
            work.add(i, "removed_spike", text)
            work.geoms[i] = despiked


def _note_orientation(work: _Work) -> None:
    """Record wrongly oriented rings of valid features (all are oriented later).

    Invalid features get rebuilt rings from ``make_valid``, so their input
    orientation is not reported separately.
    """
    idx = np.flatnonzero(work.alive & shapely.is_valid(work.geoms))
    if idx.size == 0:
        return
    parts, part_owner = shapely.get_parts(work.geoms[idx], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    owner = part_owner[ring_part]
    exterior = _first_in_group(ring_part)
    ccw = shapely.is_ccw(rings)
    cw_exteriors = np.bincount(owner[exterior & ~ccw], minlength=idx.size)
    ccw_holes = np.bincount(owner[~exterior & ccw], minlength=idx.size)
    for k in np.flatnonzero(cw_exteriors):
        n = int(cw_exteriors[k])
        rings_text = "exterior ring" if n == 1 else f"{n} exterior rings"
        work.add(idx[k], "reoriented_exterior", f"re-oriented {rings_text} to counter-clockwise")
    for k in np.flatnonzero(ccw_holes):
        n = int(ccw_holes[k])
        work.add(idx[k], "reoriented_holes", f"re-oriented {_plural(n, 'hole ring')} to clockwise")


def _make_valid(work: _Work) -> None:
    """Repair still-invalid features and keep only their polygonal parts."""
    idx = np.flatnonzero(work.alive & ~shapely.is_valid(work.geoms))
    if idx.size == 0:
        return
    reasons = shapely.is_valid_reason(work.geoms[idx])
    parts_before = shapely.get_num_geometries(work.geoms[idx])
    fixed = shapely.make_valid(work.geoms[idx], method="structure", keep_collapsed=True)
    fixed_types = shapely.get_type_id(fixed)
    polygonal, counts = _collect_polygonal(fixed)
    for k, i in enumerate(idx):
        kind, text = _describe_fix(reasons[k])
        work.add(i, kind, text)
        if counts.polygons[k] == 0:
            left = "nothing" if fixed[k].is_empty else f"a {fixed[k].geom_type}"
            work.reject(i, f"no polygonal part left after repair ({left} left)")
            continue
        _note_dropped(work, i, counts.lines[k], counts.points[k], "left by repair")
        n_after = int(counts.polygons[k])
        if fixed_types[k] == _COLLECTION and n_after > 1:
            work.add(i, "merged_collection", "merged GeometryCollection parts into MultiPolygon")
        elif n_after > parts_before[k]:
            work.add(i, "split_into_parts", f"split into {n_after} polygons")
        elif n_after < parts_before[k]:
            work.add(i, "merged_parts", f"merged {parts_before[k]} polygons into {n_after}")
        work.geoms[i] = polygonal[k]


def _reject_still_invalid(work: _Work) -> None:
    """Safety net: anything not a valid polygonal geometry by now is rejected."""
    alive = work.alive
    bad = alive & ~(
        np.isin(shapely.get_type_id(work.geoms), _POLYGONAL_TYPES) & shapely.is_valid(work.geoms)
    )
    for i in np.flatnonzero(bad):
        work.reject(i, f"repair failed ({shapely.is_valid_reason(work.geoms[i])})")


def _drop_slivers(
    work: _Work, to_metric: Callable[[np.ndarray], np.ndarray], min_part_area_m2: float
) -> None:
    """Drop tiny extra parts of multi-part features; the largest part always stays."""
    idx = np.flatnonzero(work.alive & (shapely.get_type_id(work.geoms) == _MULTIPOLYGON))
    if idx.size == 0 or min_part_area_m2 <= 0:
        return
    parts, owner = shapely.get_parts(work.geoms[idx], return_index=True)
    areas = shapely.area(to_metric(parts))
    largest = np.zeros(idx.size)
    np.maximum.at(largest, owner, areas)
    sliver = (areas < min_part_area_m2) & (areas < largest[owner])
    if not sliver.any():
        return
    dropped = np.bincount(owner[sliver], minlength=idx.size)
    kept = _assemble(parts[~sliver], owner[~sliver], idx.size)
    threshold = f"{min_part_area_m2:g} m²"
    for k in np.flatnonzero(dropped):
        n = int(dropped[k])
        text = f"dropped {_plural(n, 'sliver part')} smaller than {threshold}"
        work.add(idx[k], "dropped_slivers", text)
        work.geoms[idx[k]] = kept[k]


def _orient(work: _Work) -> None:
    """RFC 7946: exterior rings counter-clockwise, holes clockwise."""
    alive = work.alive
    work.geoms[alive] = shapely.orient_polygons(work.geoms[alive], exterior_cw=False)


def _warn_area(work: _Work, change: np.ndarray, flagged: np.ndarray, tolerance: float) -> None:
    for i in np.flatnonzero(flagged):
        size = "from zero" if math.isnan(change[i]) else f"by {change[i]:+.1%}"
        text = f"warning: area changed {size} (more than {tolerance:.0%})"
        work.add(i, "area_warning", text)


# ---------------------------------------------------------------- polygon parts


@dataclasses.dataclass(frozen=True)
class _PartCounts:
    polygons: np.ndarray
    lines: np.ndarray
    points: np.ndarray


def _explode(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single-part geometries of each input (collections flattened recursively)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while True:
        compound = np.isin(shapely.get_type_id(parts), _COMPOUND_TYPES)
        if not compound.any():
            break
        sub, sub_owner = shapely.get_parts(parts[compound], return_index=True)
        parts = np.concatenate([parts[~compound], sub])
        owner = np.concatenate([owner[~compound], owner[compound][sub_owner]])
    order = np.argsort(owner, kind="stable")
    return parts[order], owner[order]


def _collect_polygonal(geoms: np.ndarray) -> tuple[np.ndarray, _PartCounts]:
    """Polygonal part of each geometry (Polygon or MultiPolygon, None if none left)."""
    n = len(geoms)
    parts, owner = _explode(geoms)
    type_ids = shapely.get_type_id(parts)
    filled = ~shapely.is_empty(parts)
    polygon = filled & (type_ids == _POLYGON)
    line = filled & np.isin(type_ids, (_LINESTRING, _LINEARRING))
    point = filled & (type_ids == _POINT)
    counts = _PartCounts(
        polygons=np.bincount(owner[polygon], minlength=n),
        lines=_count_merged_lines(parts[line], owner[line], n),
        points=np.bincount(owner[point], minlength=n),
    )
    return _assemble(parts[polygon], owner[polygon], n), counts


def _count_merged_lines(lines: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Lines per owner after joining pieces that meet end to end.

    ``make_valid`` returns a collapsed ring as several noded pieces; a flat triangle
    is one line to a reader, not two.
    """
    counts = np.zeros(n, dtype=np.int64)
    if lines.size == 0:
        return counts
    owners, inverse = np.unique(owner, return_inverse=True)
    merged = shapely.line_merge(shapely.multilinestrings(lines, indices=inverse))
    counts[owners] = shapely.get_num_geometries(merged)
    return counts


def _assemble(polygons: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """One geometry per owner: the polygon itself, or a MultiPolygon of several."""
    out = np.full(n, None, dtype=object)
    if polygons.size == 0:
        return out
    owners, first, inverse, sizes = np.unique(
        owner, return_index=True, return_inverse=True, return_counts=True
    )
    out[owners] = shapely.multipolygons(polygons, indices=inverse)
    single = sizes == 1
    out[owners[single]] = polygons[first[single]]
    return out


def _note_dropped(work: _Work, i: int, lines: int, points: int, where: str) -> None:
    if lines:
        work.add(i, "dropped_lines", f"dropped {_plural(int(lines), 'line part')} {where}")
    if points:
        work.add(i, "dropped_points", f"dropped {_plural(int(points), 'point part')} {where}")


#: GEOS validity reasons in plain words (others are used as GEOS writes them).
_FIX_WORDS = {
    "hole lies outside shell": "hole outside its shell",
    "holes are nested": "nested holes",
    "interior is disconnected": "disconnected interior",
    "too few points in geometry component": "ring with too few points",
    "ring is not closed": "unclosed ring",
}


def _describe_fix(reason: str) -> tuple[str, str]:
    """``"Self-intersection[104.1 30.6]"`` -> ``("fixed_self_intersection", ...)``."""
    what = reason.split("[", 1)[0].strip().lower() or "invalid geometry"
    kind = "fixed_" + "_".join(what.replace("-", " ").split())
    return kind, f"fixed {_FIX_WORDS.get(what, what)}"


# -------------------------------------------------------------------------- spikes


def _has_spike(geoms: np.ndarray) -> np.ndarray:
    """Whether any ring of each Polygon/MultiPolygon turns back on itself (vectorised).

    Cheap pre-check so that only spiky features go through :func:`_despike_ring`.
    Assumes repeated points are gone (a spike tip then has distinct neighbours).
    """
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    if xy.size == 0:
        return np.zeros(len(geoms), dtype=bool)
    first = _first_in_group(ring)
    last = np.r_[first[1:], True]  # the closing coordinate of each ring
    prev = np.roll(xy, 1, axis=0)
    # the first vertex's predecessor is the one before the closing coordinate
    prev[first] = xy[np.flatnonzero(last) - 1]
    nxt = np.roll(xy, -1, axis=0)
    spike = _turns_back(xy - prev, nxt - xy) & ~last
    owner = part_owner[ring_part[ring[spike]]]
    return np.bincount(owner, minlength=len(geoms)) > 0


def _turns_back(into: np.ndarray, out_of: np.ndarray) -> np.ndarray:
    """Whether the path turns by 180° at a vertex (collinear, opposite directions)."""
    cross = into[:, 0] * out_of[:, 1] - into[:, 1] * out_of[:, 0]
    dot = np.einsum("ij,ij->i", into, out_of)
    scale = np.hypot(into[:, 0], into[:, 1]) * np.hypot(out_of[:, 0], out_of[:, 1])
    return (np.abs(cross) <= _COLLINEAR_EPS * scale) & (dot < 0)


def _despike_geometry(geom: shapely.Geometry) -> tuple[shapely.Geometry, int]:
    """Remove spikes from every ring of a Polygon/MultiPolygon; returns (geom, count)."""
    polygons = []
    total = 0
    for polygon in shapely.get_parts(geom):
        shell, n = _despike_ring(np.asarray(polygon.exterior.coords))
        total += n
        holes = []
        for interior in polygon.interiors:
            hole, n = _despike_ring(np.asarray(interior.coords))
            total += n
            holes.append(hole)
        polygons.append(shapely.Polygon(shell, holes))
    if total == 0:
        return geom, 0
    if shapely.get_type_id(geom) == _POLYGON:
        return polygons[0], total
    return shapely.MultiPolygon(polygons), total


def _despike_ring(coords: np.ndarray) -> tuple[np.ndarray, int]:
    """Drop vertices where a closed ring turns back on itself (a 180° turn).

    Repeats until none are left, since cutting a spike's tip leaves a duplicate
    point and possibly a shorter spike. A ring that would collapse (fewer than 3
    distinct vertices) is returned unchanged for ``make_valid`` to deal with.
    """
    points = coords[:-1]
    removed = 0
    while len(points) >= 3:
        xy = points[:, :2]
        distinct = np.any(xy != np.roll(xy, 1, axis=0), axis=1)
        if not distinct.all():
            points = points[distinct]
            continue
        spike = _turns_back(xy - np.roll(xy, 1, axis=0), np.roll(xy, -1, axis=0) - xy)
        if not spike.any():
            break
        points = points[~spike]
        removed += int(spike.sum())
    if len(points) < 3:
        return coords, 0
    return np.concatenate([points, points[:1]]), removed


# --------------------------------------------------------------------------- areas


def _drawn_area_m2(
    geoms: np.ndarray, mask: np.ndarray, to_metric: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Drawn area (m²) of polygonal inputs: sum over rings of ∫|winding number| dA.

    Holes count negative. Simple rings use the shoelace area (vectorised); only
    self-intersecting rings are split into faces one at a time.
    """
    out = np.full(len(geoms), np.nan)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return out
    parts, part_owner = shapely.get_parts(to_metric(geoms[idx]), return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_area = shapely.area(shapely.polygons(rings))
    for r in np.flatnonzero(~shapely.is_simple(rings)):
        ring_area[r] = _winding_area(rings[r])
    signed = np.where(_first_in_group(ring_part), ring_area, -ring_area)
    per_part = np.bincount(ring_part, weights=signed, minlength=parts.size)
    per_feature = np.bincount(part_owner, weights=per_part, minlength=idx.size)
    out[idx] = np.clip(per_feature, 0.0, None)
    return out


def _winding_area(ring: shapely.LinearRing) -> float:
    """∫|w| dA for a self-intersecting ring: faces of the noded ring times |winding|.

    Noding can fail to converge on nearly collinear segments; the ring is then snapped to a
    millimetre grid (the coordinates are metric here) and noded again.
    """
    try:
        noded = shapely.node(ring)
    except shapely.errors.GEOSException:
        noded = shapely.node(shapely.set_precision(ring, 1e-3))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if faces.size == 0:
        return 0.0
    inside = shapely.get_coordinates(shapely.point_on_surface(faces))
    winding = _winding_numbers(shapely.get_coordinates(ring), inside)
    return float(np.sum(np.abs(winding) * shapely.area(faces)))


def _winding_numbers(ring_xy: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Winding number of each point (m, 2) around a closed ring (n+1, 2)."""
    x0, y0 = ring_xy[:-1, 0], ring_xy[:-1, 1]
    x1, y1 = ring_xy[1:, 0], ring_xy[1:, 1]
    px, py = points[:, :1], points[:, 1:2]
    side = (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0)
    upward = (y0 <= py) & (y1 > py) & (side > 0)
    downward = (y0 > py) & (y1 <= py) & (side < 0)
    return upward.sum(axis=1) - downward.sum(axis=1)


def _area_m2(
    geoms: np.ndarray, mask: np.ndarray, to_metric: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    out = np.full(len(geoms), np.nan)
    out[mask] = shapely.area(to_metric(geoms[mask]))
    return out


def _area_change(
    before: np.ndarray, after: np.ndarray, kept: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Relative change (NaN when undefined) and the flag for changes above tolerance."""
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(before > 0, (after - before) / before, np.nan)
    from_zero = kept & (before == 0) & (after > 0)
    flagged = kept & ((np.abs(change) > tolerance) | from_zero)
    return change, flagged


# ------------------------------------------------------------------------- output


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


# ------------------------------------------------------------------------ helpers


def _first_in_group(group: np.ndarray) -> np.ndarray:
    """True at the first element of each run of equal values (the exterior ring)."""
    first = np.ones(group.size, dtype=bool)
    first[1:] = group[1:] != group[:-1]
    return first


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _float_or_none(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _json_scalar(value: Any) -> Any:
    """Index labels and ids as JSON-ready Python scalars."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)
