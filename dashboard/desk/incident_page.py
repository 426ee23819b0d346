"""The page of one incident (``/incident/<id>``): where it is on the map, what the caller may
do with it now (:mod:`.actions`), its facts, photos and whole history; and the page of one
building (``/building/<id>``): its ledger (households, population, its watcher) and the
incidents at or near it. Both on the desk's frame, in the caller's area only."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, dcc, html

from gridmap.dashboard.desk import ids
from gridmap.dashboard.desk.actions import action_panel, photo_bytes, take_action
from gridmap.dashboard.desk.area import (
    BUILDING_PATH,
    INCIDENT_PATH,
    building_view,
    crumbs,
    incident_view,
    map_target,
    own_area_code,
)
from gridmap.dashboard.desk.detail import incident_detail, photo_strip
from gridmap.dashboard.desk.page import frame, not_found
from gridmap.dashboard.desk.panels import breadcrumbs
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import AppContext, get_context
from gridmap.dashboard.shared.i18n import lang_of, name_of, t
from gridmap.dashboard.shared.inputs import InputError, choice, mapping, optional_text
from gridmap.domain.access import Scope
from gridmap.domain.categories import SUBCATEGORY_NAMES
from gridmap.domain.times import epoch_ms
from gridmap.domain.workflow import ACTIONS, STATES
from gridmap.feed.photos import PhotoError

#: Days back the incidents near a building are listed.
NEAR_DAYS = 180


def incident_layout(incident_id: str | None = None, lang: str | None = None, **_query):
    """The page of incident ``incident_id`` in the caller's area."""
    lang = lang_of(lang)
    ctx = get_context()
    scope = current_scope()
    row = incident_view(ctx, scope, incident_id)
    if row is None:
        return not_found(lang)
    target = map_target(ctx, scope, INCIDENT_PATH.format(row["incident_id"]))
    side, below = incident_parts(ctx, scope, row["incident_id"], lang)
    return frame(
        ctx,
        scope,
        lang,
        title=row["incident_id"],
        steps=breadcrumbs(crumbs(ctx, scope, target.area, lang), tail=row["incident_id"]),
        figures=None,
        target=target,
        side=[html.Div(side, id=ids.INCIDENT_SIDE)],
        below=html.Div(below, id=ids.INCIDENT_BELOW, className="desk-below incident-below"),
        page={"kind": "incident", "key": row["incident_id"]},
        aside=False,
    )


def incident_parts(ctx: AppContext, scope: Scope, incident_id: str, lang: str) -> tuple:
    """The incident page's side (what the caller may do now, and a message line) and its
    lower part (facts, photos, history)."""
    row = incident_view(ctx, scope, incident_id)
    if row is None:
        return [not_found(lang)], []
    photos = ctx.store.photos_of([incident_id])
    side = [
        html.Div(id=ids.ACT_MESSAGE, className="act-message", role="status"),
        action_panel(ctx, row, scope, lang),
    ]
    below = [
        incident_detail(ctx.store, incident_id, scope, ctx.names(), lang, link=False),
        html.Div(
            [html.H5(t("photos", lang)), photo_strip(photos, lang)]
            if photos
            else [html.H5(t("photos", lang)), html.P(t("photos_none", lang))],
            className="incident-photos",
        ),
    ]
    return side, below


def building_layout(building_id: str | None = None, lang: str | None = None, **_query):
    """The page of building ``building_id``: its ledger and the incidents at or near it."""
    lang = lang_of(lang)
    ctx = get_context()
    scope = current_scope()
    row = building_view(ctx, scope, building_id)
    if row is None:
        return not_found(lang)
    grid = row.get("grid_code") or own_area_code(ctx, scope)
    props = row["props"]
    facts = [
        (t("fld_floors", lang), row.get("floors")),
        (t("fld_households", lang), row.get("households")),
        (t("fld_population", lang), row.get("population")),
        (t("watcher", lang), scope.field("watcher", props.get("watcher"))),
        (t("phone", lang), scope.field("watcher_phone", props.get("watcher_phone"))),
    ]
    now_ms = epoch_ms(ctx.now())
    near = ctx.store.incidents_near(grid, row["bounds"], since_ms=now_ms - NEAR_DAYS * 86_400_000)
    items = []
    for r in near.to_dict("records"):
        sub = SUBCATEGORY_NAMES.get(r["subcategory"], ("", ""))[1 if lang == "en" else 0]
        items.append(
            html.Li(
                [
                    dcc.Link(r["incident_id"], href=INCIDENT_PATH.format(r["incident_id"])),
                    f" {sub} · {name_of(STATES[r['status']], lang)} · ",
                    html.Span(f"{r['reported_at'].tz_convert('Asia/Shanghai'):%Y-%m-%d}"),
                ]
            )
        )
    name = row.get("name") or row["building_id"]
    side = [
        html.Div(
            [
                html.H4(name),
                html.Dl(
                    [
                        part
                        for label, value in facts
                        for part in (html.Dt(label), html.Dd("—" if value in (None, "") else value))
                    ],
                    className="ledger-facts",
                    id="building-facts",
                ),
            ],
            className="side-panel",
        ),
        html.Div(
            [
                html.H4(t("near_incidents", lang).format(NEAR_DAYS, len(near))),
                html.Ol(items) if items else html.P(t("near_none", lang)),
            ],
            className="side-panel",
            id="building-incidents",
        ),
    ]
    return frame(
        ctx,
        scope,
        lang,
        title=name,
        steps=breadcrumbs(crumbs(ctx, scope, grid, lang), tail=name),
        figures=None,
        target=map_target(ctx, scope, BUILDING_PATH.format(row["building_id"])),
        side=side,
        below=None,
        page={"kind": "building", "key": row["building_id"]},
        aside=False,
    )


def _act(clicks, note, deadline, unit, contents, state, lang):
    """A button of the action panel was pressed: take its action, then show the incident
    again with a message."""
    triggered = dash.ctx.triggered_id
    if clicks is not None and not isinstance(clicks, list):
        raise InputError("clicks", "the buttons' clicks are a list")
    if not isinstance(triggered, dict) or not any(clicks or []):
        raise dash.exceptions.PreventUpdate
    lang = lang_of(lang)
    action = choice(triggered.get("action"), "action", ACTIONS)
    state = mapping(state, "state")
    expected = choice(state.get("state"), "state", STATES)
    incident = optional_text(state.get("incident"), "incident", limit=64)
    note = optional_text(note, "note", limit=1000)
    deadline = optional_text(deadline, "deadline", limit=40)
    unit = optional_text(unit, "unit", limit=100)
    ctx = get_context()
    scope = current_scope()
    row = incident_view(ctx, scope, incident)
    if row is None:
        raise InputError("incident", "no such incident in your area")
    try:
        photo = photo_bytes(contents)
    except PhotoError as exc:
        return html.P(exc.message, className="bad"), dash.no_update, dash.no_update
    outcome = take_action(
        ctx,
        scope,
        row,
        action=action,
        expected=expected,
        note=note,
        deadline=deadline,
        unit=unit,
        photo=photo,
        lang=lang,
    )
    side, below = incident_parts(ctx, scope, row["incident_id"], lang)
    side[0] = html.Div(
        outcome.message,
        id=ids.ACT_MESSAGE,
        className="act-message " + ("ok" if outcome.ok else "bad"),
        role="status",
    )
    return dash.no_update, side, below


def register(app: dash.Dash) -> None:
    """The pages at ``/incident/<id>`` and ``/building/<id>`` and the action callback."""
    if f"{__name__}.incident" not in dash.page_registry:
        dash.register_page(
            f"{__name__}.incident",
            path_template="/incident/<incident_id>",
            title="网格化管理 · 事件",
            layout=incident_layout,
        )
        dash.register_page(
            f"{__name__}.building",
            path_template="/building/<building_id>",
            title="网格化管理 · 楼栋",
            layout=building_layout,
        )
    app.callback(
        Output(ids.ACT_MESSAGE, "children"),
        Output(ids.INCIDENT_SIDE, "children"),
        Output(ids.INCIDENT_BELOW, "children"),
        Input({"type": ids.ACT_BUTTON, "action": ALL}, "n_clicks"),
        State(ids.ACT_NOTE, "value"),
        State(ids.ACT_DEADLINE, "value"),
        State(ids.ACT_UNIT, "value"),
        State(ids.ACT_PHOTO, "contents"),
        State(ids.ACT_STATE, "data"),
        State(ids.DESK_LANG, "value"),
        prevent_initial_call=True,
    )(_act)
    app.callback(
        Output(ids.ACT_PHOTO_NAME, "children"),
        Input(ids.ACT_PHOTO, "filename"),
        prevent_initial_call=True,
    )(lambda name: name if isinstance(name, str) and len(name) < 200 else "")
