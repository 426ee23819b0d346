"""Where the top-level cells start: the Voronoi seeds of Chenghua's streets (at their rough
real places, in units of the outline's equivalent radius) and of the city's districts (their
seats, lon/lat degrees), moved inside their region when they fall outside (EPSG:4544
metres, with a margin in metres).
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

#: Approximate seats of the districts and counties (lon, lat): Voronoi seeds of the city tier.
_DISTRICT_SEEDS: Final[dict[str, tuple[float, float]]] = {
    "510104": (104.095, 30.612),  # 锦江
    "510105": (104.020, 30.672),  # 青羊
    "510106": (104.040, 30.725),  # 金牛
    "510107": (104.030, 30.620),  # 武侯
    "510112": (104.300, 30.570),  # 龙泉驿
    "510113": (104.400, 30.800),  # 青白江
    "510114": (104.140, 30.850),  # 新都
    "510115": (103.820, 30.720),  # 温江
    "510116": (103.950, 30.480),  # 双流
    "510117": (103.880, 30.840),  # 郫都
    "510118": (103.800, 30.400),  # 新津
    "510121": (104.600, 30.850),  # 金堂
    "510129": (103.400, 30.600),  # 大邑
    "510131": (103.480, 30.230),  # 蒲江
    "510181": (103.580, 31.020),  # 都江堰
    "510182": (103.870, 31.150),  # 彭州
    "510183": (103.380, 30.380),  # 邛崃
    "510184": (103.620, 30.700),  # 崇州
    "510185": (104.580, 30.350),  # 简阳
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
