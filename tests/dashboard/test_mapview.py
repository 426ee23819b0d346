"""The wall's static layers: the catalogue's outlines and names, which names at which zoom."""

from __future__ import annotations

from gridmap.dashboard.shared.mapview import (
    WALL_THEME,
    area_source_url,
    wall_map_figure,
    wall_specs,
)


def _labels(figure) -> list[dict]:
    return [
        layer for layer in figure.to_dict()["layout"]["map"]["layers"] if layer["type"] == "symbol"
    ]


def _figure(label_split=None):
    return wall_map_figure(
        center={"lat": 30.66, "lon": 104.1}, zoom=11, theme=WALL_THEME, label_split=label_split
    )


def test_one_district_names_its_streets_at_every_zoom():
    (labels,) = _labels(_figure())
    assert labels["source"] == "/geo/labels/street.geojson"
    assert "minzoom" not in labels and "maxzoom" not in labels
    assert labels["symbol"]["icon"] == ""  # plotly's default icon would come from a CDN
    assert labels["symbol"]["textfont"]["color"] == WALL_THEME["label"]


def test_several_districts_name_districts_then_streets():
    district, street = _labels(_figure(label_split=10.2))
    assert district["source"] == "/geo/labels/district.geojson"
    assert district["maxzoom"] == street["minzoom"] == 10.2
    assert district["symbol"]["textfont"]["size"] > street["symbol"]["textfont"]["size"]


def test_outlines_come_from_the_catalogue_in_the_walls_colours():
    specs = {s.id: s for s in wall_specs()}
    assert {"community_outlines", "street_outlines", "district_outline"} <= set(specs)
    layers = _figure().to_dict()["layout"]["map"]["layers"]
    lines = {layer["name"]: layer for layer in layers if layer["type"] == "line"}
    assert lines["district_outline"]["color"] == WALL_THEME["district_line"]
    assert lines["district_outline"]["source"] == area_source_url(specs["district_outline"])
    assert lines["district_outline"]["source"] == "/geo/district.geojson"
    assert lines["street_outlines"]["line"]["width"] < lines["district_outline"]["line"]["width"]


def test_a_wall_of_several_districts_leaves_out_community_outlines():
    assert "community_outlines" in {s.id for s in wall_specs()}
    assert "community_outlines" not in {s.id for s in wall_specs(label_split=10.0)}
