"""Callbacks of the desk page: layer switches, the areas' figure, filters and the table.

The map follows switches, filters and the figure in the browser (``assets/desk-map.js``: layer
visibility, filter expressions, feature-state; a clientside callback hands it the values), so
no map data goes through a callback. The server answers the table and the legend.
Descriptions in the table are masked (personal data) like everywhere else.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State, html

from gridmap.dashboard.desk import ids
from gridmap.dashboard.desk.data import EXPORTS, desk_incidents
from gridmap.dashboard.desk.detail import show_detail
from gridmap.dashboard.desk.layers import DESK_MAX_DOTS, desk_legend
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of, name_of, t
from gridmap.dashboard.shared.inputs import choice, optional_text, text_list
from gridmap.dashboard.shared.mapview import due_of
from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import STATES
from gridmap.layers.spec import CHOROPLETH_FIGURES

#: Rows in the table under the map (each row is a dozen components for the page's script to
#: lay out: 200 of them kept the browser busy for seconds while the map was painting).
TABLE_ROWS = 50


def desk_update(
    categories: list[str] | None,
    statuses: list[str] | None,
    lang: str = "zh",
    figure: str = "open",
) -> tuple[html.Table, list]:
    """The table and the legend for the chosen figure and filters (in the caller's area,
    decided on the server); the legend says so when the incidents are too many to draw."""
    figure = figure if figure in CHOROPLETH_FIGURES else "open"
    context = get_context()
    scope = current_scope()
    now = context.now()
    incidents = desk_incidents(
        context.store,
        categories=categories or None,
        statuses=statuses or None,
        area_code=scope.area_code,
    )
    located = int(incidents["lon"].notna().sum())
    hidden = located if located > DESK_MAX_DOTS else 0
    # the table lists every incident, those without a location too (a hotline call may have
    # none), with the same due mark as the map
    shown = incidents.head(TABLE_ROWS)
    table = incident_table(shown, due_of(shown, epoch_ms(now)), context.names(), scope, lang)
    table.children.insert(
        0, html.Caption(t("table_shown", lang).format(shown=len(shown), total=len(incidents)))
    )
    return table, desk_legend(lang, figure, hidden)


def incident_table(
    incidents,
    due: list[str],
    names: dict[str, str],
    scope: Scope | None = None,
    lang: str = "zh",
) -> html.Table:
    """A dense table of incidents; user-typed text is escaped by React, personal data masked
    unless the caller's role may read it (``scope``; default the district centre: masked)."""
    scope = scope or Scope.district()
    columns = ("id", "category", "street", "status", "due", "reported", "description")
    head = html.Thead(html.Tr([html.Th(t(f"col_{c}", lang)) for c in columns]))
    rows = []
    for (_, r), d in zip(incidents.iterrows(), due, strict=False):
        sub = SUBCATEGORY_NAMES.get(r["subcategory"], ("", ""))[1 if lang == "en" else 0]
        cat = CATEGORY_BY_CODE.get(r["category"])
        rows.append(
            html.Tr(
                [
                    html.Td(r["incident_id"]),
                    html.Td(f"{name_of(cat, lang) if cat else ''} · {sub}"),
                    html.Td(names.get(r.get("street_code") or "", "—")),
                    html.Td(name_of(STATES[r["status"]], lang)),
                    html.Td(t(d, lang) if d in ("overdue", "near_due") else ""),
                    html.Td(f"{r['reported_at']:%m-%d %H:%M}"),
                    html.Td(scope.text(r.get("description") or "")),
                ]
            )
        )
    return html.Table([head, html.Tbody(rows)])


def _desk(categories, statuses, figure, lang):
    categories = text_list(categories, "category", CATEGORY_BY_CODE)
    statuses = text_list(statuses, "status", [s for s, st in STATES.items() if st.is_open])
    figure = choice(figure, "figure", CHOROPLETH_FIGURES, default="open")
    table, legend = desk_update(categories, statuses, lang_of(lang), figure)
    # the table lists by category and state only: a new figure leaves it as it is (re-drawing
    # it would hold the page's script while the map draws the change)
    if dash.ctx.triggered_id == ids.DESK_FIGURE:
        return dash.no_update, legend
    return table, legend


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
        Output(ids.DESK_TABLE, "children"),
        Output(ids.DESK_LEGEND, "children"),
        Input(ids.DESK_CATEGORY, "value"),
        Input(ids.DESK_STATUS, "value"),
        Input(ids.DESK_FIGURE, "value"),
        State(ids.DESK_LANG, "value"),
    )(_desk)
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
