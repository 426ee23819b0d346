"""Static geometry for the browser, sent once: simplified, quantised, compact GeoJSON.

Area layers (districts, streets, communities, grids, H3 cells) form a *coverage*: polygons that
share edges exactly. :func:`area_geojson` simplifies them with
:func:`shapely.coverage_simplify`, which simplifies each shared edge once, so neighbours stay
edge-matched (no slivers, no gaps) and the result is still a coverage. Coordinates are then
rounded to a fixed number of decimals (quantisation: 6 decimals ≈ 0.1 m) and written as
compact UTF-8 GeoJSON (no spaces, Chinese kept as is), with the area code as the feature
``id`` so MapLibre's feature-state can recolour a feature without resending it.

All output is WGS84 longitude/latitude (EPSG:4326), longitude first (RFC 7946). Simplification
tolerances are metres, applied in a metric CRS (CGCS2000 / 3-degree Gauss-Krüger CM 105E,
EPSG:4544, by default).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["area_geojson", "feature_collection", "label_points"]

WGS84 = "EPSG:4326"
_POLYGONAL = ("Polygon", "MultiPolygon")


def area_geojson(
    frame: gpd.GeoDataFrame,
    *,
    properties: Sequence[str] = ("code", "name"),
    tolerance_m: float = 3.0,
    precision: int = 6,
    metric_crs: str = "EPSG:4544",
    id_field: str | None = "code",
    clean: bool = True,
) -> bytes:
    """Polygons as a compact GeoJSON FeatureCollection, simplified as a coverage.

    Parameters
    ----------
    frame
        Polygon/MultiPolygon layer in any CRS (it must have one). Rows with a missing or
        empty geometry are written with ``"geometry": null``.
    properties
        Columns written into each feature's ``properties`` (missing values become ``null``,
        times ISO 8601 text).
    tolerance_m
        Coverage simplification tolerance, metres: roughly the square root of the area of
        the triangles Visvalingam-Whyatt removes. ``0`` keeps every vertex.
    precision
        Decimals kept in the output coordinates (degrees): 6 ≈ 0.1 m, 5 ≈ 1 m.
    metric_crs
        Projected CRS in metres in which to simplify.
    id_field
        Column whose value becomes each feature's ``id`` (MapLibre feature-state addresses
        features by it; numeric-looking strings such as area codes work, or use
        ``promoteId``); ``None`` for no ids.
    clean
        First make the polygons an exact coverage with :func:`shapely.coverage_clean`
        (overlaps merged into a neighbour, vertices snapped so that neighbours share
        identical edges). Real boundary files and generated partitions are often not
        edge-matched, and coverage simplification keeps only edges that are shared exactly.
        ``False`` for layers known to be clean or not a partition (buildings, H3 cells).

    Returns
    -------
    bytes
        UTF-8 GeoJSON, no whitespace, coordinates in EPSG:4326 rounded to ``precision``.

    Raises
    ------
    ValueError
        If the frame has no CRS, a named column is missing, or a geometry is not polygonal.

    Notes
    -----
    With ``clean=False`` the polygons are assumed to form a coverage already; overlapping
    input is still simplified but may come out invalid (see
    :func:`shapely.coverage_simplify`). Rounding
    moves each vertex to the same place in every polygon that has it, so shared edges stay
    shared; the rare polygon that rounding makes invalid (a ring collapsing onto itself) is
    snap-rounded with :func:`shapely.set_precision` instead, which may leave it slightly
    off its neighbours, or empty if it is smaller than the grid.
    """
    _check_frame(frame, [*properties, *([id_field] if id_field else [])])
    geoms = _polygonal_geometries(frame)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    simplified = _coverage_in_wgs84(
        geoms[present], frame.crs, clean=clean, tolerance_m=tolerance_m, metric_crs=metric_crs
    )
    out = np.full(len(geoms), None, dtype=object)
    out[present] = _quantise(simplified, precision)
    ids = None if id_field is None else frame[id_field]
    return _collection(_geometry_json(out, precision), _properties(frame, properties), ids)


def label_points(frame: gpd.GeoDataFrame, *, metric_crs: str = "EPSG:4544") -> gpd.GeoDataFrame:
    """One label anchor inside each polygon.

    The anchor is the centre of the largest circle inside the polygon's largest part (its
    pole of inaccessibility, where a name has the most room), found in ``metric_crs``; a
    polygon where that fails falls back to :func:`shapely.point_on_surface`. Either way the
    point lies inside the polygon, unlike a centroid of a crescent or a MultiPolygon.

    Parameters
    ----------
    frame
        Polygon/MultiPolygon layer with a CRS.
    metric_crs
        Projected CRS in metres used for areas and the inscribed circle.

    Returns
    -------
    geopandas.GeoDataFrame
        The frame's columns and index with Point geometry, in the frame's CRS; ``None``
        where the geometry is missing or empty.
    """
    _check_frame(frame, [])
    geoms = _polygonal_geometries(frame)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    metric = gpd.GeoSeries(geoms[present], crs=frame.crs).to_crs(metric_crs).to_numpy()
    anchors = _pole_points(_largest_parts(metric))
    points = np.full(len(geoms), None, dtype=object)
    points[present] = gpd.GeoSeries(anchors, crs=metric_crs).to_crs(frame.crs).to_numpy()
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(points, index=frame.index, crs=frame.crs))


def feature_collection(
    records: pd.DataFrame | Iterable[Mapping[str, Any]],
    lon: str = "lon",
    lat: str = "lat",
    properties: Sequence[str] = (),
    *,
    id_field: str | None = None,
    precision: int = 6,
) -> bytes:
    """Points from a table of WGS84 lon/lat as a compact GeoJSON FeatureCollection.

    Parameters
    ----------
    records
        A DataFrame or an iterable of mappings (rows).
    lon, lat
        Columns holding WGS84 longitude and latitude, degrees (EPSG:4326).
    properties
        Columns written into ``properties``.
    id_field
        Column whose value becomes each feature's ``id``; ``None`` for none.
    precision
        Decimals kept in the coordinates.

    Returns
    -------
    bytes
        UTF-8 GeoJSON; a row whose lon or lat is missing or not finite has
        ``"geometry": null`` (kept, not dropped).
    """
    table = records if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    _check_columns(table, [lon, lat, *properties, *([id_field] if id_field else [])])
    x = pd.to_numeric(table[lon], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    y = pd.to_numeric(table[lat], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isfinite(x) & np.isfinite(y)
    points = np.full(len(table), None, dtype=object)
    points[ok] = shapely.points(np.round(x[ok], precision), np.round(y[ok], precision))
    ids = None if id_field is None else table[id_field]
    return _collection(_geometry_json(points, precision), _properties(table, properties), ids)


# --------------------------------------------------------------------------- steps


def _check_frame(frame: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"expected a GeoDataFrame, got {type(frame).__name__}")
    if frame.crs is None:
        raise ValueError(
            "the layer has no CRS: is the data in WGS84? set it with frame.set_crs('EPSG:4326')"
        )
    _check_columns(frame, columns)


def _check_columns(table: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in table.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the layer; columns: {list(table.columns)}")


def _polygonal_geometries(frame: gpd.GeoDataFrame) -> np.ndarray:
    geoms = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    # -1 missing, 3 Polygon, 6 MultiPolygon; an empty geometry of any type is let through
    bad = ~np.isin(kinds, [-1, 3, 6]) & ~shapely.is_empty(geoms)
    if bad.any():
        found = sorted({g.geom_type for g in geoms[bad]})
        raise ValueError(
            f"{int(bad.sum())} geometries are {found}, not polygons; allowed: {list(_POLYGONAL)}"
        )
    return geoms


def _coverage_in_wgs84(
    geoms: np.ndarray, crs: Any, *, clean: bool, tolerance_m: float, metric_crs: str
) -> np.ndarray:
    """Clean and coverage-simplify ``geoms`` (in ``crs``) in ``metric_crs``; EPSG:4326 out."""
    if tolerance_m < 0:
        raise ValueError(f"tolerance_m must be >= 0 metres, got {tolerance_m}")
    if len(geoms) == 0 or (not clean and tolerance_m == 0):
        return gpd.GeoSeries(geoms, crs=crs).to_crs(WGS84).to_numpy()
    metric = gpd.GeoSeries(geoms, crs=crs).to_crs(metric_crs).to_numpy()
    if clean:
        metric = shapely.coverage_clean(metric)
    if tolerance_m > 0:
        metric = shapely.coverage_simplify(metric, tolerance_m)
    return gpd.GeoSeries(metric, crs=metric_crs).to_crs(WGS84).to_numpy()


def _quantise(geoms: np.ndarray, precision: int) -> np.ndarray:
    """Round every coordinate to ``precision`` decimals, keeping polygons valid."""
    if not 0 <= precision <= 15:
        raise ValueError(f"precision must be 0-15 decimals, got {precision}")
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, precision))
    valid = shapely.is_valid(rounded)
    rounded[valid] = shapely.remove_repeated_points(rounded[valid])
    if (~valid).any():
        snapped = shapely.set_precision(geoms[~valid], 10.0**-precision)
        # snap-rounding leaves float noise (104.12345600000001): round the digits away
        rounded[~valid] = shapely.transform(snapped, lambda xy: np.round(xy, precision))
    return rounded


def _geometry_json(geoms: np.ndarray, precision: int) -> np.ndarray:
    """Compact GeoJSON text per geometry, numbers written with at most ``precision`` decimals.

    GEOS writes some rounded doubles with 17 digits (``30.636157999999998``); those few
    numbers are rewritten as Python's shortest form of the rounded value (``30.636158``).
    """
    too_long = re.compile(rf"-?\d+\.\d{{{precision + 1},}}(?:[eE][-+]?\d+)?")

    def shorten(match: re.Match[str]) -> str:
        return repr(round(float(match.group()), precision))

    texts = shapely.to_geojson(geoms)
    present = ~pd.isna(texts)  # missing geometries have no text
    texts[present] = [too_long.sub(shorten, t) for t in texts[present]]
    return texts


def _properties(table: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Each row's properties as a compact JSON object text (NaN/NaT → null)."""
    if not columns:
        return ["{}"] * len(table)
    part = pd.DataFrame(table[list(columns)]).reset_index(drop=True)
    rows = json.loads(part.to_json(orient="records", date_format="iso", force_ascii=False))
    return [_dumps(row) for row in rows]


def _collection(geometries: np.ndarray, properties: list[str], ids: pd.Series | None) -> bytes:
    """Assemble the FeatureCollection text from per-feature JSON pieces."""
    id_texts = (
        [""] * len(properties) if ids is None else [f'"id":{_dumps(_plain(v))},' for v in ids]
    )
    features = [
        f'{{"type":"Feature",{i}"properties":{p},"geometry":{g or "null"}}}'
        for i, p, g in zip(id_texts, properties, geometries, strict=True)
    ]
    return ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").encode()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy numbers as Python numbers, missing as None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _largest_parts(geoms: np.ndarray) -> np.ndarray:
    """The largest-area part of each (Multi)Polygon."""
    if len(geoms) == 0:
        return geoms
    parts, owner = shapely.get_parts(geoms, return_index=True)
    areas = shapely.area(parts)
    order = np.lexsort((-areas, owner))  # by owner, largest first
    first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    out = np.empty(len(geoms), dtype=object)
    out[owner[first]] = parts[first]
    return out


def _pole_points(polygons: np.ndarray) -> np.ndarray:
    """Centre of the largest inscribed circle of each polygon (point on surface on failure)."""
    try:
        circles = shapely.maximum_inscribed_circle(polygons)
        points = shapely.get_point(circles, 0)
    except shapely.errors.GEOSException:
        return shapely.point_on_surface(polygons)
    inside = shapely.contains_properly(polygons, points)
    return np.where(inside, points, shapely.point_on_surface(polygons))
