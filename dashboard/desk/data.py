"""Data of the desk page: its time windows, its export formats and the filtered open
incidents (plain functions)."""

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


def desk_incidents(
    store: SQLStore,
    *,
    categories: list[str] | None,
    statuses: list[str] | None,
    area_code: str | None = None,
) -> pd.DataFrame:
    """Open incidents inside ``area_code`` (if given), of ``categories`` and ``statuses`` (all
    when ``None``), by id."""
    incidents = store.get_incidents(open_only=True, area_code=area_code)
    if categories:
        incidents = incidents[incidents["category"].isin(categories)]
    if statuses:
        incidents = incidents[incidents["status"].isin(statuses)]
    return incidents.reset_index(drop=True)
