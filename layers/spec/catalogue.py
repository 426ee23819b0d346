"""The layers the dashboard offers: :data:`CATALOGUE`, in draw order from the basemap up to
the labels (zoom limits in web-map zoom levels, widths and sizes in CSS pixels), built from
a few helpers for outlines, choropleths and labels, and :func:`catalogue_by_id`.
"""

from __future__ import annotations

from typing import Any

from gridmap.layers.spec.channel import Channel
from gridmap.layers.spec.figures import CHOROPLETH_FIGURES, with_figure
from gridmap.layers.spec.layer import LayerSpec
from gridmap.layers.spec.palette import (
    _RAMP_HEAT,
    ACCENT,
    AMBER,
    BACKGROUND,
    RED,
    STATE_COLOURS,
    TEAL,
)


def _outline(
    layer_id: str,
    data_id: str,
    label: str,
    label_en: str,
    *,
    width: float,
    color: str,
    min_zoom: float | None = None,
    dash: tuple[float, ...] | None = None,
) -> LayerSpec:
    style: dict[str, Any] = {"line_color": color, "line_width": width}
    if dash:
        style["line_dash"] = list(dash)
    return LayerSpec(
        layer_id,
        "outlines",
        data_id,
        label,
        label_en,
        style=style,
        tooltip=("name", "code"),
        min_zoom=min_zoom,
    )


def _choropleth(level: str, data_id: str, label: str, label_en: str, visible: bool) -> LayerSpec:
    spec = LayerSpec(
        f"{level}_choropleth",
        "area_choropleth",
        data_id,
        label,
        label_en,
        visible=visible,
        opacity=0.75,
        style={"line_color": BACKGROUND, "line_width": 0.5},
        # a grid's tooltip names its grid worker (masked as the caller's role says)
        tooltip=("name", "code", *(("worker",) if level == "grid" else ()), *CHOROPLETH_FIGURES),
    )
    return with_figure(spec, "open")


def _labels(
    layer_id: str, data_id: str, label: str, label_en: str, *, size: float, min_zoom: float | None
) -> LayerSpec:
    return LayerSpec(
        layer_id,
        "labels",
        data_id,
        label,
        label_en,
        style={
            "text_field": "name",
            "text_size": size,
            "text_color": "#e0f7ff",
            "halo_color": BACKGROUND,
            "halo_width": 2,
        },
        min_zoom=min_zoom,
    )


def _state_channel() -> Channel:
    return Channel("status", "ordinal", tuple(STATE_COLOURS), tuple(STATE_COLOURS.values()))


def _due_channel() -> Channel:
    return Channel("due", "ordinal", ("overdue", "near_due"), (RED, AMBER))


#: The layers the dashboard offers, in draw order (first is drawn lowest): the basemap, area
#: fills, buildings, heat, outlines from fine to coarse, incident points, and labels on top,
#: so no fill covers a line and nothing covers a name. One choropleth per area level; its
#: figure is switched with :func:`with_figure`. Visible by default: basemap, grids by open
#: count, outlines, open incidents, labels.
CATALOGUE: tuple[LayerSpec, ...] = (
    LayerSpec(
        "basemap",
        "basemap",
        "offline",
        "底图",
        "Basemap",
        style={"background": BACKGROUND},
    ),
    _choropleth("street", "streets", "街道 · 分级设色", "Streets by figure", False),
    _choropleth("community", "communities", "社区 · 分级设色", "Communities by figure", False),
    _choropleth("grid", "grids", "网格 · 分级设色", "Grids by figure", True),
    LayerSpec(
        "buildings",
        "buildings",
        "buildings",
        "楼栋",
        "Buildings",
        opacity=0.9,
        style={"fill_color": "#0f2a44", "line_color": "#1e4e79", "line_width": 0.5},
        tooltip=("name", "floors", "households", "population"),
        min_zoom=15,
    ),
    LayerSpec(
        "incident_heat",
        "incident_heat",
        "incidents_24h",
        "事件热力 (24小时)",
        "Incident heat (24 h)",
        visible=False,
        opacity=0.8,
        channels={"color": Channel("count", "quantize", None, _RAMP_HEAT)},
        style={"window_hours": 24, "h3_resolution": 8, "h3_max_zoom": 13, "heat_radius": 18},
        tooltip=("count",),
    ),
    _outline(
        "grid_outlines", "grids", "网格界", "Grid outlines", width=0.6, color="#1b6f8a", min_zoom=13
    ),
    _outline(
        "community_outlines",
        "communities",
        "社区界",
        "Community outlines",
        width=1.0,
        color="#2aa7c0",
        dash=(3, 2),
    ),
    _outline("street_outlines", "streets", "街道界", "Street outlines", width=1.8, color=TEAL),
    _outline("district_outline", "districts", "区界", "District outline", width=3.0, color=ACCENT),
    LayerSpec(
        "dispatch_status",
        "dispatch_status",
        "incidents_open",
        "派遣状态 (未结事件)",
        "Dispatch status (open incidents)",
        channels={"color": _state_channel(), "stroke": _due_channel()},
        style={"radius": 4, "ring_width": 2.5, "line_color": BACKGROUND},
        tooltip=("incident_id", "category", "subcategory", "status", "due", "reported_at"),
    ),
    _labels("community_labels", "communities", "社区名称", "Community names", size=12, min_zoom=13),
    _labels("street_labels", "streets", "街道名称", "Street names", size=16, min_zoom=None),
)


def catalogue_by_id() -> dict[str, LayerSpec]:
    """:data:`CATALOGUE` keyed by layer id, in draw order."""
    return {spec.id: spec for spec in CATALOGUE}
