"""GCJ-02 ("Mars") and BD-09 (Baidu) coordinate conversions, vectorised with numpy.

Chinese web maps do not publish WGS84 coordinates:

* **GCJ-02** (国测局坐标, "Mars coordinates") is used by AMap/Gaode, Tencent, Tianditu's
  web mirrors of commercial maps and Google Maps inside China. It is WGS84 plus a
  non-linear offset of a few hundred metres.
* **BD-09** (百度坐标) is used by Baidu Maps: GCJ-02 plus a further polar-coordinate
  offset of roughly 1 km.

All functions take longitude first and latitude second, in **degrees**, as scalars or
array-likes (broadcast against each other), and return a ``(lon, lat)`` tuple of float64
arrays (numpy float64 scalars for scalar input). NaN passes through as NaN.

The forward formulas (WGS84 -> GCJ-02 -> BD-09) are the widely published ones (e.g. the
``coordtransform`` and ``eviltransform`` libraries): Krasovsky 1940 ellipsoid
(a = 6378245.0 m, e^2 = 0.00669342162296594323) with the usual polynomial-plus-sine offset,
and Baidu's ``x_pi = pi * 3000 / 180`` rotation. Points outside the rough China box
(lon 72.004-137.8347, lat 0.8293-55.8271) are left unchanged by WGS84 <-> GCJ-02, as in
the published formula; the BD-09 step is applied everywhere, as in ``coordtransform``.

The published inverses are one-step approximations with errors of up to a few metres.
Here the inverses are iterated (``x -= forward(x) - target``) until the residual is below
1e-9 degrees (about 0.1 mm), so round trips are exact to well under a centimetre.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CHINA_LAT_RANGE",
    "CHINA_LON_RANGE",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

#: A longitude or latitude result: float64 array, or a numpy float64 for scalar input.
Coord = NDArray[np.float64] | np.float64

#: Longitude range (degrees) inside which the GCJ-02 offset is applied.
CHINA_LON_RANGE: tuple[float, float] = (72.004, 137.8347)
#: Latitude range (degrees) inside which the GCJ-02 offset is applied.
CHINA_LAT_RANGE: tuple[float, float] = (0.8293, 55.8271)

_KRASOVSKY_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, metres
_KRASOVSKY_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # Baidu's rotation constant
_BD_DLON = 0.0065  # Baidu's constant longitude shift, degrees
_BD_DLAT = 0.006  # Baidu's constant latitude shift, degrees

_TOLERANCE_DEG = 1e-9  # stop iterating an inverse when the residual is below this
_MAX_ITERATIONS = 10  # each step shrinks the residual about 1000-fold; 3-4 suffice

_Pair = tuple[NDArray[np.float64], NDArray[np.float64]]


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> _Pair:
    """Broadcast ``lon``/``lat`` to float64 arrays of a common shape (copies)."""
    lon_arr, lat_arr = np.broadcast_arrays(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    return lon_arr.copy(), lat_arr.copy()


def _as_output(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[Coord, Coord]:
    """Return arrays as they are, 0-d arrays as numpy float64 scalars."""
    return lon[()], lat[()]


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Mask of points outside the box where the GCJ-02 offset applies.

    Parameters
    ----------
    lon, lat : array_like
        Longitude and latitude in degrees (any datum; the box is rough).

    Returns
    -------
    numpy.ndarray of bool
        True where the point is outside lon 72.004-137.8347, lat 0.8293-55.8271, or NaN.
    """
    lon_arr, lat_arr = _as_arrays(lon, lat)
    inside = (
        (lon_arr >= CHINA_LON_RANGE[0])
        & (lon_arr <= CHINA_LON_RANGE[1])
        & (lat_arr >= CHINA_LAT_RANGE[0])
        & (lat_arr <= CHINA_LAT_RANGE[1])
    )
    return ~inside


def _transform_lat(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """The published latitude offset polynomial, in the formula's own units."""
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """The published longitude offset polynomial, in the formula's own units."""
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj02_delta(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> _Pair:
    """GCJ-02 minus WGS84 (degrees) at ``lon``/``lat``; zero outside China."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def _wgs84_to_gcj02(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> _Pair:
    dlon, dlat = _gcj02_delta(lon, lat)
    return lon + dlon, lat + dlat


def _gcj02_to_bd09(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> _Pair:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


def _bd09_to_gcj02_approx(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> _Pair:
    x = lon - _BD_DLON
    y = lat - _BD_DLAT
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _max_abs_finite(*arrays: NDArray[np.float64]) -> float:
    """Largest absolute finite value over ``arrays`` (0 when there is none)."""
    return max(
        (float(np.max(np.abs(a), initial=0.0, where=np.isfinite(a))) for a in arrays),
        default=0.0,
    )


def _invert(
    forward: Callable[[NDArray[np.float64], NDArray[np.float64]], _Pair],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    guess: _Pair,
) -> _Pair:
    """Solve ``forward(x) == (lon, lat)`` by fixed-point iteration from ``guess``.

    ``forward`` is the identity plus a small, slowly varying offset, so the update
    ``x -= forward(x) - target`` contracts by about three orders of magnitude per step.
    """
    x_lon, x_lat = guess
    for _ in range(_MAX_ITERATIONS):
        f_lon, f_lat = forward(x_lon, x_lat)
        err_lon, err_lat = f_lon - lon, f_lat - lat
        if _max_abs_finite(err_lon, err_lat) < _TOLERANCE_DEG:
            break
        x_lon, x_lat = x_lon - err_lon, x_lat - err_lat
    return x_lon, x_lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Coord, Coord]:
    """Convert WGS84 (EPSG:4326) longitude/latitude to GCJ-02.

    Exactly the published formula; points outside the China box are returned unchanged.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude in degrees; scalars or arrays (broadcast).

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        GCJ-02 longitude and latitude in degrees.
    """
    lon_arr, lat_arr = _as_arrays(lon, lat)
    return _as_output(*_wgs84_to_gcj02(lon_arr, lat_arr))


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, *, exact: bool = True) -> tuple[Coord, Coord]:
    """Convert GCJ-02 longitude/latitude to WGS84 (EPSG:4326).

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude in degrees; scalars or arrays (broadcast).
    exact : bool, default True
        Iterate until ``wgs84_to_gcj02(result)`` reproduces the input to 1e-9 degrees
        (round-trip error well under 1 cm). False gives the published one-step
        approximation ``2 * gcj - wgs84_to_gcj02(gcj)``, off by up to a few metres.

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        WGS84 longitude and latitude in degrees. Points outside the China box come back
        unchanged.
    """
    lon_arr, lat_arr = _as_arrays(lon, lat)
    dlon, dlat = _gcj02_delta(lon_arr, lat_arr)
    guess = (lon_arr - dlon, lat_arr - dlat)
    if exact:
        guess = _invert(_wgs84_to_gcj02, lon_arr, lat_arr, guess)
    return _as_output(*guess)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Coord, Coord]:
    """Convert GCJ-02 longitude/latitude to Baidu BD-09.

    Exactly the published ``x_pi = pi * 3000 / 180`` formula, applied everywhere.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude in degrees; scalars or arrays (broadcast).

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        BD-09 longitude and latitude in degrees.
    """
    lon_arr, lat_arr = _as_arrays(lon, lat)
    return _as_output(*_gcj02_to_bd09(lon_arr, lat_arr))


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike, *, exact: bool = True) -> tuple[Coord, Coord]:
    """Convert Baidu BD-09 longitude/latitude to GCJ-02.

    Parameters
    ----------
    lon, lat : array_like
        BD-09 longitude and latitude in degrees; scalars or arrays (broadcast).
    exact : bool, default True
        Start from the published approximate inverse and iterate until
        ``gcj02_to_bd09(result)`` reproduces the input to 1e-9 degrees. False returns the
        published approximation itself.

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        GCJ-02 longitude and latitude in degrees.
    """
    lon_arr, lat_arr = _as_arrays(lon, lat)
    guess = _bd09_to_gcj02_approx(lon_arr, lat_arr)
    if exact:
        guess = _invert(_gcj02_to_bd09, lon_arr, lat_arr, guess)
    return _as_output(*guess)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Coord, Coord]:
    """Convert WGS84 (EPSG:4326) longitude/latitude to Baidu BD-09 (via GCJ-02).

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude in degrees; scalars or arrays (broadcast).

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        BD-09 longitude and latitude in degrees.
    """
    lon_arr, lat_arr = _as_arrays(lon, lat)
    return _as_output(*_gcj02_to_bd09(*_wgs84_to_gcj02(lon_arr, lat_arr)))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike, *, exact: bool = True) -> tuple[Coord, Coord]:
    """Convert Baidu BD-09 longitude/latitude to WGS84 (EPSG:4326) (via GCJ-02).

    Parameters
    ----------
    lon, lat : array_like
        BD-09 longitude and latitude in degrees; scalars or arrays (broadcast).
    exact : bool, default True
        Use the iterated inverses (round trip well under 1 cm); False chains the two
        published one-step approximations.

    Returns
    -------
    lon, lat : numpy.ndarray or numpy.float64
        WGS84 longitude and latitude in degrees.
    """
    gcj_lon, gcj_lat = bd09_to_gcj02(lon, lat, exact=exact)
    return gcj02_to_wgs84(gcj_lon, gcj_lat, exact=exact)
