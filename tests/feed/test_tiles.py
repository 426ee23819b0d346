"""Vector tiles of the buildings on both backends (the embedded store encodes them itself,
PostGIS with ST_AsMVT): each footprint lands where Web Mercator puts it in its tile, with its
ledger, and only the caller's area's buildings are in a tile."""

from __future__ import annotations

import math

import geopandas as gpd
import mapbox_vector_tile
import pytest
import shapely

from gridmap.feed.store.tiles import EXTENT, tile_bounds_lonlat

#: A zoom-16 tile over Chenghua (about 610 m a side).
Z = 16


def _tile_of(lon: float, lat: float, z: int = Z) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _expected(lon: float, lat: float, z: int, x: int, y: int) -> tuple[float, float]:
    """Tile units (y down) of a point, from the spherical Mercator formula."""
    n = 2**z
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return (fx - x) * EXTENT, (fy - y) * EXTENT


def _buildings(lon: float, lat: float) -> gpd.GeoDataFrame:
    """Three 20 m squares: two in street 510108004, one in 510108011 (a few metres apart)."""
    d = 0.0002
    boxes = [shapely.box(lon + i * 0.0004, lat, lon + i * 0.0004 + d, lat + d) for i in range(3)]
    return gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2", "B3"],
            "grid_code": ["510108004001001", "510108004001002", "510108011002001"],
            "name": ["一号楼", "二号楼", "三号楼"],
            "floors": [6, 18, 3],
            "households": [24, 144, 9],
            "population": [60, 360, 20],
        },
        geometry=boxes,
        crs="EPSG:4326",
    )


@pytest.fixture
def placed(store):
    x, y = _tile_of(104.10, 30.66)
    west, south, east, north = tile_bounds_lonlat(Z, x, y)
    lon, lat = west + (east - west) * 0.3, south + (north - south) * 0.4  # inside the tile
    frame = _buildings(lon, lat)
    store.put_buildings(frame)
    return store, frame, x, y


def _decode(tile: bytes) -> list[dict]:
    layers = mapbox_vector_tile.decode(tile, default_options={"y_coord_down": True})
    return layers["buildings"]["features"] if tile else []


def test_a_tile_holds_its_buildings_where_mercator_puts_them_with_their_ledger(placed):
    store, frame, x, y = placed
    features = {f["properties"]["building_id"]: f for f in _decode(store.building_tile(Z, x, y))}
    assert set(features) == {"B1", "B2", "B3"}
    b2 = features["B2"]
    assert b2["properties"] == {
        "building_id": "B2",
        "name": "二号楼",
        "floors": 18,
        "households": 144,
        "population": 360,
    }
    ring = b2["geometry"]["coordinates"][0]
    west, south, east, north = frame.geometry.iloc[1].bounds
    got_x = sorted({round(p[0]) for p in ring})
    got_y = sorted({round(p[1]) for p in ring})
    want = [_expected(lon, lat, Z, x, y) for lon, lat in ((west, north), (east, south))]
    assert abs(got_x[0] - want[0][0]) <= 1 and abs(got_x[-1] - want[1][0]) <= 1
    assert abs(got_y[0] - want[0][1]) <= 1 and abs(got_y[-1] - want[1][1]) <= 1  # y down


def test_a_tile_holds_only_the_callers_area_and_nothing_elsewhere(placed):
    store, _frame, x, y = placed
    mine = _decode(store.building_tile(Z, x, y, area_code="510108004"))
    assert sorted(f["properties"]["building_id"] for f in mine) == ["B1", "B2"]
    one = _decode(store.building_tile(Z, x, y, area_code="510108011002"))
    assert [f["properties"]["building_id"] for f in one] == ["B3"]
    assert store.building_tile(Z, x + 3, y) == b""  # no building there
    assert store.building_tile(Z, x, y, area_code="510108015") == b""
    with pytest.raises(ValueError, match="no tile"):
        store.building_tile(3, 9, 0)
