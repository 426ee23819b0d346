"""Where Chenghua's streets start: the Voronoi seeds of its streets at their rough real
places (in units of the outline's equivalent radius), moved inside the outline when they
fall outside (EPSG:4544 metres, with a margin in metres).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import shapely

from gridmap.demo.areas.base import Floats, _rng

#: Street seeds of Chenghua in units of the outline's equivalent radius, east and north of its
#: centroid: the old quarters along the Fu river (south-west) are small, the north-east large.
_CHENGHUA_STREET_SEEDS: Final[dict[str, tuple[float, float]]] = {
    "510108002": (-0.80, -0.40),  # 猛追湾
    "510108004": (-0.52, -0.62),  # 双桥子
    "510108006": (-0.80, 0.04),  # 府青路
    "510108007": (-0.40, 0.02),  # 二仙桥
    "510108008": (-0.22, -0.46),  # 跳蹬河
    "510108010": (-0.70, 0.45),  # 双水碾
    "510108011": (-0.10, -0.85),  # 万年场
    "510108014": (0.50, -0.45),  # 保和
    "510108015": (-0.05, 0.75),  # 青龙
    "510108016": (0.55, 0.35),  # 龙潭
    "510108017": (-0.12, 0.30),  # 白莲池
}


def _chenghua_street_seeds(
    outline: shapely.Polygon, codes: npt.NDArray[np.str_], seed: int
) -> Floats:
    """Seeds of Chenghua's streets (EPSG:4544), at their rough real places in the outline."""
    rng = _rng(seed, "chenghua/street-seeds")
    centre = outline.centroid
    radius = np.sqrt(outline.area / np.pi)
    rel = rng.uniform(-0.6, 0.6, (len(codes), 2))  # for streets not in the table below
    known = np.array([c in _CHENGHUA_STREET_SEEDS for c in codes], dtype=bool)
    if known.any():
        rel[known] = [_CHENGHUA_STREET_SEEDS[c] for c in codes[known]]
    rel = rel + rng.normal(0.0, 0.04, rel.shape)
    xy = np.column_stack([centre.x + rel[:, 0] * radius, centre.y + rel[:, 1] * radius])
    xy = _place_inside(xy, outline, margin=300.0)
    return xy


def _place_inside(xy: Floats, region: shapely.Geometry, margin: float = 1500.0) -> Floats:
    """Move points that are not inside ``region`` to the nearest point ``margin`` m inside it."""
    xy = xy.copy()
    points = shapely.points(xy)
    bad = np.flatnonzero(~shapely.contains(region, points))
    if len(bad) == 0:
        return xy
    inner = shapely.buffer(region, -margin)
    if inner.is_empty:
        inner = shapely.point_on_surface(region)
    lines = shapely.shortest_line(points[bad], inner)
    xy[bad] = shapely.get_coordinates(shapely.get_point(lines, 1))
    return xy
