"""Layer snapshots as images: a plotly figure drawn without WebGL or tiles, rendered to PNG
by kaleido on the system Chromium with nothing fetched from the network.

Areas are filled SVG polygons on lon/lat axes held to the local aspect ratio (an
equirectangular view, fine at district scale), so the picture needs neither a map style nor
glyphs, and the Chinese labels are drawn with the machine's CJK font (``fonts-noto-cjk``).
"""

from __future__ import annotations

import html
import math
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from gridmap.layers.spec import (
    DUE_COLOURS,
    OPEN_CLASS_COLOURS_LIGHT,
    OPEN_COUNT_BOUNDS,
    STATE_COLOURS,
    open_count_labels,
)

#: Font of every text in the image (Debian's fonts-noto-cjk).
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
#: Most points drawn as SVG markers; more are drawn as one WebGL trace.
MAX_SVG_POINTS = 20_000


def snapshot_figure(
    areas: gpd.GeoDataFrame,
    *,
    figure: str = "open",
    figure_label: str = "网格在办事件",
    outlines: Sequence[tuple[gpd.GeoDataFrame, str, float]] = (),
    points: pd.DataFrame | None = None,
    labels: gpd.GeoDataFrame | None = None,
    state_names: dict[str, str] | None = None,
    title: str = "",
    subtitle: str = "",
    width: int = 1600,
    height: int = 1000,
) -> go.Figure:
    """A static map of a snapshot.

    Parameters
    ----------
    areas
        Polygons (EPSG:4326) filled by their ``figure`` column in the open-count classes
        (:data:`~gridmap.layers.spec.scales.OPEN_COUNT_BOUNDS`), on a light page.
    outlines
        (polygons, colour, width in px) drawn over the fills, coarsest last.
    points
        Incidents: ``lon``, ``lat`` (WGS84), ``status`` and ``due`` (``overdue``,
        ``near_due`` or ``""``); overdue and near-due ones get a ring.
    labels
        Areas whose ``name`` is written at a point inside each.
    state_names
        Legend text of each workflow state (default: the state codes).
    title, subtitle
        Text above the map.
    width, height
        Size in CSS pixels.
    """
    if areas.crs is None or not areas.crs.equals("EPSG:4326"):
        raise ValueError("snapshot_figure draws WGS84 lon/lat: reproject the areas to EPSG:4326")
    fig = go.Figure()
    values = areas[figure] if figure in areas.columns else pd.Series(np.zeros(len(areas)))
    values = values.fillna(0).to_numpy(dtype=float)
    classes = np.searchsorted(np.array(OPEN_COUNT_BOUNDS), values, side="left")
    for k, (colour, text) in enumerate(
        zip(OPEN_CLASS_COLOURS_LIGHT, open_count_labels(), strict=True)
    ):
        chosen = areas.geometry.to_numpy()[classes == k]
        x, y = _rings(chosen)
        fig.add_trace(
            go.Scatter(
                x=x or [None],
                y=y or [None],
                fill="toself",
                fillcolor=colour,
                mode="lines",
                line={"width": 0.4, "color": "#ffffff"},
                hoverinfo="skip",
                name=f"{text}",
                legendgroup="classes",
                legendgrouptitle={"text": figure_label} if k == 0 else None,
            )
        )
    for frame, colour, line_width in outlines:
        x, y = _rings(frame.geometry.to_numpy())
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"width": line_width, "color": colour},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if points is not None and len(points):
        _add_points(fig, points, state_names or {})
    if labels is not None and len(labels):
        inside = shapely.point_on_surface(labels.geometry.to_numpy())
        fig.add_trace(
            go.Scatter(
                x=shapely.get_x(inside),
                y=shapely.get_y(inside),
                # plotly reads text as a little HTML: names are shown as typed, not as markup
                text=[html.escape(name) for name in labels["name"].astype(str)],
                mode="text",
                textfont={"family": FONT, "size": 17, "color": "#0b2545"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    x0, y0, x1, y1 = areas.total_bounds if len(areas) else (0, 0, 1, 1)
    mid = math.radians((y0 + y1) / 2)
    fig.update_layout(
        width=width,
        height=height,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#eef2f6",
        font={"family": FONT, "color": "#123"},
        title={
            "text": f"{html.escape(title)}<br><sup>{html.escape(subtitle)}</sup>"
            if subtitle
            else html.escape(title),
            "x": 0.02,
        },
        margin={"l": 20, "r": 20, "t": 80, "b": 20},
        xaxis={"visible": False, "range": [x0, x1]},
        # lon/lat held to the local aspect: one degree of longitude is cos(lat) as long
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1 / math.cos(mid)},
        legend={"orientation": "h", "y": -0.02, "font": {"size": 13}},
    )
    return fig


def _add_points(fig: go.Figure, points: pd.DataFrame, state_names: dict[str, str]) -> None:
    scatter = go.Scatter if len(points) <= MAX_SVG_POINTS else go.Scattergl
    due = points["due"] if "due" in points.columns else pd.Series([""] * len(points))
    ringed = due.isin(list(DUE_COLOURS)).to_numpy()
    if ringed.any():
        fig.add_trace(
            scatter(
                x=points["lon"][ringed],
                y=points["lat"][ringed],
                mode="markers",
                marker={
                    "size": 11,
                    "color": "rgba(0,0,0,0)",
                    "line": {"width": 2, "color": [DUE_COLOURS[d] for d in due[ringed]]},
                },
                name="临期 / 超期",
                hoverinfo="skip",
            )
        )
    for status, colour in STATE_COLOURS.items():
        mine = (points["status"] == status).to_numpy()
        if mine.any():
            fig.add_trace(
                scatter(
                    x=points["lon"][mine],
                    y=points["lat"][mine],
                    mode="markers",
                    marker={"size": 5, "color": colour, "line": {"width": 0}},
                    name=state_names.get(status, status),
                    hoverinfo="skip",
                )
            )


def _rings(geoms: np.ndarray) -> tuple[list, list]:
    """x and y of every ring of ``geoms``, separated by ``None`` (one trace for all)."""
    x: list = []
    y: list = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        parts = getattr(geom, "geoms", [geom])
        for part in parts:
            for ring in (part.exterior, *part.interiors):
                coords = np.asarray(ring.coords)
                x += [*coords[:, 0].round(6).tolist(), None]
                y += [*coords[:, 1].round(6).tolist(), None]
    return x, y


def figure_png(fig: go.Figure, *, scale: float = 1.0) -> bytes:
    """The figure as PNG, rendered by kaleido on the system Chromium.

    plotly.js comes from the plotly package and MathJax is off, so the page kaleido builds
    asks nothing of the network. The browser is ``$BROWSER_PATH``, else Debian's chromium.

    Raises
    ------
    RuntimeError
        When no Chromium is installed (the message says which package to install).
    """
    import kaleido
    import plotly

    browser = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(browser).exists():
        raise RuntimeError("image export needs Chromium: apt-get install chromium")
    os.environ.setdefault("BROWSER_PATH", browser)
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    layout = fig.layout
    return kaleido.calc_fig_sync(
        fig.to_dict(),
        opts={"format": "png", "width": layout.width, "height": layout.height, "scale": scale},
        kopts={"mathjax": False, "plotlyjs": str(plotly_js)},
    )
