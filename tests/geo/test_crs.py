"""Tests of gridmap.geo.crs: parsing, detecting and converting source CRSs to WGS84."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import Point, Polygon

from gridmap.geo import coords
from gridmap.geo.crs import (
    WGS84,
    CoordinateError,
    CRSError,
    SourceCRS,
    check_lonlat,
    detect_crs,
    parse_crs,
    points_to_wgs84,
    resolve_source_crs,
    to_wgs84,
)

_METRES_PER_DEGREE = np.pi / 180.0 * 6_371_008.8

# WGS84 lon/lat of places in Chengdu: 天府广场, 成华区政府 (approx.), 双流机场, 都江堰, 龙泉驿.
CHENGDU_LON = np.array([104.0657, 104.1017, 103.9474, 103.6195, 104.2690])
CHENGDU_LAT = np.array([30.6598, 30.6600, 30.5785, 30.9989, 30.5567])


def _distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    dx = (np.asarray(lon1) - lon2) * np.cos(np.radians(lat2)) * _METRES_PER_DEGREE
    dy = (np.asarray(lat1) - lat2) * _METRES_PER_DEGREE
    return np.hypot(dx, dy)


def _from_wgs84(code: int, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Expected source coordinates, computed with pyproj in the WGS84 -> source direction."""
    transformer = pyproj.Transformer.from_crs("EPSG:4326", f"EPSG:{code}", always_xy=True)
    x, y = transformer.transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def _bounds(x, y) -> tuple[float, float, float, float]:
    return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))


def _chengdu_polygon() -> Polygon:
    lon, lat = 104.10, 30.66
    return Polygon(
        [(lon, lat), (lon + 0.02, lat), (lon + 0.02, lat + 0.015), (lon, lat + 0.015)],
        holes=[[(lon + 0.005, lat + 0.005), (lon + 0.01, lat + 0.005), (lon + 0.01, lat + 0.01)]],
    )


# ---------------------------------------------------------------------------- parse_crs


@pytest.mark.parametrize(
    ("spec", "kind", "epsg"),
    [
        (4490, "pyproj", 4490),
        ("EPSG:4490", "pyproj", 4490),
        ("epsg:4544", "pyproj", 4544),
        ("4490", "pyproj", 4490),
        (" 32648 ", "pyproj", 32648),
        (np.int64(4544), "pyproj", 4544),
        ("CGCS2000", "pyproj", 4490),
        ("cgcs 2000", "pyproj", 4490),
        ("WGS84", "pyproj", 4326),
        ("WGS 84", "pyproj", 4326),
        ("wgs-84", "pyproj", 4326),
        ("gcj02", "gcj02", None),
        ("GCJ-02", "gcj02", None),
        ("gcj-02", "gcj02", None),
        ("mars", "gcj02", None),
        ("bd09", "bd09", None),
        ("BD-09", "bd09", None),
        ("baidu", "bd09", None),
        (pyproj.CRS.from_epsg(4544).to_wkt(), "pyproj", 4544),
        ("+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs", "pyproj", 32648),
        (pyproj.CRS.from_epsg(4523), "pyproj", 4523),
    ],
)
def test_parse_crs_forms(spec, kind, epsg) -> None:
    source = parse_crs(spec)
    assert isinstance(source, SourceCRS)
    assert source.kind == kind
    if epsg is None:
        assert source.crs is None
    else:
        assert source.crs is not None
        assert source.crs.to_epsg() == epsg
        assert f"EPSG:{epsg}" in source.label
    assert source.label


def test_parse_crs_none_and_passthrough() -> None:
    assert parse_crs(None) is None
    source = parse_crs("gcj02")
    assert parse_crs(source) is source


def test_source_crs_is_frozen() -> None:
    source = parse_crs(4490)
    with pytest.raises(AttributeError):
        source.label = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "spec",
    ["foo", "EPSG:999999", 999999, "", "gcj03", 4.5, True, [4326], "EPSG:4978"],
)
def test_parse_crs_unknown_names_allowed_forms(spec) -> None:
    with pytest.raises(CRSError) as info:
        parse_crs(spec)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    for form in ("EPSG code", "'EPSG:4544'", "CGCS2000", "GCJ-02", "BD-09", "WKT", "PROJ"):
        assert form in message


# ----------------------------------------------------------------- pyproj conversions


@pytest.mark.parametrize("code", [4326, 4490, 4544, 32648, 4523, 4496])
def test_projected_and_geodetic_round_trip(code: int) -> None:
    x, y = _from_wgs84(code, CHENGDU_LON, CHENGDU_LAT)
    lon, lat = points_to_wgs84(x, y, parse_crs(code))
    np.testing.assert_allclose(lon, CHENGDU_LON, rtol=0, atol=1e-8)
    np.testing.assert_allclose(lat, CHENGDU_LAT, rtol=0, atol=1e-8)


@pytest.mark.parametrize("spec", ["CGCS2000", "EPSG:4490", "WGS84", 4326])
def test_geographic_crs_takes_lon_first(spec) -> None:
    """EPSG:4490/4326 officially put latitude first; the inputs here are lon, lat."""
    lon, lat = points_to_wgs84(CHENGDU_LON, CHENGDU_LAT, parse_crs(spec))
    np.testing.assert_allclose(lon, CHENGDU_LON, rtol=0, atol=1e-7)
    np.testing.assert_allclose(lat, CHENGDU_LAT, rtol=0, atol=1e-7)


def test_projected_values_are_realistic() -> None:
    """Guard against a vacuous round trip: EPSG:4544 really is metres around CM 105E."""
    x, y = _from_wgs84(4544, CHENGDU_LON, CHENGDU_LAT)
    assert (x > 350_000).all() and (x < 500_000).all()
    assert (y > 3_380_000).all() and (y < 3_440_000).all()
    zone_x, _ = _from_wgs84(4523, CHENGDU_LON, CHENGDU_LAT)
    np.testing.assert_allclose(zone_x, x + 35_000_000, atol=1e-3)


def test_geoseries_in_epsg_4544() -> None:
    x, y = _from_wgs84(4544, CHENGDU_LON, CHENGDU_LAT)
    series = gpd.GeoSeries(shapely.points(x, y), index=list("abcde"), crs="EPSG:4544")
    out = to_wgs84(series, parse_crs("EPSG:4544"))
    assert isinstance(out, gpd.GeoSeries)
    assert out.crs.to_epsg() == 4326
    assert list(out.index) == list("abcde")
    np.testing.assert_allclose(out.x, CHENGDU_LON, atol=1e-8)
    np.testing.assert_allclose(out.y, CHENGDU_LAT, atol=1e-8)


# -------------------------------------------------------------------- GCJ-02 / BD-09


@pytest.mark.parametrize(
    ("spec", "forward"),
    [("gcj02", coords.wgs84_to_gcj02), ("bd09", coords.wgs84_to_bd09)],
)
def test_web_map_polygon_back_within_a_centimetre(spec, forward) -> None:
    polygon = _chengdu_polygon()
    shifted = shapely.transform(polygon, lambda xy: np.column_stack(forward(xy[:, 0], xy[:, 1])))
    assert shapely.hausdorff_distance(polygon, shifted) * _METRES_PER_DEGREE > 100

    back = to_wgs84(shifted, parse_crs(spec))

    assert isinstance(back, Polygon)
    assert len(back.interiors) == 1
    expected = shapely.get_coordinates(polygon)
    got = shapely.get_coordinates(back)
    assert _distance_m(got[:, 0], got[:, 1], expected[:, 0], expected[:, 1]).max() < 0.01


def test_geodataframe_from_gcj02_keeps_columns() -> None:
    lon, lat = coords.wgs84_to_gcj02(CHENGDU_LON, CHENGDU_LAT)
    frame = gpd.GeoDataFrame({"name": list("abcde")}, geometry=shapely.points(lon, lat))
    out = to_wgs84(frame, parse_crs("GCJ-02"))
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs.to_epsg() == 4326
    assert list(out["name"]) == list("abcde")
    assert _distance_m(out.geometry.x, out.geometry.y, CHENGDU_LON, CHENGDU_LAT).max() < 0.01
    assert frame.crs is None  # the input is not modified


def test_coordinate_array_input_and_z_kept() -> None:
    lon, lat = coords.wgs84_to_gcj02(CHENGDU_LON, CHENGDU_LAT)
    xyz = np.column_stack([lon, lat, np.arange(5.0)])
    out = to_wgs84(xyz, parse_crs("gcj02"))
    assert out.shape == (5, 3)
    assert out[:, 2].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert _distance_m(out[:, 0], out[:, 1], CHENGDU_LON, CHENGDU_LAT).max() < 0.01

    point = to_wgs84(Point(lon[0], lat[0], 500.0), parse_crs("gcj02"))
    assert point.has_z
    assert point.z == 500.0


def test_missing_and_empty_geometries_pass() -> None:
    geoms = np.array([Point(104.06, 30.66), None, Polygon()], dtype=object)
    out = to_wgs84(geoms, WGS84)
    assert out[1] is None
    assert out[2].is_empty
    assert out[0].equals(Point(104.06, 30.66))


def test_swap_xy_fixes_lat_lon_order() -> None:
    lon, lat = points_to_wgs84(CHENGDU_LAT, CHENGDU_LON, WGS84, swap_xy=True)
    np.testing.assert_allclose(lon, CHENGDU_LON)
    np.testing.assert_allclose(lat, CHENGDU_LAT)


def test_swap_xy_with_northing_first_gauss_kruger() -> None:
    x, y = _from_wgs84(4523, CHENGDU_LON, CHENGDU_LAT)
    lon, lat = points_to_wgs84(y, x, parse_crs(4523), swap_xy=True)
    np.testing.assert_allclose(lon, CHENGDU_LON, atol=1e-8)
    np.testing.assert_allclose(lat, CHENGDU_LAT, atol=1e-8)


# ----------------------------------------------------------------------- bad coordinates


@pytest.mark.parametrize("spec", ["WGS84", "CGCS2000", "gcj02", "bd09"])
def test_swapped_lon_lat_error(spec) -> None:
    with pytest.raises(CoordinateError) as info:
        points_to_wgs84(CHENGDU_LAT, CHENGDU_LON, parse_crs(spec))
    message = str(info.value)
    assert "swapped" in message
    assert "swap_xy=True" in message
    # The example shows the converted values: identical for the GCJ-02 inverse (no offset
    # outside China) and shifted by the BD-09 offset, which applies everywhere.
    assert re.search(r"\(e\.g\. row 0: 30\.6\d*, 104\.0\d*\)", message)
    if spec != "bd09":
        assert "row 0: 30.6598, 104.0657" in message
    assert info.value.rows == (0, 1, 2, 3, 4)


def test_swapped_error_names_feature_labels() -> None:
    series = gpd.GeoSeries(shapely.points([30.65, 104.1], [104.1, 30.65]), index=[10, 11])
    with pytest.raises(
        CoordinateError, match=r"swapped in row 10 \(e\.g\. row 10: 30\.65, 104\.1\)"
    ):
        to_wgs84(series, WGS84, where="incidents.csv")


def test_outside_china_error_names_rows() -> None:
    lon = np.array([104.06, 2.35, 104.07, 104.08])
    lat = np.array([30.66, 48.85, 30.67, 30.68])
    with pytest.raises(CoordinateError) as info:
        points_to_wgs84(lon, lat, WGS84, where="points.csv")
    message = str(info.value)
    assert message.startswith("points.csv")
    assert "outside China" in message
    assert "row 1" in message
    assert "swapped" not in message
    assert "--crs" in message
    assert info.value.rows == (1,)


def test_outside_china_error_lists_first_rows_only() -> None:
    lon = np.full(20, 2.35)
    lat = np.full(20, 48.85)
    lon[0], lat[0] = 104.06, 30.66
    with pytest.raises(CoordinateError) as info:
        check_lonlat(lon, lat)
    assert "rows 1, 2, 3, 4, 5 (and 14 more)" in str(info.value)
    assert info.value.rows == (1, 2, 3, 4, 5)


def test_geometry_error_names_feature_not_vertex() -> None:
    far = Polygon([(2.0, 48.0), (2.1, 48.0), (2.1, 48.1)])
    series = gpd.GeoSeries([Point(104.06, 30.66), far], index=["ok", "paris"])
    with pytest.raises(CoordinateError, match="row paris") as info:
        to_wgs84(series, WGS84)
    assert info.value.rows == ("paris",)


def test_projected_data_declared_as_degrees() -> None:
    x, y = _from_wgs84(4544, CHENGDU_LON, CHENGDU_LAT)
    with pytest.raises(CoordinateError, match="outside China"):
        points_to_wgs84(x, y, parse_crs("gcj02"))


def test_check_lonlat_ignores_nan_and_passes_china() -> None:
    check_lonlat([104.06, np.nan, 73.0, 136.0], [30.66, 30.0, 3.0, 54.0])


# ------------------------------------------------------------------------- detect_crs


def test_detect_degrees_in_china_assumes_wgs84() -> None:
    source, note = detect_crs(*_bounds(CHENGDU_LON, CHENGDU_LAT))
    assert source == WGS84
    assert source.crs.to_epsg() == 4326
    assert "assumed" in note
    assert "gcj02" in note


def test_detect_swapped_degrees() -> None:
    with pytest.raises(CoordinateError, match="swapped") as info:
        detect_crs(*_bounds(CHENGDU_LAT, CHENGDU_LON))
    assert "swap_xy=True" in str(info.value)


def test_detect_degrees_outside_china() -> None:
    with pytest.raises(CoordinateError, match="not longitude/latitude in China"):
        detect_crs(2.2, 48.8, 2.4, 48.9)


@pytest.mark.parametrize("code", [4544, 32648])
def test_detect_projected_without_crs(code: int) -> None:
    x, y = _from_wgs84(code, CHENGDU_LON, CHENGDU_LAT)
    with pytest.raises(CoordinateError) as info:
        detect_crs(*_bounds(x, y))
    message = str(info.value)
    assert message.startswith("projected coordinates (x ")
    assert "but no CRS" in message
    assert "--crs" in message
    assert "EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)" in message
    assert "EPSG:32648" in message


def test_detect_projected_message_shows_ranges() -> None:
    with pytest.raises(CoordinateError) as info:
        detect_crs(398000, 3385000, 412000, 3400000)
    assert "(x 398000–412000, y 3385000–3400000) but no CRS" in str(info.value)


def _suggested_code(message: str) -> int:
    match = re.search(r"EPSG:(\d+)", message)
    assert match, message
    return int(match.group(1))


@pytest.mark.parametrize(
    ("code", "zone_text"),
    [(4523, "3-degree zone 35, CM 105E"), (4496, "6-degree zone 18, CM 105E")],
)
def test_detect_zone_prefixed_gauss_kruger(code: int, zone_text: str) -> None:
    x, y = _from_wgs84(code, CHENGDU_LON, CHENGDU_LAT)
    with pytest.raises(CoordinateError) as info:
        detect_crs(*_bounds(x, y))
    message = str(info.value)
    assert zone_text in message
    assert _suggested_code(info.value.hint) == code
    assert f"EPSG:{code} ({pyproj.CRS.from_epsg(code).name})" in info.value.hint


@pytest.mark.parametrize(
    ("width", "zone"),
    [(3, zone) for zone in range(25, 46)] + [(6, zone) for zone in range(13, 24)],
)
def test_every_zone_suggestion_is_that_zones_crs(width: int, zone: int) -> None:
    with pytest.raises(CoordinateError) as info:
        detect_crs(zone * 1e6 + 420_000, 3_300_000, zone * 1e6 + 560_000, 3_400_000)
    crs = pyproj.CRS.from_epsg(_suggested_code(info.value.hint))
    assert crs.name.startswith("CGCS2000 / ")
    assert crs.name.endswith(f"Gauss-Kruger zone {zone}")
    assert ("3-degree" in crs.name) == (width == 3)


def test_detect_zone_prefixed_northing_first() -> None:
    x, y = _from_wgs84(4523, CHENGDU_LON, CHENGDU_LAT)
    with pytest.raises(CoordinateError) as info:
        detect_crs(*_bounds(y, x))
    message = str(info.value)
    assert "swapped" in message
    assert "swap_xy=True" in message
    assert "EPSG:4523" in message


def test_detect_web_mercator() -> None:
    x, y = _from_wgs84(3857, CHENGDU_LON, CHENGDU_LAT)
    with pytest.raises(CoordinateError, match="EPSG:3857"):
        detect_crs(*_bounds(x, y))


def test_detect_empty_bounds() -> None:
    with pytest.raises(CoordinateError, match="not finite"):
        detect_crs(*gpd.GeoSeries([], dtype="geometry").total_bounds)


# ---------------------------------------------------------------- resolve_source_crs


CHENGDU_BOUNDS = _bounds(CHENGDU_LON, CHENGDU_LAT)


def test_resolve_declared_only() -> None:
    source, message = resolve_source_crs(None, "gcj02", CHENGDU_BOUNDS)
    assert source.kind == "gcj02"
    assert message is None


def test_resolve_file_only() -> None:
    source, message = resolve_source_crs(pyproj.CRS.from_epsg(4544), None, (0, 0, 0, 0))
    assert source.crs.to_epsg() == 4544
    assert message is None


@pytest.mark.parametrize("declared", ["EPSG:4490", 4490, "CGCS2000"])
def test_resolve_agreeing_declaration_is_silent(declared) -> None:
    source, message = resolve_source_crs(pyproj.CRS.from_epsg(4490), declared, CHENGDU_BOUNDS)
    assert source.crs.to_epsg() == 4490
    assert message is None


@pytest.mark.parametrize(
    ("file_crs", "declared", "kind"),
    [
        (pyproj.CRS.from_epsg(4326), "gcj02", "gcj02"),
        (pyproj.CRS.from_epsg(4326), "EPSG:4490", "pyproj"),
        (pyproj.CRS.from_epsg(32648), 4544, "pyproj"),
    ],
)
def test_resolve_declared_wins_with_warning(file_crs, declared, kind) -> None:
    source, message = resolve_source_crs(file_crs, declared, CHENGDU_BOUNDS)
    assert source.kind == kind
    assert source == parse_crs(declared)
    assert message is not None
    assert "overrides" in message
    assert source.label in message
    assert f"EPSG:{file_crs.to_epsg()}" in message


def test_resolve_neither_detects() -> None:
    source, message = resolve_source_crs(None, None, CHENGDU_BOUNDS)
    assert source == WGS84
    assert message is not None and "assumed" in message
    with pytest.raises(CoordinateError, match="EPSG:4544"):
        resolve_source_crs(None, None, np.array([398000, 3385000, 412000, 3400000]))
