"""Tests of gridmap.layers.spec: JSON round trips, validation messages, the catalogue, scales."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from gridmap.domain.workflow import STATES
from gridmap.layers.spec import (
    AMBER,
    CATALOGUE,
    CHOROPLETH_FIGURES,
    DUE_COLOURS,
    KINDS,
    NEUTRAL,
    RED,
    SCALES,
    STATE_COLOURS,
    Channel,
    LayerSpec,
    LayerSpecError,
    catalogue_by_id,
    scale_colours,
    specs_from_json,
    specs_to_json,
    with_figure,
)

# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.id)
def test_catalogue_specs_round_trip_through_json(spec):
    text = spec.to_json()
    assert LayerSpec.from_json(text) == spec
    assert LayerSpec.from_dict(json.loads(text)).to_dict() == spec.to_dict()


def test_json_keeps_chinese_and_is_compact():
    text = catalogue_by_id()["street_labels"].to_json()
    assert "街道名称" in text
    assert ", " not in text and '": ' not in text


def test_whole_map_round_trips_and_rejects_duplicate_ids():
    assert specs_from_json(specs_to_json(CATALOGUE)) == CATALOGUE
    twice = specs_to_json([CATALOGUE[1], CATALOGUE[1]])
    with pytest.raises(LayerSpecError, match="duplicate layer id"):
        specs_from_json(twice)


def test_style_tuples_become_lists_so_round_trips_are_exact():
    spec = LayerSpec("x", "outlines", "grids", "网格界", "Grids", style={"line_dash": (3, 2)})
    assert spec.style == {"line_dash": [3, 2]}
    assert LayerSpec.from_json(spec.to_json()) == spec


def test_spec_copies_its_mappings():
    style = {"line_color": "#ffffff"}
    spec = LayerSpec("x", "outlines", "grids", "网格界", "Grids", style=style)
    style["line_color"] = "#000000"
    assert spec.style["line_color"] == "#ffffff"


# --------------------------------------------------------------------------- validation


def _base(**changes):
    data = catalogue_by_id()["grid_choropleth"].to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "heatmapp"}, r"kind 'heatmapp' unknown; allowed: \['area_choropleth'"),
        ({"opacity": 1.5}, r"opacity must be in \[0, 1\]"),
        ({"opacity": -0.1}, r"opacity must be in \[0, 1\]"),
        ({"opacity": True}, r"opacity must be in \[0, 1\]"),
        ({"id": "Grid Fill"}, r"layer id must match"),
        ({"visible": "yes"}, r"visible must be true or false"),
        ({"min_zoom": 14, "max_zoom": 12}, r"min_zoom 14 must be below max_zoom 12"),
        ({"min_zoom": 30}, r"min_zoom must be None or in \[0, 24\]"),
        ({"tooltip": "name"}, r"tooltip is a list of field names"),
        ({"colour": "#fff"}, r"unknown key\(s\) \['colour'\]; allowed: \["),
        ({"version": 2}, r"version 2 unknown"),
        ({"channels": {"fill": {"field": "open", "range": ["#000"]}}}, r"channel 'fill' unknown"),
        (
            {"channels": {"color": {"field": "open", "scale": "loglog", "range": ["#000"]}}},
            r"scale 'loglog' unknown; allowed: \['linear', 'quantize'",
        ),
        ({"channels": {"color": {"field": "open", "range": []}}}, r"range is empty"),
        (
            {"channels": {"color": {"field": "open", "domain": [5, 1], "range": ["#000"]}}},
            r"low <= high",
        ),
        (
            {"channels": {"color": {"field": "open", "bins": 5, "range": ["#000"]}}},
            r"unknown key\(s\) \['bins'\]",
        ),
    ],
)
def test_invalid_values_are_named(changes, message):
    with pytest.raises(LayerSpecError, match=message):
        LayerSpec.from_dict(_base(**changes))


def test_missing_keys_and_bad_json_are_errors():
    data = _base()
    del data["data_id"]
    with pytest.raises(LayerSpecError, match=r"missing key\(s\) \['data_id'\]"):
        LayerSpec.from_dict(data)
    with pytest.raises(LayerSpecError, match="not valid JSON"):
        LayerSpec.from_json("{kind: heat")


def test_allowed_values_are_listed_in_full():
    with pytest.raises(LayerSpecError) as info:
        LayerSpec("x", "heatmapp", "grids", "热力", "Heat")
    assert all(kind in str(info.value) for kind in KINDS)
    with pytest.raises(LayerSpecError) as info:
        Channel("open", "exp", None, ("#000000",))
    assert all(scale in str(info.value) for scale in SCALES)


def test_ordinal_domain_matches_range():
    with pytest.raises(LayerSpecError, match="one value per range entry"):
        Channel("status", "ordinal", ("a", "b"), ("#000000",))
    with pytest.raises(LayerSpecError, match="repeats a value"):
        Channel("status", "ordinal", ("a", "a"), ("#000000", "#111111"))


# --------------------------------------------------------------------------- catalogue


def test_catalogue_ids_are_unique_and_keyed_in_draw_order():
    by_id = catalogue_by_id()
    assert len(by_id) == len(CATALOGUE)
    assert list(by_id.values()) == list(CATALOGUE)


def test_catalogue_draw_order_and_defaults():
    ids = [s.id for s in CATALOGUE]
    assert ids[0] == "basemap" and CATALOGUE[0].data_id == "offline"
    # fills under lines under points under names
    assert ids.index("grid_choropleth") < ids.index("grid_outlines") < ids.index("dispatch_status")
    assert ids.index("dispatch_status") < ids.index("street_labels")
    assert CATALOGUE[-1].kind == "labels"
    by_id = catalogue_by_id()
    assert by_id["grid_choropleth"].visible
    assert by_id["grid_choropleth"].channels["color"].field == "open"
    assert not by_id["street_choropleth"].visible and not by_id["community_choropleth"].visible
    assert by_id["grid_outlines"].min_zoom == 13
    assert by_id["buildings"].min_zoom == 15
    assert by_id["incident_heat"].style["window_hours"] == 24
    assert {s.kind for s in CATALOGUE} == set(KINDS)


def test_state_and_due_colours():
    assert set(STATE_COLOURS) == set(STATES)
    assert DUE_COLOURS["overdue"] == RED and DUE_COLOURS["near_due"] == AMBER
    assert not {RED, AMBER} & set(STATE_COLOURS.values()), "amber/red are kept for due status"
    ring = catalogue_by_id()["dispatch_status"].channels["stroke"]
    assert scale_colours(["overdue", "near_due", "on_time"], ring) == [RED, AMBER, NEUTRAL]


@pytest.mark.parametrize("figure", list(CHOROPLETH_FIGURES))
def test_with_figure_switches_the_colour_field(figure):
    spec = with_figure(catalogue_by_id()["community_choropleth"], figure)
    assert spec.channels["color"].field == figure
    assert LayerSpec.from_json(spec.to_json()) == spec


def test_with_figure_errors():
    with pytest.raises(LayerSpecError, match=r"allowed: \['open', 'overdue', 'on_time_rate'\]"):
        with_figure(catalogue_by_id()["grid_choropleth"], "closed_rate")
    with pytest.raises(LayerSpecError, match="not an area_choropleth"):
        with_figure(catalogue_by_id()["grid_outlines"], "open")


def test_visible_at_follows_maplibre_zoom_rule():
    spec = dataclasses.replace(catalogue_by_id()["grid_outlines"], max_zoom=18)
    assert not spec.visible_at(12.9)
    assert spec.visible_at(13) and spec.visible_at(17.9)
    assert not spec.visible_at(18)


# --------------------------------------------------------------------------- scales

RAMP = ("#000000", "#111111", "#222222", "#333333")


@pytest.mark.parametrize(
    ("values", "domain", "expected"),
    [
        ([0, 2.4, 2.6, 5, 7.6, 10], None, [0, 0, 1, 2, 3, 3]),
        ([-5, 0, 5, 15], (0, 10), [0, 0, 2, 3]),  # clamped to the domain
        ([4, 4, 4], None, [0, 0, 0]),  # one value: the first class
    ],
)
def test_quantize_equal_width_classes(values, domain, expected):
    channel = Channel("open", "quantize", domain, RAMP)
    assert scale_colours(values, channel) == [RAMP[i] for i in expected]


def test_quantile_classes_hold_equal_counts():
    channel = Channel("open", "quantile", None, RAMP)
    colours = scale_colours(np.arange(100), channel)
    assert [colours.count(c) for c in RAMP] == [25, 25, 25, 25]


def test_quantile_classes_keep_the_many_areas_with_none_the_lightest():
    channel = Channel("open", "quantile", None, RAMP)
    values = np.array([0] * 90 + [1] * 6 + [3, 5, 8, 12])  # a quiet day: most grids have none
    colours = scale_colours(values, channel)
    assert set(colours[:90]) == {RAMP[0]}
    assert RAMP[0] not in colours[90:] and colours[-1] == RAMP[-1]  # any incident: darker


@pytest.mark.parametrize("scale", ["quantize", "quantile", "linear", "sqrt", "log"])
def test_missing_values_get_the_neutral_colour(scale):
    channel = Channel("open", scale, None, ("#000000", "#ffffff"))
    values = pd.Series([1.0, np.nan, None, 4.0, 9.0], dtype=object)
    colours = scale_colours(values, channel)
    assert colours[1] == colours[2] == NEUTRAL
    assert NEUTRAL not in (colours[0], colours[3], colours[4])


def test_nullable_integers_and_text_numbers():
    channel = Channel("open", "quantize", (0, 10), ("#000000", "#ffffff"))
    values = pd.Series([0, pd.NA, 10], dtype="Int64")
    assert scale_colours(values, channel) == ["#000000", NEUTRAL, "#ffffff"]
    assert scale_colours(["10", "n/a"], channel) == ["#ffffff", NEUTRAL]


@pytest.mark.parametrize(
    ("scale", "values", "expected"),
    [
        ("linear", [0, 5, 10], ["#000000", "#808080", "#ffffff"]),
        ("sqrt", [0, 25, 100], ["#000000", "#808080", "#ffffff"]),
        ("log", [1, 10, 100], ["#000000", "#808080", "#ffffff"]),
        ("log", [0, -1], [NEUTRAL, NEUTRAL]),
    ],
)
def test_continuous_scales_interpolate_in_rgb(scale, values, expected):
    domain = {"linear": (0, 10), "sqrt": (0, 100), "log": (1, 100)}[scale]
    channel = Channel("open", scale, domain, ("#000000", "#ffffff"))
    assert scale_colours(values, channel) == expected


def test_continuous_scale_needs_hex_colours():
    with pytest.raises(LayerSpecError, match="hex colours"):
        scale_colours([1, 2], Channel("open", "linear", None, ("red", "blue")))


def test_ordinal_maps_domain_to_range():
    channel = catalogue_by_id()["dispatch_status"].channels["color"]
    colours = scale_colours(["closed", "reported", "unknown", None], channel)
    assert colours == [STATE_COLOURS["closed"], STATE_COLOURS["reported"], NEUTRAL, NEUTRAL]


def test_scale_is_vectorised():
    channel = catalogue_by_id()["grid_choropleth"].channels["color"]
    values = np.random.default_rng(0).integers(0, 50, 200_000)
    colours = scale_colours(values, channel)
    assert len(colours) == len(values) and set(colours) <= set(channel.range)
