"""The intake HTTP API, as a Flask blueprint served beside the dashboard.

Open311 GeoReport v2 (``/open311/v2/...``, JSON) for incidents, and ``/api/v1/...`` for workflow
events. Everything but the service list needs an API key (``api_key`` parameter or ``X-API-Key``
header; keys are made by ``gridmap apikey add NAME [--area CODE]`` and stored hashed). A key
tied to an area reads and changes only that area's incidents: others are "unknown" to it, and
a new request located outside the area is refused (403). Every refusal is a 4xx JSON body
naming the field.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Blueprint, Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from gridmap.domain.access import AccessError, Scope
from gridmap.domain.categories import CATEGORIES, SUBCATEGORY_NAMES, SUBCATEGORY_TO_CATEGORY
from gridmap.domain.identifiers import id_problem
from gridmap.domain.times import TimeFormatError, parse_time
from gridmap.domain.workflow import TransitionError, open311_status
from gridmap.feed.photos import MAX_PHOTO_BYTES, Photo, PhotoError
from gridmap.feed.service import MAX_BATCH, IntakeService, RequestError, own_id
from gridmap.feed.store import ConflictError, NotFoundError
from gridmap.feed.store.common import now_ms

#: Largest request body accepted, bytes (a multipart body with a photo: the photo's limit and
#: a little room for the form around it).
MAX_BODY = 1_000_000
MAX_MULTIPART_BODY = MAX_PHOTO_BYTES + 256_000
#: Most requests one GET returns.
MAX_LIST = 1000

blueprint = Blueprint("intake", __name__)


def install_api(server: Flask, service_factory) -> None:
    """Register the API on ``server``; ``service_factory()`` gives this thread's service."""
    # the server's own limit fits the largest body any route takes (a photo picked in the
    # browser arrives base64-encoded in a callback); each API request gets its own below
    server.config["MAX_CONTENT_LENGTH"] = max(
        server.config.get("MAX_CONTENT_LENGTH") or 0, MAX_PHOTO_BYTES * 4 // 3 + 1_000_000
    )
    server.json.ensure_ascii = False  # Chinese text as text, not \\u escapes
    server.config["GRIDMAP_SERVICE_FACTORY"] = service_factory
    server.register_blueprint(blueprint)


def _service() -> IntakeService:
    return current_app.config["GRIDMAP_SERVICE_FACTORY"]()


def _error(status: int, field: str, message: str):
    response = jsonify([{"code": status, "field": field, "description": f"{field}: {message}"}])
    response.status_code = status
    return response


@blueprint.before_request
def _body_limit() -> None:
    """A JSON or form body may have :data:`MAX_BODY` bytes; a multipart one (with a photo)
    :data:`MAX_MULTIPART_BODY`."""
    multipart = request.mimetype == "multipart/form-data"
    request.max_content_length = MAX_MULTIPART_BODY if multipart else MAX_BODY


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if exc.code == 413:
        return _error(413, "body", f"larger than {request.max_content_length:,} bytes")
    return _error(exc.code or 400, "request", exc.description or exc.name)


@blueprint.errorhandler(RequestError)
def _request_error(exc: RequestError):
    return _error(400, exc.field, exc.message)


@blueprint.errorhandler(NotFoundError)
def _not_found(exc: NotFoundError):
    return _error(404, "incident_id", str(exc))


@blueprint.errorhandler(ConflictError)
def _conflict(exc: ConflictError):
    return _error(409, "incident", str(exc))


@blueprint.errorhandler(AccessError)
def _forbidden(exc: AccessError):
    return _error(403, exc.field, exc.message)


@blueprint.errorhandler(PhotoError)
def _bad_photo(exc: PhotoError):
    return _error(exc.status, "media", exc.message)


@blueprint.errorhandler(TransitionError)
def _transition(exc: TransitionError):
    return _error(409, "action", str(exc))


def _require_scope() -> Scope:
    key = request_api_key()
    if key is None and _public_read():
        g.scope = PUBLIC_READER
        return PUBLIC_READER
    if key is None and request.is_json:
        body = _json_body()
        key = body.get("api_key") if isinstance(body, dict) else None
    scope = _service().store.api_key_scope(key)
    if scope is None:
        raise _UnauthorizedError()
    g.scope = scope
    return scope


def _check_in_scope(scope: Scope, incident_ids: list[str]) -> None:
    """404 for incidents outside the caller's area, as for unknown ones (their existence is
    not the caller's business)."""
    if scope.column is None or not incident_ids:
        return
    inside = _service().store.incident_ids_in_area(incident_ids, scope.area_code)
    for incident in incident_ids:
        if incident not in inside:
            raise NotFoundError(f"unknown incident {incident[:64]!r}")


def _stored_ids(scope: Scope, sent: list[str]) -> dict[str, str]:
    """The stored id each id of ``sent`` means to the caller.

    A key tied to an area has ids of its own: a request whose id another area already used
    is stored under :func:`~gridmap.feed.service.own_id` (the service), and the sender goes on
    using its id for it. Ids are looked up in the caller's area first as sent, then as its
    own; anything else stays as sent (and answers as unknown)."""
    if scope.column is None or not sent:
        return {i: i for i in sent}
    own = {i: own_id(i, scope.user) for i in sent}
    inside = _service().store.incident_ids_in_area([*sent, *own.values()], scope.area_code)
    return {i: i if i in inside else own[i] if own[i] in inside else i for i in sent}


def _sent_id(scope: Scope, stored: str) -> str:
    """The id the caller knows a stored incident by (see :func:`_stored_ids`)."""
    base, colon, _digest = stored.rpartition(":")
    if colon and scope.column is not None and own_id(base, scope.user) == stored:
        return base
    return stored


def request_api_key() -> str | None:
    """The API key a request carries: ``X-API-Key``, ``?api_key=``, or ``api_key`` in its
    urlencoded or multipart form (as Open311 clients send it)."""
    key = request.headers.get("X-API-Key") or request.args.get("api_key")
    if key is None and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        key = request.form.get("api_key")
    return key


#: The caller of a keyless Open311 read when the setting allows them: the whole district,
#: personal data masked, no photos.
PUBLIC_READER = Scope("public", "planner", None)


def _public_read() -> bool:
    """Whether this request is an Open311 read that the settings allow without a key."""
    settings = current_app.config.get("GRIDMAP_SETTINGS")
    return (
        request.method == "GET"
        and request.path.startswith("/open311/v2/requests")
        and bool(getattr(settings, "open311_public_reads", False))
    )


def _media() -> Photo | None:
    """The photo sent as the ``media`` file of a multipart body, checked and cleaned."""
    if request.mimetype != "multipart/form-data":
        return None
    files = request.files.getlist("media")
    if not files:
        return None
    if len(files) > 1:
        raise RequestError("media", "one photo per request")
    return _service().check_photo(files[0].read(MAX_PHOTO_BYTES + 1))


def _media_urls(rows: list[dict[str, Any]], scope: Scope) -> dict[str, str]:
    """Each incident's first photo as an absolute URL (none for a keyless public reader)."""
    if scope is PUBLIC_READER or not rows:
        return {}
    first: dict[str, str] = {}
    for photo in _service().store.photos_of([r["incident_id"] for r in rows]):
        first.setdefault(photo["incident_id"], f"{photo['sha256']}.{photo['ext']}")
    return {k: f"{request.host_url}photos/{name}" for k, name in first.items()}


class _UnauthorizedError(Exception):
    pass


@blueprint.errorhandler(_UnauthorizedError)
def _unauthorized(_exc):
    return _error(401, "api_key", "missing or invalid API key")


def _payload() -> dict[str, Any]:
    if request.is_json:
        body = _json_body()
        if body is None:
            raise RequestError("body", "is not valid JSON")
        return body
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.to_dict()
    if not request.get_data():
        raise RequestError("body", "is empty")
    raise RequestError("Content-Type", "send application/json or form data")


@blueprint.route("/open311/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@blueprint.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_path(rest: str):
    """Any other path under the API answers a JSON 404 (not the dashboard's page)."""
    return _error(404, "path", f"no such API path or method: {request.method} {request.path[:200]}")


def _json_body() -> Any:
    """The JSON body (``None`` if it is not JSON); nesting too deep to read is a 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise RequestError("body", "is nested too deeply") from None


# --- Open311 ----------------------------------------------------------------------------
def _service_definitions() -> list[dict[str, Any]]:
    return [
        {
            "service_code": code,
            "service_name": name,
            "description": f"{cat.name} · {name}",
            "metadata": False,
            "type": "realtime",
            "keywords": f"{cat.name},{en}",
            "group": cat.name,
        }
        for cat in CATEGORIES
        for code, name, en in cat.subcategories
    ]


@blueprint.get("/open311/v2/services.json")
def services():
    return jsonify(_service_definitions())


@blueprint.get("/open311/v2/services/<code>.json")
def service_definition(code: str):
    if code not in SUBCATEGORY_TO_CATEGORY:
        return _error(404, "service_code", f"unknown service {code!r}")
    return jsonify({"service_code": code, "attributes": []})


@blueprint.post("/open311/v2/requests.json")
def post_request():
    scope = _require_scope()
    payload = _payload()
    if not isinstance(payload, dict):
        raise RequestError("body", "must be a JSON object (one request)")
    photo = _media()  # a bad photo refuses the request before anything is stored
    service = _service()
    row, created = service.submit_request(payload, client=scope.user, scope=scope)
    if photo is not None:
        at = row.get("reported_at")
        service.attach_photo(
            row["incident_id"],
            photo,
            action="report",
            at=int(at) if isinstance(at, (int, float)) else now_ms(),
            actor=scope.user,
        )
    body = [
        {
            "service_request_id": _sent_id(scope, row["incident_id"]),
            "service_notice": "已受理上报",
            "account_id": None,
        }
    ]
    return jsonify(body), 201 if created else 200


def _open311_view(
    row: dict[str, Any], scope: Scope, media: dict[str, str] | None = None
) -> dict[str, Any]:
    def iso(v):
        return None if v is None or pd.isna(v) else pd.Timestamp(v).isoformat()

    return {
        "service_request_id": _sent_id(scope, row["incident_id"]),
        "status": open311_status(row["status"]),
        "status_notes": row["status"],
        "service_name": SUBCATEGORY_NAMES.get(row["subcategory"], (row["subcategory"],))[0],
        "service_code": row["subcategory"],
        # a keyless reader gets no description at all: it is where reporters leave names
        "description": None if scope is PUBLIC_READER else scope.text(row.get("description")),
        "agency_responsible": row.get("department"),
        "requested_datetime": iso(row["reported_at"]),
        "updated_datetime": iso(row.get("stage_entered_at")),
        "expected_datetime": iso(row.get("deadline")),
        "lat": row["lat"],
        "long": row["lon"],
        "address_id": row.get("grid_code"),
        "media_url": (media or {}).get(row["incident_id"]),
    }


@blueprint.get("/open311/v2/requests.json")
def list_requests():
    scope = _require_scope()
    args = request.args
    store = _service().store
    ids = [i for i in (args.get("service_request_id") or "").split(",") if i]
    if len(ids) > MAX_LIST:
        raise RequestError("service_request_id", f"at most {MAX_LIST} ids")
    for value in ids:
        problem = id_problem(value)
        if problem:
            raise RequestError("service_request_id", problem)
    codes = [c for c in (args.get("service_code") or "").split(",") if c]
    unknown = [c for c in codes if c not in SUBCATEGORY_TO_CATEGORY]
    if unknown:
        raise RequestError(
            "service_code",
            f"unknown {[c[:20] for c in unknown[:5]]}; see /open311/v2/services.json for the list",
        )
    if ids:
        stored = _stored_ids(scope, ids)
        rows = [r for r in (store.get_incident(stored[i]) for i in ids) if r and scope.allows(r)]
    else:
        status = args.get("status")
        if status not in (None, "", "open", "closed"):
            raise RequestError("status", "must be open or closed")
        end = _parse_date("end_date", args.get("end_date")) or pd.Timestamp.now(tz="UTC")
        start = _parse_date("start_date", args.get("start_date")) or end - pd.Timedelta(days=90)
        if start > end:
            raise RequestError("start_date", "is after end_date")
        frame = store.list_incidents(
            start_ms=int(start.value // 1_000_000),
            end_ms=int(end.value // 1_000_000),
            service_codes=codes,
            status=status or None,
            limit=MAX_LIST,
            area_code=scope.area_code,
        )
        rows = frame.to_dict("records")
    media = _media_urls(rows, scope)
    return jsonify([_open311_view(r, scope, media) for r in rows])


@blueprint.get("/open311/v2/requests/<incident_id>.json")
def get_request(incident_id: str):
    scope = _require_scope()
    row = _service().store.get_incident(_stored_ids(scope, [incident_id])[incident_id])
    if row is None or not scope.allows(row):
        return _error(404, "service_request_id", f"unknown request {incident_id[:64]!r}")
    return jsonify([_open311_view(row, scope, _media_urls([row], scope))])


def _parse_date(field: str, value: str | None) -> pd.Timestamp | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except TimeFormatError as exc:
        raise RequestError(field, str(exc)) from None


# --- workflow events ------------------------------------------------------------------
@blueprint.post("/api/v1/incidents/<incident_id>/events")
def post_event(incident_id: str):
    scope = _require_scope()
    payload = _payload()
    service = _service()
    event = service.parse_event(payload, incident_id=incident_id, client=scope.user)
    event["incident_id"] = _stored_ids(scope, [incident_id])[incident_id]
    _check_in_scope(scope, [event["incident_id"]])
    photo = _media()
    result = service.apply_events([event])[0]
    if photo is not None:
        service.attach_photo(
            event["incident_id"],
            photo,
            action=event["action"],
            at=event["at"],
            actor=event["actor"],
        )
    result["incident_id"] = incident_id
    return jsonify(result), 200 if result.get("duplicate") else 201


@blueprint.post("/api/v1/events/bulk")
def post_events_bulk():
    scope = _require_scope()
    client = scope.user
    payload = _payload()
    events = payload.get("events") if isinstance(payload, dict) else payload
    if not isinstance(events, list) or not events:
        raise RequestError("events", "must be a non-empty list of events")
    if len(events) > MAX_BATCH:
        raise RequestError("events", f"{len(events)} events; at most {MAX_BATCH} per request")
    service = _service()
    parsed = []
    for pos, item in enumerate(events):
        try:
            parsed.append(service.parse_event(item, client=client))
        except RequestError as exc:
            raise RequestError(f"events[{pos}].{exc.field}", exc.message) from None
    stored = _stored_ids(scope, sorted({e["incident_id"] for e in parsed}))
    for event in parsed:
        event["incident_id"] = stored[event["incident_id"]]
    _check_in_scope(scope, sorted(set(stored.values())))
    results = service.apply_events(parsed)
    for result in results:
        result["incident_id"] = _sent_id(scope, result["incident_id"])
    return jsonify({"accepted": len(results), "results": results}), 201
