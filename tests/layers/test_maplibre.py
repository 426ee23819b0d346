"""Tests of gridmap.layers.maplibre: layer specs as MapLibre sources and style layers."""

from __future__ import annotations

import dataclasses

import pytest

from gridmap.layers.maplibre import render_maplibre
from gridmap.layers.spec import catalogue_by_id


def _url(spec) -> str:
    """As the server's: names are points of their own, fills and outlines one file a level."""
    return f"/geo/{'labels/' if spec.kind == 'labels' else ''}{spec.data_id}.geojson"


def test_outlines_labels_and_buildings_become_sources_and_layers():
    catalogue = catalogue_by_id()
    specs = [catalogue["street_outlines"], catalogue["buildings"], catalogue["street_labels"]]
    rendered = render_maplibre(specs, _url)
    assert set(rendered["sources"]) == {f"gm-{s.id}" for s in specs}
    assert rendered["sources"]["gm-street_outlines"] == {
        "type": "geojson",
        "data": "/geo/streets.geojson",
        "promoteId": "code",  # areas are keyed by their code (feature-state)
    }
    assert rendered["sources"]["gm-buildings"] == {
        "type": "geojson",
        "data": "/geo/buildings.geojson",
    }
    kinds = [layer["type"] for layer in rendered["layers"]]
    assert kinds == ["line", "fill", "symbol"]  # in the specs' order
    buildings = rendered["layers"][1]
    assert buildings["minzoom"] == catalogue["buildings"].min_zoom
    label = rendered["layers"][2]
    assert label["layout"]["text-field"] == ["get", "name"]
    assert [layer["metadata"]["gridmap:spec"] for layer in rendered["layers"]] == [
        s.id for s in specs
    ]
    assert buildings["metadata"]["gridmap:tooltip"] == list(catalogue["buildings"].tooltip)


def test_specs_of_one_data_set_share_one_source():
    catalogue = catalogue_by_id()
    specs = [catalogue["grid_choropleth"], catalogue["grid_outlines"]]
    rendered = render_maplibre(specs, _url)
    assert list(rendered["sources"]) == ["gm-grid_choropleth"]
    assert {layer["source"] for layer in rendered["layers"]} == {"gm-grid_choropleth"}


def test_a_choropleth_colours_each_area_by_its_class_in_feature_state():
    spec = catalogue_by_id()["grid_choropleth"]
    (fill,) = render_maplibre([spec], _url)["layers"]
    colour = fill["paint"]["fill-color"]
    assert colour[:2] == ["match", ["coalesce", ["feature-state", "k"], -1]]
    ramp = spec.channels["color"].range
    assert colour[2:-1] == [x for k, c in enumerate(ramp) for x in (k, c)]
    assert colour[-1] == "rgba(0,0,0,0)"  # an area without a class is not filled


def test_dispatch_status_draws_state_colours_and_rings_from_the_specs_channels():
    spec = catalogue_by_id()["dispatch_status"]
    rings, dots = render_maplibre([spec], _url)["layers"]
    state, due = spec.channels["color"], spec.channels["stroke"]
    assert rings["filter"] == ["in", ["get", "due"], ["literal", list(due.domain)]]
    assert rings["paint"]["circle-stroke-color"][2:-1] == [
        x for pair in zip(due.domain, due.range, strict=True) for x in pair
    ]
    assert dots["paint"]["circle-color"][1] == ["get", state.field]
    assert dots["paint"]["circle-color"][2:-1] == [
        x for pair in zip(state.domain, state.range, strict=True) for x in pair
    ]
    # smaller when zoomed out: the district's thousands of dots do not bury the map
    radius = dots["paint"]["circle-radius"]
    assert radius[:3] == ["interpolate", ["linear"], ["zoom"]] and radius[4] < radius[6]


def test_heat_ramps_from_clear_through_the_specs_colours():
    spec = catalogue_by_id()["incident_heat"]
    (heat,) = render_maplibre([spec], _url)["layers"]
    colour = heat["paint"]["heatmap-color"]
    assert heat["type"] == "heatmap" and colour[3:5] == [0, "rgba(0,0,0,0)"]
    assert colour[-1] == spec.channels["color"].range[-1] and colour[-2] == 1.0


def test_a_hidden_spec_is_drawn_hidden_and_an_unknown_kind_is_refused():
    outlines = dataclasses.replace(catalogue_by_id()["street_outlines"], visible=False)
    (layer,) = render_maplibre([outlines], _url)["layers"]
    assert layer["layout"]["visibility"] == "none"
    with pytest.raises(ValueError, match="MapLibre draws kinds"):
        render_maplibre([catalogue_by_id()["basemap"]], _url)


def test_a_spec_may_come_as_vector_tiles_drawn_from_its_data_sets_layer():
    spec = catalogue_by_id()["buildings"]
    tiles = {"type": "vector", "tiles": ["/t/{z}/{x}/{y}.pbf"], "minzoom": 14}
    rendered = render_maplibre([spec], lambda _spec: tiles)
    assert rendered["sources"] == {"gm-buildings": tiles}
    (layer,) = rendered["layers"]
    assert layer["source-layer"] == "buildings" and layer["source"] == "gm-buildings"
