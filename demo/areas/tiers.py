"""The two generated subtrees in EPSG:4544: Chenghua (the district tier, its real streets
placed in its real outline) and the rest of Chengdu (its other districts in their real
outlines), each carried down through streets, communities and grids to buildings by the
same steps.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from gridmap.demo.areas.base import _CHENGHUA, _CITY, CHENGHUA_CODE, _rng, _Tier
from gridmap.demo.areas.buildings import _make_buildings
from gridmap.demo.areas.divisions import (
    _area_frame,
    _community_table,
    _counts_per_parent,
    _district_frame,
    _street_table,
)
from gridmap.demo.areas.grids import _make_grids
from gridmap.demo.areas.partition import _absorb_fragments, _bend, _partition, _voronoi_cells
from gridmap.demo.areas.real import real_district_outlines
from gridmap.demo.areas.seeds import _chenghua_street_seeds


def _chenghua_layers(table: pd.DataFrame, seed: int) -> dict[str, gpd.GeoDataFrame]:
    """Chenghua (district tier) in EPSG:4544, without grid weights."""
    rows = table[table["district_code"] == CHENGHUA_CODE]
    (outline,) = real_district_outlines([CHENGHUA_CODE])
    streets = _street_table(rows)
    seeds = _chenghua_street_seeds(outline, streets["code"].to_numpy(), seed)
    zeros = np.zeros(len(seeds), np.int64)
    parent = np.array([outline])
    street_cells = _absorb_fragments(_voronoi_cells(parent, seeds, zeros), zeros)
    street_cells = _bend(street_cells, zeros, parent, _rng(seed, "chenghua/bend"))
    districts = _district_frame(rows.iloc[:1], np.array([outline]))
    streets = _area_frame(streets, street_cells, "street")
    return _lower_levels(table, districts, streets, seed, "chenghua", _CHENGHUA)


def _rest_of_city_layers(table: pd.DataFrame, seed: int) -> dict[str, gpd.GeoDataFrame]:
    """All districts except Chenghua, in their real outlines (EPSG:4544)."""
    rows = table[table["district_code"] != CHENGHUA_CODE]
    firsts = rows.drop_duplicates("district_code")
    outlines = np.empty(len(firsts), dtype=object)
    outlines[:] = real_district_outlines(firsts["district_code"].tolist())
    districts = _district_frame(firsts, outlines)
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
