"""Points binned into H3 cells: :func:`h3_bins` counts (and weighs) WGS84 longitude/latitude
points (degrees, EPSG:4326) per cell, deduplicating points first, and
:func:`h3_cell_polygons` draws the cells as EPSG:4326 polygons with longitude in x (the
heat of many reports, on the desk and in the HTML export).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from h3.api import basic_int as h3_int


def h3_bins(
    lon: np.ndarray | pd.Series,
    lat: np.ndarray | pd.Series,
    *,
    resolution: int,
    weights: np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Points binned into H3 cells of one resolution.

    Parameters
    ----------
    lon, lat
        WGS84 longitude and latitude, degrees (EPSG:4326), same length.
    resolution
        H3 resolution 0–15 (7 ≈ 5 km², 8 ≈ 0.7 km², 9 ≈ 0.1 km² per cell).
    weights
        Optional weight per point, summed per cell into a ``weight`` column.

    Returns
    -------
    pandas.DataFrame
        One row per occupied cell, sorted by cell: ``cell`` (H3 id, hex str), ``count``
        (int64 points), ``weight`` (float64, only with ``weights``), ``lon``/``lat`` (the
        cell centre, WGS84 degrees). ``attrs["skipped"]`` is the number of points left out
        because lon, lat or weight is NaN/infinite or lon/lat is out of range;
        ``count.sum() + attrs["skipped"] == len(lon)``.

    Notes
    -----
    h3 4.5 has no vectorised point-to-cell call (``h3.api.numpy_int`` only changes the type
    of collections), so each *distinct* coordinate pair goes through the scalar C call
    ``h3.api.basic_int.latlng_to_cell`` (integer ids, no string per point); duplicate
    points are found first with one hash (``pandas.factorize``), and ids are turned into
    strings and centres once per occupied cell. The cells are exact, as
    ``h3.latlng_to_cell`` would give.
    """
    x, y, w, skipped = _valid_points(lon, lat, weights)
    ux, uy, point_of = _distinct_points(x, y)
    cells = _cells_of_points(ux, uy, int(resolution))
    return _bin_cells(cells, point_of, w, skipped, int(resolution))


def h3_cell_polygons(cells: Iterable[str | int]) -> gpd.GeoDataFrame:
    """Hexagon (or pentagon) polygons of H3 cells, for drawing.

    Parameters
    ----------
    cells
        H3 cell ids, hex strings (as in :func:`h3_bins`) or integers.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``cell`` (hex str) and ``resolution``; geometry in EPSG:4326 with
        **longitude in x** and latitude in y (h3 returns lat/lng pairs; they are swapped).
        Cells crossing the antimeridian are not split.
    """
    ids = [c if isinstance(c, str) else h3.int_to_str(int(c)) for c in cells]
    if not ids:
        return gpd.GeoDataFrame(
            {"cell": pd.Series([], dtype="str"), "resolution": np.array([], dtype=np.int64)},
            geometry=gpd.GeoSeries([], crs="EPSG:4326"),
            crs="EPSG:4326",
        )
    rings = [h3.cell_to_boundary(c) for c in ids]  # per cell: a few thousand at most
    sizes = np.fromiter((len(r) for r in rings), dtype=np.int64, count=len(rings))
    latlng = np.array([p for r in rings for p in r], dtype=np.float64).reshape(-1, 2)
    polygons = shapely.polygons(
        shapely.linearrings(latlng[:, ::-1], indices=np.repeat(np.arange(len(ids)), sizes))
    )
    return gpd.GeoDataFrame(
        {
            "cell": pd.Series(ids, dtype="str"),
            "resolution": np.array([h3.get_resolution(c) for c in ids], dtype=np.int64),
        },
        geometry=polygons,
        crs="EPSG:4326",
    )


def _valid_points(
    lon: np.ndarray | pd.Series,
    lat: np.ndarray | pd.Series,
    weights: np.ndarray | pd.Series | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    """The usable points (finite, lon in [-180, 180], lat in [-90, 90]) and how many were not."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"lon and lat differ in shape: {x.shape} vs {y.shape}")
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != x.shape:
            raise ValueError(f"weights have shape {w.shape}, points {x.shape}")
        ok &= np.isfinite(w)
        w = w[ok]
    return x[ok], y[ok], w, int(ok.size - ok.sum())


def _distinct_points(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(x, y)`` pairs and, per point, the position of its pair.

    The two float64 bit patterns are mixed into one uint64 key, which hashes about twice as
    fast as a pair; the grouping is then checked exactly, and a (rare) key collision falls
    back to hashing the pairs themselves.
    """
    x = np.ascontiguousarray(x)
    y = np.ascontiguousarray(y)
    key = (x.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ y.view(np.uint64)
    point_of, _ = pd.factorize(key)
    first = np.empty(point_of.max(initial=-1) + 1, dtype=np.int64)
    first[point_of[::-1]] = np.arange(len(point_of) - 1, -1, -1)  # first point of each key
    ux, uy = x[first], y[first]
    if np.array_equal(ux[point_of], x) and np.array_equal(uy[point_of], y):
        return ux, uy, point_of
    point_of, pairs = pd.factorize(x + 1j * y)
    return pairs.real.copy(), pairs.imag.copy(), point_of


def _cells_of_points(x: np.ndarray, y: np.ndarray, res: int) -> np.ndarray:
    """uint64 H3 cell of each point (scalar C call per point; see :func:`h3_bins`)."""
    cell = h3_int.latlng_to_cell
    return np.fromiter(
        map(cell, y.tolist(), x.tolist(), [res] * len(x)), dtype=np.uint64, count=len(x)
    )


def _bin_cells(
    cells: np.ndarray, point_of: np.ndarray, w: np.ndarray | None, skipped: int, res: int
) -> pd.DataFrame:
    """Counts (and weights) per cell, with the cell ids as strings and their centres."""
    uniques, cell_of_pair = np.unique(cells, return_inverse=True)
    cell_of_point = cell_of_pair[point_of]
    ids = [h3_int.int_to_str(int(c)) for c in uniques.tolist()]
    centres = np.array([h3_int.cell_to_latlng(int(c)) for c in uniques.tolist()]).reshape(-1, 2)
    data: dict[str, object] = {
        "cell": pd.Series(ids, dtype="str"),
        "count": np.bincount(cell_of_point, minlength=len(uniques)).astype(np.int64),
    }
    if w is not None:
        data["weight"] = np.bincount(cell_of_point, weights=w, minlength=len(uniques))
    data["lon"] = centres[:, 1]
    data["lat"] = centres[:, 0]
    out = pd.DataFrame(data)
    out.attrs.update(skipped=skipped, resolution=res)
    return out
