"""Vector tiles (Mapbox Vector Tile 2.1, the format MapLibre draws) of the buildings, so a
city's 600,000 footprints reach the browser a tile at a time, only where and when the map
is close enough to read them.

The embedded store cuts and encodes tiles here with the ``mapbox-vector-tile`` package;
PostGIS makes the same tiles itself (``ST_AsMVT``, :meth:`PostgresStore.building_tile`).
Tiles are addressed ``z/x/y`` in the XYZ scheme of web maps (Web Mercator, EPSG:3857,
origin top left); their coordinates are integers in ``[0, EXTENT)`` with a buffer of
:data:`BUFFER` units around, so outlines meet across tile edges.
"""

from __future__ import annotations

import math
from typing import Any, Final

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import shapely

#: Tile units per side.
EXTENT: Final = 4096
#: Units drawn beyond each edge.
BUFFER: Final = 64
#: The name of the buildings' layer in a tile (MapLibre's ``source-layer``).
BUILDINGS_LAYER: Final = "buildings"
#: Zooms tiles are made for: buildings are readable from 15; from 14 they are fetched ahead;
#: beyond the highest the map scales the last tiles up (overzoom).
BUILDING_ZOOMS: Final = (14, 16)
#: The properties a building carries in its tiles (its tooltip's fields).
BUILDING_FIELDS: Final = ("building_id", "name", "floors", "households", "population")
#: Half the Web Mercator world, metres.
_HALF: Final = 20037508.342789244


def check_tile(z: int, x: int, y: int) -> None:
    """Raise ``ValueError`` unless ``z/x/y`` is a tile of the world at zoom ``z`` (0–22)."""
    if not 0 <= z <= 22 or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise ValueError(f"no tile {z}/{x}/{y}: x and y run from 0 to {2 ** min(z, 22) - 1}")


def tile_bounds_mercator(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """``(minx, miny, maxx, maxy)`` of tile ``z/x/y`` in EPSG:3857 metres."""
    size = 2 * _HALF / 2**z
    return (-_HALF + x * size, _HALF - (y + 1) * size, -_HALF + (x + 1) * size, _HALF - y * size)


def tile_bounds_lonlat(z: int, x: int, y: int, buffer: float = 0.0) -> tuple[float, ...]:
    """``(west, south, east, north)`` of tile ``z/x/y`` in WGS84 degrees, grown by ``buffer``
    (a share of the tile's side) on each side."""
    n = 2**z

    def lon(tx: float) -> float:
        return tx / n * 360.0 - 180.0

    def lat(ty: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return (lon(x - buffer), lat(y + 1 + buffer), lon(x + 1 + buffer), lat(y - buffer))


def to_mercator(geoms: np.ndarray) -> np.ndarray:
    """WGS84 lon/lat geometries to EPSG:3857 metres (the spherical formula web maps use)."""

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = xy[:, 0], np.clip(xy[:, 1], -85.05112878, 85.05112878)
        x = np.radians(lon) * 6378137.0
        y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * 6378137.0
        return np.column_stack([x, y])

    return shapely.transform(geoms, project)


def encode_buildings(frame: gpd.GeoDataFrame, z: int, x: int, y: int) -> bytes:
    """Tile ``z/x/y`` of the buildings in ``frame`` (EPSG:4326; those meeting the tile), cut
    at the tile's buffer; an empty tile has no layer (zero bytes)."""
    minx, miny, maxx, maxy = tile_bounds_mercator(z, x, y)
    pad = (maxx - minx) * BUFFER / EXTENT
    window = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    cut = shapely.intersection(to_mercator(np.asarray(frame.geometry.values)), window)
    scale = EXTENT / (maxx - minx)
    # to tile units, y down (vectorised here: the encoder then only rounds)
    geoms = shapely.transform(
        cut, lambda xy: np.column_stack([(xy[:, 0] - minx) * scale, (maxy - xy[:, 1]) * scale])
    )
    features: list[dict[str, Any]] = []
    for geom, record in zip(geoms, frame[list(BUILDING_FIELDS)].to_dict("records"), strict=True):
        if geom is None or geom.is_empty or shapely.get_type_id(geom) not in (3, 6):
            continue
        properties = {k: _plain(v) for k, v in record.items() if _plain(v) is not None}
        features.append({"geometry": geom, "properties": properties})
    if not features:
        return b""
    return mapbox_vector_tile.encode(
        [{"name": BUILDINGS_LAYER, "features": features}],
        default_options={"y_coord_down": True, "extents": EXTENT},
    )


def _plain(value: Any) -> Any:
    """A property value as a tile holds it (numbers and text; missing ones left out)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value
