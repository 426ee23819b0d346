"""Converting to WGS84: :func:`points_to_wgs84` and :func:`to_wgs84` take coordinates or
geometries from a :class:`~gridmap.geo.crs.base.SourceCRS` (pyproj with ``always_xy=True``,
or the iterated GCJ-02 / BD-09 inverses of :mod:`gridmap.geo.coords`) to EPSG:4326
longitude/latitude degrees, z kept, and check the result lies in China.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar, overload

import geopandas as gpd
import numpy as np
import pyproj
import pyproj.exceptions
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from gridmap.geo import coords
from gridmap.geo.crs.base import WGS84, CoordinateError, CRSError, SourceCRS
from gridmap.geo.crs.check import check_lonlat


@functools.lru_cache(maxsize=32)
def _transformer_to_wgs84(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, WGS84.crs, always_xy=True)


def _xy_to_wgs84(
    x: NDArray[np.float64], y: NDArray[np.float64], source: SourceCRS
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert coordinate arrays in ``source`` to WGS84 longitude/latitude arrays."""
    if source.kind == "gcj02":
        lon, lat = coords.gcj02_to_wgs84(x, y)
    elif source.kind == "bd09":
        lon, lat = coords.bd09_to_wgs84(x, y)
    elif source.crs is not None:
        lon, lat = _transformer_to_wgs84(source.crs).transform(x, y)
    else:
        raise CRSError(f"source CRS {source.label!r} of kind 'pyproj' has no pyproj.CRS")
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _convert_coords(
    xy: NDArray[np.float64], source: SourceCRS, swap_xy: bool
) -> NDArray[np.float64]:
    """Convert an (N, 2) or (N, 3) coordinate array; a third (z) column is kept as is."""
    out = np.array(xy, dtype=np.float64, copy=True)
    x, y = (out[:, 1], out[:, 0]) if swap_xy else (out[:, 0], out[:, 1])
    out[:, 0], out[:, 1] = _xy_to_wgs84(x, y, source)
    return out


def _where(where: str, source: SourceCRS) -> str:
    converted = f"converted from {source.label}"
    return f"{where} ({converted})" if where else converted


def convert_points(
    x: ArrayLike, y: ArrayLike, source: SourceCRS, *, swap_xy: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """:func:`points_to_wgs84` without its check: the converted WGS84 lon/lat of every point,
    wherever it lands (for callers that judge each point themselves)."""
    x_arr, y_arr = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    )
    out = _convert_coords(np.column_stack([x_arr.ravel(), y_arr.ravel()]), source, swap_xy)
    return out[:, 0].reshape(x_arr.shape), out[:, 1].reshape(x_arr.shape)


def points_to_wgs84(
    x: ArrayLike,
    y: ArrayLike,
    source: SourceCRS,
    *,
    swap_xy: bool = False,
    where: str = "",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert point coordinates to WGS84 longitude/latitude and check they lie in China.

    Parameters
    ----------
    x, y : array_like
        Coordinates in ``source``: easting/northing in metres for projected CRSs,
        longitude/latitude in degrees otherwise (never latitude first).
    source : SourceCRS
        The CRS of ``x``/``y`` (see :func:`parse_crs`).
    swap_xy : bool, default False
        The columns are the other way round (``x`` holds latitudes/northings).
    where : str, optional
        Context for error messages, e.g. the file name.

    Returns
    -------
    lon, lat : numpy.ndarray
        WGS84 (EPSG:4326) longitude and latitude in degrees, float64, shaped like the
        broadcast inputs.

    Raises
    ------
    CoordinateError
        If a converted point lies outside China (the message names the rows and says
        when longitude and latitude look swapped).
    """
    lon, lat = convert_points(x, y, source, swap_xy=swap_xy)
    check_lonlat(lon.ravel(), lat.ravel(), where=_where(where, source))
    return lon, lat


_G = TypeVar("_G", BaseGeometry, gpd.GeoSeries, gpd.GeoDataFrame)


@overload
def to_wgs84(geoms: _G, source: SourceCRS, *, swap_xy: bool = ..., where: str = ...) -> _G: ...
@overload
def to_wgs84(
    geoms: ArrayLike, source: SourceCRS, *, swap_xy: bool = ..., where: str = ...
) -> NDArray[Any]: ...
def to_wgs84(geoms: Any, source: SourceCRS, *, swap_xy: bool = False, where: str = "") -> Any:
    """Convert geometries (or coordinates) to WGS84 and check they lie in China.

    Parameters
    ----------
    geoms
        A shapely geometry; an array or list of shapely geometries (None allowed); a
        GeoSeries or GeoDataFrame (its own ``.crs`` is ignored: resolve it first with
        :func:`resolve_source_crs`); or an (N, 2) / (N, 3) array of coordinates. Z values
        are kept unchanged.
    source : SourceCRS
        The CRS the coordinates are in. pyproj CRSs are applied with ``always_xy=True``
        (x = easting/longitude); GCJ-02 and BD-09 use the iterated inverses of
        :mod:`gridmap.geo.coords`.
    swap_xy : bool, default False
        Coordinates are stored the other way round (latitude/northing first).
    where : str, optional
        Context for error messages, e.g. the file name.

    Returns
    -------
    Same kind as ``geoms``
        In WGS84 (EPSG:4326) longitude/latitude degrees. GeoSeries/GeoDataFrames keep
        their index and get ``crs="EPSG:4326"``.

    Raises
    ------
    CoordinateError
        If a converted coordinate lies outside China; the message names the features
        (index labels) and says when longitude and latitude look swapped.
    """
    if isinstance(geoms, gpd.GeoDataFrame):
        out = geoms.copy()
        out[geoms.geometry.name] = to_wgs84(geoms.geometry, source, swap_xy=swap_xy, where=where)
        return out.set_crs(WGS84.crs, allow_override=True)
    if isinstance(geoms, gpd.GeoSeries):
        converted = _geometries_to_wgs84(
            geoms.to_numpy(), source, swap_xy, where, np.asarray(geoms.index)
        )
        return gpd.GeoSeries(converted, index=geoms.index, name=geoms.name, crs=WGS84.crs)
    if isinstance(geoms, BaseGeometry):
        return _geometries_to_wgs84(np.array([geoms]), source, swap_xy, where, None)[0]
    array = np.asarray(geoms)
    if array.dtype.kind in "fiu":
        return _coordinates_to_wgs84(array, source, swap_xy, where)
    return _geometries_to_wgs84(array, source, swap_xy, where, None)


def _coordinates_to_wgs84(
    array: NDArray[Any], source: SourceCRS, swap_xy: bool, where: str
) -> NDArray[np.float64]:
    if array.ndim != 2 or array.shape[1] not in (2, 3):
        raise CoordinateError(
            f"{where + ': ' if where else ''}coordinate array has shape {array.shape}",
            hint="pass an (N, 2) array of x, y (or (N, 3) with z), or shapely geometries",
        )
    out = _convert_coords(array.astype(np.float64), source, swap_xy)
    check_lonlat(out[:, 0], out[:, 1], where=_where(where, source))
    return out


def _geometries_to_wgs84(
    geoms: NDArray[Any],
    source: SourceCRS,
    swap_xy: bool,
    where: str,
    labels: NDArray[Any] | None,
) -> NDArray[Any]:
    """Convert an array of geometries; ``labels`` name the features in messages."""
    result = shapely.transform(
        geoms, lambda xy: _convert_coords(xy, source, swap_xy), include_z=None
    )
    lonlat, index = shapely.get_coordinates(result, return_index=True)
    rows = index if labels is None else labels[index]
    check_lonlat(lonlat[:, 0], lonlat[:, 1], where=_where(where, source), rows=rows)
    return result
