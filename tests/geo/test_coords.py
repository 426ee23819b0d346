"""Tests of gridmap.geo.coords: GCJ-02 / BD-09 conversions against published values.

Published values used here (checked against the source, not copied from a brief):

* wandergis/coordtransform, README.md "result" block for input (116.404, 39.915); its
  ``gcj02towgs84`` and ``bd09togcj02`` are the one-step approximate inverses.
* googollee/eviltransform, python/test.py ``TESTS``: WGS84 -> GCJ-02 pairs for Shanghai,
  Shenzhen and Beijing (given there as lat, lng).
* hujiulong/gcoord, test/fixtures/china-cities.json, the Chengdu (Wuhou) entry. These are
  rounded to 7 decimals and the WGS84/GCJ-02 pair is not exactly the formula (gcoord
  itself only checks it to 4 decimals), so it is compared to within 1 m.

(eviltransform's ``TESTS_bd`` are not used: they were produced by an old ``gcj2bd`` that
used ``pi`` instead of ``x_pi = pi * 3000 / 180`` and disagree with every other library.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridmap.geo import coords
from gridmap.geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

_METRES_PER_DEGREE = np.pi / 180.0 * 6_371_008.8  # mean Earth radius


def _distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Approximate distance in metres between nearby points (equirectangular)."""
    dx = (np.asarray(lon1) - lon2) * np.cos(np.radians(lat2)) * _METRES_PER_DEGREE
    dy = (np.asarray(lat1) - lat2) * _METRES_PER_DEGREE
    return np.hypot(dx, dy)


def _grid(lon_range: tuple[float, float], lat_range: tuple[float, float], n: int):
    lon, lat = np.meshgrid(np.linspace(*lon_range, n), np.linspace(*lat_range, n))
    return lon.ravel(), lat.ravel()


CHENGDU = _grid((102.99, 104.90), (30.09, 31.44), 80)
# Stays clear of the out-of-China box edges (72.004-137.8347, 0.8293-55.8271), where the
# published forward formula is discontinuous.
CHINA = _grid((73.5, 135.0), (3.5, 53.5), 200)
GRIDS = pytest.mark.parametrize("grid", [CHENGDU, CHINA], ids=["chengdu", "china"])

# wandergis/coordtransform README.md, input (116.404, 39.915).
README_INPUT = (116.404, 39.915)
README_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
README_GCJ02_TO_WGS84_ONE_STEP = (116.39775550083061, 39.91359571849836)
README_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
README_BD09_TO_GCJ02_ONE_STEP = (116.39762729119315, 39.90865673957631)

# googollee/eviltransform python/test.py TESTS, reordered to (wgs lon, lat, gcj lon, lat).
EVILTRANSFORM_PAIRS = [
    pytest.param(121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, id="shanghai"),
    pytest.param(113.912316, 22.543847, 113.9171764808363, 22.540796131694766, id="shenzhen"),
    pytest.param(116.377817, 39.911954, 116.38404722455657, 39.91334545536069, id="beijing"),
]

# hujiulong/gcoord test/fixtures/china-cities.json, 成都市 武侯区.
GCOORD_CHENGDU = {
    "WGS84": (104.0640437, 30.5747262),
    "GCJ02": (104.0665489, 30.5722732),
    "BD09": (104.0730134, 30.5783237),
}

OUTSIDE_CHINA = [
    pytest.param(2.3522, 48.8566, id="paris"),
    pytest.param(-74.006, 40.7128, id="new-york"),
    pytest.param(139.6917, 35.6895, id="tokyo"),
    pytest.param(151.2093, -33.8688, id="sydney"),
    pytest.param(104.0, 60.0, id="north-of-box"),
]


@pytest.mark.parametrize(
    ("func", "kwargs", "expected"),
    [
        pytest.param(wgs84_to_gcj02, {}, README_WGS84_TO_GCJ02, id="wgs84_to_gcj02"),
        pytest.param(gcj02_to_bd09, {}, README_GCJ02_TO_BD09, id="gcj02_to_bd09"),
        pytest.param(
            gcj02_to_wgs84, {"exact": False}, README_GCJ02_TO_WGS84_ONE_STEP, id="gcj02_to_wgs84"
        ),
        pytest.param(
            bd09_to_gcj02, {"exact": False}, README_BD09_TO_GCJ02_ONE_STEP, id="bd09_to_gcj02"
        ),
    ],
)
def test_published_formula_values(func, kwargs, expected) -> None:
    lon, lat = func(*README_INPUT, **kwargs)
    assert lon == pytest.approx(expected[0], abs=1e-9)
    assert lat == pytest.approx(expected[1], abs=1e-9)


@pytest.mark.parametrize(
    ("func", "one_step"),
    [
        pytest.param(gcj02_to_wgs84, README_GCJ02_TO_WGS84_ONE_STEP, id="gcj02_to_wgs84"),
        pytest.param(bd09_to_gcj02, README_BD09_TO_GCJ02_ONE_STEP, id="bd09_to_gcj02"),
    ],
)
def test_iterated_inverse_is_close_to_published_one_step(func, one_step) -> None:
    lon, lat = func(*README_INPUT)
    assert _distance_m(lon, lat, *one_step) < 1.0
    # ... and it is a better inverse than the published one-step value.
    forward = wgs84_to_gcj02 if func is gcj02_to_wgs84 else gcj02_to_bd09
    assert _distance_m(*forward(lon, lat), *README_INPUT) < 0.01
    assert _distance_m(*forward(*one_step), *README_INPUT) > 0.01


@pytest.mark.parametrize(("wgs_lon", "wgs_lat", "gcj_lon", "gcj_lat"), EVILTRANSFORM_PAIRS)
def test_eviltransform_pairs(wgs_lon, wgs_lat, gcj_lon, gcj_lat) -> None:
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert (lon, lat) == pytest.approx((gcj_lon, gcj_lat), abs=1e-9)
    assert _distance_m(*gcj02_to_wgs84(gcj_lon, gcj_lat), wgs_lon, wgs_lat) < 0.01


def test_gcoord_chengdu_fixture() -> None:
    wgs, gcj, bd = GCOORD_CHENGDU["WGS84"], GCOORD_CHENGDU["GCJ02"], GCOORD_CHENGDU["BD09"]
    assert _distance_m(*wgs84_to_gcj02(*wgs), *gcj) < 1.0
    assert _distance_m(*gcj02_to_wgs84(*gcj), *wgs) < 1.0
    assert _distance_m(*wgs84_to_bd09(*wgs), *bd) < 1.0
    assert _distance_m(*bd09_to_wgs84(*bd), *wgs) < 1.0
    # The BD-09 column is the formula applied to the (rounded) GCJ-02 column.
    assert gcj02_to_bd09(*gcj) == pytest.approx(bd, abs=1e-7)
    assert bd09_to_gcj02(*bd) == pytest.approx(gcj, abs=1e-7)


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [
        pytest.param(wgs84_to_gcj02, gcj02_to_wgs84, id="wgs84-gcj02"),
        pytest.param(gcj02_to_bd09, bd09_to_gcj02, id="gcj02-bd09"),
        pytest.param(wgs84_to_bd09, bd09_to_wgs84, id="wgs84-bd09"),
    ],
)
@GRIDS
def test_round_trip_below_one_centimetre(forward, inverse, grid) -> None:
    lon, lat = grid
    back_lon, back_lat = inverse(*forward(lon, lat))
    assert _distance_m(back_lon, back_lat, lon, lat).max() < 0.01
    # The other way round: the inverse is solved so that forward() reproduces its input.
    again_lon, again_lat = forward(*inverse(lon, lat))
    assert _distance_m(again_lon, again_lat, lon, lat).max() < 0.01


@GRIDS
def test_offsets_are_hundreds_of_metres(grid) -> None:
    """Guard against a vacuous round trip: the conversions really move the points."""
    lon, lat = grid
    gcj_shift = _distance_m(*wgs84_to_gcj02(lon, lat), lon, lat)
    bd_shift = _distance_m(*gcj02_to_bd09(lon, lat), lon, lat)
    assert gcj_shift.min() > 1.0
    assert gcj_shift.max() < 1500.0
    assert bd_shift.min() > 300.0
    assert bd_shift.max() < 1500.0


@GRIDS
def test_iterated_inverse_close_to_one_step(grid) -> None:
    lon, lat = grid
    exact = gcj02_to_wgs84(lon, lat)
    one_step = gcj02_to_wgs84(lon, lat, exact=False)
    assert _distance_m(*exact, *one_step).max() < 10.0


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE_CHINA)
@pytest.mark.parametrize(
    "func",
    [
        wgs84_to_gcj02,
        gcj02_to_wgs84,
        lambda lon, lat: gcj02_to_wgs84(lon, lat, exact=False),
    ],
    ids=["wgs84_to_gcj02", "gcj02_to_wgs84", "gcj02_to_wgs84-one-step"],
)
def test_outside_china_unchanged(func, lon, lat) -> None:
    assert func(lon, lat) == (lon, lat)


def test_outside_china_mask_matches_published_box() -> None:
    lon = np.array([72.004, 72.0039, 137.8347, 137.8348, 104.0, 104.0, np.nan])
    lat = np.array([30.0, 30.0, 30.0, 30.0, 0.8292, 55.8271, 30.0])
    assert coords.out_of_china(lon, lat).tolist() == [
        False, True, False, True, True, False, True,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "func",
    [wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, wgs84_to_bd09, bd09_to_wgs84],
)
class TestInputs:
    def test_scalar_gives_float64_scalars(self, func) -> None:
        lon, lat = func(104.06, 30.66)
        assert isinstance(lon, np.float64)
        assert isinstance(lat, np.float64)
        assert np.ndim(lon) == 0

    def test_array_matches_scalars(self, func) -> None:
        lon = np.array([104.06, 103.5, 104.8])
        lat = np.array([30.66, 30.2, 31.4])
        out_lon, out_lat = func(lon, lat)
        assert out_lon.dtype == np.float64
        assert out_lon.shape == (3,)
        for i in range(3):
            one = func(lon[i], lat[i])
            assert out_lon[i] == pytest.approx(one[0], abs=1e-9)
            assert out_lat[i] == pytest.approx(one[1], abs=1e-9)

    def test_list_series_and_2d_inputs(self, func) -> None:
        expected = func(np.array([104.06, 103.5]), np.array([30.66, 30.2]))
        from_list = func([104.06, 103.5], [30.66, 30.2])
        from_series = func(pd.Series([104.06, 103.5]), pd.Series([30.66, 30.2]))
        np.testing.assert_allclose(from_list, expected, rtol=0, atol=1e-12)
        np.testing.assert_allclose(from_series, expected, rtol=0, atol=1e-12)
        lon2d, lat2d = func(np.full((2, 3), 104.06), np.full((2, 3), 30.66))
        assert lon2d.shape == lat2d.shape == (2, 3)

    def test_broadcasts_scalar_against_array(self, func) -> None:
        lon, lat = func(np.array([104.0, 104.1]), 30.66)
        assert lon.shape == lat.shape == (2,)

    def test_nan_passes_through(self, func) -> None:
        lon, lat = func(np.array([np.nan, 104.06, 104.0]), np.array([30.66, 30.66, np.nan]))
        assert np.isnan(lon[0])
        assert np.isnan(lat[2])
        valid = func(104.06, 30.66)
        assert (lon[1], lat[1]) == pytest.approx(valid, abs=1e-9)
        assert all(np.isnan(v) for v in func(np.nan, np.nan))

    def test_input_not_modified(self, func) -> None:
        lon = np.array([104.06, 103.5])
        lat = np.array([30.66, 30.2])
        func(lon, lat)
        assert lon.tolist() == [104.06, 103.5]
        assert lat.tolist() == [30.66, 30.2]
