"""Deterministic base layers (一本账): districts, streets, communities, grids, buildings.

Two scale tiers share one generator:

``"district"``
    Chenghua 成华区 (510108): an organic outline of about 108 km², its 11 real streets and
    83 real communities (names and codes from ``data/chengdu_admin_divisions.csv``),
    about 1,200 grids and 25,000 buildings.
``"city"``
    Chengdu: 20 districts, 261 streets, 3,047 communities, about 20,000 grids and
    600,000 buildings. Chenghua is the very same subtree as in the district tier.

The areas are a strict hierarchy of partitions built with Voronoi cells clipped to their
parent (district -> street -> community -> grid), so each street is exactly the union of its
communities and each community the union of its grids. Buildings lie inside their grid
and do not overlap. Geometry is built in EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger
CM 105E, metres) and returned in EPSG:4326 (WGS84 longitude/latitude, degrees).

All randomness comes from :func:`numpy.random.default_rng` streams derived from ``seed``
and a fixed stream name, so the same seed always gives identical output.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tempfile
import zlib
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from gridmap.demo import names
from gridmap.settings import PACKAGE_ROOT

__all__ = [
    "CHENGDU_BBOX",
    "CHENGHUA_BBOX",
    "CHENGHUA_CODE",
    "CITY_CODE",
    "DEFAULT_REFERENCE_CSV",
    "LAYERS",
    "METRIC_CRS",
    "WGS84",
    "Scale",
    "make_areas",
    "write_areas",
]

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
#: (min lon, min lat, max lon, max lat) that the Chenghua outline stays inside.
CHENGHUA_BBOX: Final = (104.07, 30.62, 104.24, 30.75)
#: (min lon, min lat, max lon, max lat) that the Chengdu outline stays inside.
CHENGDU_BBOX: Final = (102.99, 30.09, 104.90, 31.44)


@dataclasses.dataclass(frozen=True)
class _Tier:
    """Size targets of one generated subtree."""

    grids: int
    buildings: int


_CHENGHUA: Final = _Tier(grids=1_200, buildings=25_000)
_CITY: Final = _Tier(grids=20_000, buildings=600_000)

_CHENGHUA_AREA_M2: Final = 108.0e6
_CHENGHUA_CENTRE: Final = (104.155, 30.685)
_CITY_AREA_M2: Final = 14_300.0e6
_CITY_CENTRE: Final = (103.95, 30.70)
_CORE_CENTRE: Final = (104.058, 30.655)
_CORE_AREA_M2: Final = 360.0e6
#: 锦江, 青羊, 金牛, 武侯: with Chenghua the old city inside the ring roads.
_CENTRAL_DISTRICTS: Final = ("510104", "510105", "510106", "510107")
#: 天府广场, the centre of the density surface.
_DOWNTOWN: Final = (104.0657, 30.6574)

#: Street seeds of Chenghua in units of the outline's equivalent radius, east and north of its
#: centroid: the old quarters along the Fu river (south-west) are small, the north-east large.
_CHENGHUA_STREET_SEEDS: Final[dict[str, tuple[float, float]]] = {
    "510108002": (-0.80, -0.40),  # 猛追湾
    "510108004": (-0.52, -0.62),  # 双桥子
    "510108006": (-0.80, 0.04),  # 府青路
    "510108007": (-0.40, 0.02),  # 二仙桥
    "510108008": (-0.22, -0.46),  # 跳蹬河
    "510108010": (-0.70, 0.45),  # 双水碾
    "510108011": (-0.10, -0.85),  # 万年场
    "510108014": (0.50, -0.45),  # 保和
    "510108015": (-0.05, 0.75),  # 青龙
    "510108016": (0.55, 0.35),  # 龙潭
    "510108017": (-0.12, 0.30),  # 白莲池
}

#: Approximate seats of the districts and counties (lon, lat): Voronoi seeds of the city tier.
_DISTRICT_SEEDS: Final[dict[str, tuple[float, float]]] = {
    "510104": (104.095, 30.612),  # 锦江
    "510105": (104.020, 30.672),  # 青羊
    "510106": (104.040, 30.725),  # 金牛
    "510107": (104.030, 30.620),  # 武侯
    "510112": (104.300, 30.570),  # 龙泉驿
    "510113": (104.400, 30.800),  # 青白江
    "510114": (104.140, 30.850),  # 新都
    "510115": (103.820, 30.720),  # 温江
    "510116": (103.950, 30.480),  # 双流
    "510117": (103.880, 30.840),  # 郫都
    "510118": (103.800, 30.400),  # 新津
    "510121": (104.600, 30.850),  # 金堂
    "510129": (103.400, 30.600),  # 大邑
    "510131": (103.480, 30.230),  # 蒲江
    "510181": (103.580, 31.020),  # 都江堰
    "510182": (103.870, 31.150),  # 彭州
    "510183": (103.380, 30.380),  # 邛崃
    "510184": (103.620, 30.700),  # 崇州
    "510185": (104.580, 30.350),  # 简阳
}

#: Hand-drawn rim of Chengdu (lon, lat), smoothed into the city outline.
_CITY_RIM: Final = (
    (103.03, 30.52),
    (103.10, 30.75),
    (103.30, 30.95),
    (103.42, 31.12),
    (103.58, 31.30),
    (103.75, 31.40),
    (103.95, 31.38),
    (104.05, 31.20),
    (104.20, 31.02),
    (104.40, 31.05),
    (104.62, 31.02),
    (104.85, 30.88),
    (104.86, 30.62),
    (104.82, 30.32),
    (104.70, 30.14),
    (104.50, 30.13),
    (104.32, 30.28),
    (104.12, 30.30),
    (103.95, 30.30),
    (103.80, 30.28),
    (103.62, 30.12),
    (103.40, 30.14),
    (103.20, 30.28),
    (103.05, 30.38),
)

#: Towns on the density surface: (lon, lat, relative density, radius in m).
_TOWNS: Final = (
    (104.270, 30.560, 0.30, 3000.0),  # 龙泉驿
    (104.250, 30.880, 0.22, 2500.0),  # 青白江
    (104.160, 30.820, 0.35, 3000.0),  # 新都
    (103.840, 30.690, 0.35, 3000.0),  # 温江
    (103.920, 30.575, 0.40, 3500.0),  # 双流
    (103.890, 30.800, 0.35, 3000.0),  # 郫都
    (104.070, 30.500, 0.40, 4000.0),  # 天府新区
    (103.810, 30.410, 0.18, 2000.0),  # 新津
    (104.430, 30.860, 0.18, 2000.0),  # 金堂
    (103.520, 30.590, 0.14, 2000.0),  # 大邑
    (103.510, 30.200, 0.12, 1800.0),  # 蒲江
    (103.620, 31.000, 0.22, 2500.0),  # 都江堰
    (103.960, 30.990, 0.18, 2200.0),  # 彭州
    (103.460, 30.410, 0.16, 2200.0),  # 邛崃
    (103.670, 30.630, 0.18, 2200.0),  # 崇州
    (104.550, 30.410, 0.22, 2500.0),  # 简阳
)

#: Incident hot spots inside Chenghua, anchored on a community: (code, strength, radius m).
_CHENGHUA_HOTSPOTS: Final = (
    ("510108002010", 3.0, 700.0),  # 建设中路: 建设路 shopping street and night market
    ("510108006004", 2.0, 600.0),  # 八里庄: old factory housing
    ("510108006002", 1.5, 600.0),  # 李家沱: old residential quarter
    ("510108010001", 2.5, 800.0),  # 站北路: by the North railway station
    ("510108014010", 3.0, 900.0),  # 迎晖: Chengdu East railway station
    ("510108011005", 2.0, 600.0),  # 槐树店: 万年场 market
    ("510108007009", 1.5, 700.0),  # 圣灯: wholesale markets
    ("510108008003", 1.2, 600.0),  # 杉板桥: old industrial quarter
    ("510108016001", 1.5, 800.0),  # 龙潭正街: industrial park, rented rooms
)

#: City-wide hot spots: (lon, lat, strength, radius m).
_CITY_HOTSPOTS: Final = (
    (104.0806, 30.6549, 3.0, 900.0),  # 春熙路
    (104.0657, 30.6574, 2.0, 800.0),  # 天府广场
    (104.0534, 30.6694, 1.5, 600.0),  # 宽窄巷子
    (104.0711, 30.6976, 2.5, 900.0),  # 火车北站 / 荷花池 market
    (104.0675, 30.6117, 2.0, 900.0),  # 火车南站
    (104.0447, 30.6420, 1.2, 700.0),  # 武侯祠 / 锦里
    (103.9583, 30.5784, 2.0, 1500.0),  # 双流 airport
)

_MIN_SPACING_M: Final = 24.0  # smallest building lattice step
_GAP_M: Final = 5.0  # least distance between two buildings
_INSET_M: Final = 1.5  # least distance of a building from its grid's edge


# --------------------------------------------------------------------------- public API


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
        outline = layers["districts"].geometry.iloc[0]
        rest = _rest_of_city_layers(table, seed, outline)
        layers = {key: _concat(layers[key], rest[key]) for key in LAYERS}
    _add_weights(layers["grids"], layers["buildings"], hotspots)
    return {key: _finish(layers[key]) for key in LAYERS}


def write_areas(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write the layers into one GeoPackage, one layer per key.

    The file is written next to ``path`` under a temporary name and then moved into
    place, so a reader never sees half a file. An existing file is replaced.

    Parameters
    ----------
    layers
        Output of :func:`make_areas` (any CRS is written as is; those are EPSG:4326).
    path
        Destination ``.gpkg`` file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", prefix=f".{path.stem}-", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        for key, frame in layers.items():
            frame.to_file(tmp, layer=key, driver="GPKG", engine="pyogrio", use_arrow=True)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- tiers


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


# --------------------------------------------------------------------------- reference table


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


# --------------------------------------------------------------------------- randomness, CRS


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


# --------------------------------------------------------------------------- outlines


def _radial_polygon(cx: float, cy: float, radius: Floats) -> shapely.Polygon:
    """Star-shaped polygon with ``radius[i]`` metres at angle ``2 pi i / len(radius)``."""
    theta = np.linspace(0.0, 2.0 * np.pi, len(radius), endpoint=False)
    ring = np.column_stack([cx + radius * np.cos(theta), cy + radius * np.sin(theta)])
    return shapely.Polygon(ring)


def _harmonic_noise(
    rng: np.random.Generator, n_angles: int, k_max: int, amplitude: float, decay: float
) -> Floats:
    """Smooth periodic noise: sum of cosines ``k = 2..k_max`` with amplitude ~ ``k**-decay``."""
    theta = np.linspace(0.0, 2.0 * np.pi, n_angles, endpoint=False)
    k = np.arange(2, k_max + 1, dtype=float)
    amp = amplitude * k**-decay * rng.standard_normal(len(k))
    phase = rng.uniform(0.0, 2.0 * np.pi, len(k))
    return (amp[:, None] * np.cos(k[:, None] * theta[None, :] + phase[:, None])).sum(axis=0)


def _fit_radial(
    centre: tuple[float, float],
    log_radius: Floats,
    noise: Floats,
    area_m2: float,
    bbox: tuple[float, float, float, float] | None = None,
) -> shapely.Polygon:
    """Scale a radial shape around ``centre`` (lon, lat) to ``area_m2`` (EPSG:4544).

    With a lon/lat ``bbox``, the noise is damped (and, if even the bare shape does not
    fit, the area shrunk) until the shape, centred on the middle of its lon/lat extent,
    lies inside ``bbox``.
    """
    cx, cy = _to_metric(*centre)
    cx, cy = float(cx), float(cy)
    if bbox is None:
        radius = np.exp(log_radius + noise)
        radius *= np.sqrt(area_m2 / _radial_polygon(cx, cy, radius).area)
        return _radial_polygon(cx, cy, radius)
    damp, shrink = 1.0, 1.0
    for _ in range(60):
        radius = np.exp(log_radius + damp * noise)
        poly = _radial_polygon(cx, cy, radius)
        radius *= np.sqrt(area_m2 * shrink / poly.area)
        ring = np.asarray(_radial_polygon(cx, cy, radius).exterior.coords)
        lon, lat = _to_lonlat(ring[:, 0], ring[:, 1])
        shift_lon = (bbox[0] + bbox[2]) / 2 - (lon.min() + lon.max()) / 2
        shift_lat = (bbox[1] + bbox[3]) / 2 - (lat.min() + lat.max()) / 2
        lon, lat = lon + shift_lon, lat + shift_lat
        margin = 1e-4
        if (
            lon.min() > bbox[0] + margin
            and lon.max() < bbox[2] - margin
            and lat.min() > bbox[1] + margin
            and lat.max() < bbox[3] - margin
        ):
            x, y = _to_metric(lon, lat)
            poly = shapely.Polygon(np.column_stack([x, y]))
            # Re-projection bends the shape very slightly; restore the exact area.
            c = poly.centroid
            poly = shapely.affinity.scale(
                poly, *(2 * [np.sqrt(area_m2 * shrink / poly.area)]), origin=c
            )
            return shapely.make_valid(poly) if not poly.is_valid else poly
        if damp > 0.05:
            damp *= 0.85
        else:
            shrink *= 0.98
    raise RuntimeError("could not fit the outline into its bounding box")


def _chenghua_outline(rng: np.random.Generator) -> shapely.Polygon:
    """Organic outline of Chenghua, 108 km² in EPSG:4544, inside :data:`CHENGHUA_BBOX`."""
    n = 1440
    noise = _harmonic_noise(rng, n, 64, amplitude=0.30, decay=1.5)
    return _fit_radial(_CHENGHUA_CENTRE, np.zeros(n), noise, _CHENGHUA_AREA_M2, CHENGHUA_BBOX)


def _city_outline(rng: np.random.Generator) -> shapely.Polygon:
    """Chengdu-shaped outline of about 14,300 km² in EPSG:4544, inside :data:`CHENGDU_BBOX`."""
    n = 2880
    cx, cy = _to_metric(*_CITY_CENTRE)
    rim_lon, rim_lat = np.array(_CITY_RIM).T
    x, y = _to_metric(rim_lon, rim_lat)
    angle = np.arctan2(y - cy, x - cx) % (2 * np.pi)
    order = np.argsort(angle)
    theta = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    log_r = np.interp(
        theta, angle[order], np.log(np.hypot(x - cx, y - cy))[order], period=2 * np.pi
    )
    spectrum = np.fft.rfft(log_r)
    spectrum[10:] = 0.0  # keep the big shape, drop the corners of the hand-drawn rim
    log_r = np.fft.irfft(spectrum, n)
    noise = _harmonic_noise(rng, n, 120, amplitude=0.10, decay=1.3)
    return _fit_radial(_CITY_CENTRE, log_r, noise, _CITY_AREA_M2, CHENGDU_BBOX)


def _core_outline(rng: np.random.Generator) -> shapely.Polygon:
    """Organic blob of the four central districts (with Chenghua cut out later), EPSG:4544."""
    n = 1440
    noise = _harmonic_noise(rng, n, 64, amplitude=0.25, decay=1.5)
    return _fit_radial(_CORE_CENTRE, np.zeros(n), noise, _CORE_AREA_M2)


def _chenghua_street_seeds(
    outline: shapely.Polygon, codes: npt.NDArray[np.str_], seed: int
) -> Floats:
    """Seeds of Chenghua's streets (EPSG:4544), at their rough real places in the outline."""
    rng = _rng(seed, "chenghua/street-seeds")
    centre = outline.centroid
    radius = np.sqrt(outline.area / np.pi)
    rel = rng.uniform(-0.6, 0.6, (len(codes), 2))  # for streets not in the table below
    known = np.array([c in _CHENGHUA_STREET_SEEDS for c in codes], dtype=bool)
    if known.any():
        rel[known] = [_CHENGHUA_STREET_SEEDS[c] for c in codes[known]]
    rel = rel + rng.normal(0.0, 0.04, rel.shape)
    xy = np.column_stack([centre.x + rel[:, 0] * radius, centre.y + rel[:, 1] * radius])
    xy = _place_inside(xy, outline, margin=300.0)
    return xy


def _place_inside(xy: Floats, region: shapely.Geometry, margin: float = 1500.0) -> Floats:
    """Move points that are not inside ``region`` to the nearest point ``margin`` m inside it."""
    xy = xy.copy()
    points = shapely.points(xy)
    bad = np.flatnonzero(~shapely.contains(region, points))
    if len(bad) == 0:
        return xy
    inner = shapely.buffer(region, -margin)
    if inner.is_empty:
        inner = shapely.point_on_surface(region)
    lines = shapely.shortest_line(points[bad], inner)
    xy[bad] = shapely.get_coordinates(shapely.get_point(lines, 1))
    return xy


# --------------------------------------------------------------------------- density surface


@functools.cache
def _density_anchors() -> tuple[tuple[float, float], Floats]:
    """Downtown (x, y) and the towns as rows (x, y, level, radius), all EPSG:4544."""
    dx, dy = _to_metric(*_DOWNTOWN)
    towns = np.array(_TOWNS)
    tx, ty = _to_metric(towns[:, 0], towns[:, 1])
    return (float(dx), float(dy)), np.column_stack([tx, ty, towns[:, 2], towns[:, 3]])


def _density(x: Floats, y: Floats) -> Floats:
    """Relative density of people at EPSG:4544 points (downtown ~1.4, countryside 0.015)."""
    (dx, dy), towns = _density_anchors()
    d = np.hypot(x - dx, y - dy)
    value = np.exp(-d / 5500.0) + 0.35 * np.exp(-((d / 14000.0) ** 2)) + 0.015
    for tx, ty, level, radius in towns:
        value = value + level * np.exp(-((x - tx) ** 2 + (y - ty) ** 2) / (2 * radius**2))
    return value


# --------------------------------------------------------------------------- partitions


def _sample_points(
    parents: Geoms, counts: Ints, rng: np.random.Generator, gamma: float
) -> tuple[Floats, Floats, Ints]:
    """Draw ``counts[i]`` random points inside each ``parents[i]`` (EPSG:4544).

    Points are uniform when ``gamma == 0``; otherwise a candidate is kept with probability
    ``(density / max density in its parent) ** gamma`` so that seeds crowd where people
    live. Returns ``x, y, parent index`` sorted by parent index.
    """
    shapely.prepare(parents)
    bounds = shapely.bounds(parents)
    width, height = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
    fill = np.clip(shapely.area(parents) / np.maximum(width * height, 1e-9), 0.05, 1.0)
    need = counts.astype(np.int64).copy()
    xs, ys, ps = [], [], []
    factor = 2.0 if gamma == 0 else 4.0
    for _ in range(40):
        if not need.any():
            break
        todo = np.flatnonzero(need > 0)
        tries = np.ceil(need[todo] * factor / fill[todo]).astype(np.int64) + 8
        pid = np.repeat(todo, tries)
        x = bounds[pid, 0] + rng.random(len(pid)) * width[pid]
        y = bounds[pid, 1] + rng.random(len(pid)) * height[pid]
        keep = shapely.contains_xy(parents[pid], x, y)
        if gamma > 0:
            dens = _density(x, y)
            top = np.zeros(len(parents))
            np.maximum.at(top, pid[keep], dens[keep])
            keep &= rng.random(len(pid)) < (dens / np.maximum(top[pid], 1e-12)) ** gamma
        kx, ky, kp = x[keep], y[keep], pid[keep]
        take = _rank_in_group(kp) < need[kp]
        xs.append(kx[take])
        ys.append(ky[take])
        ps.append(kp[take])
        need -= np.bincount(kp[take], minlength=len(parents))
        factor *= 2.0
    else:
        raise RuntimeError("could not place seed points (a parent has no area?)")
    x, y, p = np.concatenate(xs), np.concatenate(ys), np.concatenate(ps)
    order = np.argsort(p, kind="stable")
    return x[order], y[order], p[order]


def _rank_in_group(group: Ints) -> Ints:
    """0, 1, 2, ... within each run of equal values of a grouped (sorted) array."""
    if len(group) == 0:
        return np.zeros(0, np.int64)
    start = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    lengths = np.diff(np.r_[start, len(group)])
    return np.arange(len(group)) - np.repeat(start, lengths)


def _voronoi_cells(parents: Geoms, xy: Floats, pidx: Ints) -> Geoms:
    """Voronoi cells of the seeds ``xy`` of each parent, clipped to that parent.

    ``pidx`` (sorted) gives each seed's parent; the cells come back in seed order, all
    Polygon or MultiPolygon, and exactly cover their parents.
    """
    counts = np.bincount(pidx, minlength=len(parents))
    cells = np.empty(len(pidx), dtype=object)
    single = counts[pidx] == 1
    cells[single] = parents[pidx[single]]
    multi = ~single
    if multi.any():
        multi_parents = np.flatnonzero(counts >= 2)
        dense = np.searchsorted(multi_parents, pidx[multi])
        points = shapely.points(xy[multi])
        seeds = shapely.multipoints(points, indices=dense)
        diagram = shapely.voronoi_polygons(seeds, extend_to=parents[multi_parents], ordered=True)
        parts, owner = shapely.get_parts(diagram, return_index=True)
        if not np.array_equal(owner, dense):
            raise RuntimeError("Voronoi diagram lost a seed (duplicate seed points?)")
        cells[multi] = shapely.intersection(parts, parents[pidx[multi]])
    return _polygonal(cells)


def _polygonal(geoms: Geoms) -> Geoms:
    """Keep only the polygonal parts of each geometry: Polygon, or MultiPolygon if several."""
    geoms = np.asarray(geoms, dtype=object).copy()
    types = shapely.get_type_id(geoms)
    odd = np.flatnonzero(~np.isin(types, (3, 6)))
    if len(odd) == 0:
        return geoms
    parts, idx = shapely.get_parts(geoms[odd], return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)
    idx = idx[sub]
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    for i, g in enumerate(odd):
        mine = parts[keep & (idx == i)]
        geoms[g] = mine[0] if len(mine) == 1 else shapely.MultiPolygon(list(mine))
    return geoms


def _absorb_fragments(cells: Geoms, pidx: Ints) -> Geoms:
    """Give the smaller parts of multi-part cells to the sibling they share most edge with.

    A convex Voronoi cell clipped to a concave parent can fall apart; the stray parts are
    merged into the neighbouring cell of the same parent, which keeps the partition exact.
    A part with no such neighbour stays where it is.
    """
    parts, owner = shapely.get_parts(cells, return_index=True)
    if len(parts) == len(cells):
        return cells
    area = shapely.area(parts)
    order = np.lexsort((-area, owner))
    is_main = np.zeros(len(parts), bool)
    is_main[order[_rank_in_group(owner[order]) == 0]] = True
    main = np.flatnonzero(is_main)
    frag = np.flatnonzero(~is_main)
    probe = shapely.buffer(parts[frag], 0.5)
    fi, ti = shapely.STRtree(parts[main]).query(probe, predicate="intersects")
    to_cell = owner[main[ti]]
    ok = (pidx[to_cell] == pidx[owner[frag[fi]]]) & (to_cell != owner[frag[fi]])
    fi, to_cell = fi[ok], to_cell[ok]
    shared = shapely.area(shapely.intersection(probe[fi], parts[main[ti[ok]]]))
    dest = owner.copy()
    best = np.lexsort((-shared, fi))
    first = best[_rank_in_group(fi[best]) == 0]
    dest[frag[fi[first]]] = to_cell[first]
    out = cells.copy()
    changed = np.unique(np.r_[owner[dest != owner], dest[dest != owner]])
    for c in changed:
        mine = parts[dest == c]
        out[c] = mine[0] if len(mine) == 1 else shapely.union_all(mine)
    return _polygonal(out)


def _bend(cells: Geoms, pidx: Ints, parents: Geoms, rng: np.random.Generator) -> Geoms:
    """Curve the straight edges between sibling cells, keeping every parent boundary fixed.

    Vertices move by a smooth field ``D`` (a few plane waves whose wavelength and
    amplitude scale with the parent's mean cell size ``s``), faded to zero within ``s / 2``
    of the parent's boundary. The Lipschitz constant of ``D`` stays below 1, so the map
    ``p -> p + D(p)`` is one-to-one: cells stay valid and still tile their parent exactly.
    Edges are first split, the same way from either side, so shared edges stay shared.
    """
    counts = np.bincount(pidx, minlength=len(parents))
    size = np.sqrt(shapely.area(parents) / np.maximum(counts, 1))
    waves = 3
    k = 2 * np.pi / rng.uniform(1.0, 2.5, waves)  # radians per cell size
    angle = rng.uniform(0, 2 * np.pi, waves)
    direction = np.column_stack([np.cos(angle), np.sin(angle)])
    phase = rng.uniform(0, 2 * np.pi, waves)
    # Per unit cell size. Lipschitz bound: 3 waves * sqrt(2) * 0.09 = 0.38 for the waves,
    # plus max|D| / s * max|fade'| * s <= 3 * sqrt(2) * 0.09 * 2.5 / (2 pi) * 3 = 0.46.
    amp = (0.09 / k)[:, None] * rng.choice([-1.0, 1.0], (waves, 2))

    parts, part_cell = shapely.get_parts(cells, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    owner = pidx[part_cell[ring_part[ring_of]]]
    coords, ring_of, owner = _split_edges(coords, ring_of, owner, size[owner] / 8)
    s = size[owner]
    edges = shapely.boundary(parents)
    dist = shapely.distance(shapely.points(coords), edges[owner])
    t = np.clip(dist / (0.5 * s), 0.0, 1.0)
    fade = t * t * (3 - 2 * t)
    arg = (coords @ direction.T) / s[:, None] * k + phase
    coords = coords + (fade * s)[:, None] * (np.sin(arg) @ amp)

    new_rings = shapely.linearrings(coords, indices=ring_of)
    first = np.r_[True, np.diff(ring_part) != 0]
    new_parts = np.empty(len(parts), dtype=object)
    simple = np.bincount(ring_part, minlength=len(parts)) == 1
    new_parts[simple] = shapely.polygons(new_rings[first][simple])
    for i in np.flatnonzero(~simple):
        mine = new_rings[ring_part == i]
        new_parts[i] = shapely.Polygon(mine[0], holes=list(mine[1:]))
    out = cells.copy()
    single = np.bincount(part_cell, minlength=len(cells)) == 1
    out[single] = new_parts[np.r_[True, np.diff(part_cell) != 0]][single]
    for i in np.flatnonzero(~single):
        out[i] = shapely.MultiPolygon(list(new_parts[part_cell == i]))
    return out


def _split_edges(
    coords: Floats, ring_of: Ints, owner: Ints, max_len: Floats
) -> tuple[Floats, Ints, Ints]:
    """Split ring edges longer than ``max_len`` into equal pieces.

    The new points are interpolated from the lexicographically smaller end, so an edge
    shared by two rings (walked in opposite directions) gets bit-identical points.
    """
    same = ring_of[1:] == ring_of[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    lim = max_len[:-1][same]
    pieces = np.maximum(np.ceil(np.hypot(*(b - a).T) / lim), 1).astype(np.int64)
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo, hi = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    edge = np.repeat(np.arange(len(a)), pieces)
    step = _rank_in_group(edge)
    j = np.where(swap[edge], pieces[edge] - step, step)
    pts = lo[edge] + (j / pieces[edge])[:, None] * (hi[edge] - lo[edge])
    pts[step == 0] = a[edge[step == 0]]  # original vertices stay exactly as they were
    starts = np.flatnonzero(same)
    ring_new = ring_of[starts][edge]
    owner_new = owner[starts][edge]
    # Close every ring with its own first point.
    last = np.flatnonzero(np.r_[ring_new[1:] != ring_new[:-1], True])
    out = np.insert(pts, last + 1, pts[np.r_[0, last[:-1] + 1]], axis=0)
    return (
        out,
        np.insert(ring_new, last + 1, ring_new[last]),
        np.insert(owner_new, last + 1, owner_new[last]),
    )


def _partition(
    parents: Geoms,
    counts: Ints,
    rng: np.random.Generator,
    *,
    gamma: float,
    lloyd_rounds: int,
    relax: float,
) -> tuple[Geoms, Ints]:
    """Split each ``parents[i]`` into ``counts[i]`` cells (EPSG:4544).

    Seeds are sampled inside each parent (crowding where density is high when
    ``gamma > 0``), relaxed ``lloyd_rounds`` times by the fraction ``relax`` towards their
    cell centroids, and their Voronoi cells clipped to the parent. Returns the cells and
    their parent index, grouped by parent in seed order. Finally the edges between
    siblings are gently curved (see :func:`_bend`).
    """
    x, y, pidx = _sample_points(parents, counts, rng, gamma)
    xy = np.column_stack([x, y])
    cells = _voronoi_cells(parents, xy, pidx)
    for _ in range(lloyd_rounds):
        c = shapely.centroid(cells)
        cx, cy = shapely.get_x(c), shapely.get_y(c)
        moved = np.column_stack([x + relax * (cx - x), y + relax * (cy - y)])
        ok = shapely.contains_xy(parents[pidx], moved[:, 0], moved[:, 1])
        xy = np.where(ok[:, None], moved, xy)
        x, y = xy[:, 0], xy[:, 1]
        cells = _voronoi_cells(parents, xy, pidx)
    cells = _absorb_fragments(cells, pidx)
    return _bend(cells, pidx, parents, rng), pidx


# --------------------------------------------------------------------------- grids


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


# --------------------------------------------------------------------------- buildings

#: Footprint ranges per building kind, metres: (length min, max, width min, max). Kinds are
#: 0 low-rise (shops, village houses), 1 old 6-7 storey slab, 2 high-rise tower.
_KIND_SIZE: Final = np.array(
    [[15.0, 25.0, 10.0, 14.0], [30.0, 60.0, 10.0, 14.0], [18.0, 35.0, 15.0, 25.0]]
)
#: Probability of each kind in a grid that is rural, an old quarter, a new estate or mixed.
_KIND_MIX: Final = np.array(
    [[0.88, 0.12, 0.00], [0.15, 0.75, 0.10], [0.12, 0.13, 0.75], [0.25, 0.40, 0.35]]
)
_ASPECT: Final = 1.3  # lattice cells are _ASPECT**2 times longer than wide
_PASSES: Final = 4  # lattice layouts tried per grid


@dataclasses.dataclass(frozen=True)
class _Candidates:
    """Building candidates: grid index, lattice slot, kind, size (m) and footprint."""

    grid: Ints
    slot: Ints
    kind: Ints
    length: Floats
    width: Floats
    footprint: Geoms

    def take(self, mask: npt.NDArray[np.bool_] | Ints) -> _Candidates:
        """The candidates selected by a boolean mask or an index array."""
        return _Candidates(
            self.grid[mask],
            self.slot[mask],
            self.kind[mask],
            self.length[mask],
            self.width[mask],
            self.footprint[mask],
        )

    @staticmethod
    def concat(parts: list[_Candidates]) -> _Candidates:
        """All candidates of several batches, in order."""
        return _Candidates(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("grid", "slot", "kind", "length", "width", "footprint")
            )
        )


def _choose_rows(p: Floats, rng: np.random.Generator) -> Ints:
    """One category per row of (unnormalised) probabilities ``p``."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(len(p)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), p.shape[1] - 1)


def _grid_character(dens: Floats, rng: np.random.Generator) -> Ints:
    """Character of each grid from its density: 0 rural, 1 old quarter, 2 new estate, 3 mixed."""
    rural = np.clip((0.10 - dens) / 0.07, 0.0, 1.0)
    old = np.clip(dens / 1.2, 0.1, 0.7)
    urban = 1.0 - rural
    p = np.column_stack([rural, urban * old, urban * (1 - old) * 0.55, urban * (1 - old) * 0.45])
    return _choose_rows(p, rng)


def _lattice_buildings(
    inner: Geoms, theta: Floats, spacing: Floats, character: Ints, rng: np.random.Generator
) -> _Candidates:
    """Rotated rectangles on a jittered lattice inside each polygon of ``inner`` (EPSG:4544).

    The lattice of polygon ``i`` is turned by ``theta[i]`` radians and has cells of
    ``spacing[i] * 1.3`` by ``spacing[i] / 1.3`` metres. Every building keeps to its own
    cell with a margin, so buildings never overlap; only those wholly inside ``inner[i]``
    are returned.
    """
    n = len(inner)
    coords, gi = shapely.get_coordinates(inner, return_index=True)
    centre = shapely.centroid(inner)
    ox, oy = shapely.get_x(centre), shapely.get_y(centre)
    cos, sin = np.cos(theta), np.sin(theta)
    dx, dy = coords[:, 0] - ox[gi], coords[:, 1] - oy[gi]
    u, v = dx * cos[gi] + dy * sin[gi], -dx * sin[gi] + dy * cos[gi]
    umin, vmin = np.full(n, np.inf), np.full(n, np.inf)
    umax, vmax = np.full(n, -np.inf), np.full(n, -np.inf)
    np.minimum.at(umin, gi, u)
    np.minimum.at(vmin, gi, v)
    np.maximum.at(umax, gi, u)
    np.maximum.at(vmax, gi, v)
    has = np.isfinite(umin)
    sx, sy = spacing * _ASPECT, spacing / _ASPECT
    nx = np.where(has, np.floor(np.where(has, umax - umin, 0) / sx) + 1, 0).astype(np.int64)
    ny = np.where(has, np.floor(np.where(has, vmax - vmin, 0) / sy) + 1, 0).astype(np.int64)
    phase_u, phase_v = rng.random(n), rng.random(n)
    g = np.repeat(np.arange(n), nx * ny)
    slot = _rank_in_group(g)
    lu = umin[g] + (slot % nx[g] + phase_u[g]) * sx[g]
    lv = vmin[g] + (slot // nx[g] + phase_v[g]) * sy[g]
    inside = shapely.contains_xy(
        inner[g], ox[g] + lu * cos[g] - lv * sin[g], oy[g] + lu * sin[g] + lv * cos[g]
    )
    g, slot, lu, lv = g[inside], slot[inside], lu[inside], lv[inside]
    m = len(g)
    kind = _choose_rows(_KIND_MIX[character[g]], rng)
    size = _KIND_SIZE[kind]
    length = np.minimum(size[:, 0] + rng.random(m) * (size[:, 1] - size[:, 0]), sx[g] - _GAP_M)
    width = np.minimum(size[:, 2] + rng.random(m) * (size[:, 3] - size[:, 2]), sy[g] - _GAP_M)
    lu = lu + (2 * rng.random(m) - 1) * (sx[g] - _GAP_M - length) / 2
    lv = lv + (2 * rng.random(m) - 1) * (sy[g] - _GAP_M - width) / 2
    corner_u = lu[:, None] + np.array([-1, 1, 1, -1, -1]) * length[:, None] / 2
    corner_v = lv[:, None] + np.array([-1, -1, 1, 1, -1]) * width[:, None] / 2
    c, s = cos[g][:, None], sin[g][:, None]
    x0, y0 = ox[g][:, None], oy[g][:, None]
    rings = np.stack([x0 + corner_u * c - corner_v * s, y0 + corner_u * s + corner_v * c], axis=-1)
    footprint = shapely.polygons(rings)
    ok = shapely.contains(inner[g], footprint)
    return _Candidates(g, slot, kind, length, width, footprint).take(ok)


def _place_buildings(grids: gpd.GeoDataFrame, target: int, rng: np.random.Generator) -> _Candidates:
    """About ``target`` buildings spread over the grids by area and density (EPSG:4544).

    Each grid gets a share of ``target`` and a lattice step to match. Grids that come out
    short (their lattice loses too many cells at the edges) are laid out again with a
    smaller step, up to ``_PASSES`` times; grids with too many candidates keep a random
    subset. Returns the buildings sorted by grid and lattice slot.
    """
    geoms = grids.geometry.to_numpy()
    n = len(geoms)
    inner = shapely.buffer(geoms, -_INSET_M)
    shapely.prepare(inner)
    area = shapely.area(inner)
    rep = shapely.point_on_surface(geoms)
    dens = _density(shapely.get_x(rep), shapely.get_y(rep))
    cap = np.floor(area * 0.6 / _MIN_SPACING_M**2).astype(np.int64)
    want = _allocate(target, area * dens**1.1 * rng.lognormal(0.0, 0.35, n), 0, cap)
    character = _grid_character(dens, rng)
    community = pd.factorize(grids["community_code"])[0]
    theta = rng.uniform(0, np.pi / 2, community.max() + 1)[community] + rng.normal(0, 0.06, n)
    spacing = np.maximum(np.sqrt(area / np.maximum(want, 1)) * 0.95, _MIN_SPACING_M)
    pending = np.flatnonzero(want > 0)
    picked: list[_Candidates] = []
    for attempt in range(_PASSES):
        cand = _lattice_buildings(
            inner[pending], theta[pending], spacing[pending], character[pending], rng
        )
        cand = dataclasses.replace(cand, grid=pending[cand.grid])
        got = np.bincount(cand.grid, minlength=n)
        last = attempt == _PASSES - 1
        done = (got >= want) | (spacing <= _MIN_SPACING_M * 1.001) | last
        final = cand.take(done[cand.grid])
        priority = rng.random(len(final.grid))
        order = np.lexsort((priority, final.grid))
        keep = np.zeros(len(order), bool)
        keep[order] = _rank_in_group(final.grid[order]) < want[final.grid[order]]
        picked.append(final.take(keep))
        retry = pending[~done[pending]]
        shrink = np.sqrt(np.maximum(got[retry], 1) / want[retry]) * 0.95
        spacing[retry] = np.maximum(spacing[retry] * np.minimum(shrink, 0.95), _MIN_SPACING_M)
        pending = retry
        if len(pending) == 0:
            break
    out = _Candidates.concat(picked)
    return out.take(np.lexsort((out.slot, out.grid)))


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


# --------------------------------------------------------------------------- weights, output


def _hotspot_points(communities: gpd.GeoDataFrame) -> Floats:
    """Incident hot spots as rows (x, y, strength, radius), EPSG:4544 metres."""
    rows = []
    where = communities.set_index("code").geometry
    for code, strength, radius in _CHENGHUA_HOTSPOTS:
        if code in where.index:
            p = shapely.point_on_surface(where.loc[code])
            rows.append((p.x, p.y, strength, radius))
    spots = np.array(_CITY_HOTSPOTS)
    x, y = _to_metric(spots[:, 0], spots[:, 1])
    rows.extend(zip(x, y, spots[:, 2], spots[:, 3], strict=True))
    return np.array(rows, dtype=float)


def _add_weights(grids: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, hotspots: Floats) -> None:
    """Add ``weight``, a relative incident intensity per grid summing to 1 (in place).

    Intensity grows with the residents of the grid (sub-linearly) and is boosted near hot
    spots (markets, stations, old residential quarters) with Gaussian kernels.
    """
    people = (
        buildings.groupby("grid_code", sort=False)["population"]
        .sum()
        .reindex(grids["code"].to_numpy(), fill_value=0)
        .to_numpy(float)
    )
    base = people**0.85
    base = base + 0.05 * base.mean() + 1.0
    c = shapely.centroid(grids.geometry.to_numpy())
    x, y = shapely.get_x(c), shapely.get_y(c)
    boost = np.ones(len(grids))
    for hx, hy, strength, radius in hotspots:
        boost += strength * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * radius**2))
    weight = base * boost
    grids["weight"] = weight / weight.sum()


def _concat(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows of ``a`` then ``b`` (same columns, same CRS)."""
    return gpd.GeoDataFrame(pd.concat([a, b], ignore_index=True), crs=a.crs)


def _finish(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sort by code, put the geometry column last and reproject to EPSG:4326."""
    key = "building_id" if "building_id" in frame.columns else "code"
    frame = frame.sort_values(key, kind="stable").reset_index(drop=True)
    columns = [c for c in frame.columns if c != "geometry"]
    return frame[[*columns, "geometry"]].to_crs(WGS84)
