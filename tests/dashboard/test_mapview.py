"""The wall's static layers (the catalogue's outlines and names, which names at which zoom),
and the geometry cache behind every map."""

from __future__ import annotations

import pytest

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
    # old: answered at once, and made again behind (once, however many ask meanwhile)
    newer = lambda: builds.append(2) or time.sleep(0.2) or b"newer"  # noqa: E731
    assert [cache.get("grid:", newer, ttl=0) for _ in range(3)] == [b"layer"] * 3
    deadline = time.monotonic() + 5
    while cache.get("grid:", newer) != b"newer" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get("grid:", newer) == b"newer" and builds == [1, 2]


def test_each_streets_desk_geometry_is_made_as_the_server_starts(tmp_path):
    """A street office signing in finds its street's layers made (they took about a second
    of its first page when made on the spot)."""
    from gridmap.dashboard.shared.georoutes import (
        LEVELS,
        GeoCache,
        area_outlines,
        label_layer,
        one_outline,
        warm_area_layers,
    )
    from gridmap.domain.access import Scope
    from gridmap.feed.store import open_store

    from .conftest import demo_store

    with open_store(demo_store(tmp_path, incidents=300, seed=2)) as store:
        cache = GeoCache(store)
        warm_area_layers(cache)
        streets = [code for code, _ in store.child_areas(None, "street")]

        class Gone:  # the store is not asked again: all of it was made at start
            def __getattr__(self, name):
                raise AssertionError(f"store.{name} asked after the warm-up")

        cache.store = Gone()
        fresh = GeoCache(store)  # the same, made now
        for code in streets:
            scope = Scope("x", "street", code)
            for level in LEVELS:
                made = area_outlines(cache, level, scope, ledger=True)
                assert made == area_outlines(fresh, level, scope, ledger=True)
            assert label_layer(cache, "community", scope) and one_outline(cache, code)
        assert len(streets) == 11


def test_a_citys_streets_are_made_as_they_are_asked_for(tmp_path, monkeypatch):
    """More streets than a district has (a city's hundreds): only the whole store's layers
    are made at start, not each street's (they kept a core busy for minutes)."""
    from gridmap.dashboard.shared import georoutes
    from gridmap.domain.access import Scope
    from gridmap.feed.store import open_store

    from .conftest import demo_store

    monkeypatch.setattr(georoutes, "WARM_STREETS_MAX", 5)
    with open_store(demo_store(tmp_path, incidents=300, seed=2)) as store:
        cache = georoutes.GeoCache(store)
        georoutes.warm_area_layers(cache)
        code = store.child_areas(None, "street")[0][0]

        class Gone:
            def __getattr__(self, name):
                raise LookupError(f"store.{name}")

        cache.store = Gone()
        assert georoutes.area_outlines(cache, "grid", Scope.district())  # made at start
        with pytest.raises(LookupError):  # not made: asked of the store now
            georoutes.area_outlines(cache, "grid", Scope("x", "street", code), ledger=True)
