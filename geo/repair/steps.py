"""The repair steps, each applied to all features at once: the mutable per-feature working
state (:class:`_Work`: geometries, rejection reasons, actions) and the steps that reject
unusable input, unwrap collections, drop repeated points and spikes, note ring orientation,
run ``make_valid``, drop slivers smaller than a threshold in m² (areas in the metric CRS)
and orient rings per RFC 7946, writing each change down in plain words. Coordinates stay
in the input's lon/lat degrees.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import shapely
from shapely.errors import GEOSException

from gridmap.geo.repair.parts import (
    _COLLECTION,
    _MULTIPOLYGON,
    _POLYGONAL_TYPES,
    _assemble,
    _collect_polygonal,
    _first_in_group,
)
from gridmap.geo.repair.spikes import _despike_geometry, _has_spike


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


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
