"""Tests of gridmap.layers.basemap: nothing remote unless configured, keys named when missing."""

from __future__ import annotations

import json
import re
import urllib.parse

import folium
import pytest

from gridmap.layers.basemap import (
    BASEMAPS,
    basemap_info,
    default_basemap,
    folium_overlays,
    folium_tiles,
    maplibre_style,
)

INTRANET = "http://tiles.gov.internal:8080/chengdu/{z}/{x}/{y}.png"


def _hosts(style: dict) -> set[str]:
    text = json.dumps(style)
    return {urllib.parse.urlsplit(u).netloc for u in re.findall(r"https?://[^\"\s]+", text)}


def test_offline_style_is_complete_and_fetches_nothing():
    style = maplibre_style()
    assert "http" not in json.dumps(style)
    assert style["version"] == 8
    assert style["sources"] == {}
    assert [layer["type"] for layer in style["layers"]] == ["background"]
    assert style["glyphs"].startswith("/") and "{fontstack}" in style["glyphs"]
    assert style["layers"][0]["paint"]["background-color"] == "#06101f"


def test_offline_ignores_a_tile_url():
    assert "http" not in json.dumps(maplibre_style("offline", tile_url=INTRANET, key="k"))


def test_custom_style_uses_exactly_the_configured_host():
    style = maplibre_style("custom", tile_url=INTRANET)
    assert _hosts(style) == {"tiles.gov.internal:8080"}
    assert style["sources"]["basemap"]["tiles"] == [INTRANET]
    assert [layer["id"] for layer in style["layers"]] == ["background", "basemap"]


@pytest.mark.parametrize(("name", "layer"), [("tianditu_vec", "vec"), ("tianditu_img", "img")])
def test_tianditu_with_a_key(name, layer):
    style = maplibre_style(name, key="ab c/1")
    assert _hosts(style) == {"t0.tianditu.gov.cn"}
    url = style["sources"]["basemap"]["tiles"][0]
    assert f"/{layer}_w/wmts?" in url and f"LAYER={layer}&" in url
    assert "TILEMATRIXSET=w" in url
    assert "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in url
    assert url.endswith("&tk=ab%20c%2F1")  # the key is URL-quoted
    assert "basemap_labels" in style["sources"]  # place-name annotation overlay


@pytest.mark.parametrize("name", ["tianditu_vec", "tianditu_img"])
def test_a_key_is_required_and_the_setting_named(name):
    assert basemap_info(name).requires_key
    with pytest.raises(ValueError, match=r"needs a key: set the 'tianditu_key' setting"):
        maplibre_style(name)
    with pytest.raises(ValueError, match="GRIDMAP_TIANDITU_KEY"):
        folium_tiles(name, key="")


def test_custom_needs_a_tile_url_naming_the_setting():
    with pytest.raises(ValueError, match=r"set the 'tile_url' setting \(GRIDMAP_TILE_URL\)"):
        maplibre_style("custom")
    with pytest.raises(ValueError, match=r"lacks \['\{y\}'\]"):
        maplibre_style("custom", tile_url="http://tiles.gov.internal/{z}/{x}.png")


def test_unknown_basemap_names_the_known_ones():
    with pytest.raises(ValueError, match=r"basemap 'osm' unknown; allowed: \['offline', 'custom'"):
        maplibre_style("osm")


def test_registry_names_and_default():
    assert list(BASEMAPS) == ["offline", "custom", "tianditu_vec", "tianditu_img"]
    assert BASEMAPS["offline"].kind == "own" and BASEMAPS["offline"].url is None
    assert default_basemap("") == "offline"
    assert default_basemap(INTRANET) == "custom"


def test_folium_adapter():
    assert folium_tiles() == {"tiles": None}
    assert folium_overlays() == []
    kwargs = folium_tiles("custom", tile_url=INTRANET)
    assert kwargs["tiles"] == INTRANET and kwargs["attr"] == "tiles.gov.internal:8080"
    overlays = folium_overlays("tianditu_vec", key="k")
    assert len(overlays) == 1 and "/cva_w/" in overlays[0]["tiles"]
    page = folium.Map(**folium_tiles()).get_root().render()
    assert "L.tileLayer(" not in page
    page = folium.Map(**kwargs).get_root().render()
    assert "tiles.gov.internal:8080" in page
