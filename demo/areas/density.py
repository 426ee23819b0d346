"""The density surface: relative density of people at EPSG:4544 points, from downtown (天府广场)
and a few towns as Gaussian bumps (radii in metres) over a rural floor; it makes grids and
buildings crowd where people live.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np

from gridmap.demo.areas.base import Floats, _to_metric

#: 天府广场, the centre of the density surface.
_DOWNTOWN: Final = (104.0657, 30.6574)


#: Towns on the density surface: (lon, lat, relative density, radius in m).
_TOWNS: Final = (
    (104.270, 30.560, 0.30, 3000.0),  # 龙泉驿
    (104.250, 30.880, 0.22, 2500.0),  # 青白江
    (104.160, 30.820, 0.35, 3000.0),  # 新都
    (103.840, 30.690, 0.35, 3000.0),  # 温江
    (103.920, 30.575, 0.40, 3500.0),  # 双流
    (103.890, 30.800, 0.35, 3000.0),  # 郫都
    (104.070, 30.500, 0.40, 4000.0),  # 天府新区
    (103.810, 30.410, 0.18, 2000.0),  # 新津
    (104.430, 30.860, 0.18, 2000.0),  # 金堂
    (103.520, 30.590, 0.14, 2000.0),  # 大邑
    (103.510, 30.200, 0.12, 1800.0),  # 蒲江
    (103.620, 31.000, 0.22, 2500.0),  # 都江堰
    (103.960, 30.990, 0.18, 2200.0),  # 彭州
    (103.460, 30.410, 0.16, 2200.0),  # 邛崃
    (103.670, 30.630, 0.18, 2200.0),  # 崇州
    (104.550, 30.410, 0.22, 2500.0),  # 简阳
)


@functools.cache
def _density_anchors() -> tuple[tuple[float, float], Floats]:
    """Downtown (x, y) and the towns as rows (x, y, level, radius), all EPSG:4544."""
    dx, dy = _to_metric(*_DOWNTOWN)
    towns = np.array(_TOWNS)
    tx, ty = _to_metric(towns[:, 0], towns[:, 1])
    return (float(dx), float(dy)), np.column_stack([tx, ty, towns[:, 2], towns[:, 3]])


def _density(x: Floats, y: Floats) -> Floats:
    """Relative density of people at EPSG:4544 points (downtown ~1.4, countryside 0.015)."""
    (dx, dy), towns = _density_anchors()
    d = np.hypot(x - dx, y - dy)
    value = np.exp(-d / 5500.0) + 0.35 * np.exp(-((d / 14000.0) ** 2)) + 0.015
    for tx, ty, level, radius in towns:
        value = value + level * np.exp(-((x - tx) ** 2 + (y - ty) ** 2) / (2 * radius**2))
    return value
