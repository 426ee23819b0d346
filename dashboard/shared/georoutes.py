"""Static geometry for the browser, served once per page as compact GeoJSON (gzip on the wire).

Areas are simplified as a coverage (shared edges stay shared) and quantised by
:func:`gridmap.layers.geojson.area_geojson`; results are cached in the process for
:data:`TTL_S` seconds, so an import shows up within minutes without a restart.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, request

from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.inputs import refusal
from gridmap.dashboard.shared.mapview import THEMES, style_for
from gridmap.domain.access import Scope
from gridmap.domain.areas import level_of
from gridmap.feed.store import SQLStore
from gridmap.feed.store.tiles import BUILDING_ZOOMS
from gridmap.layers.geojson import area_geojson, label_points

TTL_S = 300.0
LEVELS = ("district", "street", "community", "grid")
#: The media type of a vector tile.
TILE_MIMETYPE = "application/vnd.mapbox-vector-tile"


class GeoCache:
    """GeoJSON bytes by key, made again after :data:`TTL_S` seconds.

    An entry older than that is still answered at once while a thread makes it again (areas
    change only with an import: a street office signing in should not wait a second for its
    geometry because nobody of its street looked in the last five minutes)."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store
        self._items: dict[str, tuple[float, bytes]] = {}
        self._builders: dict[str, threading.Lock] = {}
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def get(self, key: str, build, ttl: float = TTL_S):
        """The value of ``key``: built by ``build()`` if missing (one caller at a time, the
        others wait for it: a city's grid layer takes long enough that a second build would
        only double the wait); if older than ``ttl`` s, the one there, made again in a
        thread."""
        with self._lock:
            hit = self._items.get(key)
            if hit:
                if time.monotonic() - hit[0] >= ttl and key not in self._refreshing:
                    self._refreshing.add(key)
                    threading.Thread(
                        target=self._refresh, args=(key, build), name="geo-refresh", daemon=True
                    ).start()
                return hit[1]
            key_lock = self._builders.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._items.get(key)
                if hit:
                    return hit[1]
            data = build()
            with self._lock:
                self._items[key] = (time.monotonic(), data)
        return data

    def _refresh(self, key: str, build) -> None:
        try:
            with self._builders[key]:
                data = build()
            with self._lock:
                self._items[key] = (time.monotonic(), data)
        except Exception:  # the old value stays; the next ask after the TTL tries again
            logging.getLogger(__name__).exception("could not make %s again", key)
        finally:
            with self._lock:
                self._refreshing.discard(key)


class TileCache:
    """The last :data:`size` tiles asked for (a city has tens of thousands of them: the
    cache keeps what people are looking at, not everything), each for :data:`TTL_S` s."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, build) -> bytes:
        """The tile of ``key``, made by ``build()`` if missing or old."""
        with self._lock:
            hit = self._items.get(key)
            if hit and time.monotonic() - hit[0] < TTL_S:
                self._items.move_to_end(key)
                return hit[1]
        data = build()
        with self._lock:
            self._items[key] = (time.monotonic(), data)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data


def respond_geojson(data: bytes, max_age: int = 300) -> Response:
    """GeoJSON of the caller's area: kept by a browser or proxy for this user only."""
    response = Response(data, mimetype="application/geo+json")
    response.headers["Cache-Control"] = f"private, max-age={max_age}"
    response.headers["Vary"] = "Cookie"
    return response


def scoped_areas(store: SQLStore, level: str, scope: Scope):
    """The areas of ``level`` the caller may see: its own, those in it, and those it lies in
    (outlines for orientation)."""
    areas = store.get_areas(level)
    if scope.area_code:
        areas = areas[[scope.shows_outline(c) for c in areas["code"]]]
    return areas


def area_outlines(cache: GeoCache, level: str, scope: Scope, ledger: bool = False) -> bytes:
    """The map's GeoJSON of the ``level`` areas the caller may see (cached per area); with
    ``ledger``, with their names and grid workers for the desk's tooltips (the wall needs
    only the codes)."""
    # the key is the area: a caller's role follows from its area (district roles mask
    # personal data, street offices and communities read it), so the grid workers' names
    # each caller gets are the same for every caller of that area
    return cache.get(
        f"{level}:{scope.area_code or ''}:{int(ledger)}",
        lambda: outline_geojson(scoped_areas(cache.store, level, scope), scope, ledger=ledger),
    )


def label_layer(cache: GeoCache, level: str, scope: Scope) -> bytes:
    """Points to write the names of the ``level`` areas the caller may see at (cached per
    area)."""
    return cache.get(
        f"labels:{level}:{scope.area_code or ''}",
        lambda: _points_geojson(label_points(scoped_areas(cache.store, level, scope))),
    )


def one_outline(cache: GeoCache, code: str) -> bytes:
    """The outline of the area ``code`` (cached; who may see it is the caller's check)."""
    return cache.get(f"one:{code}", lambda: outline_geojson(cache.store.get_area(code)))


#: Streets whose desks' layers are made as the server starts: a district's (Chenghua has 11;
#: a district seldom has more than 30). A city's hundreds are made as they are first asked
#: for (at the city tier, making them all kept a core busy for the first minutes, and the
#: walls loading then waited).
WARM_STREETS_MAX = 60


def warm_area_layers(cache: GeoCache) -> None:
    """Make the store's area layers once, as the server starts (run it in a thread): first
    the whole store's (a city's 20,000 grids take the better part of a minute to simplify,
    and the first wall to load would otherwise wait for them), then, for a district, what
    its desks ask for: the district's and each street's (about a second of a sign-in when
    made on the spot). Kept warm from then on (:class:`GeoCache` answers an old entry at once
    and makes it again behind)."""
    for level in LEVELS:
        area_outlines(cache, level, Scope.district())
    streets = cache.store.child_areas(None, "street")
    if len(streets) > WARM_STREETS_MAX:
        return
    scopes = [Scope.district(), *(Scope("warm-up", "street", code) for code, _ in streets)]
    for scope in scopes:
        for level in LEVELS:
            area_outlines(cache, level, scope, ledger=True)
        for level in LEVELS[:3]:
            label_layer(cache, level, scope)
        if scope.area_code:
            one_outline(cache, scope.area_code)


def install_geo_routes(server: Flask, cache: GeoCache) -> None:
    """Register ``/geo/...``, ``/map-style/...`` and ``/glyphs/...`` on ``server``."""
    store = cache.store
    respond = respond_geojson

    @server.get("/geo/<level>.geojson")
    def area_layer(level: str):
        if level not in LEVELS:
            return unknown_part("level", level, LEVELS)
        ledger = request.args.get("with") == "ledger"
        return respond(area_outlines(cache, level, current_scope(), ledger))

    @server.get("/geo/labels/<level>.geojson")
    def area_labels(level: str):
        if level not in LEVELS[:3]:
            return unknown_part("level", level, LEVELS[:3])
        return respond(label_layer(cache, level, current_scope()))

    @server.get("/geo/area/<code>.geojson")
    def one_area(code: str):
        """One area's outline (the desk outlines the page's area with it: a filter on the
        level's own layers would lay all their tiles out again), for a caller who may see
        it (as the level's layer would show it); else the 404 of one that does not exist."""
        try:
            level = level_of(code)
        except ValueError as exc:
            return refusal(404, "code", str(exc))
        scope = current_scope()
        if level not in LEVELS or not scope.shows_outline(code) or store.area_row(code) is None:
            return refusal(404, "code", "no such area in your area")
        return respond(one_outline(cache, code))

    tiles = TileCache()

    @server.get("/tiles/buildings/<int:z>/<int:x>/<int:y>.pbf")
    def building_tile(z: int, x: int, y: int):
        """Vector tile of the caller's area's buildings (from zoom 14; beyond the highest,
        the map scales the last ones up); no content where there is none."""
        low, high = BUILDING_ZOOMS
        if not low <= z <= high:
            return refusal(404, "z", f"building tiles are made for zooms {low} to {high}")
        area = current_scope().area_code or ""
        try:
            data = tiles.get((area, z, x, y), lambda: store.building_tile(z, x, y, area_code=area))
        except ValueError as exc:
            return refusal(404, "tile", str(exc))
        response = Response(data, status=200 if data else 204, mimetype=TILE_MIMETYPE)
        response.headers["Cache-Control"] = "private, max-age=300"
        response.headers["Vary"] = "Cookie"
        return response

    @server.get("/map-style/<theme>.json")
    def map_style(theme: str):
        if theme not in THEMES:
            return unknown_part("theme", theme, list(THEMES))
        settings = server.config["GRIDMAP_SETTINGS"]
        style = style_for(theme, settings.tile_url, settings.basemap, settings.tianditu_key)
        return Response(json.dumps(style), mimetype="application/json")

    install_empty_glyphs(server)


def install_empty_glyphs(server: Flask) -> None:
    """Answer the map style's ``/glyphs/...`` with empty glyph sets: MapLibre draws CJK with
    the browser's own fonts (its local ideograph rendering) and asks only for other ranges;
    nothing leaves the machine. (The bench's naive and plain pages answer the same way.)"""

    @server.get("/glyphs/<path:fontstack>/<int:start>-<int:end>.pbf")
    def glyphs(fontstack: str, start: int, end: int):
        return Response(b"", mimetype="application/x-protobuf")


#: Above this many areas in a layer (a city's grids) it is simplified more: on the wall the
#: whole city is a few hundred pixels across, and the layer is the page's largest download.
MANY_AREAS = 5000


def outline_geojson(areas, scope: Scope | None = None, *, ledger: bool = False) -> bytes:
    """An area layer for the map: the code (the map's sources address features by it) and,
    with ``ledger``, the name and a grid's worker (as the caller's role may read it:
    ``scope``, default the centre: masked) for the tooltips; simplified as a coverage by 3 m
    with coordinates to 1 m, or above :data:`MANY_AREAS` by 20 m with coordinates to 10 m
    (shared edges stay shared: they round alike). For a city's 20,000 grids that is 1.0 MB on
    the wire instead of 1.3 MB at 10 m."""
    many = len(areas) > MANY_AREAS
    columns: tuple[str, ...] = ("code", "name") if ledger else ("code",)
    if ledger and "worker" in areas.columns:
        reader = scope or Scope.district()
        areas = areas.assign(worker=[reader.field("worker", w) for w in areas["worker"]])
        columns += ("worker",)
    return area_geojson(
        areas,
        properties=columns,
        id_field=None,
        precision=4 if many else 5,
        tolerance_m=20.0 if many else 3.0,
    )


#: Path prefixes of the dashboard's data routes: an unknown path under them is a JSON 404,
#: not the page (Dash answers every other path with its page).
DATA_PREFIXES = ("geo", "desk", "live", "glyphs", "map-style", "tiles")


def install_unknown_data_paths(server: Flask) -> None:
    """Answer any other path under :data:`DATA_PREFIXES` with a JSON 404 naming it."""

    def unknown(rest: str):
        return refusal(404, "path", "no such data path: /" + rest[:200])

    for prefix in DATA_PREFIXES:
        server.add_url_rule(
            f"/{prefix}/<path:rest>",
            f"unknown_{prefix.replace('-', '_')}",
            lambda rest, _prefix=prefix: unknown(f"{_prefix}/{rest}"),
        )


def unknown_part(field: str, value: str, allowed) -> Response:
    """A 404 naming the path part that is unknown, and what is allowed."""
    return refusal(404, field, f"unknown {field} {value[:40]!r}; allowed: {list(allowed)}")


def _points_geojson(points) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": {"type": "Point", "coordinates": [round(p.x, 6), round(p.y, 6)]},
        }
        for code, name, p in zip(points["code"], points["name"], points.geometry, strict=True)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
