"""The import of a file into the store, the use-case behind ``gridmap import``: read and clean
the layer (:mod:`gridmap.geo.ingest`), check it against what the store holds, write it, and
say what happened to every row — kept, repaired, refused (where and why), stored.

Areas are checked against their parents: a parent the store does not hold, or (for grids)
a community code the national division table does not hold, is a warning. Incidents become
incidents as the API makes them (:mod:`gridmap.feed.intake`); a row whose id the store
already holds is refused (a file does not rewrite an incident's history: post workflow events
to change it).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from gridmap.domain.areas import AREA_LEVELS, ancestor_code
from gridmap.feed.intake import IncidentImport, incidents_from_import
from gridmap.feed.store import SQLStore
from gridmap.geo.divisions import check_codes
from gridmap.geo.ingest import ImportResult, import_areas, import_points

#: What can be imported.
KINDS = ("grids", "buildings", "incidents")
#: The level whose areas a level's areas lie in.
PARENT_LEVEL = {"grid": "community", "community": "street", "street": "district"}


@dataclasses.dataclass
class ImportOutcome:
    """What an import did.

    Attributes
    ----------
    kind, level
        What was imported (``level`` for areas).
    result
        The cleaned layer and its report (:class:`~gridmap.geo.ingest.ImportResult`); for
        incidents the report's ``rejected`` also holds the rows refused as incidents.
    stored
        Rows written to the store (0 without a store).
    held
        Rows of that layer the store holds afterwards (``None`` without a store).
    warnings
        Things to check that did not stop the import (unknown parents, ...).
    incidents
        For incidents: what the rows became.
    replaced
        The level (or every building) was replaced rather than added to and updated.
    """

    kind: str
    level: str | None
    result: ImportResult
    stored: int = 0
    held: int | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)
    incidents: IncidentImport | None = None
    replaced: bool = False

    @property
    def report(self) -> dict[str, Any]:
        """The machine-readable report (JSON-serialisable) of the whole import."""
        out = dict(self.result.report)
        out["kind"] = self.kind
        out["stored"] = self.stored
        out["warnings"] = list(self.warnings)
        if self.incidents is not None:
            out["unassigned"] = self.incidents.unassigned
        return out


def import_file(
    kind: str,
    path: str | Path,
    *,
    store: SQLStore | None = None,
    level: str = "grid",
    replace: bool = False,
    metric_crs: str = "EPSG:4544",
    timezone: str = "Asia/Shanghai",
    **read: Any,
) -> ImportOutcome:
    """Import ``path`` as ``kind`` (``grids`` of any ``level``, ``buildings``, ``incidents``)
    into ``store`` (or only check it, without one).

    ``read`` goes to the reader: ``crs``, ``id_field``, ``name_field``, ``parent_field``
    (areas), ``lon_field``, ``lat_field`` (points), ``layer``, ``encoding``, ``swap_xy``.

    Raises
    ------
    ValueError
        An unknown kind or level; :class:`~gridmap.geo.ingest.LayerImportError`,
        :class:`~gridmap.geo.load.LoadError` or :class:`~gridmap.geo.crs.CoordinateError`
        for a file that cannot be read as asked (the message says what and where).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {list(KINDS)}")
    if kind == "incidents":
        return _import_incidents(path, store, timezone, read)
    if level not in AREA_LEVELS:
        raise ValueError(f"unknown level {level!r}; allowed: {list(AREA_LEVELS)}")
    area_level = level if kind == "grids" else "grid"
    parents = _parent_areas(store, area_level) if kind == "grids" else None
    options = {k: read[k] for k in _AREA_OPTIONS if read.get(k) is not None}
    result = import_areas(path, level=area_level, parents=parents, metric_crs=metric_crs, **options)
    outcome = ImportOutcome(kind, area_level if kind == "grids" else None, result, replaced=replace)
    if kind == "grids":
        outcome.warnings += _parent_warnings(result.frame, area_level, store, parents)
    if store is None or not len(result.frame):
        return outcome
    if kind == "grids":
        outcome.stored = store.put_areas(area_level, result.frame, replace=replace)
        outcome.held = store.layer_counts()[area_level]
    else:
        frame = result.frame.rename(columns={"code": "building_id", "parent_code": "grid_code"})
        frame = frame.drop(columns=["level"], errors="ignore")
        outcome.stored = store.put_buildings(frame, replace=replace)
        outcome.held = store.layer_counts()["buildings"]
    return outcome


_AREA_OPTIONS = ("crs", "id_field", "name_field", "parent_field", "layer", "encoding", "swap_xy")
_POINT_OPTIONS = ("crs", "id_field", "lon_field", "lat_field", "layer", "encoding", "swap_xy")


def _import_incidents(path, store: SQLStore | None, timezone: str, read) -> ImportOutcome:
    options = {k: read[k] for k in _POINT_OPTIONS if read.get(k) is not None}
    result = import_points(path, **options)
    grids = store.get_areas("grid") if store is not None else None
    names = {}
    if store is not None:
        for level in ("street", "community"):
            areas = store.get_areas(level)
            names.update(zip(areas["code"], areas["name"], strict=True))
    word = "line" if result.report.get("rows") == "lines" else "feature"
    made = incidents_from_import(
        result.frame,
        grids if grids is not None else result.frame.iloc[0:0],
        names=names,
        timezone=timezone,
        row_word=word,
    )
    if store is not None and len(made.incidents):
        held = store.incident_ids_in_area(made.incidents["incident_id"].tolist(), None)
        if held:
            keep = ~made.incidents["incident_id"].isin(held)
            for _, row in made.incidents[~keep].iterrows():
                made.rejected.append(
                    {
                        "row": made.rows.get(row["incident_id"], 0),
                        "id": row["incident_id"],
                        "code": "exists",
                        "reason": f"incident {row['incident_id']!r} is already in the store; "
                        "post workflow events to change it",
                        "params": {"value": row["incident_id"]},
                    }
                )
            made.incidents = made.incidents[keep].reset_index(drop=True)
            made.events = made.events[
                made.events["incident_id"].isin(made.incidents["incident_id"])
            ]
    report = result.report
    report["rejected"] = sorted(report["rejected"] + made.rejected, key=lambda r: r["row"])
    report["notes"] = list(report.get("notes", [])) + made.notes
    report["counts"] = {
        **report["counts"],
        "kept": len(made.incidents),
        "rejected": len(report["rejected"]),
    }
    outcome = ImportOutcome("incidents", None, result, incidents=made)
    if grids is not None and not len(grids):
        outcome.warnings.append("the store holds no grids yet: every incident is unassigned")
    if store is not None and len(made.incidents):
        outcome.stored = store.bulk_load(made.incidents, made.events)
        outcome.held = store.layer_counts()["incidents"]
    return outcome


def _parent_areas(store: SQLStore | None, level: str):
    parent_level = PARENT_LEVEL.get(level)
    if store is None or parent_level is None:
        return None
    parents = store.get_areas(parent_level)
    return parents if len(parents) else None


def _parent_warnings(frame, level: str, store: SQLStore | None, parents) -> list[str]:
    """Areas whose parent the store does not hold, or (grids) whose community code the
    national division table does not hold."""
    parent_level = PARENT_LEVEL.get(level)
    if parent_level is None or not len(frame):
        return []
    given = frame["parent_code"] if "parent_code" in frame else pd.Series([None] * len(frame))
    codes = [
        p if isinstance(p, str) and p else ancestor_code(c, parent_level)
        for p, c in zip(given.tolist(), frame["code"].tolist(), strict=True)
    ]
    warnings = []
    if parents is not None:
        held = set(parents["code"])
        unknown = sorted({c for c in codes if c and c not in held})
        if unknown:
            warnings.append(
                f"{len(unknown)} {parent_level} code(s) the store does not hold: "
                + ", ".join(unknown[:5])
                + (" …" if len(unknown) > 5 else "")
            )
    elif store is not None:
        warnings.append(f"the store holds no {parent_level} areas yet: parents not checked")
    if parent_level == "community":
        known = pd.Series(sorted({c for c in codes if c}), dtype=object)
        for issue in check_codes(known, pd.Series([""] * len(known)), "community"):
            if issue["problem"] == "unknown_code":
                warnings.append(f"community {issue['message']}")
    return warnings
