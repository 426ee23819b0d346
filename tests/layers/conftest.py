"""Small layers near Chenghua with Chinese names, shared by the layer tests."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

STREET_NAMES = ["猛追湾街道", "双桥子街道"]
STREET_CODES = ["510108001", "510108002"]


@pytest.fixture
def streets() -> gpd.GeoDataFrame:
    """Two adjacent squares (WGS84) sharing the edge lon = 104.11, with figures."""
    return gpd.GeoDataFrame(
        {
            "code": STREET_CODES,
            "name": STREET_NAMES,
            "open": [3, 10],
            "overdue": [0, 2],
            "on_time_rate": [0.9, np.nan],
        },
        geometry=[
            shapely.box(104.10, 30.60, 104.11, 30.61),
            shapely.box(104.11, 30.60, 104.12, 30.61),
        ],
        crs="EPSG:4326",
    )


@pytest.fixture
def dense_pair() -> gpd.GeoDataFrame:
    """Two 1-km squares (EPSG:4544, metres) sharing a dense, slightly wiggly edge."""
    x0, y0 = 420_000.0, 3_390_000.0
    ys = np.linspace(y0, y0 + 1000.0, 2001)
    xs = x0 + 1000.0 + 0.2 * np.sin(ys / 7.0)  # ±0.2 m wiggle on 2,001 vertices
    edge = list(zip(xs, ys, strict=True))
    west = shapely.Polygon([(x0, y0), *edge, (x0, y0 + 1000.0)])
    east = shapely.Polygon([*edge, (x0 + 2000.0, y0 + 1000.0), (x0 + 2000.0, y0)][::-1])
    return gpd.GeoDataFrame(
        {
            "code": ["510108004006001", "510108004006002"],
            "name": ["新鸿社区第1网格", "新鸿社区第2网格"],
        },
        geometry=[west, east],
        crs="EPSG:4544",
    )


@pytest.fixture
def incidents() -> pd.DataFrame:
    """Three open incidents (WGS84 lon/lat), one with a phone number in its description."""
    return pd.DataFrame(
        {
            "incident_id": ["E001", "E002", "E003"],
            "lon": [104.105, 104.115, 104.111],
            "lat": [30.605, 30.605, 30.602],
            "category": ["市容环境", "街面秩序", "设施管理"],
            "status": ["reported", "in_progress", "handled"],
            "due": ["overdue", "near_due", "on_time"],
            "description": ["报告人王女士，电话13912345678，垃圾堆放", "占道经营", None],
            "reported_at": pd.to_datetime(["2025-06-01 09:30"] * 3).tz_localize("Asia/Shanghai"),
        }
    )
