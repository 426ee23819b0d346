"""The figures an area choropleth can show (columns of ``geo.aggregate.area_figures``: open
and overdue backlog as counts, on-time rate as a share in 0–1), each with its colour
channel, and :func:`with_figure` to recolour a choropleth spec by another figure.
"""

from __future__ import annotations

import dataclasses

from gridmap.layers.spec.base import LayerSpecError
from gridmap.layers.spec.channel import Channel
from gridmap.layers.spec.layer import LayerSpec
from gridmap.layers.spec.palette import _RAMP_CYAN, _RAMP_RATE, _RAMP_RED


@dataclasses.dataclass(frozen=True)
class ChoroplethFigure:
    """A figure an area choropleth can show: a column of ``geo.aggregate.area_figures``.

    Attributes
    ----------
    field
        Column name.
    label, label_en
        Chinese and English names.
    channel
        The colour channel that shows it.
    """

    field: str
    label: str
    label_en: str
    channel: Channel


#: The figures the choropleths offer: open backlog, overdue backlog, on-time rate (0–1).
CHOROPLETH_FIGURES: dict[str, ChoroplethFigure] = {
    f.field: f
    for f in (
        ChoroplethFigure("open", "未结案件", "Open", Channel("open", "quantize", None, _RAMP_CYAN)),
        ChoroplethFigure(
            "overdue", "超期案件", "Overdue", Channel("overdue", "quantize", None, _RAMP_RED)
        ),
        ChoroplethFigure(
            "on_time_rate",
            "按期处置率",
            "On-time rate",
            Channel("on_time_rate", "quantize", (0.0, 1.0), _RAMP_RATE),
        ),
    )
}


def with_figure(spec: LayerSpec, figure: str) -> LayerSpec:
    """An area choropleth ``spec`` recoloured by another figure.

    Parameters
    ----------
    spec
        A layer of kind ``area_choropleth``.
    figure
        A key of :data:`CHOROPLETH_FIGURES`: ``"open"``, ``"overdue"`` or ``"on_time_rate"``.
    """
    if spec.kind != "area_choropleth":
        raise LayerSpecError(f"layer {spec.id!r} is a {spec.kind}, not an area_choropleth")
    if figure not in CHOROPLETH_FIGURES:
        raise LayerSpecError(f"figure {figure!r} unknown; allowed: {list(CHOROPLETH_FIGURES)}")
    channels = {**spec.channels, "color": CHOROPLETH_FIGURES[figure].channel}
    return dataclasses.replace(spec, channels=channels)
