"""What callbacks receive from the browser, checked: a replayed or crafted callback request
with a wrong value gets a 400 naming the input, never a 500 or a silent guess.

Callbacks call these checks on their inputs; :func:`install_input_errors` turns the
:class:`InputError` they raise into the 400 answer, and refuses callback requests of another
shape than the browser sends before Dash reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dash
from dash.exceptions import CallbackException, DependencyException, PreventUpdate
from flask import Response, jsonify, request


def refusal(status: int, field: str, message: str) -> Response:
    """The dashboard's answer to a request it refuses: ``{"field", "error"}`` as JSON, the
    field naming what is wrong (the intake API answers in Open311's list form instead)."""
    response = jsonify({"field": field, "error": message})
    response.status_code = status
    return response


class InputError(ValueError):
    """A callback input the server does not accept; ``field`` names it (HTTP 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def install_input_errors(app: dash.Dash) -> None:
    """Answer bad callback requests with a 400 (:func:`refusal`):
    :class:`InputError` from our callbacks, and, before Dash reads them, callback requests
    of another shape than the browser sends (Dash would fail on them with a 500). A script
    path Dash does not serve is a 404."""
    server = app.server
    refuse = refusal

    @server.errorhandler(InputError)
    def _bad_input(exc: InputError):
        return refuse(400, exc.field, exc.message)

    @server.errorhandler(RecursionError)
    def _too_deep(_exc: RecursionError):
        return refuse(400, "body", "is nested too deeply")

    @server.errorhandler(DependencyException)
    def _no_such_script(_exc: DependencyException):
        return refuse(404, "path", "no such script")

    @server.errorhandler(CallbackException)
    def _does_not_fit(exc: CallbackException):
        # Dash's own word that a request does not fit its callback ("Inputs do not match
        # callback definition"): the request is bad, not the server
        if isinstance(exc, PreventUpdate):
            return "", 204
        return refuse(400, "inputs", str(exc)[:200])

    @server.before_request
    def _check_callback_request():
        if request.endpoint != "/_dash-update-component" or request.method != "POST":
            return None
        try:
            check_callback_body(request.get_json(silent=True), app.callback_map)
        except InputError as exc:
            return refuse(400, exc.field, exc.message)
        return None


#: Properties of Dash's own location component (its page routing), which Dash reads as text.
_LOCATION_PROPS = ("pathname", "search", "hash", "href")


def check_callback_body(body: Any, callbacks: Mapping[str, Any]) -> None:
    """Raise :class:`InputError` unless ``body`` has the shape of a callback request the
    browser sends, for one of ``callbacks`` (the app's callback map)."""
    if not isinstance(body, dict):
        raise InputError("body", "must be a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        raise InputError("output", "is not a callback of this page")
    outputs = body.get("outputs")
    if not isinstance(outputs, (dict, list)) or not all(
        _is_prop(o) for o in (outputs if isinstance(outputs, list) else [outputs])
    ):
        raise InputError("outputs", "must be objects with an id and a property")
    for field in ("inputs", "state"):
        items = body.get(field, [])
        if not isinstance(items, list):
            raise InputError(field, "must be a list")
        for item in items:
            for one in item if isinstance(item, list) else [item]:  # wildcards: lists
                if not _is_prop(one):
                    raise InputError(field, "must be objects with an id and a property")
                if one["property"] in _LOCATION_PROPS and not isinstance(
                    one.get("value"), (str, type(None))
                ):
                    raise InputError(field, f"{one['property']} must be text")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise InputError("changedPropIds", "must be a list of strings")


def _is_prop(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), (str, dict))
        and isinstance(item.get("property"), str)
    )


def text_list(value: Any, field: str, allowed: Iterable[str] | None = None) -> list[str]:
    """A list of strings (``None`` is empty), each among ``allowed`` if given."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(field, "must be a list of strings")
    if allowed is not None:
        known = set(allowed)
        unknown = [v for v in value if v not in known]
        if unknown:
            unknown = [v[:40] for v in unknown[:5]]
            raise InputError(field, f"unknown {unknown}; allowed: {sorted(known)}")
    return value


def choice(value: Any, field: str, allowed: Iterable[Any], default: Any = None) -> Any:
    """``value`` if it is one of ``allowed`` (``None`` gives ``default``)."""
    options = list(allowed)
    if value is None and default is not None:
        return default
    if isinstance(value, (dict, list)) or value not in options:
        raise InputError(field, f"unknown {str(value)[:40]!r}; allowed: {options}")
    return value


def mapping(value: Any, field: str) -> dict[str, Any]:
    """A JSON object (``None`` is empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(field, "must be an object")
    return value


def optional_text(value: Any, field: str, limit: int = 100) -> str | None:
    """A short string, or ``None``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InputError(field, f"must be text of at most {limit} characters")
    return value
