"""Consistency checks for ids and for the grid -> community -> street hierarchy.

:func:`find_duplicate_ids` finds ids used more than once. :func:`check_hierarchy`
checks that children (网格 grids, or 社区 communities) tile their parents (社区 or
街道): every child names an existing parent, lies inside it, does not overlap its
siblings, and together the children cover the parent.

Inputs are lon/lat (EPSG:4326 or another CRS set on the GeoDataFrame). Overlays run
in the children's own CRS, where the edges are straight lines as drawn (projecting
first would bend a long parent edge away from the many short child edges along it
and report metre-wide phantom gaps); the resulting pieces are then measured in a
metric CRS (default ``EPSG:4544``, CGCS2000 / 3-degree Gauss-Kruger CM 105E), so all
areas are in m². Points reported with an issue are WGS84 lon/lat.
Geometries should have been through :func:`gridmap.geo.repair.repair_polygons`;
invalid ones are made valid on the fly, null and empty ones are skipped.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

__all__ = [
    "DuplicateIdIssue",
    "HierarchyIssue",
    "check_hierarchy",
    "find_duplicate_ids",
]

IssueKind = Literal["unknown_parent", "outside_parent", "overlap", "gap"]

#: Relate pattern "the interiors intersect": overlapping, not merely touching.
_INTERIORS_INTERSECT = "T********"
_LONLAT = "EPSG:4326"


# -------------------------------------------------------------------------- issues


@dataclasses.dataclass(frozen=True)
class DuplicateIdIssue:
    """An id used by more than one feature.

    Attributes
    ----------
    id
        The repeated id.
    first_index
        Index label (or position, for a plain sequence) of its first use.
    duplicate_indices
        Labels (or positions) of the later uses.
    """

    id: Any
    first_index: Any
    duplicate_indices: tuple[Any, ...]
    kind: Literal["duplicate_id"] = "duplicate_id"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "kind": self.kind,
            "id": _json_scalar(self.id),
            "first_index": _json_scalar(self.first_index),
            "duplicate_indices": [_json_scalar(i) for i in self.duplicate_indices],
        }


@dataclasses.dataclass(frozen=True)
class HierarchyIssue:
    """One problem between children and parents.

    Attributes
    ----------
    kind
        ``"unknown_parent"``: the child names a parent code that does not exist (or
        none); ``"outside_parent"``: part of the child lies outside its parent;
        ``"overlap"``: two siblings overlap; ``"gap"``: part of the parent is covered
        by none of its children (one issue per connected gap).
    parent_id
        The parent code (as written in the child for ``unknown_parent``).
    child_id
        The child (first of the pair for ``overlap``); ``None`` for ``gap``.
    other_child_id
        The second child of an ``overlap``.
    area_m2
        Outside, overlapping or uncovered area in m² (``None`` for ``unknown_parent``).
    lon, lat
        WGS84 point inside the problem area, for a map marker.
    message
        The issue in plain words.
    """

    kind: IssueKind
    parent_id: Any
    child_id: Any = None
    other_child_id: Any = None
    area_m2: float | None = None
    lon: float | None = None
    lat: float | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        out = dataclasses.asdict(self)
        for key in ("parent_id", "child_id", "other_child_id"):
            out[key] = _json_scalar(out[key])
        return out


# ---------------------------------------------------------------------- public API


def find_duplicate_ids(ids: Iterable[Any]) -> list[DuplicateIdIssue]:
    """Ids used more than once.

    Parameters
    ----------
    ids
        A pandas Series (its index labels are reported) or any other iterable, e.g. a
        list or a ``pd.Index`` (0-based positions are reported). Values are compared
        as they are; missing values (None, NaN) are not ids and are ignored.

    Returns
    -------
    list of DuplicateIdIssue
        One per repeated id, in order of first use.
    """
    series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    repeated = series[series.duplicated(keep=False) & series.notna()]
    issues = []
    for value, labels in repeated.groupby(repeated, sort=False).groups.items():
        labels = list(labels)
        issues.append(DuplicateIdIssue(value, labels[0], tuple(labels[1:])))
    return issues


def check_hierarchy(
    children_gdf: gpd.GeoDataFrame,
    parents_gdf: gpd.GeoDataFrame,
    *,
    child_parent_column: str,
    parent_id_column: str,
    metric_crs: str = "EPSG:4544",
    tolerance_m2: float = 1.0,
    child_id_column: str | None = None,
) -> list[HierarchyIssue]:
    """Check that children tile their parents: known parent, inside, no overlap, no gap.

    Parameters
    ----------
    children_gdf
        Child polygons (grids or communities), lon/lat; a missing CRS means EPSG:4326.
    parents_gdf
        Parent polygons (communities or streets), lon/lat.
    child_parent_column
        Column of ``children_gdf`` with the parent code of each child.
    parent_id_column
        Column of ``parents_gdf`` with the parent codes. Codes are compared as text
        (``510108001`` equals ``"510108001"``); parents sharing a code are unioned.
    metric_crs
        Projected CRS in which areas are measured (m²).
    tolerance_m2
        Outside parts, overlaps and gaps of at most this many m² are not reported.
    child_id_column
        Column with child ids for the report; default the index labels.

    Returns
    -------
    list of HierarchyIssue
        ``unknown_parent`` issues first, then ``outside_parent``, ``overlap`` (sibling
        pairs, found with an STRtree) and ``gap`` (per connected uncovered piece).

    Raises
    ------
    KeyError
        If a named column is missing.
    """
    _require_columns(children_gdf, [child_parent_column, child_id_column])
    _require_columns(parents_gdf, [parent_id_column])
    crs = pyproj.CRS.from_user_input(children_gdf.crs or _LONLAT)
    measure = _Measure.between(crs, metric_crs)
    child_ids = _child_ids(children_gdf, child_id_column)
    child_codes = _codes(children_gdf[child_parent_column])
    child_geoms = _polygons_in(children_gdf, crs)
    parent_codes, parent_raw, parent_geoms = _parents_by_code(parents_gdf, parent_id_column, crs)
    parent_pos = _parent_positions(child_codes, parent_codes)

    issues = _unknown_parents(children_gdf[child_parent_column], child_ids, parent_pos)
    issues += _outside_parents(
        child_geoms, child_ids, parent_pos, parent_geoms, parent_raw, tolerance_m2, measure
    )
    issues += _sibling_overlaps(
        child_geoms, child_ids, child_codes, parent_pos, parent_raw, tolerance_m2, measure
    )
    issues += _gaps(child_geoms, parent_pos, parent_geoms, parent_raw, tolerance_m2, measure)
    return issues


# ------------------------------------------------------------------- preparation


def _require_columns(gdf: gpd.GeoDataFrame, columns: list[str | None]) -> None:
    missing = [c for c in columns if c is not None and c not in gdf.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in {list(gdf.columns)}")


def _child_ids(children: gpd.GeoDataFrame, child_id_column: str | None) -> np.ndarray:
    values = children.index if child_id_column is None else children[child_id_column]
    return np.asarray(values, dtype=object)


def _codes(values: pd.Series) -> np.ndarray:
    """Parent codes as stripped text; None where missing."""
    return np.array([_code(v) for v in values], dtype=object)


def _code(value: Any) -> str | None:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _polygons_in(gdf: gpd.GeoDataFrame, crs: pyproj.CRS) -> np.ndarray:
    """Geometries in ``crs``, made valid if needed; None if null or empty."""
    series = gdf.geometry if gdf.crs is not None else gdf.geometry.set_crs(_LONLAT)
    geoms = np.asarray(series.to_crs(crs).array, dtype=object)
    geoms[shapely.is_missing(geoms) | shapely.is_empty(geoms)] = None
    invalid = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_valid(geoms))
    for i in invalid:
        geoms[i] = _polygonal(shapely.make_valid(geoms[i], method="structure"))
    return geoms


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """Only the polygons of a (possibly mixed) geometry, None if there are none."""
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons) if polygons else None


def _parents_by_code(
    parents: gpd.GeoDataFrame, id_column: str, crs: pyproj.CRS
) -> tuple[dict[str, int], list[Any], np.ndarray]:
    """Code -> position, raw id per position, and one (unioned) geometry per code."""
    codes = _codes(parents[id_column])
    geoms = _polygons_in(parents, crs)
    positions: dict[str, int] = {}
    raw: list[Any] = []
    members: list[list[int]] = []
    for i, code in enumerate(codes):
        if code is None:
            continue
        if code not in positions:
            positions[code] = len(raw)
            raw.append(parents[id_column].iloc[i])
            members.append([])
        members[positions[code]].append(i)
    merged = np.array(
        [geoms[m[0]] if len(m) == 1 else _union(geoms[m]) for m in members], dtype=object
    )
    return positions, raw, merged


def _parent_positions(child_codes: np.ndarray, parent_codes: dict[str, int]) -> np.ndarray:
    """Position of each child's parent, -1 when unknown or missing."""
    return np.array([parent_codes.get(c, -1) if c else -1 for c in child_codes], dtype=np.int64)


@dataclasses.dataclass(frozen=True)
class _Measure:
    """Areas (m², in the metric CRS) and WGS84 points of working-CRS geometries."""

    to_metric: pyproj.Transformer
    to_lonlat: pyproj.Transformer

    @classmethod
    def between(cls, crs: pyproj.CRS, metric_crs: str) -> _Measure:
        return cls(
            pyproj.Transformer.from_crs(crs, metric_crs, always_xy=True),
            pyproj.Transformer.from_crs(crs, _LONLAT, always_xy=True),
        )

    def area_m2(self, geoms: np.ndarray) -> np.ndarray:
        """Area of each geometry in m² (0 for empty)."""
        return shapely.area(shapely.transform(geoms, self._project))

    def inside_points(self, geoms: np.ndarray) -> tuple[list[float], list[float]]:
        """A WGS84 lon/lat point inside each geometry (point on surface, not centroid)."""
        if len(geoms) == 0:
            return [], []
        xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
        lon, lat = self.to_lonlat.transform(xy[:, 0], xy[:, 1])
        return [float(v) for v in lon], [float(v) for v in lat]

    def _project(self, coords: np.ndarray) -> np.ndarray:
        return np.column_stack(self.to_metric.transform(coords[:, 0], coords[:, 1]))


# ------------------------------------------------------------------------- checks


def _unknown_parents(
    raw_codes: pd.Series, child_ids: np.ndarray, parent_pos: np.ndarray
) -> list[HierarchyIssue]:
    issues = []
    for i in np.flatnonzero(parent_pos < 0):
        code = _json_scalar(raw_codes.iloc[i])
        named = "names no parent" if _code(code) is None else f"names unknown parent {code}"
        issues.append(
            HierarchyIssue(
                "unknown_parent",
                parent_id=code,
                child_id=child_ids[i],
                message=f"{child_ids[i]} {named}",
            )
        )
    return issues


def _outside_parents(
    child_geoms: np.ndarray,
    child_ids: np.ndarray,
    parent_pos: np.ndarray,
    parent_geoms: np.ndarray,
    parent_raw: list[Any],
    tolerance_m2: float,
    measure: _Measure,
) -> list[HierarchyIssue]:
    """Part of each child not inside its parent (vectorised difference)."""
    idx = np.flatnonzero((parent_pos >= 0) & ~shapely.is_missing(child_geoms))
    idx = idx[~shapely.is_missing(parent_geoms[parent_pos[idx]])]
    outside = shapely.difference(child_geoms[idx], parent_geoms[parent_pos[idx]])
    areas = measure.area_m2(outside)
    big = areas > tolerance_m2
    lon, lat = measure.inside_points(outside[big])
    issues = []
    for k, i in enumerate(idx[big]):
        parent = parent_raw[parent_pos[i]]
        area = float(areas[big][k])
        issues.append(
            HierarchyIssue(
                "outside_parent",
                parent_id=parent,
                child_id=child_ids[i],
                area_m2=area,
                lon=lon[k],
                lat=lat[k],
                message=f"{child_ids[i]}: {area:.1f} m² lie outside parent {parent}",
            )
        )
    return issues


def _sibling_overlaps(
    child_geoms: np.ndarray,
    child_ids: np.ndarray,
    child_codes: np.ndarray,
    parent_pos: np.ndarray,
    parent_raw: list[Any],
    tolerance_m2: float,
    measure: _Measure,
) -> list[HierarchyIssue]:
    """Overlapping pairs of children with the same parent code (STRtree, no n² loop)."""
    left, right = _overlapping_pairs(child_geoms)
    siblings = pd.notna(child_codes[left]) & (child_codes[left] == child_codes[right])
    left, right = left[siblings], right[siblings]
    overlap = shapely.intersection(child_geoms[left], child_geoms[right])
    areas = measure.area_m2(overlap)
    big = areas > tolerance_m2
    lon, lat = measure.inside_points(overlap[big])
    issues = []
    for k, (a, b) in enumerate(zip(left[big], right[big], strict=True)):
        area = float(areas[big][k])
        parent = parent_raw[parent_pos[a]] if parent_pos[a] >= 0 else child_codes[a]
        issues.append(
            HierarchyIssue(
                "overlap",
                parent_id=parent,
                child_id=child_ids[a],
                other_child_id=child_ids[b],
                area_m2=area,
                lon=lon[k],
                lat=lat[k],
                message=f"{child_ids[a]} and {child_ids[b]} overlap by {area:.1f} m²",
            )
        )
    return issues


def _overlapping_pairs(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) whose interiors intersect: touching neighbours excluded."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    ordered = left < right
    left, right = left[ordered], right[ordered]
    interiors = shapely.relate_pattern(geoms[left], geoms[right], _INTERIORS_INTERSECT)
    return left[interiors], right[interiors]


def _gaps(
    child_geoms: np.ndarray,
    parent_pos: np.ndarray,
    parent_geoms: np.ndarray,
    parent_raw: list[Any],
    tolerance_m2: float,
    measure: _Measure,
) -> list[HierarchyIssue]:
    """Connected pieces of each parent covered by none of its children."""
    covered = _union_per_parent(child_geoms, parent_pos, len(parent_geoms))
    present = ~shapely.is_missing(parent_geoms)
    gaps = np.full(len(parent_geoms), None, dtype=object)
    gaps[present] = shapely.difference(parent_geoms[present], covered[present])
    pieces, owner = shapely.get_parts(gaps, return_index=True)
    areas = measure.area_m2(pieces)
    big = areas > tolerance_m2
    lon, lat = measure.inside_points(pieces[big])
    issues = []
    for k, p in enumerate(owner[big]):
        area = float(areas[big][k])
        parent = parent_raw[p]
        issues.append(
            HierarchyIssue(
                "gap",
                parent_id=parent,
                area_m2=area,
                lon=lon[k],
                lat=lat[k],
                message=f"{area:.1f} m² of parent {parent} are covered by no child",
            )
        )
    return issues


def _union_per_parent(child_geoms: np.ndarray, parent_pos: np.ndarray, n: int) -> np.ndarray:
    """Union of the children of each parent (empty polygon for a childless parent)."""
    out = np.array([shapely.Polygon()] * n, dtype=object)
    idx = np.flatnonzero((parent_pos >= 0) & ~shapely.is_missing(child_geoms))
    if idx.size == 0:
        return out
    order = idx[np.argsort(parent_pos[idx], kind="stable")]
    groups, starts = np.unique(parent_pos[order], return_index=True)
    for p, members in zip(groups, np.split(order, starts[1:]), strict=True):
        out[p] = _union(child_geoms[members])
    return out


def _union(geoms: np.ndarray) -> shapely.Geometry:
    """Union of the non-null polygons (an empty collection when there are none)."""
    return shapely.union_all(geoms[~shapely.is_missing(geoms)])


# ------------------------------------------------------------------------ helpers


def _json_scalar(value: Any) -> Any:
    """Ids and labels as JSON-ready Python scalars."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)
