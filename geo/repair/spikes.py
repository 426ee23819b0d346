"""Spikes, i.e. vertices where a ring turns back on itself by 180°: a vectorised check of
which Polygons/MultiPolygons have one, and their removal ring by ring. Works on the
coordinates as given (lon/lat degrees); collinearity is judged by the sine of the angle,
so the test is independent of units.
"""

from __future__ import annotations

import numpy as np
import shapely

from gridmap.geo.repair.parts import _POLYGON, _first_in_group

#: Two segments are collinear when |cross| <= eps * |a| * |b| (sine of the angle).
_COLLINEAR_EPS = 1e-12


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
