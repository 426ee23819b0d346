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
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Hashable, Sequence
from typing import Any, Literal, TypeVar, overload

import geopandas as gpd
import numpy as np
import pyproj
import pyproj.exceptions
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from gridmap.geo import coords

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
    "detect_crs",
    "parse_crs",
    "points_to_wgs84",
    "resolve_source_crs",
    "to_wgs84",
]

#: Longitudes (degrees) that converted data must lie in.
CHINA_LON_RANGE: tuple[float, float] = (73.0, 136.0)
#: Latitudes (degrees) that converted data must lie in.
CHINA_LAT_RANGE: tuple[float, float] = (3.0, 54.0)

_ALLOWED_FORMS = (
    "use an EPSG code (4490, '4490', 'EPSG:4544'), a name ('WGS84', 'CGCS2000', "
    "'GCJ-02'/'gcj02'/'mars', 'BD-09'/'bd09'/'baidu'), a WKT or PROJ string, or a pyproj.CRS"
)
_NAMED_EPSG = {"wgs84": 4326, "cgcs2000": 4490}
_GCJ02_NAMES = frozenset({"gcj02", "gcj", "mars"})
_BD09_NAMES = frozenset({"bd09", "bd09ll", "baidu"})
_EPSG_PATTERN = re.compile(r"^(?:epsg:?)?(\d+)$")

_MAX_ROWS_SHOWN = 5

# Plausible Chinese northings/eastings (metres) for telling projections apart.
_NORTHING_RANGE = (300_000.0, 6_200_000.0)
_EASTING_RANGE = (100_000.0, 900_000.0)  # false easting 500 km +- a zone's half-width
_GK3_ZONES = range(25, 46)  # 3-degree Gauss-Krüger zones over China (CM 75E-135E)
_GK6_ZONES = range(13, 24)  # 6-degree Gauss-Krüger zones over China (CM 75E-135E)
_WEB_MERCATOR_X = (8_100_000.0, 15_200_000.0)  # EPSG:3857 eastings of lon 73-136
# Suggested when plain projected numbers come without a CRS: the district's own zones
# (Chengdu: CGCS2000 3-degree GK CM 105E, the project's metric CRS, and UTM 48N).
_DEFAULT_PROJECTED_SUGGESTIONS = (4544, 32648)


class CRSError(ValueError):
    """A CRS declaration that cannot be understood or used."""


class CoordinateError(ValueError):
    """Coordinates that cannot be right (swapped, outside China, projected without a CRS).

    Parameters
    ----------
    problem
        What is wrong and where.
    hint
        What to do about it.
    rows
        Labels of the first offending rows/features (empty if not row-specific).
    """

    def __init__(self, problem: str, *, hint: str = "", rows: Sequence[Hashable] = ()) -> None:
        self.problem = problem
        self.hint = hint
        self.rows = tuple(rows)
        super().__init__(f"{problem}; {hint}" if hint else problem)


@dataclasses.dataclass(frozen=True)
class SourceCRS:
    """The coordinate system input data are in.

    Attributes
    ----------
    kind
        ``"pyproj"`` for anything pyproj understands, ``"gcj02"`` or ``"bd09"`` for the
        Chinese web-map systems (longitude/latitude in degrees).
    crs
        The pyproj CRS for ``kind == "pyproj"``, else None.
    label
        Human-readable name for messages, e.g. ``"EPSG:4490 (China Geodetic ...)"``.
    """

    kind: Literal["pyproj", "gcj02", "bd09"]
    crs: pyproj.CRS | None
    label: str

    def __str__(self) -> str:
        return self.label


CRSSpec = SourceCRS | pyproj.CRS | int | str | None

GCJ02 = SourceCRS("gcj02", None, "GCJ-02 (Mars coordinates, AMap/Tencent)")
BD09 = SourceCRS("bd09", None, "BD-09 (Baidu coordinates)")


def _short(spec: object, limit: int = 80) -> str:
    """``repr(spec)`` for messages, cut short (a WKT string can be kilobytes)."""
    text = repr(spec)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _pyproj_label(crs: pyproj.CRS) -> str:
    name = crs.name if crs.name and crs.name != "unknown" else crs.srs
    code = crs.to_epsg()
    return f"EPSG:{code} ({name})" if code is not None else name


#: WGS84 longitude/latitude, the CRS everything is converted to.
WGS84 = SourceCRS("pyproj", pyproj.CRS.from_epsg(4326), _pyproj_label(pyproj.CRS.from_epsg(4326)))


def _from_pyproj(crs: pyproj.CRS, spec: object) -> SourceCRS:
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(
            f"CRS {_short(spec)} ({crs.name}) is neither geographic nor projected, so 2-D map "
            f"coordinates cannot be in it; {_ALLOWED_FORMS}"
        )
    return SourceCRS("pyproj", crs, _pyproj_label(crs))


def _from_epsg(code: int, spec: object) -> SourceCRS:
    try:
        crs = pyproj.CRS.from_epsg(code)
    except pyproj.exceptions.CRSError:
        raise CRSError(
            f"unknown EPSG code {code} in CRS {_short(spec)}; {_ALLOWED_FORMS}"
        ) from None
    return _from_pyproj(crs, spec)


def _from_string(spec: str) -> SourceCRS:
    key = re.sub(r"[\s_\-]", "", spec.lower())
    if not key:
        raise CRSError(f"empty CRS {_short(spec)}; {_ALLOWED_FORMS}")
    if key in _GCJ02_NAMES:
        return GCJ02
    if key in _BD09_NAMES:
        return BD09
    if key in _NAMED_EPSG:
        return _from_epsg(_NAMED_EPSG[key], spec)
    match = _EPSG_PATTERN.match(key)
    if match:
        return _from_epsg(int(match.group(1)), spec)
    try:
        crs = pyproj.CRS.from_user_input(spec)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"unknown CRS {_short(spec)}; {_ALLOWED_FORMS}") from exc
    return _from_pyproj(crs, spec)


def parse_crs(spec: CRSSpec) -> SourceCRS | None:
    """Interpret a CRS declaration.

    Parameters
    ----------
    spec
        None (nothing declared); an EPSG code as int (``4490``) or string (``"4490"``,
        ``"EPSG:4544"``); a name: ``"WGS84"``, ``"CGCS2000"``, ``"GCJ-02"``/``"gcj02"``/
        ``"mars"``, ``"BD-09"``/``"bd09"``/``"baidu"`` (case, spaces, ``-`` and ``_`` are
        ignored); a WKT or PROJ string; a :class:`pyproj.CRS`; or a :class:`SourceCRS`
        (returned as is).

    Returns
    -------
    SourceCRS or None
        None exactly when ``spec`` is None.

    Raises
    ------
    CRSError
        If the spec is not understood; the message lists the accepted forms.
    """
    if spec is None or isinstance(spec, SourceCRS):
        return spec
    if isinstance(spec, pyproj.CRS):
        return _from_pyproj(spec, spec)
    if isinstance(spec, bool | np.bool_) or not isinstance(spec, int | np.integer | str):
        raise CRSError(
            f"cannot use {_short(spec)} ({type(spec).__name__}) as a CRS; {_ALLOWED_FORMS}"
        )
    if not isinstance(spec, str):
        return _from_epsg(int(spec), spec)
    return _from_string(spec)


def _fmt(value: float) -> str:
    """A coordinate for messages: up to 6 decimals, trailing zeros dropped."""
    return np.format_float_positional(value, precision=6, trim="-")


def _fmt_range(lo: float, hi: float) -> str:
    return f"{_fmt(lo)}–{_fmt(hi)}"


def _in_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    return (
        (lon >= CHINA_LON_RANGE[0])
        & (lon <= CHINA_LON_RANGE[1])
        & (lat >= CHINA_LAT_RANGE[0])
        & (lat <= CHINA_LAT_RANGE[1])
    )


def _first_rows(rows: NDArray[Any], limit: int = _MAX_ROWS_SHOWN) -> list[Hashable]:
    """The first ``limit`` distinct labels of ``rows``, in order of appearance."""
    seen: dict[Hashable, None] = {}
    for label in rows.tolist():
        seen.setdefault(label, None)
        if len(seen) == limit:
            break
    return list(seen)


def _rows_text(rows: NDArray[Any]) -> tuple[str, list[Hashable]]:
    """``("rows 3, 7, 9 (and 12 more)", [3, 7, 9])`` for the labels in ``rows``."""
    first = _first_rows(rows)
    total = len(set(rows.tolist()))
    text = ", ".join(str(r) for r in first)
    if total > len(first):
        text += f" (and {total - len(first)} more)"
    return f"row{'s' if total > 1 else ''} {text}", first


def check_lonlat(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    where: str = "",
    rows: ArrayLike | None = None,
) -> None:
    """Check that WGS84 longitudes/latitudes lie in China (lon 73-136, lat 3-54 degrees).

    NaN coordinates (missing or empty geometries) are ignored.

    Parameters
    ----------
    lon, lat : array_like
        Longitude and latitude in degrees, after conversion to WGS84 (EPSG:4326).
    where : str, optional
        Context for messages, e.g. a file name.
    rows : array_like, optional
        Row or feature label of each coordinate (same length as ``lon``); default the
        position 0, 1, 2, ...

    Raises
    ------
    CoordinateError
        If any coordinate lies outside China. When swapping longitude and latitude would
        bring all of them into China, the message says they look swapped.
    """
    lon_arr = np.asarray(lon, dtype=np.float64).ravel()
    lat_arr = np.asarray(lat, dtype=np.float64).ravel()
    missing = np.isnan(lon_arr) | np.isnan(lat_arr)
    bad = ~missing & ~_in_china(lon_arr, lat_arr)
    if not bad.any():
        return
    labels = np.arange(lon_arr.size) if rows is None else np.asarray(rows).ravel()
    first = int(np.flatnonzero(bad)[0])
    rows_text, shown = _rows_text(labels[bad])
    prefix = f"{where}: " if where else ""
    example = f"row {labels[first]}: {_fmt(lon_arr[first])}, {_fmt(lat_arr[first])}"
    if _in_china(lat_arr[bad], lon_arr[bad]).all():
        raise CoordinateError(
            f"{prefix}longitude and latitude look swapped in {rows_text} (e.g. {example})",
            hint="swap the columns, or pass --swap-xy (swap_xy=True in Python)",
            rows=shown,
        )
    raise CoordinateError(
        f"{prefix}{int(bad.sum())} of {int((~missing).sum())} coordinates lie outside China "
        f"(lon {_fmt_range(*CHINA_LON_RANGE)}, lat {_fmt_range(*CHINA_LAT_RANGE)}) in "
        f"{rows_text} (e.g. {example})",
        hint="check that the declared CRS (--crs) is the data's real CRS and that these rows "
        "are not corrupt",
        rows=shown,
    )


@functools.cache
def _epsg_name(code: int) -> str:
    return pyproj.CRS.from_epsg(code).name


def _epsg_text(code: int) -> str:
    return f"EPSG:{code} ({_epsg_name(code)})"


def _gk_zone_epsg(width: Literal[3, 6], zone: int) -> int:
    """EPSG code of the CGCS2000 Gauss-Krüger CRS whose eastings carry the zone prefix.

    3-degree zones 25-45 are EPSG:4513-4533, 6-degree zones 13-23 are EPSG:4491-4501.
    """
    return (4488 if width == 3 else 4478) + zone


def _gk_zone(lo: float, hi: float) -> tuple[Literal[3, 6], int] | None:
    """``(width, zone)`` if ``lo``..``hi`` look like zone-prefixed Gauss-Krüger eastings."""
    zone = int(lo // 1_000_000)
    if int(hi // 1_000_000) != zone:
        return None
    within = (lo - zone * 1_000_000, hi - zone * 1_000_000)
    if not (_EASTING_RANGE[0] <= within[0] and within[1] <= _EASTING_RANGE[1]):
        return None
    if zone in _GK3_ZONES:
        return 3, zone
    if zone in _GK6_ZONES:
        return 6, zone
    return None


def _is_northing(lo: float, hi: float) -> bool:
    return _NORTHING_RANGE[0] <= lo and hi <= _NORTHING_RANGE[1]


def _gk_zone_hint(width: Literal[3, 6], zone: int) -> str:
    central = 3 * zone if width == 3 else 6 * zone - 3
    return (
        f"the leading digits are a Gauss-Krüger zone number ({width}-degree zone {zone}, "
        f"CM {central}E); declare it with --crs, e.g. {_epsg_text(_gk_zone_epsg(width, zone))}"
        " (or the Xian 1980 / Beijing 1954 CRS of that zone if the data predate CGCS2000)"
    )


def _projected_error(xmin: float, ymin: float, xmax: float, ymax: float) -> CoordinateError:
    """Explain projected-looking coordinates that came without a CRS."""
    problem = (
        f"projected coordinates (x {_fmt_range(xmin, xmax)}, y {_fmt_range(ymin, ymax)}) but no CRS"
    )
    if _is_northing(ymin, ymax) and (gk := _gk_zone(xmin, xmax)):
        hint = _gk_zone_hint(*gk)
        if gk[0] == 6 and xmax <= _WEB_MERCATOR_X[1]:
            hint += f", or {_epsg_text(3857)} if they are web-map metres"
        return CoordinateError(problem, hint=hint)
    if _is_northing(xmin, xmax) and (gk := _gk_zone(ymin, ymax)):
        return CoordinateError(
            f"{problem}; x and y look swapped (x holds northings, y zone-prefixed eastings, "
            "as in Chinese survey convention)",
            hint=f"pass --swap-xy (swap_xy=True in Python), and {_gk_zone_hint(*gk)}",
        )
    if _is_northing(ymin, ymax) and _WEB_MERCATOR_X[0] <= xmin and xmax <= _WEB_MERCATOR_X[1]:
        return CoordinateError(
            problem, hint=f"they look like web-map metres; declare --crs {_epsg_text(3857)}"
        )
    if _is_northing(ymin, ymax) and _EASTING_RANGE[0] <= xmin and xmax <= _EASTING_RANGE[1]:
        examples = " or ".join(_epsg_text(code) for code in _DEFAULT_PROJECTED_SUGGESTIONS)
        return CoordinateError(problem, hint=f"declare it with --crs, e.g. {examples}")
    return CoordinateError(problem, hint="declare it with --crs (an EPSG code, WKT or PROJ string)")


def _degrees_error(xmin: float, ymin: float, xmax: float, ymax: float) -> CoordinateError:
    """Explain degree-looking coordinates that are not longitude/latitude in China."""
    ranges = f"x {_fmt_range(xmin, xmax)}, y {_fmt_range(ymin, ymax)}"
    swapped = _in_china(np.array([ymin, ymax]), np.array([xmin, xmax])).all()
    if swapped:
        return CoordinateError(
            f"longitude and latitude look swapped ({ranges}: x holds latitudes)",
            hint="swap the columns, or pass --swap-xy (swap_xy=True in Python)",
        )
    return CoordinateError(
        f"coordinates look like degrees ({ranges}) but are not longitude/latitude in China "
        f"(lon {_fmt_range(*CHINA_LON_RANGE)}, lat {_fmt_range(*CHINA_LAT_RANGE)})",
        hint="declare the CRS with --crs, or check that x is longitude and y latitude",
    )


def detect_crs(xmin: float, ymin: float, xmax: float, ymax: float) -> tuple[SourceCRS, str]:
    """Guess the CRS of data that came without one, from their bounds.

    Only one guess is ever made silently: degree-looking numbers in China are taken as
    WGS84. Everything else raises with a suggestion of what to declare.

    Parameters
    ----------
    xmin, ymin, xmax, ymax : float
        Bounds of the data in their own units (e.g. ``GeoDataFrame.total_bounds``).

    Returns
    -------
    source : SourceCRS
        :data:`WGS84`.
    note : str
        A message saying WGS84 was assumed, for the user to see.

    Raises
    ------
    CoordinateError
        For empty/NaN bounds; swapped longitude/latitude; degrees outside China; projected
        coordinates (the hint suggests a CRS, e.g. the Gauss-Krüger zone when the eastings
        carry a zone prefix).
    """
    bounds = np.array([xmin, ymin, xmax, ymax], dtype=np.float64)
    if not np.isfinite(bounds).all():
        raise CoordinateError(
            f"cannot detect the CRS: bounds {bounds.tolist()} are not finite (no coordinates?)",
            hint="check the data has geometries, or declare the CRS with --crs",
        )
    if np.abs(bounds).max() > 180.0:
        raise _projected_error(xmin, ymin, xmax, ymax)
    if not _in_china(bounds[[0, 2]], bounds[[1, 3]]).all():
        raise _degrees_error(xmin, ymin, xmax, ymax)
    note = (
        f"no CRS declared; x {_fmt_range(xmin, xmax)}, y {_fmt_range(ymin, ymax)} look like "
        f"longitude/latitude in China, so {WGS84.label} was assumed. If the data come from a "
        "Chinese web map, declare --crs gcj02 (AMap, Tencent) or --crs bd09 (Baidu)"
    )
    return WGS84, note


def _same_crs(a: SourceCRS, b: SourceCRS) -> bool:
    if a.kind != b.kind:
        return False
    if a.crs is None or b.crs is None:
        return a.crs is None and b.crs is None
    return a.crs.equals(b.crs, ignore_axis_order=True)


def resolve_source_crs(
    gdf_crs: CRSSpec,
    declared_spec: CRSSpec,
    bounds: Sequence[float] | NDArray[np.float64],
) -> tuple[SourceCRS, str | None]:
    """Decide the source CRS from a declaration, the file's own CRS and the data bounds.

    The declared spec wins. If the file also has a CRS and it differs, the declared one is
    still used and a warning is returned. With neither, :func:`detect_crs` guesses.

    Parameters
    ----------
    gdf_crs
        The CRS stored in the file (``GeoDataFrame.crs``), or None.
    declared_spec
        What the user declared (``--crs``), in any form :func:`parse_crs` accepts, or None.
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the data in their own units.

    Returns
    -------
    source : SourceCRS
        The CRS to convert from.
    message : str or None
        A warning (declared and file CRS disagree) or a note (WGS84 was assumed) to show
        the user; None when there is nothing to say.

    Raises
    ------
    CRSError
        If a spec cannot be parsed.
    CoordinateError
        If nothing is declared and the bounds do not look like WGS84 in China.
    """
    declared = parse_crs(declared_spec)
    from_file = parse_crs(gdf_crs)
    if declared is not None:
        if from_file is not None and not _same_crs(declared, from_file):
            return declared, (
                f"the declared CRS {declared.label} overrides the file's CRS {from_file.label}"
            )
        return declared, None
    if from_file is not None:
        return from_file, None
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    return detect_crs(xmin, ymin, xmax, ymax)


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
    x_arr, y_arr = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    )
    xy = np.column_stack([x_arr.ravel(), y_arr.ravel()])
    out = _convert_coords(xy, source, swap_xy)
    check_lonlat(out[:, 0], out[:, 1], where=_where(where, source))
    return out[:, 0].reshape(x_arr.shape), out[:, 1].reshape(x_arr.shape)


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
