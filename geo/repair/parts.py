"""Taking geometries apart and putting polygons back together: the ``shapely.get_type_id``
codes, flattening nested collections into single parts, keeping the polygonal parts of
each geometry (counting the lines and points left over) and assembling one Polygon or
MultiPolygon per owner. Pure topology: coordinates are not changed and no CRS is assumed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import shapely

# shapely.get_type_id codes
_POINT, _LINESTRING, _LINEARRING, _POLYGON = 0, 1, 2, 3
_MULTIPOINT, _MULTILINESTRING, _MULTIPOLYGON, _COLLECTION = 4, 5, 6, 7
_POLYGONAL_TYPES = (_POLYGON, _MULTIPOLYGON)
_COMPOUND_TYPES = (_MULTIPOINT, _MULTILINESTRING, _MULTIPOLYGON, _COLLECTION)


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


def _first_in_group(group: np.ndarray) -> np.ndarray:
    """True at the first element of each run of equal values (the exterior ring)."""
    first = np.ones(group.size, dtype=bool)
    first[1:] = group[1:] != group[:-1]
    return first
