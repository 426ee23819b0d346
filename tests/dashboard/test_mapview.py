"""The wall's static layers: the catalogue's outlines and names, which names at which zoom."""

from __future__ import annotations

from gridmap.dashboard.shared.mapview import (
    WALL_THEME,
    area_source_url,
    wall_map_layers,
    wall_specs,
)


def _labels(rendered) -> list[dict]:
    return [layer for layer in rendered["layers"] if layer["type"] == "symbol"]


def _source(rendered, layer) -> str:
    return rendered["sources"][layer["source"]]["data"]


def test_one_district_names_its_streets_at_every_zoom():
    rendered = wall_map_layers()
    communities, labels = _labels(rendered)  # street names drawn over community names
    assert _source(rendered, communities) == "/geo/labels/community.geojson"
    assert communities["minzoom"] >= 13  # a street shown whole by the tour, not the district
    assert communities["layout"]["text-size"] < labels["layout"]["text-size"]
    assert _source(rendered, labels) == "/geo/labels/street.geojson"
    assert "minzoom" not in labels and "maxzoom" not in labels
    assert "icon-image" not in labels["layout"]  # no icon: nothing to fetch
    assert labels["paint"]["text-color"] == WALL_THEME["label"]


def test_several_districts_name_districts_then_streets():
    rendered = wall_map_layers(label_split=10.2)
    district, street = _labels(rendered)
    assert _source(rendered, district) == "/geo/labels/district.geojson"
    assert district["maxzoom"] == street["minzoom"] == 10.2
    assert district["layout"]["text-size"] > street["layout"]["text-size"]


def test_outlines_come_from_the_catalogue_in_the_walls_colours():
    specs = {s.id: s for s in wall_specs()}
    assert {"community_outlines", "street_outlines", "district_outline"} <= set(specs)
    rendered = wall_map_layers()
    lines = {layer["id"]: layer for layer in rendered["layers"] if layer["type"] == "line"}
    district, street = lines["gm-district_outline"], lines["gm-street_outlines"]
    assert district["paint"]["line-color"] == WALL_THEME["district_line"]
    assert _source(rendered, district) == area_source_url(specs["district_outline"])
    assert _source(rendered, district) == "/geo/district.geojson"
    assert street["paint"]["line-width"] < district["paint"]["line-width"]
    # names come last: drawn over everything
    assert rendered["layers"][-1]["type"] == "symbol"


def test_a_wall_of_several_districts_leaves_out_community_outlines():
    assert "community_outlines" in {s.id for s in wall_specs()}
    assert "community_outlines" not in {s.id for s in wall_specs(label_split=10.0)}


def test_a_geometry_layer_is_built_once_however_many_ask_at_once():
    import threading
    import time

    from gridmap.dashboard.shared.georoutes import GeoCache

    cache = GeoCache(store=None)
    builds = []

    def slow() -> bytes:
        builds.append(1)
        time.sleep(0.2)  # a city's grids take long: the others wait for this one
        return b"layer"

    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.get("grid:", slow))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [b"layer"] * 4 and len(builds) == 1
    assert cache.get("grid:", slow, ttl=0) == b"layer" and len(builds) == 2  # stale: again
