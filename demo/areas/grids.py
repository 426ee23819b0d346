"""Grids (网格): each community split into cells (at least four, more where it is large and
dense), numbered north to south and west to east, with codes, names and a grid worker and
phone number each; geometry in EPSG:4544 metres. Also the integer allocation of a total in
proportion to weights that sizes them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridmap.demo import names
from gridmap.demo.areas.base import Floats, Ints, _rank_in_group
from gridmap.demo.areas.density import _density
from gridmap.demo.areas.divisions import _area_frame
from gridmap.demo.areas.partition import _partition


def _allocate(total: int, weights: Floats, minimum: int = 0, maximum: Ints | None = None) -> Ints:
    """Split ``total`` into integers proportional to ``weights`` within [minimum, maximum]."""
    w = np.maximum(np.asarray(weights, float), 1e-12)
    hi = np.full(len(w), np.inf) if maximum is None else np.maximum(maximum, minimum)
    lo, top = 0.0, float(total) / w.min() + 1.0
    for _ in range(100):
        mid = (lo + top) / 2
        if np.clip(mid * w, minimum, hi).sum() > total:
            top = mid
        else:
            lo = mid
    share = np.clip(lo * w, minimum, hi)
    out = np.floor(share).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        room = np.flatnonzero(out < hi)
        frac = (share - out)[room]
        out[room[np.argsort(-frac, kind="stable")[:short]]] += 1
    return out


def _make_grids(
    communities: gpd.GeoDataFrame, table: pd.DataFrame, target: int, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """Split communities into about ``target`` grids (EPSG:4544), at least 4 per community."""
    geoms = communities.geometry.to_numpy()
    rep = shapely.point_on_surface(geoms)
    dens = _density(shapely.get_x(rep), shapely.get_y(rep))
    weight = shapely.area(geoms) * dens * rng.lognormal(0.0, 0.25, len(geoms))
    counts = _allocate(target, weight, minimum=4)
    cells, pidx = _partition(geoms, counts, rng, gamma=0.5, lloyd_rounds=2, relax=0.8)
    # Number grids north to south, west to east within their community.
    c = shapely.centroid(cells)
    order = np.lexsort((np.round(shapely.get_x(c)), -np.round(shapely.get_y(c), -2), pidx))
    cells, pidx = cells[order], pidx[order]
    serial = _rank_in_group(pidx) + 1
    parent = communities.iloc[pidx].reset_index(drop=True)
    serial_text = np.strings.zfill(serial.astype(str), 3)
    grid_name = np.strings.add(
        np.strings.add(parent["name"].to_numpy(str), "第"),
        np.strings.add(serial.astype(str), "网格"),
    )
    district_names = parent["district_code"].map(
        dict(zip(table["district_code"], table["district_name"], strict=True))
    )
    street_names = parent["street_code"].map(
        dict(zip(table["street_code"], table["street_name"], strict=True))
    )
    attrs = pd.DataFrame(
        {
            "code": np.strings.add(parent["code"].to_numpy(str), serial_text),
            "name": grid_name,
            "official_name": np.strings.add(
                np.strings.add(district_names.to_numpy(str), street_names.to_numpy(str)),
                grid_name,
            ),
            "parent_code": parent["code"].to_numpy(),
            "district_code": parent["district_code"].to_numpy(),
            "street_code": parent["street_code"].to_numpy(),
            "community_code": parent["code"].to_numpy(),
        }
    )
    frame = _area_frame(attrs, cells, "grid")
    frame["worker"] = names.person_names(rng, len(frame))
    frame["worker_phone"] = names.mobile_numbers(rng, len(frame))
    return frame
