"""Checking converted coordinates: :func:`check_lonlat` makes sure WGS84 longitudes and
latitudes (degrees, EPSG:4326) lie in China (lon 73–136, lat 3–54), naming the first
offending rows and saying when longitude and latitude look swapped; with the number and row
formatting its messages share with :mod:`gridmap.geo.crs.detect`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gridmap.geo.crs.base import CoordinateError

#: Longitudes (degrees) that converted data must lie in.
CHINA_LON_RANGE: tuple[float, float] = (73.0, 136.0)
#: Latitudes (degrees) that converted data must lie in.
CHINA_LAT_RANGE: tuple[float, float] = (3.0, 54.0)


_MAX_ROWS_SHOWN = 5


def _fmt(value: float) -> str:
    """A coordinate for messages: up to 6 decimals, trailing zeros dropped."""
    return np.format_float_positional(value, precision=6, trim="-")


def _fmt_range(lo: float, hi: float) -> str:
    return f"{_fmt(lo)}–{_fmt(hi)}"


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Whether each WGS84 longitude/latitude (degrees) lies in China's box (NaN: no)."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
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
    bad = ~missing & ~in_china(lon_arr, lat_arr)
    if not bad.any():
        return
    labels = np.arange(lon_arr.size) if rows is None else np.asarray(rows).ravel()
    first = int(np.flatnonzero(bad)[0])
    rows_text, shown = _rows_text(labels[bad])
    prefix = f"{where}: " if where else ""
    example = f"row {labels[first]}: {_fmt(lon_arr[first])}, {_fmt(lat_arr[first])}"
    if in_china(lat_arr[bad], lon_arr[bad]).all():
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
