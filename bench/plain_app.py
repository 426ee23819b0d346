"""The plain MapLibre page, kept as the browser benchmarks' limit (issue 12): the same data
as our wall's map (grids coloured by their open incidents, the heat of the last 24 h, every
open incident as a dot, the street names) drawn with nothing but MapLibre GL JS, from static
GeoJSON files made once at start and served gzipped, as a web server would serve files.

It is offline like our page (the same vendored MapLibre, the style of
:func:`gridmap.dashboard.shared.mapview.style_for`, empty glyph sets), and says when it
painted as our wall does: ``window.plainPainted``, the first frame drawn once every source had
loaded. Nothing on it updates: it is the floor of a first paint, not a wall.

Run: ``python -m gridmap.bench.plain_app --store sqlite:///… --port 8061``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from flask import Flask, Response, request

from gridmap.dashboard.shared.georoutes import install_empty_glyphs
from gridmap.dashboard.shared.mapview import style_for
from gridmap.dashboard.shell.timing import install_server_timing
from gridmap.feed.store import open_store
from gridmap.layers.spec import STATE_COLOURS

VENDOR = Path(__file__).resolve().parent.parent / "dashboard" / "assets" / "vendor" / "maplibre-gl"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>plain MapLibre</title>
<link rel="stylesheet" href="/maplibre-gl.css">
<style>html,body,#map{margin:0;height:100%;background:#06101f}</style>
<script src="/maplibre-gl.js"></script></head>
<body><div id="map"></div><script>
const map = new maplibregl.Map({container: 'map', style: '/style.json',
  bounds: BOUNDS, fitBoundsOptions: {padding: 20}, attributionControl: false});
map.on('load', () => {
  const sources = ['grids', 'heat', 'open', 'streets'];
  sources.forEach(id => map.addSource(id, {type: 'geojson', data: '/data/' + id + '.json'}));
  map.addLayer({id: 'grids', type: 'fill', source: 'grids', paint: {'fill-opacity': 0.55,
    'fill-color': ['step', ['get', 'n'], '#0b2236', 1, '#0f3b52', 2, '#12586b', 4, '#167a85',
                   7, '#22c3c9']}});
  map.addLayer({id: 'grid-lines', type: 'line', source: 'grids',
    paint: {'line-color': '#123a52', 'line-width': 0.3}});
  map.addLayer({id: 'heat', type: 'heatmap', source: 'heat',
    paint: {'heatmap-radius': 14, 'heatmap-opacity': 0.7}});
  map.addLayer({id: 'open', type: 'circle', source: 'open',
    paint: {'circle-radius': 2.6, 'circle-color': ['get', 'c']}});
  map.addLayer({id: 'streets', type: 'symbol', source: 'streets',
    layout: {'text-field': ['get', 'name'], 'text-size': 15},
    paint: {'text-color': '#cfefff'}});
  const seen = new Set();
  const onData = e => {
    if (sources.includes(e.sourceId) && map.isSourceLoaded(e.sourceId)) { seen.add(e.sourceId); }
    if (seen.size === sources.length) {
      map.off('sourcedata', onData);
      map.once('render', () => { window.plainPainted = performance.now(); });
      map.triggerRepaint();
    }
  };
  map.on('sourcedata', onData);
});
</script></body></html>
"""


def _feature_collection(frame, props: list[str]) -> dict:
    return json.loads(frame[[*props, "geometry"]].to_json(drop_id=True))


def build_files(store_url: str, now_ms: int) -> tuple[dict[str, bytes], list[float]]:
    """The page's GeoJSON files (WGS84, gzipped) by name, and the grids' bounds
    ``[west, south, east, north]`` in degrees."""
    import geopandas as gpd

    with open_store(store_url) as store:
        grids = store.get_areas("grid")
        streets = store.get_areas("street")
        incidents = store.get_incidents(open_only=True).dropna(subset=["lon"])
        reports = store.list_incidents(
            start_ms=now_ms - 86_400_000, end_ms=now_ms, limit=10**7
        ).dropna(subset=["lon"])
    counts = incidents.groupby("grid_code").size()
    grids = grids.assign(n=grids["code"].map(counts).fillna(0).astype(int))
    labels = streets.assign(geometry=streets.geometry.representative_point())

    def points(frame, **props):
        geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs="EPSG:4326")
        return gpd.GeoDataFrame(props, geometry=geometry)

    opened = points(incidents, c=[STATE_COLOURS.get(s, "#9fb3c8") for s in incidents["status"]])
    files = {
        "grids": _feature_collection(grids, ["code", "n"]),
        "heat": _feature_collection(points(reports), []),
        "open": _feature_collection(opened, ["c"]),
        "streets": _feature_collection(labels, ["name"]),
    }
    packed = {k: gzip.compress(json.dumps(v).encode(), 6) for k, v in files.items()}
    return packed, [float(x) for x in grids.total_bounds]


def create_app(store_url: str) -> Flask:
    """The plain page over the store at ``store_url`` (its files made now, once)."""
    files, bounds = build_files(store_url, int(time.time() * 1000))
    statics = {  # name: (mimetype, gzipped body)
        name: (mimetype, gzip.compress(body, 6))
        for name, mimetype, body in (
            ("maplibre-gl.js", "application/javascript", (VENDOR / "maplibre-gl.js").read_bytes()),
            ("maplibre-gl.css", "text/css", (VENDOR / "maplibre-gl.css").read_bytes()),
            ("style.json", "application/json", json.dumps(style_for("wall")).encode()),
        )
    }
    page = PAGE.replace("BOUNDS", json.dumps([bounds[:2], bounds[2:]])).encode()
    app = Flask(__name__)
    install_server_timing(app)

    def gzipped(body: bytes, mimetype: str, packed: bool = False) -> Response:
        if "gzip" not in request.headers.get("Accept-Encoding", ""):
            return Response(gzip.decompress(body) if packed else body, mimetype=mimetype)
        response = Response(body if packed else gzip.compress(body, 6), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        return response

    @app.get("/")
    def index():
        return gzipped(page, "text/html")

    @app.get("/<name>")
    def static_file(name: str):
        if name not in statics:
            return Response(status=404)
        mimetype, body = statics[name]
        return gzipped(body, mimetype, packed=True)

    @app.get("/data/<name>.json")
    def data(name: str):
        if name not in files:
            return Response(status=404)
        return gzipped(files[name], "application/json", packed=True)

    install_empty_glyphs(app)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="store URL, e.g. sqlite:///bench.db")
    parser.add_argument("--port", type=int, default=8061)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    from waitress import serve

    serve(create_app(args.store), host=args.host, port=args.port, threads=8, ident="plain")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
