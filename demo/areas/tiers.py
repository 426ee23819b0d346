"""The two generated subtrees in EPSG:4544: Chenghua (the district tier, its real streets
placed in an organic outline) and the rest of Chengdu fitted around it (central districts
in a core blob, outer ones in the rest of the city outline), each carried down through
communities and grids to buildings by the same steps.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridmap.demo.areas.base import _CHENGHUA, _CITY, CHENGHUA_CODE, _rng, _Tier, _to_metric
from gridmap.demo.areas.buildings import _make_buildings
from gridmap.demo.areas.divisions import (
    _area_frame,
    _community_table,
    _counts_per_parent,
    _district_frame,
    _street_table,
)
from gridmap.demo.areas.grids import _make_grids
from gridmap.demo.areas.outlines import _chenghua_outline, _city_outline, _core_outline
from gridmap.demo.areas.partition import _absorb_fragments, _bend, _partition, _voronoi_cells
from gridmap.demo.areas.seeds import _DISTRICT_SEEDS, _chenghua_street_seeds, _place_inside

#: 锦江, 青羊, 金牛, 武侯: with Chenghua the old city inside the ring roads.
_CENTRAL_DISTRICTS: Final = ("510104", "510105", "510106", "510107")


def _chenghua_layers(table: pd.DataFrame, seed: int) -> dict[str, gpd.GeoDataFrame]:
    """Chenghua (district tier) in EPSG:4544, without grid weights."""
    rows = table[table["district_code"] == CHENGHUA_CODE]
    outline = _chenghua_outline(_rng(seed, "chenghua/outline"))
    streets = _street_table(rows)
    seeds = _chenghua_street_seeds(outline, streets["code"].to_numpy(), seed)
    zeros = np.zeros(len(seeds), np.int64)
    parent = np.array([outline])
    street_cells = _absorb_fragments(_voronoi_cells(parent, seeds, zeros), zeros)
    street_cells = _bend(street_cells, zeros, parent, _rng(seed, "chenghua/bend"))
    districts = _district_frame(rows.iloc[:1], np.array([outline]))
    streets = _area_frame(streets, street_cells, "street")
    return _lower_levels(table, districts, streets, seed, "chenghua", _CHENGHUA)


def _rest_of_city_layers(
    table: pd.DataFrame, seed: int, chenghua: shapely.Polygon
) -> dict[str, gpd.GeoDataFrame]:
    """All districts except Chenghua in EPSG:4544, fitted around ``chenghua``.

    The four central districts split a compact core blob around downtown, the outer ones
    the rest of the city outline, so that the central districts come out small.
    """
    rows = table[table["district_code"] != CHENGHUA_CODE]
    city = _city_outline(_rng(seed, "city/outline"))
    core = shapely.intersection(_core_outline(_rng(seed, "city/core")), city)
    middle = shapely.union(core, chenghua)
    regions = np.array(
        [shapely.difference(core, chenghua), shapely.difference(city, middle)], dtype=object
    )
    firsts = rows.drop_duplicates("district_code")
    unknown = sorted(set(firsts["district_code"]) - set(_DISTRICT_SEEDS))
    if unknown:
        raise ValueError(f"the city tier knows only Chengdu's districts, not {unknown}")
    lon, lat = np.array([_DISTRICT_SEEDS[c] for c in firsts["district_code"]]).T
    xy = np.column_stack(_to_metric(lon, lat))
    pidx = (~firsts["district_code"].isin(_CENTRAL_DISTRICTS).to_numpy()).astype(np.int64)
    if np.any(np.diff(pidx) < 0):
        raise ValueError("central districts must sort before the outer ones")
    xy[pidx == 0] = _place_inside(xy[pidx == 0], regions[0])
    xy[pidx == 1] = _place_inside(xy[pidx == 1], regions[1])
    cells = _absorb_fragments(_voronoi_cells(regions, xy, pidx), pidx)
    cells = _bend(cells, pidx, regions, _rng(seed, "city/bend"))
    districts = _district_frame(firsts, cells)
    streets = _street_table(rows)
    street_cells, _ = _partition(
        districts.geometry.to_numpy(),
        _counts_per_parent(districts["code"], streets["parent_code"]),
        _rng(seed, "city/streets"),
        gamma=0.8,
        lloyd_rounds=1,
        relax=0.5,
    )
    streets = _area_frame(streets, street_cells, "street")
    rest = _Tier(
        grids=_CITY.grids - _CHENGHUA.grids, buildings=_CITY.buildings - _CHENGHUA.buildings
    )
    return _lower_levels(table, districts, streets, seed, "city", rest)


def _lower_levels(
    table: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    seed: int,
    stream: str,
    tier: _Tier,
) -> dict[str, gpd.GeoDataFrame]:
    """Communities, grids and buildings below the given streets (all EPSG:4544)."""
    rows = table[table["district_code"].isin(districts["code"])]
    communities = _community_table(rows)
    cells, _ = _partition(
        streets.geometry.to_numpy(),
        _counts_per_parent(streets["code"], communities["parent_code"]),
        _rng(seed, f"{stream}/communities"),
        gamma=1.0,
        lloyd_rounds=1,
        relax=0.5,
    )
    communities = _area_frame(communities, cells, "community")
    grids = _make_grids(communities, table, tier.grids, _rng(seed, f"{stream}/grids"))
    buildings = _make_buildings(
        grids, communities, tier.buildings, _rng(seed, f"{stream}/buildings")
    )
    return {
        "districts": districts,
        "streets": streets,
        "communities": communities,
        "grids": grids,
        "buildings": buildings,
    }
