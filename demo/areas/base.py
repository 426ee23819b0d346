"""What every generation step shares: the public constants (metric CRS EPSG:4544, output CRS
EPSG:4326, division codes, layer names, the shipped division table, the lon/lat bounding
boxes), the typed-array aliases, the size targets of the two tiers, the named random
streams derived from a seed, the EPSG:4544 ↔ WGS84 transforms (metres ↔ degrees) and the
rank of each element within its group.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

from gridmap.settings import PACKAGE_ROOT

Scale = Literal["district", "city"]
Geoms = npt.NDArray[np.object_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Metric CRS of generation and of every ``area_km2`` (CGCS2000 / 3-degree GK CM 105E).
METRIC_CRS: Final = "EPSG:4544"
#: CRS of the returned layers (WGS84 longitude/latitude).
WGS84: Final = "EPSG:4326"
#: Division code of Chengdu city, the parent of every district.
CITY_CODE: Final = "510100"
#: Division code of Chenghua district, the district tier.
CHENGHUA_CODE: Final = "510108"
#: Layer names, from the top of the hierarchy down.
LAYERS: Final = ("districts", "streets", "communities", "grids", "buildings")
#: The division table shipped with the package.
DEFAULT_REFERENCE_CSV: Final = PACKAGE_ROOT / "data" / "chengdu_admin_divisions.csv"
#: (min lon, min lat, max lon, max lat) around Chenghua's real outline.
CHENGHUA_BBOX: Final = (104.07, 30.615, 104.24, 30.752)
#: (min lon, min lat, max lon, max lat) around Chengdu's real outline.
CHENGDU_BBOX: Final = (102.98, 30.08, 104.90, 31.44)


@dataclasses.dataclass(frozen=True)
class _Tier:
    """Size targets of one generated subtree."""

    grids: int
    buildings: int


_CHENGHUA: Final = _Tier(grids=1_200, buildings=25_000)
_CITY: Final = _Tier(grids=20_000, buildings=600_000)


def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent generator for one named stream of one seed."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])


@functools.cache
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _to_metric(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Floats, Floats]:
    """WGS84 lon/lat (degrees) to EPSG:4544 easting/northing (metres)."""
    x, y = _transformer(WGS84, METRIC_CRS).transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(x, float), np.asarray(y, float)


def _to_lonlat(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[Floats, Floats]:
    """EPSG:4544 easting/northing (metres) to WGS84 lon/lat (degrees)."""
    lon, lat = _transformer(METRIC_CRS, WGS84).transform(np.asarray(x), np.asarray(y))
    return np.asarray(lon, float), np.asarray(lat, float)


def _rank_in_group(group: Ints) -> Ints:
    """0, 1, 2, ... within each run of equal values of a grouped (sorted) array."""
    if len(group) == 0:
        return np.zeros(0, np.int64)
    start = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    lengths = np.diff(np.r_[start, len(group)])
    return np.arange(len(group)) - np.repeat(start, lengths)
