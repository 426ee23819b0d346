"""Data of the desk page: the filtered open incidents and heat points (plain functions)."""

from __future__ import annotations

import pandas as pd

from gridmap.feed.store.sql import SQLStore


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
    column = {9: "street_code", 12: "community_code"}.get(len(area_code or ""), "grid_code")
    sql = "SELECT lon, lat, category FROM incidents WHERE reported_at >= ? AND lon IS NOT NULL"
    params: list = [since]
    if area_code and len(area_code) > 6:
        sql += f" AND {column} = ?"
        params.append(area_code)
    heat = pd.DataFrame.from_records(store._query(sql, params), columns=["lon", "lat", "category"])
    if categories:
        heat = heat[heat["category"].isin(categories)]
    return incidents.reset_index(drop=True), heat.reset_index(drop=True)
