"""The desk's pages: an area (``/`` is the caller's own, ``/area/<code>`` any area inside
it), drawn on one frame: the header with the breadcrumbs, the area's figures, the layer
catalogue's switches and the filters, the map (MapLibre, kept across pages: going down a level
moves it, nothing is loaded again), the side panels (the to-do list, the ranking of the
children or the grid's ledger) and the incidents table. The page's area is in its URL; the
filters and the table's view are in the URL's fragment (``#view=todo&due=overdue…``), so a
reload or a shared link shows the same. Buildings (``/building/<id>``) and incidents
(``/incident/<id>``) have pages of their own (:mod:`.building_page`, :mod:`.incident_page`) on
the same frame."""

from __future__ import annotations

import json
from typing import Any

import dash
from dash import dcc, html

from gridmap.dashboard.desk import ids
from gridmap.dashboard.desk.area import AreaView, MapTarget, area_view, crumbs, own_area_code
from gridmap.dashboard.desk.data import (
    DUE_FILTERS,
    EXPORTS,
    RECENT_DAYS,
    VIEWS,
    WINDOWS,
    todo_incidents,
)
from gridmap.dashboard.desk.layers import (
    DEFAULT_HOURS,
    desk_legend,
    desk_map_layers,
    desk_specs,
    figure_options,
    layer_options,
)
from gridmap.dashboard.desk.panels import (
    TODO_ROWS,
    breadcrumbs,
    children_ranking,
    figures_strip,
    grid_ledger,
    todo_list,
)
from gridmap.dashboard.desk.table import incident_grid
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import AppContext, get_context
from gridmap.dashboard.shared.i18n import lang_of, name_of, t
from gridmap.dashboard.shared.mapview import DESK_THEME
from gridmap.domain.access import ROLES, Scope
from gridmap.domain.categories import CATEGORIES, SUBCATEGORY_NAMES
from gridmap.domain.sla import DUE_ORDER
from gridmap.domain.workflow import STATE_ORDER, STATES
from gridmap.layers.spec import CHOROPLETH_FIGURES

#: The map's switches and filters are kept from page to page as the user drills down (in
#: the browser's session: the map is the same map).
KEEP = {"persistence": True, "persistence_type": "session"}


def layout(lang: str | None = None, **_query) -> html.Div:
    """The caller's own area (``/``)."""
    ctx = get_context()
    return area_layout(own_area_code(ctx, current_scope()), lang)


def area_layout(code: str | None = None, lang: str | None = None, **_query) -> html.Div:
    """The page of area ``code`` (``/area/<code>``), or the page of an unknown area when it
    does not exist or lies outside the caller's area (the server answered 404 already)."""
    lang = lang_of(lang)
    ctx = get_context()
    scope = current_scope()
    area = area_view(ctx, scope, code)
    if area is None:
        return not_found(lang)
    figures, side = area_panels(ctx, scope, area, lang)
    return frame(
        ctx,
        scope,
        lang,
        title=area.name,
        steps=breadcrumbs(crumbs(ctx, scope, area.code, lang)),
        figures=figures,
        target=MapTarget(area.bounds, area.code),
        side=side,
        below=table_panel(ctx, area, lang),
        page={"kind": "area", "key": area.code},
    )


def area_panels(ctx: AppContext, scope: Scope, area: AreaView, lang: str) -> tuple[html.Div, list]:
    """An area's figures (today's against yesterday, and over the last 7 and 30 days) and
    its side panels (:func:`area_side`). The figures are read on the context's readers while
    the side panels are built: a page of an area nobody opened lately waits for the slower of
    the two, not for both."""
    kpis = ctx.soon(ctx.kpis, Scope("page", "centre", area.query_code))
    windows = ctx.soon(ctx.window_figures, area.query_code)
    side = area_side(ctx, scope, area, lang)
    return figures_strip(kpis.result(), windows.result(), lang), side


def area_side(ctx: AppContext, scope: Scope, area: AreaView, lang: str) -> list:
    """The side panels of an area: the caller's to-do list, then the ranking of its
    children (a grid: its ledger)."""
    side = [todo_panel(ctx, scope, area.query_code, lang)]
    if area.child_level is not None:
        ranking = ctx.ranking(area.query_code, top=500)
        side.append(children_ranking(ranking, area.child_level, lang))
    else:
        buildings = ctx.store.grid_buildings(area.code)
        side.append(grid_ledger(area.props, buildings, scope, lang))
    return side


def todo_panel(ctx: AppContext, scope: Scope, area_code: str | None, lang: str) -> html.Div:
    """The caller's to-do list in the page's area."""
    rows, due, total = todo_incidents(
        ctx.store, scope, area_code, ctx.names(), ctx.now(), limit=TODO_ROWS
    )
    return todo_list(rows, due, total, lang)


def frame(
    ctx: AppContext,
    scope: Scope,
    lang: str,
    *,
    title: str,
    steps: html.Nav,
    figures: html.Div | None,
    target: MapTarget,
    side: list,
    below: html.Div | None,
    page: dict[str, str],
    aside: bool = True,
) -> html.Div:
    """The frame every desk page is drawn on (see the module's docstring); ``target`` is
    where its map looks (:func:`~gridmap.dashboard.desk.area.map_target`); ``page`` says what
    the page shows (``{"kind": "area"|"building"|"incident", "key": …}``) to the callbacks
    that refresh it; ``aside``: with the layer switches and the filters (an area's page)."""
    config = map_config(target, lang)
    return html.Div(
        [
            html.Header(
                [
                    html.H1(f"{title} · {t('desk_title', lang)}"),
                    steps,
                    _who(scope, ctx.settings.auth, lang),
                    dcc.RadioItems(
                        id=ids.DESK_LANG,
                        value=lang,
                        inline=True,
                        options=[
                            {"label": "中文", "value": "zh"},
                            {"label": "English", "value": "en"},
                        ],
                    ),
                ],
                className="desk-header",
            ),
            html.Div(figures, id=ids.DESK_FIGURES),
            html.Div(
                [
                    _aside(lang) if aside else None,
                    html.Div(
                        [
                            html.Div(
                                id=ids.DESK_MAP,
                                className="desk-map",
                                **{
                                    "data-style": config["style"],
                                    "data-layers": config["layers"],
                                    "data-bounds": json.dumps(config["bounds"]),
                                    "data-area": config["area"],
                                    "data-focus": config["focus"],
                                    "data-focus-point": json.dumps(config["point"])
                                    if config["point"]
                                    else "",
                                    "data-words": json.dumps(config["words"], ensure_ascii=False),
                                },
                            ),
                            dcc.Store(id=ids.DESK_VIEW),
                            dcc.Store(id=ids.DESK_CLICKED),
                            html.Div(
                                t("click_hint", lang),
                                id=ids.DESK_DETAIL,
                                className="desk-detail",
                                hidden=not aside,  # a building's or an incident's page has it
                            ),
                        ],
                        className="desk-center",
                    ),
                    html.Div(side, className="desk-side", id=ids.DESK_SIDE),
                ],
                className="desk-body" + ("" if aside else " no-aside"),
            ),
            below,
            dcc.Store(id=ids.DESK_PAGE, data=page),
            dcc.Store(id=ids.DESK_HASH),
            dcc.Location(id=ids.DESK_NAV, refresh="callback-nav"),
            dcc.Interval(id=ids.DESK_TICK, interval=ids.DESK_TICK_MS),
        ],
        className="desk",
        lang=lang,
    )


def table_panel(ctx: AppContext, area: AreaView, lang: str) -> html.Div:
    """The incidents table and its filters: the view (open, to-do, last 30 days), the due
    state, the community or grid, a search; the caption says how many rows there are."""
    children: list[dict[str, Any]] = []
    if area.child_level is not None:
        children = [
            {"label": name, "value": code}
            for code, name in ctx.store.child_areas(area.query_code, area.child_level)
        ]
    return html.Div(
        [
            html.Div(
                [
                    dcc.RadioItems(
                        id=ids.DESK_TABLE_VIEW,
                        value="open",
                        inline=True,
                        options=[
                            {"label": t(f"view_{v}", lang).format(RECENT_DAYS), "value": v}
                            for v in VIEWS
                        ],
                    ),
                    dcc.Dropdown(
                        id=ids.DESK_DUE,
                        multi=True,
                        placeholder=t("due_any", lang),
                        options=[{"label": t(d, lang), "value": d} for d in DUE_FILTERS],
                        className="bar-due",
                    ),
                    dcc.Dropdown(
                        id=ids.DESK_WITHIN,
                        placeholder=t(f"within_{area.child_level or 'grid'}", lang),
                        options=children,
                        disabled=not children,
                        className="bar-within",
                    ),
                    dcc.Input(
                        id=ids.DESK_SEARCH,
                        type="search",
                        placeholder=t("search", lang),
                        debounce=False,
                        className="bar-search",
                    ),
                    html.Span(id=ids.DESK_TABLE_CAPTION, className="bar-caption"),
                    html.Button(t("export_shown", lang), id=ids.DESK_TABLE_EXPORT),
                ],
                className="table-bar",
            ),
            html.Div(incident_grid(lang), className="desk-table"),
            dcc.Store(id=ids.DESK_TABLE_SHOWN),
            dcc.Store(id=ids.DESK_TABLE_ROWS),
        ],
        className="desk-below",
    )


def _aside(lang: str) -> html.Aside:
    return html.Aside(
        [
            html.H4(t("layers", lang)),
            # the layer catalogue's switches; shown at first what its specs say
            dcc.Checklist(
                id=ids.DESK_LAYERS,
                options=layer_options(lang),
                value=[spec.id for spec in desk_specs() if spec.visible],
                **KEEP,
            ),
            html.H4(t("area_figure", lang)),
            dcc.RadioItems(id=ids.DESK_FIGURE, options=figure_options(lang), value="open", **KEEP),
            html.Div(desk_legend(lang, "open"), id=ids.DESK_LEGEND, className="desk-legend"),
            html.H4(t("category", lang)),
            dcc.Dropdown(
                id=ids.DESK_CATEGORY,
                multi=True,
                placeholder=t("all", lang),
                options=[{"label": name_of(c, lang), "value": c.code} for c in CATEGORIES],
                **KEEP,
            ),
            html.H4(t("status", lang)),
            dcc.Dropdown(
                id=ids.DESK_STATUS,
                multi=True,
                placeholder=t("all_open", lang),
                options=[
                    {"label": name_of(s, lang), "value": s.code}
                    for s in STATES.values()
                    if s.is_open
                ],
                **KEEP,
            ),
            html.H4(t("window", lang)),
            dcc.RadioItems(
                id=ids.DESK_WINDOW,
                options=[{"label": t(k, lang), "value": v} for k, v in WINDOWS],
                value=DEFAULT_HOURS,
                **KEEP,
            ),
            _export_panel(lang),
        ],
        className="desk-aside",
    )


def not_found(lang: str) -> html.Div:
    """The page of something that does not exist, or not in the caller's area."""
    return html.Div(
        [
            html.H2(t("not_found", lang)),
            dcc.Link(t("back_home", lang), href="/"),
        ],
        className="desk-missing",
    )


def map_config(target: MapTarget, lang: str) -> dict[str, Any]:
    """What the desk's map is made from (``assets/desk-map.js``): its style's URL, its layers
    (JSON text, the same on every page: the map is made once and moved), where it looks and
    its words; in the page's map element, and at ``/desk/map.json`` so that the map can be
    made while Dash still draws the page."""
    return {
        "style": f"/map-style/{DESK_THEME['name']}.json",
        "layers": json.dumps(desk_map_layers("open"), ensure_ascii=False),
        "bounds": target.bounds,
        "area": target.area,
        "focus": target.focus,
        "point": target.point,
        "words": map_words(lang),
    }


def map_words(lang: str) -> dict[str, Any]:
    """What the map's tooltips say, in ``lang``: names of states, categories, subcategories,
    due marks, figures and fields."""
    return {
        # the live delta numbers states and due marks (wall/live.py): their codes in order
        "order": {"states": list(STATE_ORDER), "due": list(DUE_ORDER)},
        "states": {s.code: name_of(s, lang) for s in STATES.values()},
        "categories": {c.code: name_of(c, lang) for c in CATEGORIES},
        "subcategories": {
            code: names[1 if lang == "en" else 0] for code, names in SUBCATEGORY_NAMES.items()
        },
        "due": {d: t(d, lang) for d in ("overdue", "near_due")},
        "figures": {
            key: f.label if lang == "zh" else f.label_en for key, f in CHOROPLETH_FIGURES.items()
        },
        "fields": {
            "code": t("fld_code", lang),
            "status": t("col_status", lang),
            "category": t("col_category", lang),
            "subcategory": t("col_category", lang),
            "due": t("fld_due", lang),
            "floors": t("fld_floors", lang),
            "households": t("fld_households", lang),
            "population": t("fld_population", lang),
            "worker": t("grid_worker", lang),
            "watcher": t("watcher", lang),
        },
    }


def _export_panel(lang: str) -> html.Div:
    """The snapshot export: a moment, a format, and a link the filters keep up to date."""
    return html.Div(
        [
            html.H4(t("export", lang)),
            html.Label(t("export_at", lang), htmlFor=ids.DESK_EXPORT_AT),
            dcc.Input(id=ids.DESK_EXPORT_AT, type="datetime-local", debounce=True),
            html.Label(t("export_format", lang), htmlFor=ids.DESK_EXPORT_FORMAT),
            dcc.Dropdown(
                id=ids.DESK_EXPORT_FORMAT,
                options=[{"label": label, "value": path} for label, path in EXPORTS],
                value="incidents.gpkg",
                clearable=False,
            ),
            html.A(
                t("download", lang),
                id=ids.DESK_EXPORT_LINK,
                href="/export/incidents.gpkg",
                className="desk-export-link",
            ),
        ],
        className="desk-export",
    )


def _who(scope: Scope, auth: bool, lang: str) -> html.Span:
    """Who is signed in and what they see (with a sign-out link when logins are on)."""
    role = ROLES[scope.role].label if lang == "zh" else scope.role
    area = scope.area_code or t("whole_district", lang)
    if not auth:
        return html.Span(f"{role} · {area}", className="desk-who")
    return html.Span(
        [f"{scope.user} · {role} · {area} ", html.A(t("sign_out", lang), href="/logout")],
        className="desk-who",
    )


def register() -> None:
    """Make these the pages at ``/`` and ``/area/<code>`` (once per process: the page
    registry is Dash's own)."""
    if __name__ not in dash.page_registry:
        dash.register_page(__name__, path="/", title="网格化管理 · 一张图", layout=layout)
        dash.register_page(
            f"{__name__}.area",
            path_template="/area/<code>",
            title="网格化管理 · 区域",
            layout=area_layout,
        )
