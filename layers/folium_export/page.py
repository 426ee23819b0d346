"""The page around the map: its stylesheet (dark wall-screen palette, label sizes in CSS
pixels), the title bar and a legend of the layers shown when the page opens (state and
due-ring swatches, colour ramps with their figure's name).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
from branca.element import Element

from gridmap.domain.workflow import STATES
from gridmap.layers.spec import (
    ACCENT,
    BACKGROUND,
    CHOROPLETH_FIGURES,
    DUE_COLOURS,
    DUE_LABELS,
    FIELD_LABELS,
    NEUTRAL,
    STATE_COLOURS,
    LayerSpec,
)


def _add_page_elements(
    m: folium.Map, title: str, specs: Sequence[LayerSpec], *, legend: bool
) -> None:
    """Style, title bar and a legend of the layers shown when the page opens."""
    root = m.get_root()
    root.header.add_child(Element(f"<style>{_page_css(specs)}</style>"), name="gridmap_css")
    root.html.add_child(Element(f'<div class="gm-title">{html.escape(title)}</div>'))
    shown = [s for s in specs if s.visible]
    if legend and shown:
        root.html.add_child(Element(_legend_html(shown)), name="gridmap_legend")


def _page_css(specs: Sequence[LayerSpec]) -> str:
    """The page's style; ``html body`` outranks leaflet.css, which is inlined after it."""
    labels = "".join(
        f"html body .gm-label-{s.id}{{font-size:{float(s.style.get('text_size', 13))}px;"
        f"color:{s.style.get('text_color', '#e0f7ff')};"
        f"text-shadow:0 0 {float(s.style.get('halo_width', 2))}px "
        f"{s.style.get('halo_color', BACKGROUND)};}}"
        for s in specs
        if s.kind == "labels"
    )
    return (
        f"html body .leaflet-container{{background:{BACKGROUND};"
        "font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif}"
        "html body .gm-title{position:fixed;top:0;left:0;right:0;z-index:1000;"
        f"padding:.4rem 1rem;color:{ACCENT};background:rgba(6,16,31,.85);font-size:1.3rem;"
        "letter-spacing:.1em;text-align:center;pointer-events:none;"
        "font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif}"
        "html body .gm-legend{position:fixed;left:.6rem;bottom:1.8rem;z-index:1000;"
        "max-width:18rem;max-height:70vh;overflow:auto;padding:.5rem .7rem;color:#cfe8f3;"
        "background:rgba(6,16,31,.85);font-size:.8rem;border:1px solid #12415c;"
        "border-radius:4px;font-family:inherit}"
        "html body .gm-legend h4{margin:.3rem 0 .2rem;font-size:.85rem;color:#e0f7ff}"
        "html body .gm-sw{display:inline-block;width:.9rem;height:.9rem;margin-right:.25rem;"
        "vertical-align:middle;border-radius:2px}"
        "html body .gm-ring{border-radius:50%;background:transparent;border:2px solid}"
        "html body .leaflet-control-layers,html body .gm-tooltip{"
        "background:rgba(6,16,31,.9);color:#cfe8f3;border:1px solid #12415c}"
        "html body .leaflet-control-layers-expanded{top:2.4rem}"
        "html body .leaflet-control-zoom{margin-top:3rem}"
        "html body .leaflet-tooltip.gm-label{background:transparent;border:0;box-shadow:none;"
        "padding:0;font-weight:600;white-space:nowrap}"
        "html body .leaflet-tooltip.gm-label:before{display:none}"
        "html body .leaflet-control-scale-line{background:rgba(6,16,31,.7);color:#cfe8f3}"
        "html body .leaflet-control-attribution{background:rgba(6,16,31,.7);color:#8fb3c4}"
        "html body .leaflet-control-attribution a{color:#8fb3c4}" + labels
    )


def _swatches(colours: Sequence[str]) -> str:
    return "".join(f'<span class="gm-sw" style="background:{c}"></span>' for c in colours)


def _legend_html(specs: Sequence[LayerSpec]) -> str:
    parts = ['<div class="gm-legend">']
    for spec in specs:
        parts.append(f"<h4>{html.escape(spec.label)}</h4>")
        parts.append(_legend_body(spec))
    parts.append("</div>")
    return "".join(parts)


def _legend_body(spec: LayerSpec) -> str:
    if spec.kind == "dispatch_status":
        states = "".join(
            f"<div>{_swatches([colour])}{html.escape(STATES[code].name)}</div>"
            for code, colour in STATE_COLOURS.items()
            if STATES[code].is_open
        )
        rings = "".join(
            f'<div><span class="gm-sw gm-ring" style="border-color:{DUE_COLOURS[code]}">'
            f"</span>{DUE_LABELS[code]}</div>"
            for code in ("overdue", "near_due")
        )
        return states + rings
    if "color" in spec.channels:
        channel = spec.channels["color"]
        figure = CHOROPLETH_FIGURES.get(channel.field)
        name = figure.label if figure else FIELD_LABELS.get(channel.field, channel.field)
        return f"<div>{html.escape(name)}：低 {_swatches(channel.range)} 高</div>"
    colour = spec.style.get("line_color") or spec.style.get("text_color") or NEUTRAL
    return f"<div>{_swatches([colour])}</div>"
