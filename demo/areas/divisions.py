"""The division table and the attribute frames built from it: reading
``chengdu_admin_divisions.csv`` (all columns as strings), one row per street and per
community (display names without their 居委会 suffix), child counts per parent, and the area
frames that attach EPSG:4544 geometry, the level and ``area_km2`` (km²) to the attributes.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridmap.demo import names
from gridmap.demo.areas.base import CITY_CODE, METRIC_CRS, Geoms, Ints


def _load_divisions(path: Path) -> pd.DataFrame:
    """Read the division table (all columns as strings), sorted by community code."""
    table = pd.read_csv(path, dtype=str)
    missing = {
        "district_code",
        "district_name",
        "street_code",
        "street_name",
        "community_code",
        "community_name",
    } - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
    return table.sort_values("community_code", kind="stable").reset_index(drop=True)


def _street_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per street: code, name, official_name, parent_code, district_code."""
    first = rows.drop_duplicates("street_code").sort_values("street_code")
    return pd.DataFrame(
        {
            "code": first["street_code"].to_numpy(),
            "name": first["street_name"].to_numpy(),
            "official_name": first["street_name"].to_numpy(),
            "parent_code": first["district_code"].to_numpy(),
            "district_code": first["district_code"].to_numpy(),
        }
    )


def _community_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per community with display name (suffix 居委会 etc. stripped)."""
    rows = rows.sort_values("community_code")
    return pd.DataFrame(
        {
            "code": rows["community_code"].to_numpy(),
            "name": [names.community_display_name(n) for n in rows["community_name"]],
            "official_name": rows["community_name"].to_numpy(),
            "parent_code": rows["street_code"].to_numpy(),
            "district_code": rows["district_code"].to_numpy(),
            "street_code": rows["street_code"].to_numpy(),
        }
    )


def _counts_per_parent(parent_codes: pd.Series, child_parents: pd.Series) -> Ints:
    """How many children each parent (in ``parent_codes`` order) has."""
    counts = child_parents.value_counts()
    return counts.reindex(parent_codes.to_numpy(), fill_value=0).to_numpy(np.int64)


def _district_frame(firsts: pd.DataFrame, geoms: Geoms) -> gpd.GeoDataFrame:
    """District rows (``firsts`` has one row per district) in EPSG:4544."""
    attrs = pd.DataFrame(
        {
            "code": firsts["district_code"].to_numpy(),
            "name": firsts["district_name"].to_numpy(),
            "official_name": firsts["district_name"].to_numpy(),
            "parent_code": CITY_CODE,
        }
    )
    return _area_frame(attrs, geoms, "district")


def _area_frame(attrs: pd.DataFrame, geoms: Geoms, level: str) -> gpd.GeoDataFrame:
    """Attach geometry (EPSG:4544), ``level`` and ``area_km2`` to an attribute table."""
    frame = attrs.reset_index(drop=True).copy()
    frame.insert(3, "level", level)
    frame["area_km2"] = shapely.area(geoms) / 1e6
    return gpd.GeoDataFrame(frame, geometry=np.asarray(geoms), crs=METRIC_CRS)
