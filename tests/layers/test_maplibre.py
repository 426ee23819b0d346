"""Tests of gridmap.layers.maplibre: layer specs as MapLibre sources and style layers."""

from __future__ import annotations

import dataclasses

import pytest

from gridmap.layers.maplibre import render_maplibre
from gridmap.layers.spec import catalogue_by_id


def _url(spec) -> str:
    return f"/geo/{spec.data_id}.geojson"


def test_outlines_labels_and_buildings_become_sources_and_layers():
    catalogue = catalogue_by_id()
    specs = [catalogue["street_outlines"], catalogue["buildings"], catalogue["street_labels"]]
    rendered = render_maplibre(specs, _url)
    assert set(rendered["sources"]) == {f"gm-{s.id}" for s in specs}
    assert rendered["sources"]["gm-street_outlines"] == {
        "type": "geojson",
        "data": "/geo/streets.geojson",
    }
    kinds = [layer["type"] for layer in rendered["layers"]]
    assert kinds == ["line", "fill", "symbol"]  # in the specs' order
    buildings = rendered["layers"][1]
    assert buildings["minzoom"] == catalogue["buildings"].min_zoom
    label = rendered["layers"][2]
    assert label["layout"]["text-field"] == ["get", "name"]


def test_a_hidden_spec_is_drawn_hidden_and_an_unknown_kind_is_refused():
    outlines = dataclasses.replace(catalogue_by_id()["street_outlines"], visible=False)
    (layer,) = render_maplibre([outlines], _url)["layers"]
    assert layer["layout"]["visibility"] == "none"
    with pytest.raises(ValueError, match="MapLibre draws kinds"):
        render_maplibre([catalogue_by_id()["incident_heat"]], _url)
