"""Generating the base layers: :func:`make_areas` builds the Chenghua subtree (and, for the
city tier, the rest of Chengdu around it), adds the grid weights and returns every layer
sorted by code, geometry last, reprojected from EPSG:4544 to EPSG:4326.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridmap.demo.areas.base import CHENGHUA_CODE, DEFAULT_REFERENCE_CSV, LAYERS, WGS84, Scale
from gridmap.demo.areas.divisions import _load_divisions
from gridmap.demo.areas.tiers import _chenghua_layers, _rest_of_city_layers
from gridmap.demo.areas.weights import _add_weights, _hotspot_points


def make_areas(
    scale: Scale, seed: int = 0, *, reference_csv: Path | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Generate the base layers of one scale tier.

    Parameters
    ----------
    scale
        ``"district"`` (Chenghua, 510108) or ``"city"`` (all of Chengdu).
    seed
        Non-negative seed; the same seed gives identical tables and geometries.
    reference_csv
        Division table with columns ``district_code, district_name, street_code,
        street_name, community_code, community_name``; default
        :data:`DEFAULT_REFERENCE_CSV`.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Keys ``"districts", "streets", "communities", "grids", "buildings"``, each in
        EPSG:4326 and sorted by code. Area layers have ``code, name, official_name, level,
        parent_code, [district_code, street_code, community_code], area_km2`` (km², measured
        in EPSG:4544) and grids also ``worker, worker_phone, weight`` (``weight`` sums to 1).
        Buildings have ``building_id, grid_code, community_code, street_code,
        district_code, name, floors, households, population, watcher``.

    Raises
    ------
    ValueError
        On an unknown ``scale``, a negative ``seed`` or a division table without Chenghua.
    """
    if scale not in ("district", "city"):
        raise ValueError(f"scale must be 'district' or 'city', got {scale!r}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    table = _load_divisions(reference_csv or DEFAULT_REFERENCE_CSV)
    if not (table["district_code"] == CHENGHUA_CODE).any():
        raise ValueError(f"the division table has no district {CHENGHUA_CODE}")
    layers = _chenghua_layers(table, seed)
    hotspots = _hotspot_points(layers["communities"])
    if scale == "city":
        rest = _rest_of_city_layers(table, seed)
        layers = {key: _concat(layers[key], rest[key]) for key in LAYERS}
    _add_weights(layers["grids"], layers["buildings"], hotspots)
    return {key: _finish(layers[key]) for key in LAYERS}


def _concat(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows of ``a`` then ``b`` (same columns, same CRS)."""
    return gpd.GeoDataFrame(pd.concat([a, b], ignore_index=True), crs=a.crs)


def _finish(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sort by code, put the geometry column last and reproject to EPSG:4326."""
    key = "building_id" if "building_id" in frame.columns else "code"
    frame = frame.sort_values(key, kind="stable").reset_index(drop=True)
    columns = [c for c in frame.columns if c != "geometry"]
    return frame[[*columns, "geometry"]].to_crs(WGS84)
