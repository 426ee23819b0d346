"""The Dash application: created by :func:`create_app`, stateless between requests.

Live state lives in the store; each request opens what it needs, so several server processes
behind one address show the same thing.
"""

from __future__ import annotations

import dash
from dash import html
from flask import jsonify
from flask_compress import Compress

from gridmap.feed.api import install_api
from gridmap.feed.service import IntakeService
from gridmap.feed.store import open_store
from gridmap.settings import Settings

LAYER_NAMES = {
    "district": "区",
    "street": "街道",
    "community": "社区",
    "grid": "网格",
    "buildings": "楼栋",
    "incidents": "事件",
    "events": "流转记录",
}


def create_app(settings: Settings) -> dash.Dash:
    """Build the Dash app (and its Flask server with the intake API) for ``settings``."""
    app = dash.Dash(
        __name__,
        title="网格化管理 · 一张图",
        serve_locally=True,
        compress=False,
        update_title=None,
    )
    Compress(app.server)
    app.server.config["GRIDMAP_SETTINGS"] = settings
    store = open_store(settings.resolved_store_url)
    service = IntakeService(store, timezone=settings.timezone)
    install_api(app.server, lambda: service)
    app.layout = lambda: _layers_page(settings)

    @app.server.get("/healthz")
    def healthz():
        try:
            ok = store.ping()
        except Exception as exc:  # the store is down: say so, do not crash
            return jsonify({"ok": False, "store": str(exc)}), 503
        return jsonify({"ok": ok}), 200 if ok else 503

    return app


def _layers_page(settings: Settings) -> html.Div:
    with open_store(settings.resolved_store_url) as store:
        counts = store.layer_counts()
    rows = [
        html.Tr([html.Td(LAYER_NAMES.get(k, k)), html.Td(k), html.Td(f"{v:,}")])
        for k, v in counts.items()
    ]
    return html.Div(
        [
            html.H1("网格化管理 · 已加载图层"),
            html.Table(
                [
                    html.Thead(html.Tr([html.Th("图层"), html.Th("layer"), html.Th("数量")])),
                    html.Tbody(rows),
                ],
                id="layer-table",
            ),
        ],
        style={"fontFamily": "'Noto Sans CJK SC', sans-serif", "padding": "2rem"},
    )
