"""Callbacks of the desk page: layer switches, the areas' figure, filters and the table.

Filters change only the incident traces (a Patch); switches only visibility; a new figure only
the choropleth layers' sources and colours. The geometry layers stay as they were loaded.
Descriptions in the table are masked (personal data) like everywhere else.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, Patch, State, ctx, html

from gridmap.dashboard.desk import ids
from gridmap.dashboard.desk.data import EXPORTS, WINDOWS, desk_frames
from gridmap.dashboard.desk.detail import show_detail
from gridmap.dashboard.desk.layers import (
    capped,
    desk_legend,
    desk_parts,
    desk_specs,
    incident_frames,
    source_url,
)
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of, name_of, t
from gridmap.dashboard.shared.inputs import choice, optional_text, text_list
from gridmap.dashboard.shared.mapview import due_of
from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import STATES
from gridmap.layers.plotly_map import dispatch_arrays, heat_trace
from gridmap.layers.spec import CHOROPLETH_FIGURES

#: Rows in the table under the map.
TABLE_ROWS = 200


def desk_update(
    layers: list[str],
    categories: list[str] | None,
    statuses: list[str] | None,
    hours: int,
    lang: str = "zh",
    figure: str = "open",
    figure_changed: bool = False,
) -> tuple[Patch, html.Table, list]:
    """The map patch, the table and the legend for the chosen layers, figure and filters
    (in the caller's area, decided on the server)."""
    figure = figure if figure in CHOROPLETH_FIGURES else "open"
    context = get_context()
    scope = current_scope()
    now = context.now()
    incidents, heat = desk_frames(
        context.store,
        now,
        categories=categories or None,
        statuses=statuses or None,
        hours=int(hours or 24),
        area_code=scope.area_code,
    )
    frames, hidden = capped(incident_frames(incidents, heat, epoch_ms(now)))
    rev = scope.area_code or "all"
    parts = desk_parts(figure, rev)
    patch = Patch()
    for spec in desk_specs(figure):
        for where, i in parts.parts.get(spec.id, []):
            target = patch["data"][i] if where == "data" else patch["layout"]["map"]["layers"][i]
            target["visible"] = spec.id in layers
        if spec.kind == "incident_heat":  # a density, or hexagons when points are many
            trace = heat_trace(spec, frames[spec.data_id]).to_plotly_json()
            patch["data"][parts.trace_index(spec.id)] = {**trace, "visible": spec.id in layers}
        elif spec.kind == "dispatch_status":
            rings, points = dispatch_arrays(spec, frames[spec.data_id])
            for n, arrays in enumerate((rings, points)):
                i = parts.trace_index(spec.id, n)
                for key in ("ids", "lat", "lon"):
                    patch["data"][i][key] = arrays[key]
                patch["data"][i]["marker"]["color"] = arrays["marker_color"]
            patch["data"][parts.trace_index(spec.id, 1)]["customdata"] = points["ids"]
        elif spec.kind == "area_choropleth" and figure_changed:
            url = source_url(figure, rev)
            layer_indices = [i for where, i in parts.parts[spec.id] if where == "layers"]
            for k, i in enumerate(layer_indices):
                patch["layout"]["map"]["layers"][i]["source"] = url(spec, k)
                patch["layout"]["map"]["layers"][i]["color"] = spec.channels["color"].range[k]
    # the table lists every incident, those without a location too (a hotline call may have
    # none), with the same due mark as the map
    shown = incidents.head(TABLE_ROWS)
    table = incident_table(shown, due_of(shown, epoch_ms(now)), context.names(), scope, lang)
    return patch, table, desk_legend(lang, figure, hidden)


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


def _desk(layers, categories, statuses, hours, figure, lang):
    layers = text_list(layers, "layers", [s.id for s in desk_specs()])
    categories = text_list(categories, "category", CATEGORY_BY_CODE)
    statuses = text_list(statuses, "status", [s for s, st in STATES.items() if st.is_open])
    hours = choice(hours, "window", [h for _key, h in WINDOWS], default=24)
    figure = choice(figure, "figure", CHOROPLETH_FIGURES, default="open")
    changed = ctx.triggered_id == ids.DESK_FIGURE
    return desk_update(layers, categories, statuses, hours, lang_of(lang), figure, changed)


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


def register(app: dash.Dash) -> None:
    """Define the desk's callbacks on ``app``."""
    app.callback(
        Output(ids.DESK_MAP, "figure"),
        Output(ids.DESK_TABLE, "children"),
        Output(ids.DESK_LEGEND, "children"),
        Input(ids.DESK_LAYERS, "value"),
        Input(ids.DESK_CATEGORY, "value"),
        Input(ids.DESK_STATUS, "value"),
        Input(ids.DESK_WINDOW, "value"),
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
        Input(ids.DESK_MAP, "clickData"),
        State(ids.DESK_LANG, "value"),
        prevent_initial_call=True,
    )(show_detail)
