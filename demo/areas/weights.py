"""Incident weights per grid: a relative intensity that grows with the grid's residents and
is boosted near hot spots (markets, stations, old quarters; positions in EPSG:4544 metres,
radii in metres), normalised to sum to 1.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import shapely

from gridmap.demo.areas.base import Floats, _to_metric

#: Incident hot spots inside Chenghua, anchored on a community: (code, strength, radius m).
_CHENGHUA_HOTSPOTS: Final = (
    ("510108002010", 3.0, 700.0),  # 建设中路: 建设路 shopping street and night market
    ("510108006004", 2.0, 600.0),  # 八里庄: old factory housing
    ("510108006002", 1.5, 600.0),  # 李家沱: old residential quarter
    ("510108010001", 2.5, 800.0),  # 站北路: by the North railway station
    ("510108014010", 3.0, 900.0),  # 迎晖: Chengdu East railway station
    ("510108011005", 2.0, 600.0),  # 槐树店: 万年场 market
    ("510108007009", 1.5, 700.0),  # 圣灯: wholesale markets
    ("510108008003", 1.2, 600.0),  # 杉板桥: old industrial quarter
    ("510108016001", 1.5, 800.0),  # 龙潭正街: industrial park, rented rooms
)

#: City-wide hot spots: (lon, lat, strength, radius m).
_CITY_HOTSPOTS: Final = (
    (104.0806, 30.6549, 3.0, 900.0),  # 春熙路
    (104.0657, 30.6574, 2.0, 800.0),  # 天府广场
    (104.0534, 30.6694, 1.5, 600.0),  # 宽窄巷子
    (104.0711, 30.6976, 2.5, 900.0),  # 火车北站 / 荷花池 market
    (104.0675, 30.6117, 2.0, 900.0),  # 火车南站
    (104.0447, 30.6420, 1.2, 700.0),  # 武侯祠 / 锦里
    (103.9583, 30.5784, 2.0, 1500.0),  # 双流 airport
)


def _hotspot_points(communities: gpd.GeoDataFrame) -> Floats:
    """Incident hot spots as rows (x, y, strength, radius), EPSG:4544 metres."""
    rows = []
    where = communities.set_index("code").geometry
    for code, strength, radius in _CHENGHUA_HOTSPOTS:
        if code in where.index:
            p = shapely.point_on_surface(where.loc[code])
            rows.append((p.x, p.y, strength, radius))
    spots = np.array(_CITY_HOTSPOTS)
    x, y = _to_metric(spots[:, 0], spots[:, 1])
    rows.extend(zip(x, y, spots[:, 2], spots[:, 3], strict=True))
    return np.array(rows, dtype=float)


def _add_weights(grids: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, hotspots: Floats) -> None:
    """Add ``weight``, a relative incident intensity per grid summing to 1 (in place).

    Intensity grows with the residents of the grid (sub-linearly) and is boosted near hot
    spots (markets, stations, old residential quarters) with Gaussian kernels.
    """
    people = (
        buildings.groupby("grid_code", sort=False)["population"]
        .sum()
        .reindex(grids["code"].to_numpy(), fill_value=0)
        .to_numpy(float)
    )
    base = people**0.85
    base = base + 0.05 * base.mean() + 1.0
    c = shapely.centroid(grids.geometry.to_numpy())
    x, y = shapely.get_x(c), shapely.get_y(c)
    boost = np.ones(len(grids))
    for hx, hy, strength, radius in hotspots:
        boost += strength * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * radius**2))
    weight = base * boost
    grids["weight"] = weight / weight.sum()
