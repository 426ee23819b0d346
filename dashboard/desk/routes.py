"""The desk map's own data, of the caller's area (decided on the server):

- ``/desk/map.json?path=`` what the map of a page is made from (asked as the page's scripts
  start, so the map is made while Dash draws the page);
- ``/desk/figures/<layer>.json?figure=`` the colour class of each area of a choropleth;
- ``/desk/open.geojson`` the open incidents with a location (with ``?category=&status=``,
  only those; the page asks so when there are too many to draw unfiltered);
- ``/desk/reports.geojson?hours=24|168|720`` the reports of a time window, for the heat.
"""

from __future__ import annotations

import pandas as pd
from flask import Flask, Response, g, request

from gridmap.dashboard.desk.area import map_target, page_exists
from gridmap.dashboard.desk.data import WINDOWS, desk_incidents
from gridmap.dashboard.desk.layers import (
    DESK_MAX_DOTS,
    OPEN_COLUMNS,
    desk_specs,
    figure_classes,
    open_geojson,
    reports_geojson,
)
from gridmap.dashboard.desk.page import map_config
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.georoutes import respond_geojson, unknown_part
from gridmap.dashboard.shared.i18n import lang_of
from gridmap.dashboard.shared.inputs import refusal
from gridmap.domain.categories import CATEGORY_BY_CODE
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import STATES


def _codes(field: str, allowed) -> list[str] | Response:
    """The comma-separated codes of query parameter ``field``, each one of ``allowed``."""
    text = request.args.get(field, "")
    codes = [c for c in text.split(",") if c] if len(text) <= 400 else None
    if codes is None or any(c not in allowed for c in codes):
        return refusal(400, field, f"{field}: comma-separated codes of {sorted(allowed)}")
    return codes


#: Paths of the drill-down pages, which answer 404 for what the caller may not see.
DRILL_DOWN_PREFIXES = ("/area/", "/building/", "/incident/")


def install_desk_routes(server: Flask) -> None:
    """Register ``/desk/figures/<layer>.json``, ``/desk/open.geojson`` and
    ``/desk/reports.geojson`` on ``server``, and the check that a drill-down page names
    something in the caller's area (404 like an unknown one otherwise)."""

    @server.before_request
    def drill_down_gate():
        if request.method != "GET" or not request.path.startswith(DRILL_DOWN_PREFIXES):
            return None
        if g.get("scope") is None:  # logins on and none: the guard answered already
            return None
        if page_exists(get_context(), g.scope, request.path):
            return None
        page = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<title>404 · 网格化管理</title></head><body style=\"font-family:'Noto Sans CJK SC',"
            'sans-serif;padding:40px"><h2>无此页面，或不在本辖区 · Not found in your area</h2>'
            '<p><a href="/">返回本辖区 · Back to your area</a></p></body></html>'
        )
        return Response(page, status=404, mimetype="text/html")

    @server.get("/desk/map.json")
    def desk_map():
        """The desk map of the page at ``?path=`` for the caller (what the page's map element
        will say: :func:`~gridmap.dashboard.desk.page.map_config`), asked for as the page's
        scripts start, so that the map is made while Dash still draws the page; 404 for a
        page the caller may not see."""
        path = request.args.get("path", "/")
        target = map_target(get_context(), current_scope(), path[:200])
        if target is None:
            return refusal(404, "path", "no such page in your area")
        response = server.json.response(map_config(target, lang_of(request.args.get("lang"))))
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.get("/desk/figures/<spec_id>.json")
    def desk_figures(spec_id: str):
        """The classes of a choropleth by ``?figure=open|overdue|on_time_rate``; rebuilt at
        most every minute per area (figures are incident data: only the caller's area)."""
        ctx = get_context()
        scope = current_scope()
        figure = request.args.get("figure", "open")
        known = [s.id for s in desk_specs() if s.kind == "area_choropleth"]
        if spec_id not in known:
            return unknown_part("layer", spec_id, known)
        try:
            payload = ctx.cached(
                f"desk-figures:{spec_id}:{figure[:40]}:{scope.area_code or ''}",
                60.0,
                lambda: figure_classes(
                    ctx.store, spec_id, figure, scope, ctx.now(), area_figures=ctx.area_figures
                ),
            )
        except KeyError as exc:
            return refusal(400, "figure", str(exc.args[0]))
        response = server.json.response(payload)
        response.headers["Cache-Control"] = "private, max-age=60"
        response.headers["Vary"] = "Cookie"
        return response

    @server.get("/desk/open.geojson")
    def desk_open():
        """Open incidents of the caller's area; none but ``hidden`` (their number) when more
        than :data:`DESK_MAX_DOTS` would be drawn: the page asks again with a filter."""
        categories = _codes("category", CATEGORY_BY_CODE)
        statuses = _codes("status", [s for s, st in STATES.items() if st.is_open])
        for answer in (categories, statuses):
            if isinstance(answer, Response):
                return answer
        ctx = get_context()
        now = ctx.now()
        area = current_scope().area_code
        cursor = ctx.store.last_event_id()  # read first: nothing after it is missed
        if not categories and not statuses:  # counted first: a city's are not read at all
            located = ctx.store.count_open_located(area_code=area)
            if located > DESK_MAX_DOTS:
                none = pd.DataFrame(columns=list(OPEN_COLUMNS))
                data = open_geojson(none, epoch_ms(now), hidden=located)
                return _no_store(respond_geojson(data, max_age=0))
        incidents = desk_incidents(
            ctx.store, categories=categories or None, statuses=statuses or None, area_code=area
        )
        located = int(incidents["lon"].notna().sum())
        if located > DESK_MAX_DOTS:
            data = open_geojson(incidents.iloc[0:0], epoch_ms(now), hidden=located)
        else:
            data = open_geojson(incidents, epoch_ms(now), cursor=cursor)
        return _no_store(respond_geojson(data, max_age=0))

    @server.get("/desk/reports.geojson")
    def desk_reports():
        """Reports of the last ``?hours=`` (one of the desk's windows) in the caller's area."""
        text = request.args.get("hours", "24")
        allowed = [str(h) for _key, h in WINDOWS]
        if text not in allowed:
            return refusal(400, "hours", f"hours: one of {allowed}")
        ctx = get_context()
        now = ctx.now()
        since = epoch_ms(now) - int(text) * 3_600_000
        points = ctx.store.report_points(since - 1, area_code=current_scope().area_code)
        return _no_store(respond_geojson(reports_geojson(points), max_age=0))


def _no_store(response: Response) -> Response:
    """Incident data changes by the second: never kept by a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response
