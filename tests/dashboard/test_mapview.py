"""The map's static layers: which area names show at which zoom."""

from __future__ import annotations

from gridmap.dashboard.mapview import WALL_THEME, base_layers


def _labels(layers: list[dict]) -> list[dict]:
    return [layer for layer in layers if layer["type"] == "symbol"]


def test_one_district_names_its_streets_at_every_zoom():
    (labels,) = _labels(base_layers(WALL_THEME, classes=False))
    assert labels["source"] == "/geo/labels/street.geojson"
    assert "minzoom" not in labels and "maxzoom" not in labels
    assert labels["symbol"]["icon"] == ""  # plotly's default icon would come from a CDN


def test_several_districts_name_districts_then_streets():
    district, street = _labels(base_layers(WALL_THEME, classes=False, label_split=10.2))
    assert district["source"] == "/geo/labels/district.geojson"
    assert district["maxzoom"] == street["minzoom"] == 10.2
    assert district["symbol"]["textfont"]["size"] > street["symbol"]["textfont"]["size"]
