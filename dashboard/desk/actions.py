"""The incident loop in the browser: the buttons of the actions the caller may take now, and
taking one.

Only actions legal from the incident's state and allowed to the caller's role are offered
(:func:`gridmap.domain.workflow.role_actions`; a street office or community acts only on what
was dispatched to one of its units). A return or a void needs a reason, an extension a new
deadline, a dispatch a unit (the routing table's suggestion preselected); any action may carry
a photo. The action goes through the intake's own rules (the same as the events API): an
event with the user as actor, and the state the page showed as ``if_state``, so a page that
had not seen someone else's action gets a clear message instead of overwriting it.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from typing import Any

from dash import dcc, html

from gridmap.dashboard.desk import ids
from gridmap.dashboard.shared.context import AppContext
from gridmap.dashboard.shared.i18n import name_of, t
from gridmap.domain.access import Scope
from gridmap.domain.areas import lies_in
from gridmap.domain.routing import route, unit_area, units_of
from gridmap.domain.workflow import (
    ACTIONS,
    FIELD_ROLES,
    NEEDS_DEADLINE,
    NEEDS_REASON,
    NEEDS_UNIT,
    STATES,
    StaleStateError,
    TransitionError,
    role_actions,
)
from gridmap.feed.photos import MAX_PHOTO_BYTES, PhotoError
from gridmap.feed.service import RequestError
from gridmap.feed.store import ConflictError, NotFoundError

#: Actions whose button is drawn as the main one (the rest plain; void and return as a warning).
PRIMARY = frozenset({"accept", "dispatch", "start", "handle", "verify", "close"})
WARNING = frozenset({"return", "void"})


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of an action: ``ok`` and the message to show (in the page's language)."""

    ok: bool
    message: str


def own_unit(row: dict[str, Any], scope: Scope, names: dict[str, str]) -> bool:
    """Whether the incident was dispatched to a unit of the caller's own area (what a street
    office or community may act on)."""
    if scope.role not in FIELD_ROLES:
        return True
    area = unit_area(
        row.get("department"),
        (row.get("street_code"), names.get(row.get("street_code") or "")),
        (row.get("community_code"), names.get(row.get("community_code") or "")),
    )
    return bool(area) and lies_in(area, scope.area_code)


def allowed_now(row: dict[str, Any], scope: Scope, names: dict[str, str]) -> list[str]:
    """The actions the caller may take on the incident now."""
    return role_actions(scope.role, row["status"], own_unit=own_unit(row, scope, names))


def dispatch_units(ctx: AppContext, row: dict[str, Any]) -> tuple[list[str], str | None]:
    """The units the incident may be dispatched to, and the routing table's suggestion."""
    names = ctx.names()
    street = row.get("street_code")
    communities = (
        [name for _code, name in ctx.store.child_areas(street, "community")] if street else []
    )
    own = names.get(row.get("community_code") or "")
    if own in communities:  # the incident's own community first
        communities.remove(own)
        communities.insert(0, own)
    units = units_of(names.get(street or ""), communities)
    try:
        suggested = route(row["subcategory"], names.get(street or ""), own)
    except KeyError:
        suggested = None
    return units, suggested if suggested in units else None


def action_panel(ctx: AppContext, row: dict[str, Any], scope: Scope, lang: str) -> html.Div:
    """The buttons and inputs of the actions the caller may take now (or a line saying
    there are none, and why)."""
    names = ctx.names()
    allowed = allowed_now(row, scope, names)
    state = {"incident": row["incident_id"], "state": row["status"]}
    if not allowed:
        reason = (
            "act_none_unit"
            if scope.role in FIELD_ROLES
            and not own_unit(row, scope, names)
            and STATES[row["status"]].is_open
            else "act_none"
        )
        return html.Div(
            [
                html.P(t(reason, lang), className="act-none"),
                dcc.Store(id=ids.ACT_STATE, data=state),
            ],
            className="act-panel",
        )
    # every input is drawn (hidden when no action here needs it): the callback reads them all
    units, suggested = (
        dispatch_units(ctx, row)
        if any(a in NEEDS_UNIT for a in allowed)
        else (
            [],
            None,
        )
    )
    inputs: list[Any] = [
        html.Div(
            [
                html.Label(t("act_unit", lang), htmlFor=ids.ACT_UNIT),
                dcc.Dropdown(
                    id=ids.ACT_UNIT,
                    options=[{"label": u, "value": u} for u in units],
                    value=suggested,
                    clearable=False,
                ),
            ],
            hidden=not units,
        ),
        html.Div(
            [
                html.Label(t("act_deadline", lang), htmlFor=ids.ACT_DEADLINE),
                dcc.Input(id=ids.ACT_DEADLINE, type="datetime-local"),
            ],
            hidden=not any(a in NEEDS_DEADLINE for a in allowed),
        ),
    ]
    inputs += [
        html.Label(t("act_note", lang), htmlFor=ids.ACT_NOTE),
        dcc.Textarea(id=ids.ACT_NOTE, maxLength=1000, placeholder=t("act_note_hint", lang)),
        dcc.Upload(
            id=ids.ACT_PHOTO,
            children=html.Div(t("act_photo", lang)),
            accept="image/jpeg,image/png,image/webp",
            max_size=MAX_PHOTO_BYTES,
            className="act-photo",
        ),
        html.Div(id=ids.ACT_PHOTO_NAME, className="act-photo-name"),
    ]
    buttons = [
        html.Button(
            name_of(ACTIONS[a], lang),
            id={"type": ids.ACT_BUTTON, "action": a},
            className="act-btn" + (" primary" if a in PRIMARY else " warn" if a in WARNING else ""),
        )
        for a in allowed
    ]
    return html.Div(
        [
            html.H4(t("act_title", lang)),
            *inputs,
            html.Div(buttons, className="act-buttons"),
            dcc.Store(id=ids.ACT_STATE, data=state),
        ],
        className="act-panel",
    )


def photo_bytes(contents: Any) -> bytes | None:
    """The bytes of a picked file (``dcc.Upload``'s ``data:…;base64,…``), ``None`` if none.

    Raises
    ------
    PhotoError
        For contents that are not a base64 data URL.
    """
    if not contents:
        return None
    if not isinstance(contents, str) or "," not in contents or len(contents) > MAX_PHOTO_BYTES * 2:
        raise PhotoError(413 if isinstance(contents, str) else 400, "not a picked file")
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise PhotoError(400, "the picked file did not arrive whole") from None


def take_action(
    ctx: AppContext,
    scope: Scope,
    row: dict[str, Any],
    *,
    action: str,
    expected: str,
    note: str | None,
    deadline: str | None,
    unit: str | None,
    photo: bytes | None,
    lang: str,
) -> Outcome:
    """Take ``action`` on the incident ``row`` as the caller, the page having shown it in
    state ``expected``; nothing is changed unless everything is right."""
    names = ctx.names()
    if row["status"] != expected:
        return Outcome(False, _stale(row["status"], lang))
    if action not in allowed_now(row, scope, names):
        return Outcome(False, t("act_not_allowed", lang).format(name_of(ACTIONS[action], lang)))
    if action in NEEDS_REASON and not (note or "").strip():
        return Outcome(False, t("act_needs_reason", lang))
    if action in NEEDS_DEADLINE and not deadline:
        return Outcome(False, t("act_needs_deadline", lang))
    if action in NEEDS_UNIT:
        units, _suggested = dispatch_units(ctx, row)
        if unit not in units:
            return Outcome(False, t("act_needs_unit", lang))
    service = ctx.service
    assert service is not None
    payload = {
        "action": action,
        "note": note,
        "deadline": deadline if action in NEEDS_DEADLINE else None,
        "department": unit if action in NEEDS_UNIT else None,
        "actor": scope.user,
        "if_state": expected,
    }
    try:
        picture = service.check_photo(photo) if photo else None
        event = service.parse_event(payload, incident_id=row["incident_id"], client=scope.user)
        service.apply_events([event])
        if picture is not None:
            service.attach_photo(
                row["incident_id"], picture, action=action, at=event["at"], actor=scope.user
            )
    except StaleStateError:
        now = ctx.store.get_incident(row["incident_id"]) or row
        return Outcome(False, _stale(now["status"], lang))
    except PhotoError as exc:
        return Outcome(False, f"{t('act_photo_refused', lang)}: {exc.message}")
    except (RequestError, TransitionError, ConflictError, NotFoundError) as exc:
        return Outcome(False, str(exc))
    return Outcome(True, t("act_done", lang).format(name_of(ACTIONS[action], lang)))


def _stale(state: str, lang: str) -> str:
    return t("act_stale", lang).format(name_of(STATES[state], lang))
