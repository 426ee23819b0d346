"""The naive live map, kept as the browser benchmarks' baseline (docs/ARCHITECTURE.md, "The
map path").

What a Dash author writes first: one ``dcc.Graph`` and a ``dcc.Interval`` whose one server
callback rebuilds the whole figure from the store on every tick — a ``Choroplethmap`` of all
grids with inline GeoJSON (colour: open incidents per grid), a ``Densitymap`` of the last
24 h of reports, a ``Scattermap`` of every open incident coloured by state and the street
names as a text ``Scattermap`` — on an inline map style, served uncompressed.

It is offline like our page (the style is :func:`gridmap.dashboard.shared.mapview.style_for`'s, and
its glyph URL is answered here with empty glyph sets), and served by waitress with as many
threads as ours, so the comparison is about the map path and not the web server.

Run: ``python -m gridmap.bench.naive_app --store sqlite:///… --port 8060 [--interval-ms 0]``
(``0``: the figure is built once at page load and never updated).
"""

from __future__ import annotations

import argparse
import json
import time

import dash
import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from gridmap.dashboard.shared.georoutes import install_empty_glyphs
from gridmap.dashboard.shared.mapview import style_for
from gridmap.dashboard.shell.timing import install_server_timing
from gridmap.feed.store import open_store
from gridmap.layers.spec import STATE_COLOURS
from gridmap.layers.view import view_of_bounds


def build_figure(store, now_ms: int) -> go.Figure:
    """The whole map, from scratch, as the naive callback builds it on every tick."""
    grids = store.get_areas("grid")
    incidents = store.get_incidents(open_only=True)
    reports = store.list_incidents(start_ms=now_ms - 86_400_000, end_ms=now_ms, limit=10**7)
    streets = store.get_areas("street")
    counts = incidents.groupby("grid_code").size().reindex(grids["code"], fill_value=0)
    labels = streets.geometry.representative_point()
    centre, zoom = view_of_bounds(grids.total_bounds, min_zoom=8.0, max_zoom=14.0)
    fig = go.Figure(
        [
            go.Choroplethmap(
                geojson=json.loads(grids.to_json()),
                locations=grids["code"],
                featureidkey="properties.code",
                z=counts.to_numpy(),
                colorscale="Teal",
                marker={"opacity": 0.55, "line": {"width": 0.3, "color": "#123a52"}},
                showscale=False,
            ),
            go.Densitymap(
                lat=reports["lat"], lon=reports["lon"], radius=14, showscale=False, opacity=0.7
            ),
            go.Scattermap(
                lat=incidents["lat"],
                lon=incidents["lon"],
                mode="markers",
                marker={
                    "size": 5,
                    "color": [STATE_COLOURS.get(s, "#9fb3c8") for s in incidents["status"]],
                },
                text=incidents["incident_id"],
            ),
            go.Scattermap(
                lat=labels.y,
                lon=labels.x,
                mode="text",
                text=streets["name"],
                textfont={"size": 15, "color": "#cfefff"},
            ),
        ]
    )
    fig.update_layout(
        map={
            "style": style_for("wall"),  # inline, as a naive author gives it
            "center": centre,
            "zoom": zoom,
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        paper_bgcolor="#06101f",
        showlegend=False,
    )
    return fig


def create_app(store_url: str, interval_ms: int = 2000) -> dash.Dash:
    """The naive app over the store at ``store_url``; ``interval_ms <= 0``: no updates."""
    store = open_store(store_url)
    app = dash.Dash(__name__, compress=False, serve_locally=True)
    install_server_timing(app.server)  # measured the same way as ours
    app.layout = html.Div(
        [
            dcc.Graph(id="map", style={"height": "100vh"}, config={"displayModeBar": False}),
            dcc.Interval(id="tick", interval=max(interval_ms, 1000), disabled=interval_ms <= 0),
        ],
        style={"background": "#06101f"},
    )

    @app.callback(Output("map", "figure"), Input("tick", "n_intervals"))
    def update(_n):
        return build_figure(store, int(time.time() * 1000))

    install_empty_glyphs(app.server)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="store URL, e.g. sqlite:///bench.db")
    parser.add_argument("--port", type=int, default=8060)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--interval-ms", type=int, default=2000, help="0: no live updates")
    args = parser.parse_args(argv)
    from waitress import serve

    app = create_app(args.store, args.interval_ms)
    serve(app.server, host=args.host, port=args.port, threads=8, ident="naive")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
