"""The desk page (``/``): the same map, light and dense, with the layer catalogue's switches,
the figure the areas are coloured by, legend, filters (category, status, time window) and a
table of the incidents shown."""

from __future__ import annotations

import json

import dash
from dash import dcc, html

from gridmap.dashboard.desk import ids
from gridmap.dashboard.desk.data import EXPORTS, WINDOWS
from gridmap.dashboard.desk.layers import (
    DEFAULT_HOURS,
    desk_legend,
    desk_map_layers,
    desk_specs,
    figure_options,
    layer_options,
)
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of, name_of, t
from gridmap.dashboard.shared.mapview import DESK_THEME
from gridmap.domain.access import ROLES
from gridmap.domain.categories import CATEGORIES, SUBCATEGORY_NAMES
from gridmap.domain.workflow import STATES
from gridmap.layers.spec import CHOROPLETH_FIGURES


def layout(lang: str | None = None, **_query) -> html.Div:
    """Build the page for the caller's area (called per page load, never at import);
    ``?lang=en`` shows it in English."""
    lang = lang_of(lang)
    ctx = get_context()
    scope = current_scope()
    _center, _zoom, district = ctx.area_view(scope)
    return html.Div(
        [
            html.Header(
                [
                    html.H1(f"{district} · {t('desk_title', lang)}"),
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
            html.Div(
                [
                    html.Aside(
                        [
                            html.H4(t("layers", lang)),
                            # the layer catalogue's switches; shown at first what its specs
                            # say (heat off: at desk zoom it hides the map)
                            dcc.Checklist(
                                id=ids.DESK_LAYERS,
                                options=layer_options(lang),
                                value=[spec.id for spec in desk_specs() if spec.visible],
                            ),
                            html.H4(t("area_figure", lang)),
                            dcc.RadioItems(
                                id=ids.DESK_FIGURE, options=figure_options(lang), value="open"
                            ),
                            html.Div(
                                desk_legend(lang, "open"),
                                id=ids.DESK_LEGEND,
                                className="desk-legend",
                            ),
                            html.H4(t("category", lang)),
                            dcc.Dropdown(
                                id=ids.DESK_CATEGORY,
                                multi=True,
                                placeholder=t("all", lang),
                                options=[
                                    {"label": name_of(c, lang), "value": c.code} for c in CATEGORIES
                                ],
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
                            ),
                            html.H4(t("window", lang)),
                            dcc.RadioItems(
                                id=ids.DESK_WINDOW,
                                options=[{"label": t(k, lang), "value": v} for k, v in WINDOWS],
                                value=DEFAULT_HOURS,
                            ),
                            _export_panel(lang),
                        ],
                        className="desk-aside",
                    ),
                    html.Div(
                        [
                            # MapLibre's own map, made here by assets/desk-map.js: the area
                            # whole (its bounds), the catalogue's layers as the desk draws them
                            html.Div(
                                id=ids.DESK_MAP,
                                className="desk-map",
                                **{
                                    "data-style": f"/map-style/{DESK_THEME['name']}.json",
                                    "data-layers": json.dumps(
                                        desk_map_layers("open"), ensure_ascii=False
                                    ),
                                    "data-bounds": json.dumps(ctx.area_bounds(scope)),
                                    "data-words": json.dumps(map_words(lang), ensure_ascii=False),
                                },
                            ),
                            dcc.Store(id=ids.DESK_VIEW),
                            dcc.Store(id=ids.DESK_CLICKED),
                            html.Div(
                                t("click_hint", lang), id=ids.DESK_DETAIL, className="desk-detail"
                            ),
                        ],
                        className="desk-center",
                    ),
                ],
                className="desk-body",
            ),
            html.Div(id=ids.DESK_TABLE, className="desk-table"),
        ],
        className="desk",
        lang=lang,
    )


def map_words(lang: str) -> dict[str, dict[str, str]]:
    """What the map's tooltips say, in ``lang``: names of states, categories, subcategories,
    due marks, figures and fields."""
    return {
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


def _who(scope, auth: bool, lang: str) -> html.Span:
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
    """Make this the page at ``/`` (once per process: the page registry is Dash's own)."""
    if __name__ not in dash.page_registry:
        dash.register_page(__name__, path="/", title="网格化管理 · 一张图", layout=layout)
