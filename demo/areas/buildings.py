"""Buildings as a layer: the footprints of :mod:`gridmap.demo.areas.lattice` with storeys,
households and residents, door-number or village-group addresses on the district's roads,
and a watcher per compound; returned as a GeoDataFrame in EPSG:4544.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from gridmap.demo import names
from gridmap.demo.areas.base import METRIC_CRS, Ints, _rank_in_group
from gridmap.demo.areas.lattice import _place_buildings


def _floors(kind: Ints, rng: np.random.Generator) -> Ints:
    """Storeys by kind: low-rise 2-5, old slabs mostly 6-7, towers 11-33."""
    m = len(kind)
    low = rng.choice([2, 3, 4, 5], size=m, p=[0.35, 0.35, 0.2, 0.1])
    old = rng.choice([5, 6, 7, 8], size=m, p=[0.1, 0.45, 0.4, 0.05])
    tower = np.where(rng.random(m) < 0.7, rng.integers(18, 34, m), rng.integers(11, 18, m))
    return np.choose(kind, [low, old, tower]).astype(np.int64)


def _make_buildings(
    grids: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame,
    target: int,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """About ``target`` buildings with addresses and residents (EPSG:4544)."""
    found = _place_buildings(grids, target, rng)
    g = found.grid
    n_grids = len(grids)
    serial = _rank_in_group(g)
    floors = _floors(found.kind, rng)
    # Flats per floor from the footprint; a low-rise house holds one or two households.
    units = np.maximum(1, np.round(found.length * found.width * 0.35 / 100.0)).astype(np.int64)
    households = np.where(found.kind == 0, np.maximum(1, floors // 2), floors * units)
    population = rng.poisson(2.6 * households).astype(np.int64)
    # Compounds (小区 / 村民小组) of a few buildings share a door number and a watcher.
    village_names = (
        grids["community_code"]
        .map(dict(zip(communities["code"], communities["name"], strict=True)))
        .to_numpy(str)
    )
    village = np.strings.endswith(village_names, "村")
    size = np.where(village, rng.integers(8, 21, n_grids), rng.integers(2, 10, n_grids))
    compound = serial // size[g]
    within = (serial % size[g] + 1).astype(str)
    base = rng.integers(1, 120, n_grids)
    road = _roads_per_grid(grids["district_code"].to_numpy(str), rng)
    urban_name = _join(road[g], (base[g] + 2 * compound).astype(str), "号", within, "栋")
    village_name = _join(
        village_names[g], (base[g] % 9 + 1 + compound).astype(str), "组", within, "号"
    )
    key, compound_id = np.unique(g * 100_000 + compound, return_inverse=True)
    watchers = names.person_names(rng, len(key))[compound_id]
    codes = grids["code"].to_numpy(str)[g]
    attrs = pd.DataFrame(
        {
            "building_id": np.strings.add(codes, np.strings.zfill((serial + 1).astype(str), 4)),
            "grid_code": codes,
            "community_code": grids["community_code"].to_numpy(str)[g],
            "street_code": grids["street_code"].to_numpy(str)[g],
            "district_code": grids["district_code"].to_numpy(str)[g],
            "name": np.where(village[g], village_name, urban_name),
            "floors": floors,
            "households": households,
            "population": population,
            "watcher": watchers,
        }
    )
    return gpd.GeoDataFrame(attrs, geometry=found.footprint, crs=METRIC_CRS)


def _join(*parts: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Element-wise string concatenation of arrays and scalars."""
    out = np.asarray(parts[0], dtype=str)
    for part in parts[1:]:
        out = np.strings.add(out, np.asarray(part, dtype=str))
    return out


def _roads_per_grid(
    district_codes: npt.NDArray[np.str_], rng: np.random.Generator
) -> npt.NDArray[np.str_]:
    """One road name per grid, from its district's list."""
    districts, which = np.unique(district_codes, return_inverse=True)
    lists = [names.roads_for_district(d) for d in districts]
    offset = np.r_[0, np.cumsum([len(r) for r in lists])[:-1]]
    length = np.array([len(r) for r in lists])
    pool = np.array([road for r in lists for road in r])
    pick = offset[which] + np.floor(rng.random(len(which)) * length[which]).astype(np.int64)
    return pool[pick]
