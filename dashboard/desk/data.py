"""Data of the desk page: the filtered open incidents and heat points (plain functions)."""

from __future__ import annotations

import pandas as pd

from gridmap.feed.store import SQLStore

#: Time windows of the heat filter: (text key, hours).
WINDOWS = (("h24", 24), ("d7", 168), ("d30", 720))
#: Export formats offered: (label, path under /export/).
EXPORTS = (
    ("GeoPackage · 事件 incidents", "incidents.gpkg"),
    ("GeoJSON · 事件 incidents", "incidents.geojson"),
    ("Shapefile (zip) · 事件 incidents", "incidents.shp.zip"),
    ("CSV (Excel) · 事件 incidents", "incidents.csv"),
    ("GeoParquet · 事件 incidents", "incidents.parquet"),
    ("GeoPackage · 网格统计 grids", "grids.gpkg"),
    ("Shapefile (zip) · 网格统计 grids", "grids.shp.zip"),
    ("CSV (Excel) · 网格统计 grids", "grids.csv"),
    ("HTML 地图 · map", "map.html"),
    ("PNG 图片 · image", "map.png"),
)


def desk_frames(
    store: SQLStore,
    now: pd.Timestamp,
    *,
    categories: list[str] | None,
    statuses: list[str] | None,
    hours: int,
    area_code: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open incidents (filtered by category and status) and the lon/lat of reports in the
    last ``hours`` (filtered by category), inside ``area_code`` if given."""
    incidents = store.get_incidents(open_only=True, area_code=area_code)
    if categories:
        incidents = incidents[incidents["category"].isin(categories)]
    if statuses:
        incidents = incidents[incidents["status"].isin(statuses)]
    since = int((now - pd.Timedelta(hours=int(hours))).value // 1_000_000)
    heat = store.report_points(since - 1, area_code=area_code, categories=categories or ())
    return incidents.reset_index(drop=True), heat.reset_index(drop=True)
