"""What callbacks receive from the browser, checked: a replayed or crafted callback request
with a wrong value gets a 400 naming the input, never a 500 or a silent guess.

Callbacks call these checks on their inputs; :func:`install_input_errors` turns the
:class:`InputError` they raise into the 400 answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, jsonify


class InputError(ValueError):
    """A callback input the server does not accept; ``field`` names it (HTTP 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def install_input_errors(server: Flask) -> None:
    """Answer :class:`InputError` with a 400 ``[{"code", "field", "description"}]``."""

    @server.errorhandler(InputError)
    def _bad_input(exc: InputError):
        response = jsonify([{"code": 400, "field": exc.field, "description": str(exc)}])
        response.status_code = 400
        return response


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
            raise InputError(field, f"unknown {unknown[:5]}; allowed: {sorted(known)}")
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
