"""Turn a file into a clean WGS84 layer: load → declared or detected CRS → WGS84 → field
mapping → repair (polygons) → duplicate ids → hierarchy checks, with a report of every step.

Nothing is dropped silently: every feature that does not make it is in ``report["rejected"]``
with the reason.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridmap.geo.crs import (
    check_lonlat,
    convert_points,
    in_china,
    parse_crs,
    resolve_source_crs,
    to_wgs84,
)
from gridmap.geo.divisions import check_codes
from gridmap.geo.load import find_column, read_layer
from gridmap.geo.repair import repair_polygons
from gridmap.geo.validate import check_hierarchy, find_duplicate_ids

#: Recognised column names (lower case) for the mapped fields, English and Chinese, including
#: the pinyin abbreviations of Chinese GIS exports (BM = 编码, MC = 名称, WG = 网格, SQ = 社区,
#: XZQDM = 行政区代码) and ``adcode`` of web-map boundary files (DataV GeoAtlas, AMap).
ID_NAMES = (
    "code",
    "adcode",
    "id",
    "grid_code",
    "gridcode",
    "编码",
    "代码",
    "网格编码",
    "网格代码",
    "区划代码",
    "行政区划代码",
    "行政区代码",
    "xzqdm",
    "xzqhdm",
    "qhdm",
    "社区编码",
    "社区代码",
    "街道编码",
    "街道代码",
    "wgbm",
    "wgdm",
    "sqbm",
    "jdbm",
    "bm",
    "dm",
    "building_id",
    "楼栋编码",
    "建筑编码",
    "incident_id",
    "事件编号",
    "编号",
    "objectid",
    "fid",
)
NAME_NAMES = (
    "name",
    "名称",
    "网格名称",
    "社区名称",
    "街道名称",
    "楼栋名称",
    "wgmc",
    "sqmc",
    "jdmc",
    "mc",
)
PARENT_NAMES = (
    "parent_code",
    "parent",
    "上级编码",
    "上级代码",
    "所属社区编码",
    "所属社区",
    "所属街道编码",
    "所属街道",
    "community_code",
    "street_code",
    "district_code",
    "grid_code",
    "所属网格编码",
    "ssqbm",
    "ssjdbm",
)
LEVELS = ("district", "street", "community", "grid")


class LayerImportError(ValueError):
    """A layer that cannot be imported as asked; the message says what and where."""


@dataclasses.dataclass
class ImportResult:
    """A cleaned layer and the report of how it was made.

    Attributes
    ----------
    frame
        The clean layer in EPSG:4326, with normalised columns (``code``, ``name``,
        ``parent_code`` for areas) beside the original ones.
    report
        JSON-serialisable: source, CRS used and why, notes, counts, repairs per feature,
        duplicates, hierarchy issues, codes the division table does not hold, rejected
        features with reasons.
    """

    frame: gpd.GeoDataFrame
    report: dict[str, Any]

    def summary_lines(self) -> list[str]:
        """Human-readable summary: loaded, repaired (how), rejected (why and where: the line
        of a spreadsheet, the number of a feature)."""
        r = self.report
        word = "line" if r.get("rows") == "lines" else "feature"
        lines = [
            f"source: {r['source']}",
            f"CRS: {r['crs']}" + (f" ({r['crs_note']})" if r.get("crs_note") else ""),
            f"loaded {r['counts']['loaded']}, kept {r['counts']['kept']}, "
            f"repaired {r['counts']['repaired']}, rejected {r['counts']['rejected']}"
            + (
                f", re-oriented only {r['counts']['normalised']}"
                if r["counts"].get("normalised")
                else ""
            ),
        ]
        lines += [f"note: {n}" for n in r.get("notes", [])]
        lines += [f"code: {issue['message']}" for issue in r.get("codes", [])]
        for kind, n in sorted(r.get("repair_actions", {}).items()):
            lines.append(f"repaired: {kind} × {n}")
        for item in r.get("rejected", [])[:20]:
            who = f" ({item['id']})" if item.get("id") not in (None, "") else ""
            lines.append(f"rejected: {word} {item['row']}{who}: {item['reason']}")
        if len(r.get("rejected", [])) > 20:
            lines.append(f"rejected: … and {len(r['rejected']) - 20} more (see the report file)")
        for issue in r.get("hierarchy", [])[:20]:
            lines.append(f"check: {issue['message']}")
        return lines


def import_areas(
    path: str | Path,
    *,
    level: str = "grid",
    crs: str | None = None,
    id_field: str | None = None,
    name_field: str | None = None,
    parent_field: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    swap_xy: bool = False,
    parents: gpd.GeoDataFrame | None = None,
    metric_crs: str = "EPSG:4544",
) -> ImportResult:
    """Import an area layer (grids, communities, streets or a district outline).

    Parameters
    ----------
    path
        Any file :func:`gridmap.geo.load.read_layer` reads.
    level
        ``district``, ``street``, ``community`` or ``grid``.
    crs
        The source CRS when the file does not say or says wrong: an EPSG code, ``CGCS2000``,
        ``gcj02``, ``bd09``, a WKT/PROJ string. Without it the file's CRS is used, or detected.
    id_field, name_field, parent_field
        Columns holding the code, the name and the parent's code (detected if not given).
    parents
        The parent level's areas (EPSG:4326, ``code`` column), to check that each area lies in
        its parent and that siblings neither overlap nor leave gaps.
    metric_crs
        CRS for areas in m² (CGCS2000 / 3-degree GK CM 105E by default).

    Raises
    ------
    LayerImportError
        Unknown level, no id column; :class:`~gridmap.geo.load.LoadError` and
        :class:`~gridmap.geo.crs.CoordinateError` from reading and converting.
    """
    if level not in LEVELS:
        raise LayerImportError(f"unknown level {level!r}; allowed: {list(LEVELS)}")
    loaded, source, crs_note, frame = _load_wgs84(path, crs, layer, encoding, swap_xy)
    frame = _map_area_fields(frame, id_field, name_field, parent_field)
    frame["level"] = level
    report: dict[str, Any] = {
        "source": loaded.source,
        "layer": "areas",
        "level": level,
        "rows": "lines" if loaded.lines else "features",
        "crs": str(source),
        "crs_note": crs_note,
        "notes": list(loaded.notes),
        "rejected": _rejected_rows(loaded.rejected),
    }
    loaded_count = len(frame) + len(loaded.rejected)
    clean, repair = repair_polygons(frame, id_column="code", metric_crs=metric_crs)
    report["repairs"] = [
        {**r.to_dict(), "row": loaded.row_number(r.index)} for r in repair.records if r.actions
    ]
    report["repair_actions"] = repair.summary().get("actions", {})
    report["rejected"] += [
        {"row": loaded.row_number(r.index), "id": _plain(r.id), "reason": r.reason}
        for r in repair.records
        if r.status == "rejected"
    ]
    clean, dup_rejected, duplicates = _reject_duplicates(clean, loaded)
    report["duplicates"] = duplicates
    report["rejected"] += dup_rejected
    report["hierarchy"] = []
    if parents is not None and len(parents) and "parent_code" in clean:
        issues = check_hierarchy(
            clean,
            parents,
            child_parent_column="parent_code",
            parent_id_column="code",
            metric_crs=metric_crs,
            child_id_column="code",
        )
        report["hierarchy"] = [i.to_dict() for i in issues]
    report["codes"] = (
        check_codes(clean["code"], clean["name"], level)
        if {"code", "name"} <= set(clean.columns)
        else []
    )
    repaired = sum(1 for r in repair.records if r.status == "repaired")
    report["counts"] = {
        "loaded": loaded_count,
        "kept": len(clean),
        "repaired": repaired,
        "normalised": sum(1 for r in repair.records if r.status == "ok" and r.actions),
        "rejected": len(report["rejected"]),
    }
    report["rejected"].sort(key=lambda r: r["row"])
    if "code" in clean:
        clean = clean.sort_values("code", kind="stable")
    return ImportResult(frame=clean, report=report)


def import_points(
    path: str | Path,
    *,
    crs: str | None = None,
    id_field: str | None = None,
    lon_field: str | None = None,
    lat_field: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    swap_xy: bool = False,
) -> ImportResult:
    """Import a point layer (incidents) into WGS84, keeping the coordinates as sent.

    The result has ``lon``/``lat`` (WGS84 degrees), ``source_crs``, ``source_x``/``source_y``
    (the coordinates as they came), ``row`` (the row's number in the file: a spreadsheet's
    line, or the feature's number) and ``id`` if an id column was found.

    Coordinates are judged row by row: a row whose point lands outside China (its longitude
    and latitude swapped, or simply wrong) is refused with its row number and the reason,
    and the others are kept. Only when most rows are wrong is the file refused as a whole
    (then it is the CRS or the columns that are wrong, and the error says what to declare).

    Raises
    ------
    CoordinateError
        When most located rows do not lie in China in the CRS used.
    """
    loaded = read_layer(
        path, layer=layer, encoding=encoding, lon_field=lon_field, lat_field=lat_field
    )
    frame = loaded.frame
    frame["row"] = [loaded.row_number(p) for p in frame.index]
    geoms = np.asarray(frame.geometry.values, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    report: dict[str, Any] = {
        "source": loaded.source,
        "layer": "points",
        "rows": "lines" if loaded.lines else "features",
        "notes": list(loaded.notes),
        "rejected": _rejected_rows(loaded.rejected)
        + [
            {"row": loaded.row_number(i), "id": None, "reason": "not a point geometry"}
            for i in frame.index[~is_point]
        ],
    }
    frame = frame[is_point].copy()
    x = shapely.get_x(frame.geometry.values)
    y = shapely.get_y(frame.geometry.values)
    source, crs_note = _points_crs(frame.crs, crs, x, y, swap_xy, loaded)
    report["crs"], report["crs_note"] = str(source), crs_note
    lon, lat = convert_points(x, y, source, swap_xy=swap_xy)
    ok = in_china(lon, lat)
    if ok.sum() * 2 < len(ok):  # most rows wrong: the CRS or the columns are, not the rows
        check_lonlat(
            lon,
            lat,
            where=f"{loaded.source} (converted from {source.label})",
            rows=frame["row"].to_numpy(),
        )
    id_col = find_column(list(frame.columns), ID_NAMES, id_field, "id")
    ids = _id_text(frame[id_col]) if id_col is not None else None
    for i in np.flatnonzero(~ok):
        swapped = bool(in_china(lat[i], lon[i]))
        report["rejected"].append(
            {
                "row": int(frame["row"].iloc[i]),
                "id": None if ids is None else ids.iloc[i],
                "reason": (
                    f"longitude and latitude look swapped ({x[i]:g}, {y[i]:g}): check the row"
                    if swapped
                    else f"({x[i]:g}, {y[i]:g}) in {source.label} lies outside China: check the row"
                ),
                "code": "swapped" if swapped else "outside_china",
                "params": {"x": f"{x[i]:g}", "y": f"{y[i]:g}", "crs": source.label},
            }
        )
    frame = frame[ok].copy()
    if ids is not None:
        frame["id"] = ids[ok].to_numpy()
    frame["lon"], frame["lat"] = lon[ok], lat[ok]
    frame["source_crs"] = source.label if not _is_wgs84(source) else "EPSG:4326"
    frame["source_x"], frame["source_y"] = x[ok], y[ok]
    frame = frame.set_geometry(gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    report["rejected"].sort(key=lambda r: r["row"])
    report["counts"] = {
        "loaded": len(frame) + len(report["rejected"]),
        "kept": len(frame),
        "repaired": 0,
        "rejected": len(report["rejected"]),
    }
    return ImportResult(frame=frame, report=report)


def _id_text(values: pd.Series) -> pd.Series:
    """Ids as text (``None`` where a row has none; ``12.0`` read as a number is ``12``)."""

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        text = str(v).strip()
        return text or None

    return values.map(one).astype(object)


def _points_crs(file_crs, declared, x, y, swap_xy, loaded):
    """The CRS of a point layer: declared, the file's, or detected from the rows that look
    right (so that a few wrong rows do not hide what the rest are)."""
    present = np.isfinite(x) & np.isfinite(y)
    xs, ys = (y, x) if swap_xy else (x, y)
    degrees = present & in_china(xs, ys)
    use = degrees if degrees.sum() * 2 >= present.sum() and degrees.any() else present
    bounds = (
        (float(xs[use].min()), float(ys[use].min()), float(xs[use].max()), float(ys[use].max()))
        if use.any()
        else (0.0, 0.0, 0.0, 0.0)
    )
    if file_crs is not None and file_crs.is_geographic and not _degree_like(bounds):
        loaded.notes.append(
            f"the file declares {file_crs.to_string()} but holds projected numbers; ignored"
        )
        file_crs = None
    return resolve_source_crs(file_crs, parse_crs(declared) if declared else None, bounds)


def _is_wgs84(source) -> bool:
    return source.kind == "pyproj" and source.crs is not None and source.crs.to_epsg() == 4326


def _load_wgs84(path, crs, layer, encoding, swap_xy, *, lon_field=None, lat_field=None):
    """Read the file and bring it to EPSG:4326 with the declared, file or detected CRS."""
    loaded = read_layer(
        path, layer=layer, encoding=encoding, lon_field=lon_field, lat_field=lat_field
    )
    frame = loaded.frame
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bounds = shapely.total_bounds(geoms[present]) if present.any() else (0.0, 0.0, 0.0, 0.0)
    if swap_xy:
        bounds = (bounds[1], bounds[0], bounds[3], bounds[2])
    file_crs = frame.crs
    if file_crs is not None and file_crs.is_geographic and not _degree_like(bounds):
        # GeoJSON always "says" WGS84; numbers like 413740, 3393625 say otherwise
        loaded.notes.append(
            f"the file declares {file_crs.to_string()} but holds projected numbers; ignored"
        )
        file_crs = None
    source, crs_note = resolve_source_crs(file_crs, parse_crs(crs) if crs else None, tuple(bounds))
    where = f"{loaded.source}"
    converted = to_wgs84(frame.geometry, source, swap_xy=swap_xy, where=where)
    out = gpd.GeoDataFrame(
        frame.drop(columns=frame.geometry.name), geometry=converted.values, crs="EPSG:4326"
    )
    if source.kind != "pyproj" or (source.crs is not None and source.crs.to_epsg() != 4326):
        out["source_crs"] = source.label
        if len(geoms) and (shapely.get_type_id(geoms) == 0).all():  # points keep what was sent
            out["source_x"] = shapely.get_x(geoms)
            out["source_y"] = shapely.get_y(geoms)
    else:
        out["source_crs"] = "EPSG:4326"
    return loaded, source, crs_note, out


def _degree_like(bounds) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


#: Columns the reader adds beside the file's own (never named to the user as the file's).
_ADDED_COLUMNS = ("source_crs", "source_x", "source_y", "row")


def _map_area_fields(frame, id_field, name_field, parent_field) -> gpd.GeoDataFrame:
    columns = [c for c in frame.columns if c != frame.geometry.name and c not in _ADDED_COLUMNS]
    id_col = find_column(columns, ID_NAMES, id_field, "id")
    if id_col is None:
        raise LayerImportError(
            f"no id/code column found; name it with --id-field (columns: {columns})"
        )
    name_col = find_column(columns, NAME_NAMES, name_field, "name")
    parent_candidates = tuple(c for c in PARENT_NAMES if c != str(id_col).lower())
    parent_col = find_column(columns, parent_candidates, parent_field, "parent code")
    out = frame.copy()
    out["code"] = _code_text(frame[id_col])
    out["name"] = frame[name_col].astype(str) if name_col is not None else out["code"]
    if parent_col is not None:
        out["parent_code"] = _code_text(frame[parent_col])
    return out


def _code_text(values: pd.Series) -> pd.Series:
    """Codes as text: ``510108004006.0`` read from a numeric column becomes ``510108004006``,
    and a nested ``{"adcode": 510100}`` (DataV's ``parent``) its code."""

    def one(v):
        if isinstance(v, str) and v.startswith("{"):  # a nested object, as DataV's parent
            try:
                v = json.loads(v)
            except ValueError:
                return v.strip()
        if isinstance(v, dict):
            v = v.get("adcode", v.get("code"))
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return values.map(one).astype(object)


def _reject_duplicates(frame: gpd.GeoDataFrame, loaded):
    """Keep the first feature of each id; the later ones are rejected with the reason."""
    issues = find_duplicate_ids(frame["code"])
    rejected, drop = [], []
    for issue in issues:
        first = loaded.row_label(issue.first_index)
        for idx in issue.duplicate_indices:
            drop.append(idx)
            rejected.append(
                {
                    "row": loaded.row_number(idx),
                    "id": issue.id,
                    "reason": f"duplicate id {issue.id!r} (first at {first})",
                }
            )
    duplicates = [
        {
            **i.to_dict(),
            "first_row": loaded.row_number(i.first_index),
            "duplicate_rows": [loaded.row_number(d) for d in i.duplicate_indices],
        }
        for i in issues
    ]
    return frame.drop(index=drop), rejected, duplicates


def _rejected_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows the reader could not make a feature of, as report entries."""
    if table.empty:
        return []
    codes = table["code"] if "code" in table else [None] * len(table)
    params = table["params"] if "params" in table else [{}] * len(table)
    return [
        {"row": int(r), "id": None, "reason": reason, "code": code, "params": p}
        for r, reason, code, p in zip(table["row"], table["reason"], codes, params, strict=True)
    ]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
