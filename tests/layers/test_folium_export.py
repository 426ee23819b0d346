"""Tests of gridmap.layers.folium_export: a standalone page that fetches nothing, masks phones."""

from __future__ import annotations

import dataclasses
import json
import re

import folium
import geopandas as gpd
import pytest

from gridmap.layers.folium_export import LEAFLET_VERSION, folium_map, standalone_html
from gridmap.layers.spec import catalogue_by_id

from .conftest import STREET_NAMES

#: Anything the browser would fetch from a host: script/img src, link href, CSS url(), @import.
FETCHED = re.compile(
    r"""(<script[^>]*\ssrc\s*=|<link[^>]*\shref\s*=|<img[^>]*\ssrc\s*=|url\(|@import)"""
    r"""\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def _specs(**tooltips):
    cat = catalogue_by_id()
    dispatch = cat["dispatch_status"]
    if "dispatch" in tooltips:
        dispatch = dataclasses.replace(dispatch, tooltip=tooltips["dispatch"])
    return [
        cat["basemap"],
        dataclasses.replace(cat["street_choropleth"], visible=True),
        cat["incident_heat"],
        cat["street_outlines"],
        dataclasses.replace(cat["grid_outlines"], data_id="streets"),  # gated at zoom 13
        dispatch,
        cat["street_labels"],
    ]


@pytest.fixture
def layers(streets, incidents):
    return {"streets": streets, "incidents_open": incidents, "incidents_24h": incidents}


@pytest.fixture
def page(layers) -> str:
    tooltip = (*catalogue_by_id()["dispatch_status"].tooltip, "description")
    return standalone_html(folium_map(layers, _specs(dispatch=tooltip), title="成华区 · 一张图"))


def test_page_fetches_nothing(page):
    assert not FETCHED.findall(page)
    assert "<script src" not in page and 'rel="stylesheet" href' not in page
    assert "cdn.jsdelivr" not in page and "code.jquery" not in page
    assert f"Leaflet {LEAFLET_VERSION}" in page  # inlined from the vendored copy
    assert "sourceMappingURL" not in page
    assert "b'" not in page[:200] and "\\x" not in page  # no Python bytes literal


def test_page_names_layers_in_chinese_and_embeds_the_polygons(page):
    for label in ("街道 · 分级设色", "街道界", "派遣状态 (未结事件)", "超期", "临期"):
        assert label in page
    assert "<title>成华区 · 一张图</title>" in page
    for name in STREET_NAMES:  # feature names, JSON-escaped inside the scripts
        assert name in page or json.dumps(name)[1:-1] in page
    assert page.count('"type": "FeatureCollection"') + page.count('"type":"FeatureCollection"') >= 4
    assert "[104.11, 30.6]" in page or "[104.11,30.6]" in page  # the shared corner
    assert "510108001" in page and "E001" in page


def test_zoom_gate_for_layers_with_a_zoom_range(page):
    assert re.search(r"low: 13(\.0)?,\s*high: null", page)


def test_phone_numbers_are_masked(page):
    assert "13912345678" not in page
    assert "139****5678" in page


def test_personal_text_is_left_out_unless_a_tooltip_names_it(layers):
    page = standalone_html(folium_map(layers, _specs()))
    assert "13912345678" not in page and "139****5678" not in page
    assert "垃圾堆放" not in page and json.dumps("垃圾堆放")[1:-1] not in page


def test_a_custom_mask_is_applied(layers):
    tooltip = ("incident_id", "description")
    m = folium_map(layers, _specs(dispatch=tooltip), mask=lambda text: "【已隐藏】")
    page = standalone_html(m)
    assert json.dumps("【已隐藏】")[1:-1] in page or "【已隐藏】" in page
    assert json.dumps("占道经营")[1:-1] not in page


def test_layers_in_a_projected_crs_are_reprojected(layers):
    layers["streets"] = layers["streets"].to_crs("EPSG:4544")
    page = standalone_html(folium_map(layers, _specs()))
    assert "[104.11, 30.6]" in page or "[104.11,30.6]" in page


def test_missing_data_and_columns_are_named(layers):
    del layers["incidents_open"]
    with pytest.raises(ValueError, match=r"no data for data_id\(s\) \['incidents_open'\]"):
        folium_map(layers, _specs())
    layers["incidents_open"] = layers["incidents_24h"]
    layers["streets"] = layers["streets"].drop(columns="open")
    with pytest.raises(ValueError, match="reads 'open', which the data 'streets' lacks"):
        folium_map(layers, _specs())


def test_a_layer_without_crs_is_refused(layers):
    layers["streets"] = gpd.GeoDataFrame(layers["streets"]).set_crs(None, allow_override=True)
    with pytest.raises(ValueError, match="no CRS: is the data in WGS84"):
        folium_map(layers, _specs())


def test_a_plain_folium_map_with_cdn_assets_is_refused():
    with pytest.raises(ValueError, match=r"no local copy of \[.*jquery"):
        standalone_html(folium.Map(tiles=None))
