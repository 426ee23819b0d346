"""The desk page (``/``): the same map, light and dense, with layer toggles, legend, filters
(category, status, time window) and a table of the incidents shown."""

from __future__ import annotations

import dash
from dash import dcc, html

from gridmap.dashboard import ids
from gridmap.dashboard.auth import current_scope
from gridmap.dashboard.context import get_context
from gridmap.dashboard.live import to_ms
from gridmap.dashboard.mapview import DESK_THEME, map_figure
from gridmap.feed.access import ROLES
from gridmap.feed.categories import CATEGORIES
from gridmap.feed.workflow import STATES

dash.register_page(__name__, path="/", title="网格化管理 · 一张图")

LAYER_OPTIONS = [
    {"label": "事件热力", "value": "heat"},
    {"label": "在办事件", "value": "points"},
    {"label": "超期/临期", "value": "halo"},
    {"label": "网格在办数", "value": "choropleth"},
    {"label": "楼栋", "value": "buildings"},
]
WINDOWS = [
    {"label": "24小时", "value": 24},
    {"label": "7天", "value": 168},
    {"label": "30天", "value": 720},
]


def layout(**_query) -> html.Div:
    ctx = get_context()
    now = ctx.now()
    from gridmap.dashboard.desk_data import desk_frames

    scope = current_scope()
    open_incidents, heat = desk_frames(
        ctx.store, now, categories=None, statuses=None, hours=24, area_code=scope.area_code
    )
    center, zoom, district = ctx.area_view(scope)
    figure = map_figure(
        open_incidents,
        heat,
        now_ms=to_ms(now),
        center=center,
        zoom=zoom,
        theme=DESK_THEME,
        tile_url=ctx.settings.tile_url,
        rev=scope.area_code or "all",
        uirevision="desk",
    )
    return html.Div(
        [
            html.Header(
                [
                    html.H1(f"{district} · 网格化管理一张图"),
                    _who(scope, ctx.settings.auth),
                    dcc.RadioItems(
                        id=ids.DESK_LANG,
                        value="zh",
                        inline=True,
                        options=[
                            {"label": "中文", "value": "zh"},
                            {"label": "English", "value": "en"},
                        ],
                    ),
                ],
                className="desk-header",
            ),
            html.Div(
                [
                    html.Aside(
                        [
                            html.H4("图层"),
                            dcc.Checklist(
                                id=ids.DESK_LAYERS,
                                options=LAYER_OPTIONS,
                                value=["heat", "points", "halo", "choropleth"],
                            ),
                            html.H4("事件大类"),
                            dcc.Dropdown(
                                id=ids.DESK_CATEGORY,
                                multi=True,
                                placeholder="全部",
                                options=[{"label": c.name, "value": c.code} for c in CATEGORIES],
                            ),
                            html.H4("状态"),
                            dcc.Dropdown(
                                id=ids.DESK_STATUS,
                                multi=True,
                                placeholder="全部在办",
                                options=[
                                    {"label": s.name, "value": s.code}
                                    for s in STATES.values()
                                    if s.is_open
                                ],
                            ),
                            html.H4("时间范围（热力）"),
                            dcc.RadioItems(id=ids.DESK_WINDOW, options=WINDOWS, value=24),
                        ],
                        className="desk-aside",
                    ),
                    dcc.Graph(
                        id=ids.DESK_MAP,
                        figure=figure,
                        className="desk-map",
                        config={"displaylogo": False, "scrollZoom": True},
                    ),
                ],
                className="desk-body",
            ),
            html.Div(id=ids.DESK_TABLE, className="desk-table"),
        ],
        className="desk",
    )


def _who(scope, auth: bool) -> html.Span:
    """Who is signed in and what they see (with a sign-out link when logins are on)."""
    role = ROLES[scope.role].label
    if not auth:
        return html.Span(f"{role} · 全区", className="desk-who")
    return html.Span(
        [f"{scope.user} · {role} · {scope.area_code or '全区'} ", html.A("退出", href="/logout")],
        className="desk-who",
    )
