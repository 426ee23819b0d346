"""Callbacks of the desk page: layer toggles, filters and the incident table.

Filters change only the incident traces (a Patch); the geometry layers stay as they were
loaded. Descriptions in the table are masked (personal data) like everywhere else.
"""

from __future__ import annotations

from dash import Input, Output, Patch, State, callback, clientside_callback, html

from gridmap.dashboard import ids
from gridmap.dashboard.auth import current_scope
from gridmap.dashboard.context import get_context
from gridmap.dashboard.desk_data import desk_frames
from gridmap.dashboard.i18n import lang_of, name_of, t
from gridmap.dashboard.live import to_ms
from gridmap.dashboard.mapview import GRID_CLASSES, HALO, HEAT, POINTS, due_of
from gridmap.feed.access import Scope
from gridmap.feed.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.feed.workflow import STATES
from gridmap.layers.spec import DUE_COLOURS, STATE_COLOURS

#: Rows in the table under the map.
TABLE_ROWS = 200


def desk_update(
    layers: list[str],
    categories: list[str] | None,
    statuses: list[str] | None,
    hours: int,
    lang: str = "zh",
) -> tuple[Patch, html.Table]:
    """The map patch and the table for the chosen layers and filters (in the caller's
    area, decided on the server)."""
    ctx = get_context()
    scope = current_scope()
    now = ctx.now()
    incidents, heat = desk_frames(
        ctx.store,
        now,
        categories=categories or None,
        statuses=statuses or None,
        hours=int(hours or 24),
        area_code=scope.area_code,
    )
    patch = Patch()
    due = due_of(incidents, to_ms(now))
    patch["data"][HEAT]["lat"] = heat["lat"].round(5).tolist()
    patch["data"][HEAT]["lon"] = heat["lon"].round(5).tolist()
    patch["data"][HEAT]["visible"] = "heat" in layers
    patch["data"][POINTS]["ids"] = incidents["incident_id"].tolist()
    patch["data"][POINTS]["customdata"] = incidents["incident_id"].tolist()
    patch["data"][POINTS]["lat"] = incidents["lat"].round(6).tolist()
    patch["data"][POINTS]["lon"] = incidents["lon"].round(6).tolist()
    patch["data"][POINTS]["marker"]["color"] = [
        STATE_COLOURS.get(s, "#9fb3c8") for s in incidents["status"]
    ]
    patch["data"][POINTS]["visible"] = "points" in layers
    halo = [i for i, d in enumerate(due) if d]
    patch["data"][HALO]["ids"] = incidents["incident_id"].iloc[halo].tolist()
    patch["data"][HALO]["lat"] = incidents["lat"].iloc[halo].round(6).tolist()
    patch["data"][HALO]["lon"] = incidents["lon"].iloc[halo].round(6).tolist()
    patch["data"][HALO]["marker"]["color"] = [DUE_COLOURS[due[i]] for i in halo]
    patch["data"][HALO]["visible"] = "halo" in layers
    for k in range(len(GRID_CLASSES)):
        patch["layout"]["map"]["layers"][k]["visible"] = "choropleth" in layers
    patch["layout"]["map"]["layers"][len(GRID_CLASSES)]["visible"] = "buildings" in layers
    return patch, incident_table(incidents.head(TABLE_ROWS), due, ctx.names(), scope, lang)


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


@callback(
    Output(ids.DESK_MAP, "figure"),
    Output(ids.DESK_TABLE, "children"),
    Input(ids.DESK_LAYERS, "value"),
    Input(ids.DESK_CATEGORY, "value"),
    Input(ids.DESK_STATUS, "value"),
    Input(ids.DESK_WINDOW, "value"),
    State(ids.DESK_LANG, "value"),
)
def _desk(layers, categories, statuses, hours, lang):
    return desk_update(layers or [], categories, statuses, hours, lang_of(lang))


def export_href(
    fmt: str | None, at: str | None, categories: list[str] | None, statuses: list[str] | None
) -> str:
    """The export link for the desk's filters (the server checks and scopes it again)."""
    from urllib.parse import urlencode

    params = {
        "at": at or "",
        "category": ",".join(categories or []),
        "status": ",".join(statuses or []),
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return f"/export/{fmt or 'incidents.gpkg'}" + (f"?{query}" if query else "")


@callback(
    Output(ids.DESK_EXPORT_LINK, "href"),
    Input(ids.DESK_EXPORT_FORMAT, "value"),
    Input(ids.DESK_EXPORT_AT, "value"),
    Input(ids.DESK_CATEGORY, "value"),
    Input(ids.DESK_STATUS, "value"),
)
def _export_link(fmt, at, categories, statuses):
    return export_href(fmt, at, categories, statuses)


# the language switch reloads the page in the other language (?lang=…)
clientside_callback(
    """function (lang) {
        const params = new URLSearchParams(window.location.search);
        if ((params.get('lang') || 'zh') !== lang) {
            params.set('lang', lang);
            window.location.search = params.toString();
        }
        return window.dash_clientside.no_update;
    }""",
    Output(ids.DESK_LANG, "title"),
    Input(ids.DESK_LANG, "value"),
    prevent_initial_call=True,
)
