"""Tooltips and personal data: which columns count as personal (masked before they reach
the page), the tooltip table of a layer (only the fields its spec names, as display text:
masked personal text, Chinese state and due names, percentages, local times) and the folium
tooltip with Chinese field labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import folium
import pandas as pd

from gridmap.feed.workflow import STATES
from gridmap.layers.spec import (
    DUE_LABELS,
    FIELD_LABELS,
    LayerSpec,
)

#: Columns whose text may hold personal data: masked before they reach the page.
PERSONAL_COLUMNS = ("description", "worker_phone", "phone", "contact", "reporter")


Mask = Callable[[str | None], str | None]


def _tooltip_frame(
    spec: LayerSpec, frame: pd.DataFrame, mask: Mask | None, extra: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """Only the tooltip columns (plus ``extra``), masked and as display text."""
    fields = [f for f in spec.tooltip if f in frame.columns]
    keep = list(dict.fromkeys([*fields, *extra]))
    out = pd.DataFrame(frame[keep]).copy()
    for column in fields:
        out[column] = _display(out[column], column, mask)
    return out, fields


def _display(values: pd.Series, column: str, mask: Mask | None) -> pd.Series:
    """Tooltip text: masked personal text, Chinese state names, percentages, local times."""
    if column in PERSONAL_COLUMNS and mask is not None:
        return _masked(values, mask)
    if column == "status":
        return values.map(lambda v: STATES[v].name if v in STATES else v)
    if column == "due":
        return values.map(lambda v: DUE_LABELS.get(v, v))
    if column.endswith("_rate"):
        numbers = pd.to_numeric(values, errors="coerce")
        return numbers.map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d %H:%M").fillna("")
    return values


def _masked(values: pd.Series, mask: Mask) -> pd.Series:
    present = values.notna()
    out = values.astype(object).copy()
    out[present] = [mask(str(v)) for v in values[present]]
    return out


def _tooltip(fields: list[str]) -> folium.GeoJsonTooltip | None:
    if not fields:
        return None
    return folium.GeoJsonTooltip(
        fields=fields,
        aliases=[FIELD_LABELS.get(f, f) for f in fields],
        sticky=True,
        class_name="gm-tooltip",
    )
