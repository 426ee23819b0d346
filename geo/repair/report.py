"""What a repair did, as data: :class:`RepairRecord` (one input feature: status, actions,
reason, geometry types, areas in m² measured in the metric CRS, default EPSG:4544) and
:class:`RepairReport` (all records, the rejected rows and a JSON-ready summary), with the
action kinds that count as normalisation only and the name of the reject-reason column.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

Status = Literal["ok", "repaired", "rejected"]


#: Action kinds that only normalise a valid feature (a Shapefile stores outer rings clockwise by
#: its spec): listed in the record's actions, but the feature's status stays ``"ok"``.
NORMALISATIONS = frozenset({"reoriented_exterior", "reoriented_holes"})

#: Column added to :attr:`RepairReport.rejected` with the reason of each rejection.
REJECT_REASON_COLUMN = "reject_reason"


@dataclasses.dataclass(frozen=True)
class RepairRecord:
    """What :func:`repair_polygons` did to one input feature.

    Attributes
    ----------
    index
        The feature's label in the input GeoDataFrame's index.
    id
        The feature's value in the id column.
    status
        ``"ok"`` (untouched), ``"repaired"`` (changed, kept) or ``"rejected"`` (dropped,
        see :attr:`reason`; the row is in :attr:`RepairReport.rejected`).
    actions
        What was done, in plain words, e.g. ``"fixed self-intersection"``.
    action_kinds
        A stable key for each entry of :attr:`actions` (same order), for counting.
    reason
        Why the feature was rejected, ``None`` when it was kept.
    input_type, output_type
        Geometry type before and after (``None`` for a null geometry / a rejection).
    validity
        :func:`shapely.is_valid_reason` of the input geometry (``None`` when null).
    area_before_m2
        Drawn area of the input in m² (see :func:`repair_polygons`), ``None`` when the
        input is not polygonal.
    area_after_m2
        Area of the output in m², ``None`` when rejected.
    area_change
        Relative change ``(after - before) / before``; ``None`` when it is undefined.
    area_flagged
        ``True`` when the area changed by more than the tolerance: look at this one.
    """

    index: Any
    id: Any
    status: Status
    actions: tuple[str, ...] = ()
    action_kinds: tuple[str, ...] = ()
    reason: str | None = None
    input_type: str | None = None
    output_type: str | None = None
    validity: str | None = None
    area_before_m2: float | None = None
    area_after_m2: float | None = None
    area_change: float | None = None
    area_flagged: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (lists instead of tuples, ``None`` instead of NaN)."""
        out = dataclasses.asdict(self)
        out["index"] = _json_scalar(self.index)
        out["id"] = _json_scalar(self.id)
        out["actions"] = list(self.actions)
        out["action_kinds"] = list(self.action_kinds)
        return out


@dataclasses.dataclass
class RepairReport:
    """Per-feature account of a :func:`repair_polygons` run.

    Attributes
    ----------
    records
        One :class:`RepairRecord` per input feature, in input order.
    rejected
        The rejected input rows, untouched (original geometry, all attributes), plus a
        ``reject_reason`` column. Not part of :meth:`to_dict`.
    metric_crs
        CRS the areas were measured in.
    area_tolerance
        Relative area change above which a repair is flagged.
    min_part_area_m2
        Parts of a multi-part feature smaller than this were dropped as slivers.
    """

    records: list[RepairRecord]
    rejected: gpd.GeoDataFrame = dataclasses.field(repr=False, compare=False)
    metric_crs: str = "EPSG:4544"
    area_tolerance: float = 0.05
    min_part_area_m2: float = 1.0

    def summary(self) -> dict[str, Any]:
        """Counts: loaded, ok, repaired, rejected, area_flagged, per action kind, per reason.

        ``actions`` counts features per action kind (a feature counts once per kind);
        ``reasons`` counts rejected features per reason.
        """
        statuses = Counter(r.status for r in self.records)
        kinds: Counter[str] = Counter()
        for record in self.records:
            kinds.update(set(record.action_kinds))
        return {
            "loaded": len(self.records),
            "ok": statuses["ok"],
            "repaired": statuses["repaired"],
            "rejected": statuses["rejected"],
            "area_flagged": sum(r.area_flagged for r in self.records),
            "actions": dict(sorted(kinds.items())),
            "reasons": dict(sorted(Counter(r.reason for r in self.records if r.reason).items())),
        }

    def rejected_ids(self) -> list[Any]:
        """Ids of the rejected features, in input order."""
        return [r.id for r in self.records if r.status == "rejected"]

    def flagged(self) -> list[RepairRecord]:
        """Records whose area changed by more than :attr:`area_tolerance`."""
        return [r for r in self.records if r.area_flagged]

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable report: settings, :meth:`summary` and every record."""
        return {
            "metric_crs": self.metric_crs,
            "area_tolerance": self.area_tolerance,
            "min_part_area_m2": self.min_part_area_m2,
            "summary": self.summary(),
            "records": [r.to_dict() for r in self.records],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text (UTF-8 characters kept, e.g. Chinese names)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def _json_scalar(value: Any) -> Any:
    """Index labels and ids as JSON-ready Python scalars."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)
