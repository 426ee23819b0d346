"""Declare or detect the source CRS of input data and convert it to WGS84 (EPSG:4326).

Everything downstream of ``gridmap.geo`` works in WGS84 longitude/latitude. Input data
arrive in whatever the source system used:

* a pyproj-understood CRS: WGS84, CGCS2000 (EPSG:4490), a Gauss-Krüger or UTM projection
  (e.g. EPSG:4544, EPSG:32648), given as an EPSG code, WKT or PROJ string;
* the obfuscated web-map systems GCJ-02 ("Mars", AMap/Tencent) and BD-09 (Baidu), which
  no EPSG code describes and which are undone with :mod:`gridmap.geo.coords`;
* nothing at all, in which case :func:`detect_crs` looks at the numbers.

Mistakes are reported as :class:`CRSError` (an unusable CRS declaration) or
:class:`CoordinateError` (coordinates that cannot be right), each saying what is wrong,
where, and what to do about it.

Axis order: pyproj CRSs are always used with ``always_xy=True``, so coordinates are
(easting, northing) or (longitude, latitude) even for EPSG:4326 and EPSG:4490, whose
official axis order is latitude first.

The package, one job a module: :mod:`~gridmap.geo.crs.base` (:class:`SourceCRS`, the
:data:`WGS84`, :data:`GCJ02` and :data:`BD09` constants and the two errors),
:mod:`~gridmap.geo.crs.parse` (:func:`parse_crs`), :mod:`~gridmap.geo.crs.check`
(:func:`check_lonlat`), :mod:`~gridmap.geo.crs.detect` (:func:`detect_crs`,
:func:`resolve_source_crs`) and :mod:`~gridmap.geo.crs.convert` (:func:`points_to_wgs84`,
:func:`convert_points`, :func:`to_wgs84`).
"""

from __future__ import annotations

from gridmap.geo.crs.base import BD09, GCJ02, WGS84, CoordinateError, CRSError, SourceCRS
from gridmap.geo.crs.base import CRSSpec as CRSSpec
from gridmap.geo.crs.check import CHINA_LAT_RANGE, CHINA_LON_RANGE, check_lonlat, in_china
from gridmap.geo.crs.convert import convert_points, points_to_wgs84, to_wgs84
from gridmap.geo.crs.detect import detect_crs, resolve_source_crs
from gridmap.geo.crs.parse import parse_crs

__all__ = [
    "BD09",
    "CHINA_LAT_RANGE",
    "CHINA_LON_RANGE",
    "GCJ02",
    "WGS84",
    "CRSError",
    "CoordinateError",
    "SourceCRS",
    "check_lonlat",
    "convert_points",
    "detect_crs",
    "in_china",
    "parse_crs",
    "points_to_wgs84",
    "resolve_source_crs",
    "to_wgs84",
]
