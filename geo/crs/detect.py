"""Deciding the source CRS: :func:`detect_crs` guesses it from the data bounds when nothing
is declared (only degree-looking numbers in China are silently taken as WGS84; projected
metres, e.g. zone-prefixed Gauss-Krüger eastings, raise with a suggested EPSG code) and
:func:`resolve_source_crs` weighs a declaration against the file's own CRS.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pyproj
import pyproj.exceptions
from numpy.typing import NDArray

from gridmap.geo.crs.base import WGS84, CoordinateError, CRSSpec, SourceCRS
from gridmap.geo.crs.check import CHINA_LAT_RANGE, CHINA_LON_RANGE, _fmt_range, in_china
from gridmap.geo.crs.parse import parse_crs

# Plausible Chinese northings/eastings (metres) for telling projections apart.
_NORTHING_RANGE = (300_000.0, 6_200_000.0)
_EASTING_RANGE = (100_000.0, 900_000.0)  # false easting 500 km +- a zone's half-width
_GK3_ZONES = range(25, 46)  # 3-degree Gauss-Krüger zones over China (CM 75E-135E)
_GK6_ZONES = range(13, 24)  # 6-degree Gauss-Krüger zones over China (CM 75E-135E)
_WEB_MERCATOR_X = (8_100_000.0, 15_200_000.0)  # EPSG:3857 eastings of lon 73-136
# Suggested when plain projected numbers come without a CRS: the district's own zones
# (Chengdu: CGCS2000 3-degree GK CM 105E, the project's metric CRS, and UTM 48N).
_DEFAULT_PROJECTED_SUGGESTIONS = (4544, 32648)


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
    swapped = in_china(np.array([ymin, ymax]), np.array([xmin, xmax])).all()
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
    if not in_china(bounds[[0, 2]], bounds[[1, 3]]).all():
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
