"""The plotly renderer of layer specs: one part per kind, the spec's style and zoom carried
over, point data coloured through the spec's channels."""

from __future__ import annotations

import pandas as pd
import pytest

from gridmap.layers.plotly_map import dispatch_arrays, render_plotly
from gridmap.layers.spec import CATALOGUE, DUE_COLOURS, STATE_COLOURS, catalogue_by_id

FRAMES = {
    "incidents_open": pd.DataFrame(
        {
            "incident_id": ["a", "b", "c"],
            "lon": [104.1, 104.2, 104.3],
            "lat": [30.6, 30.7, 30.8],
            "status": ["reported", "in_progress", "verified"],
            "due": ["", "overdue", "near_due"],
        }
    ),
    "incidents_24h": pd.DataFrame({"lon": [104.1, 104.15], "lat": [30.6, 30.65]}),
}


def _url(spec, k):
    return f"/x/{spec.id}" + ("" if k is None else f"/{k}")


def test_every_kind_of_the_catalogue_renders_in_draw_order():
    out = render_plotly(CATALOGUE, frames=FRAMES, source_url=_url)
    by_id = catalogue_by_id()
    assert set(out.parts) == {s.id for s in CATALOGUE if s.kind != "basemap"}
    kinds = {}
    for spec_id, places in out.parts.items():
        kinds.setdefault(by_id[spec_id].kind, set()).update(w for w, _ in places)
    assert kinds["incident_heat"] == kinds["dispatch_status"] == {"data"}
    assert all(
        kinds[k] == {"layers"} for k in ("outlines", "labels", "buildings", "area_choropleth")
    )
    names = [layer["name"] for layer in out.layers]
    order = [s.id for s in CATALOGUE if s.id in names]
    assert list(dict.fromkeys(names)) == order  # the catalogue's draw order


def test_area_layers_carry_style_zoom_and_visibility():
    by_id = catalogue_by_id()
    out = render_plotly(
        [by_id["grid_outlines"], by_id["street_labels"], by_id["grid_choropleth"]],
        frames={},
        source_url=_url,
    )
    grid_lines, labels, *classes = out.layers
    assert grid_lines["type"] == "line" and grid_lines["minzoom"] == 13
    assert grid_lines["color"] == by_id["grid_outlines"].style["line_color"]
    assert grid_lines["source"] == "/x/grid_outlines"
    assert labels["symbol"]["text"] == "{name}" and labels["symbol"]["icon"] == ""
    ramp = by_id["grid_choropleth"].channels["color"].range
    assert [c["color"] for c in classes] == list(ramp)
    assert [c["source"] for c in classes] == [f"/x/grid_choropleth/{k}" for k in range(len(ramp))]
    assert all(c["visible"] is by_id["grid_choropleth"].visible for c in classes)


def test_dispatch_status_colours_dots_by_state_and_rings_only_the_due():
    spec = catalogue_by_id()["dispatch_status"]
    rings, dots = dispatch_arrays(spec, FRAMES["incidents_open"])
    assert dots["ids"] == ["a", "b", "c"]
    assert dots["marker_color"] == [
        STATE_COLOURS[s] for s in ("reported", "in_progress", "verified")
    ]
    assert rings["ids"] == ["b", "c"]
    assert rings["marker_color"] == [DUE_COLOURS["overdue"], DUE_COLOURS["near_due"]]
    out = render_plotly([spec], frames=FRAMES, source_url=_url)
    assert out.trace_index("dispatch_status", 1) == 1
    assert list(out.traces[1].customdata) == ["a", "b", "c"]


def test_a_point_layer_without_its_data_is_an_error_that_names_it():
    spec = catalogue_by_id()["incident_heat"]
    with pytest.raises(ValueError, match="incidents_24h"):
        render_plotly([spec], frames={}, source_url=_url)
    heat = render_plotly([spec], frames=FRAMES, source_url=_url).traces[0]
    assert heat.type == "densitymap" and list(heat.lon) == [104.1, 104.15]
    assert heat.colorscale[0][1] == "rgba(0,0,0,0)"  # nothing where there are no incidents


def test_many_heat_points_become_h3_hexagons_that_count_them_all(monkeypatch):
    import numpy as np

    from gridmap.layers import plotly_map

    spec = catalogue_by_id()["incident_heat"]
    rng = np.random.default_rng(1)
    many = pd.DataFrame(
        {"lon": rng.uniform(104.05, 104.15, 300), "lat": rng.uniform(30.6, 30.7, 300)}
    )
    monkeypatch.setattr(plotly_map, "HEX_ABOVE_POINTS", 100)
    hexes = plotly_map.heat_trace(spec, many)
    assert hexes.type == "choroplethmap" and sum(hexes.z) == 300
    ids = {f["id"] for f in hexes.geojson["features"]}
    assert ids == set(hexes.locations)  # every counted cell has its hexagon
    first = hexes.geojson["features"][0]["geometry"]["coordinates"][0]
    assert all(104.0 < x < 104.2 and 30.5 < y < 30.8 for x, y in first)  # lon first
    few = plotly_map.heat_trace(spec, many.head(50))
    assert few.type == "densitymap"
