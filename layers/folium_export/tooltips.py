"""Tooltips and personal data: the tooltip table of a layer (only the fields its spec names,
as display text: masked personal data, Chinese state and due names, percentages, local times,
every text HTML-escaped, since Leaflet writes tooltips as HTML) and the folium tooltip with
Chinese field labels. Which columns are personal, and how each is masked, is decided in
:mod:`gridmap.domain.privacy`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import pandas as pd

from gridmap.domain.privacy import PERSONAL_COLUMNS, Mask, column_mask, mask_personal
from gridmap.domain.workflow import STATES
from gridmap.layers.spec import (
    DUE_LABELS,
    FIELD_LABELS,
    LayerSpec,
)


def _tooltip_frame(
    spec: LayerSpec, frame: pd.DataFrame, mask: Mask | None, extra: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """Only the tooltip columns (plus ``extra``), masked and as display text."""
    # an empty layer (a community's export has no street of its own) gets no tooltip: folium
    # refuses tooltip fields it cannot find in any feature
    fields = [f for f in spec.tooltip if f in frame.columns] if len(frame) else []
    keep = list(dict.fromkeys([*fields, *extra]))
    out = pd.DataFrame(frame[keep]).copy()
    for column in fields:
        out[column] = escaped(_display(out[column], column, mask))
    return out, fields


def escaped(values: pd.Series) -> pd.Series:
    """Text values HTML-escaped (numbers and missing values as they are): what users typed
    is shown as text, never run as markup."""
    return values.map(lambda v: html.escape(v) if isinstance(v, str) else v)


def _display(values: pd.Series, column: str, mask: Mask | None) -> pd.Series:
    """Tooltip text: masked personal data, Chinese state names, percentages, local times.

    ``mask`` is :func:`~gridmap.domain.privacy.mask_personal` (the default: each personal column
    gets its own mask, names and phones included), another function (applied to every
    personal column) or ``None`` (unmasked, for a reader allowed to see them)."""
    if column in PERSONAL_COLUMNS and mask is not None:
        return _masked(values, column_mask(column) if mask is mask_personal else mask)
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
