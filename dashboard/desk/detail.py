"""The desk's drill-down: click an incident on the map to see it and its whole workflow
history (who, when, from, to, note, department), in the caller's area only, with personal data
as the caller's role may read it."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import dcc, html

from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.i18n import lang_of, name_of, t
from gridmap.dashboard.shared.inputs import InputError, mapping
from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.domain.identifiers import is_valid_id
from gridmap.domain.sla import due_status
from gridmap.domain.workflow import ACTIONS, STATES
from gridmap.feed.store import SQLStore


def incident_detail(
    store: SQLStore,
    incident_id: str,
    scope: Scope,
    names: dict[str, str],
    lang: str = "zh",
    *,
    link: bool = True,
) -> html.Div:
    """The panel of one incident: its facts, its photos and its whole history (each photo
    under the event it came with); an incident outside ``scope`` is as unknown as a missing
    one (its existence is not the caller's business). ``link``: with a link to its page."""
    row = store.get_incident(incident_id) if incident_id else None
    if row is None or not scope.allows(row):
        return html.Div(t("no_incident", lang), className="detail-empty")
    events = store.get_events(incident_id)
    photos = store.photos_of([incident_id])
    sub = SUBCATEGORY_NAMES.get(row["subcategory"], ("", ""))[1 if lang == "en" else 0]
    category = CATEGORY_BY_CODE.get(row["category"])
    due = ""  # a closed incident (no deadline) is neither near-due nor overdue
    if _present(row["deadline"]) and _present(row["stage_entered_at"]):
        due = due_status(
            pd.Series([pd.Timestamp(row["deadline"])]),
            pd.Series([pd.Timestamp(row["stage_entered_at"])]),
            pd.Timestamp.now(tz="UTC"),
        )[0]
    place = " · ".join(
        names.get(code, code)
        for code in (row.get("street_code"), row.get("community_code"))
        if code
    )
    facts = [
        (t("col_category", lang), f"{name_of(category, lang) if category else ''} · {sub}"),
        (t("col_status", lang), name_of(STATES[row["status"]], lang)),
        (
            t("col_due", lang),
            _time(row["deadline"])
            + (f" ({t(due, lang)})" if due in ("overdue", "near_due") else ""),
        ),
        (t("col_reported", lang), _time(row["reported_at"])),
        (t("col_street", lang), f"{place} · {row.get('grid_code') or '—'}"),
        (t("department", lang), row.get("department") or "—"),
        (t("col_description", lang), scope.text(row.get("description")) or "—"),
    ]
    title: Any = row["incident_id"]
    if link:
        title = dcc.Link(f"{row['incident_id']} ›", href=f"/incident/{row['incident_id']}")
    return html.Div(
        [
            html.H4(title),
            html.Dl([part for label, value in facts for part in (html.Dt(label), html.Dd(value))]),
            html.H5(t("history", lang)),
            html.Ol(
                [_event_item(e, scope, lang, photos) for e in events.to_dict("records")],
                className="timeline",
            ),
        ],
        className="detail-body",
    )


def photo_strip(photos: list[dict[str, Any]], lang: str) -> html.Div:
    """Thumbnails of photos, each opening the photo (served only to callers of its area)."""
    return html.Div(
        [
            html.A(
                html.Img(
                    src=f"/photos/{p['sha256']}.thumb.jpg",
                    alt=t(f"photo_{_stage(p['action'])}", lang),
                    title=t(f"photo_{_stage(p['action'])}", lang),
                ),
                href=f"/photos/{p['sha256']}.{p['ext']}",
                target="_blank",
                rel="noopener",
                className="photo",
            )
            for p in photos
        ],
        className="photos",
    )


def _stage(action: str) -> str:
    """Which photo a photo is, by the action it came with: the report's, before handling
    (sent with a start or earlier), after handling (with a handle or later)."""
    if action == "report":
        return "report"
    return "after" if action in ("handle", "verify", "close") else "before"


def _event_item(
    event: dict[str, Any], scope: Scope, lang: str, photos: list[dict[str, Any]] = ()
) -> html.Li:
    action = ACTIONS.get(event["action"])
    to_state = STATES.get(event["to_state"])
    parts = [
        html.Span(_time(event["at"]), className="ev-time"),
        html.B(name_of(action, lang) if action else event["action"]),
        html.Span(f" → {name_of(to_state, lang)}" if to_state else ""),
        html.Span(
            f" · {event['actor']}" if _present(event.get("actor")) else "", className="ev-actor"
        ),
        html.Span(f" · {event['department']}" if _present(event.get("department")) else ""),
    ]
    if _present(event.get("note")):
        parts.append(html.Div(scope.text(event["note"]), className="ev-note"))
    at = int(pd.Timestamp(event["at"]).value // 1_000_000)
    mine = [
        p
        for p in photos
        if p["action"] == event["action"] and (p["at"] == at or p["action"] == "report")
    ]
    if mine:
        parts.append(photo_strip(mine, lang))
    return html.Li(parts)


def _present(value) -> bool:
    """Whether a field holds something (not ``None``, NaN, NaT or empty text)."""
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) and value != ""


def _time(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{pd.Timestamp(value).tz_convert('Asia/Shanghai'):%m-%d %H:%M}"


def show_detail(clicked, lang):
    """The detail panel for a map click (the callback of the desk's map)."""
    ctx = get_context()
    incident = clicked_incident(clicked)
    return incident_detail(ctx.store, incident, current_scope(), ctx.names(), lang_of(lang))


def clicked_incident(clicked: Any) -> str | None:
    """The incident id a map click carries (``{"incident_id": id}``, which
    ``assets/desk-map.js`` puts in the click store), or ``None`` when it carries none; a value
    of another shape is a 400 naming the store."""
    if clicked is None:
        return None
    data = mapping(clicked, "clicked").get("incident_id")
    if data is None or data == "":
        return None
    if not is_valid_id(data):
        raise InputError("clicked", "incident_id is not an incident id")
    return data
