"""Areas for the repair report, in square metres: the lon/lat → metric transform (default
EPSG:4544, CGCS2000 / 3-degree Gauss-Kruger CM 105E), the *drawn* area of possibly
self-intersecting input rings (∫|winding number| dA), the plain area of repaired output
and the relative change between the two with its flag.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyproj
import shapely

from gridmap.geo.repair.parts import _first_in_group


def _metric_transform(src_crs: pyproj.CRS, metric_crs: str) -> Callable[[np.ndarray], np.ndarray]:
    """Vectorised lon/lat -> metric geometry transform (drops Z, areas are 2D)."""
    transformer = pyproj.Transformer.from_crs(src_crs, metric_crs, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return lambda geoms: shapely.transform(geoms, project)


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
