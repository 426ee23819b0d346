"""Callbacks of the desk's pages: layer switches, the areas' figure and the filters (the map
applies them in the browser), the legend, the incidents table, the live refresh of the
figures and side panels, the URL fragment that keeps the filters, and the incident detail.

The map follows switches, filters and the figure in the browser (``assets/desk-map.js``: layer
visibility, filter expressions, feature-state; a clientside callback hands it the values), so
no map data goes through a callback. The server answers the table, the legend and the panels,
each for the page's area only after checking it lies in the caller's (a crafted page value
gets nothing). Descriptions are masked (personal data) like everywhere else.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import dash
from dash import Input, Output, State

from gridmap.dashboard.desk import ids
from gridmap.dashboard.desk.area import area_view
from gridmap.dashboard.desk.data import (
    DUE_FILTERS,
    EXPORTS,
    VIEWS,
    filter_mask,
    page_incidents,
)
from gridmap.dashboard.desk.detail import show_detail
from gridmap.dashboard.desk.layers import DESK_MAX_DOTS, desk_legend
from gridmap.dashboard.desk.page import area_panels
from gridmap.dashboard.desk.table import table_rows
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of, t
from gridmap.dashboard.shared.inputs import InputError, choice, mapping, optional_text, text_list
from gridmap.dashboard.shared.mapview import due_of
from gridmap.domain.categories import CATEGORY_BY_CODE
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import STATES
from gridmap.layers.spec import CHOROPLETH_FIGURES


def desk_legend_for(
    categories: list[str] | None,
    statuses: list[str] | None,
    lang: str = "zh",
    figure: str = "open",
) -> list:
    """The legend for the chosen figure; it says so when the incidents the filters keep in
    the caller's area are too many to draw."""
    figure = figure if figure in CHOROPLETH_FIGURES else "open"
    located = get_context().store.count_open_located(
        area_code=current_scope().area_code,
        categories=categories or (),
        statuses=statuses or (),
    )
    return desk_legend(lang, figure, located if located > DESK_MAX_DOTS else 0)


def desk_table(
    page: Any,
    categories: list[str] | None = None,
    statuses: list[str] | None = None,
    view: str = "open",
    due: list[str] | None = None,
    within: str | None = None,
    lang: str = "zh",
) -> tuple[list[dict[str, Any]], str]:
    """The rows of a page's incidents table and its caption (how many, of how many), for the
    page's area (checked against the caller's) and the filters."""
    context = get_context()
    scope = current_scope()
    area = area_view(context, scope, _page_key(page, "area"))
    if area is None:
        raise InputError("page", "no such area in your area")
    if within and not (isinstance(within, str) and within.startswith(area.code)):
        raise InputError("within", "not an area of this page")
    # the rows of the page's view are made once per change of the store (an event) or of
    # the minute (due marks); the filters only choose among them
    version = table_version(context)

    def build():
        now = context.now()
        names = context.names()
        incidents = page_incidents(
            context.store, scope, area.query_code, view=view, names=names, now=now
        )
        marks = due_of(incidents, epoch_ms(now))
        rows = table_rows(incidents, marks, names, scope, lang)
        return incidents[["category", "status", "grid_code"]], marks, rows

    key = f"table:{area.code}:{view}:{lang}:{scope.role}:{scope.area_code or ''}"
    incidents, marks, every = context.cached_version(key, version, build)
    keep = filter_mask(
        incidents, marks, categories=categories, statuses=statuses, due_states=due, within=within
    )
    rows = [r for r, k in zip(every, keep, strict=True) if k]
    caption = t("table_rows", lang).format(shown=len(rows), total=len(incidents))
    return rows, caption


def table_version(context) -> str:
    """What the table's rows depend on besides the filters: the newest event (the rows
    change with events) and the minute (their due marks change with time)."""
    return f"{context.store.last_event_id()}:{int(context.now().timestamp() // 60)}"


def _page_key(page: Any, kind: str) -> str | None:
    """The key of the page the browser says it shows (a value of the page's store)."""
    if page is None:
        return None
    data = mapping(page, "page")
    if data.get("kind") != kind:
        return None
    key = data.get("key")
    if not isinstance(key, str) or len(key) > 64:
        raise InputError("page", "key is not a code")
    return key


def _legend(categories, statuses, figure, lang):
    categories = text_list(categories, "category", CATEGORY_BY_CODE)
    statuses = text_list(statuses, "status", [s for s, st in STATES.items() if st.is_open])
    figure = choice(figure, "figure", CHOROPLETH_FIGURES, default="open")
    return desk_legend_for(categories, statuses, lang_of(lang), figure)


def _table(categories, statuses, view, due, within, _tick, page, lang, shown):
    categories = text_list(categories, "category", CATEGORY_BY_CODE)
    statuses = text_list(statuses, "status", [s for s, st in STATES.items() if st.is_open])
    view = choice(view, "view", VIEWS, default="open")
    due = text_list(due, "due", DUE_FILTERS)
    within = optional_text(within, "within", limit=24)
    # a refresh when nothing happened is not sent (the rows only change with an event, the
    # due marks with the minute); the grid keeps its sort, filter and page either way
    version = table_version(get_context())
    if dash.ctx.triggered_id == ids.DESK_TICK and shown == version:
        return dash.no_update, dash.no_update, dash.no_update
    rows, caption = desk_table(page, categories, statuses, view, due, within, lang_of(lang))
    return rows, caption, version


def _refresh(_tick, page, lang):
    """The figures and side panels of an area page, again (every few seconds)."""
    code = _page_key(page, "area")
    if code is None:
        return dash.no_update, dash.no_update
    context = get_context()
    scope = current_scope()
    area = area_view(context, scope, code)
    if area is None:
        raise InputError("page", "no such area in your area")
    lang = lang_of(lang)
    return area_panels(context, scope, area, lang)


def export_href(
    fmt: str | None, at: str | None, categories: list[str] | None, statuses: list[str] | None
) -> str:
    """The export link for the desk's filters (the server checks and scopes it again)."""
    params = {
        "at": at or "",
        "category": ",".join(categories or []),
        "status": ",".join(statuses or []),
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return f"/export/{fmt or 'incidents.gpkg'}" + (f"?{query}" if query else "")


def _export_link(fmt, at, categories, statuses):
    fmt = choice(fmt, "format", [path for _label, path in EXPORTS], default="incidents.gpkg")
    at = optional_text(at, "at", limit=40)
    categories = text_list(categories, "category", CATEGORY_BY_CODE)
    statuses = text_list(statuses, "status", STATES)
    return export_href(fmt, at, categories, statuses)


#: The language switch reloads the page in the other language (``?lang=…``).
_SWITCH_LANGUAGE = """function (lang) {
    const params = new URLSearchParams(window.location.search);
    if ((params.get('lang') || 'zh') !== lang) {
        params.set('lang', lang);
        window.location.search = params.toString();
    }
    return window.dash_clientside.no_update;
}"""


#: The map's switches, figure and filters, handed to ``assets/desk-map.js`` as they change
#: (in the browser: no round trip to the server for a filter).
_FILTER_MAP = """function (layers, categories, statuses, hours, figure) {
    const view = {layers: layers || [], categories: categories || [],
                  statuses: statuses || [], hours: hours || 24, figure: figure || 'open'};
    if (window.gridmapDesk) { window.gridmapDesk.apply(view); }
    return view;
}"""

#: The filters kept in the URL's fragment, in the order of the callbacks' values.
HASH_KEYS = ("category", "status", "figure", "view", "due", "within", "q")
#: Which of them hold several values.
_MULTI = ("category", "status", "due")

#: Filters from the URL's fragment as the page opens (a reload or a shared link), each
#: given with its control's options: a value none of them has (a mistyped or outdated link)
#: is left out, and the control keeps its own.
_READ_HASH = """function (_page) {
    const keys = __KEYS__, multi = __MULTI__;
    const options = Array.from(arguments).slice(1);
    const params = new URLSearchParams(window.location.hash.slice(1));
    const nu = window.dash_clientside.no_update;
    return keys.map((k, i) => {
        if (!params.has(k)) { return nu; }
        const known = Array.isArray(options[i]) ? options[i].map(o => String(o.value)) : null;
        const ok = v => known === null || known.indexOf(v) >= 0;
        const v = params.get(k);
        if (multi.indexOf(k) >= 0) { return v.split(',').filter(x => x && ok(x)); }
        return ok(v) ? v : nu;
    });
}""".replace("__KEYS__", json.dumps(HASH_KEYS)).replace("__MULTI__", json.dumps(_MULTI))

#: Filters into the URL's fragment as they change (replaced: back goes to the last page,
#: not to the last filter).
_WRITE_HASH = """function () {
    const keys = __KEYS__, values = Array.from(arguments);
    const params = new URLSearchParams();
    keys.forEach((k, i) => {
        const v = values[i];
        const text = Array.isArray(v) ? v.join(',') : (v === null || v === undefined ? '' : v);
        const plain = {figure: 'open', view: 'open'}[k];
        if (text && text !== plain) { params.set(k, text); }
    });
    const hash = params.toString();
    const url = window.location.pathname + window.location.search + (hash ? '#' + hash : '');
    window.history.replaceState(window.history.state, '', url);
    return hash;
}""".replace("__KEYS__", json.dumps(HASH_KEYS))

#: The search box filters the table in the browser (AG Grid's quick filter).
_SEARCH = """function (text, options) {
    return Object.assign({}, options, {quickFilterText: text || ''});
}"""

#: A click on a row opens its incident's page (in the app: no reload).
_OPEN_ROW = """function (cell) {
    if (!cell || !cell.rowId) { return window.dash_clientside.no_update; }
    return '/incident/' + encodeURIComponent(cell.rowId);
}"""


#: Milliseconds a page's first table rows wait at most for its map's first picture.
ROWS_WAIT_FOR_MAP_MS = 2500

#: The table's rows into the grid: all of them into a grid that has none yet, and from then on
#: only the rows that changed, as a transaction (ag-grid keeps the reader's sort, filter and
#: page either way). Rows handed over anew are each an update in the grid, and ag-grid queues
#: a task for each: the district's 4,900 every five seconds kept the desk's main thread busy a
#: fifth of the time while events flowed. The first rows of a page wait for its map's first
#: picture (at most :data:`ROWS_WAIT_FOR_MAP_MS`): laying out the grid's rows took 0.15-0.3 s
#: of the main thread just as the map's last sources came in, and the map is what a user
#: looks for first.
_ROWS_TO_GRID = """function (rows, shown) {
    const no = window.dash_clientside.no_update;
    if (!Array.isArray(rows)) { return [no, no]; }
    const text = new Map(rows.map(r => [r.incident_id, JSON.stringify(r)]));
    const held = window.gridmapTableRows;
    window.gridmapTableRows = text;
    if (!Array.isArray(shown) || !shown.length) {
        const desk = window.gridmapDesk, until = performance.now() + __WAIT__;
        if (!desk || !desk.map || desk.painted) { return [rows, no]; }
        return new Promise(done => {
            const look = () => {
                if (desk.painted || performance.now() > until) { done([rows, no]); }
                else { setTimeout(look, 30); }
            };
            look();
        });
    }
    if (!held) { return [rows, no]; }
    const add = [], update = [], remove = [];
    for (const r of rows) {
        const was = held.get(r.incident_id);
        if (was === undefined) { add.push(r); } else if (was !== text.get(r.incident_id)) {
            update.push(r);
        }
    }
    for (const id of held.keys()) {
        if (!text.has(id)) { remove.push({incident_id: id}); }
    }
    if (!add.length && !update.length && !remove.length) { return [no, no]; }
    return [no, {add: add, update: update, remove: remove}];
}""".replace("__WAIT__", str(ROWS_WAIT_FOR_MAP_MS))


def register(app: dash.Dash) -> None:
    """Define the desk's callbacks on ``app``."""
    app.clientside_callback(
        _FILTER_MAP,
        Output(ids.DESK_VIEW, "data"),
        Input(ids.DESK_LAYERS, "value"),
        Input(ids.DESK_CATEGORY, "value"),
        Input(ids.DESK_STATUS, "value"),
        Input(ids.DESK_WINDOW, "value"),
        Input(ids.DESK_FIGURE, "value"),
    )
    app.callback(
        Output(ids.DESK_LEGEND, "children"),
        Input(ids.DESK_CATEGORY, "value"),
        Input(ids.DESK_STATUS, "value"),
        Input(ids.DESK_FIGURE, "value"),
        State(ids.DESK_LANG, "value"),
    )(_legend)
    app.callback(
        Output(ids.DESK_TABLE_ROWS, "data"),
        Output(ids.DESK_TABLE_CAPTION, "children"),
        Output(ids.DESK_TABLE_SHOWN, "data"),
        Input(ids.DESK_CATEGORY, "value"),
        Input(ids.DESK_STATUS, "value"),
        Input(ids.DESK_TABLE_VIEW, "value"),
        Input(ids.DESK_DUE, "value"),
        Input(ids.DESK_WITHIN, "value"),
        Input(ids.DESK_TICK, "n_intervals"),
        State(ids.DESK_PAGE, "data"),
        State(ids.DESK_LANG, "value"),
        State(ids.DESK_TABLE_SHOWN, "data"),
    )(_table)
    app.callback(
        Output(ids.DESK_FIGURES, "children"),
        Output(ids.DESK_SIDE, "children"),
        Input(ids.DESK_TICK, "n_intervals"),
        State(ids.DESK_PAGE, "data"),
        State(ids.DESK_LANG, "value"),
        prevent_initial_call=True,
    )(_refresh)
    controls = (
        ids.DESK_CATEGORY,
        ids.DESK_STATUS,
        ids.DESK_FIGURE,
        ids.DESK_TABLE_VIEW,
        ids.DESK_DUE,
        ids.DESK_WITHIN,
        ids.DESK_SEARCH,
    )
    app.clientside_callback(
        _READ_HASH,
        [Output(c, "value", allow_duplicate=True) for c in controls],
        Input(ids.DESK_PAGE, "data"),
        # each control's options, but the search box's (free text)
        [State(c, "options") for c in controls if c != ids.DESK_SEARCH],
        prevent_initial_call="initial_duplicate",
    )
    app.clientside_callback(
        _WRITE_HASH,
        Output(ids.DESK_HASH, "data"),
        [Input(c, "value") for c in controls],
        prevent_initial_call=True,
    )
    app.clientside_callback(
        _SEARCH,
        Output(ids.DESK_GRID, "dashGridOptions"),
        Input(ids.DESK_SEARCH, "value"),
        State(ids.DESK_GRID, "dashGridOptions"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function (n) { return Boolean(n); }",
        Output(ids.DESK_GRID, "exportDataAsCsv"),
        Input(ids.DESK_TABLE_EXPORT, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        _ROWS_TO_GRID,
        Output(ids.DESK_GRID, "rowData"),
        Output(ids.DESK_GRID, "rowTransaction"),
        Input(ids.DESK_TABLE_ROWS, "data"),
        State(ids.DESK_GRID, "rowData"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        _OPEN_ROW,
        Output(ids.DESK_NAV, "href"),
        Input(ids.DESK_GRID, "cellClicked"),
        prevent_initial_call=True,
    )
    app.callback(
        Output(ids.DESK_EXPORT_LINK, "href"),
        Input(ids.DESK_EXPORT_FORMAT, "value"),
        Input(ids.DESK_EXPORT_AT, "value"),
        Input(ids.DESK_CATEGORY, "value"),
        Input(ids.DESK_STATUS, "value"),
    )(_export_link)
    app.clientside_callback(
        _SWITCH_LANGUAGE,
        Output(ids.DESK_LANG, "title"),
        Input(ids.DESK_LANG, "value"),
        prevent_initial_call=True,
    )
    app.callback(
        Output(ids.DESK_DETAIL, "children"),
        Input(ids.DESK_CLICKED, "data"),
        State(ids.DESK_LANG, "value"),
        prevent_initial_call=True,
    )(show_detail)
