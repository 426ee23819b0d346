"""Identifiers accepted from outside (incident ids, the sender's ``client_event_id``): one
character set for all of them, so an id can be written into a URL, a file name, a spreadsheet
or a web page as it is, and never carries markup.

An identifier is 1–64 characters: letters A–Z and a–z, digits, and ``-``, ``_``, ``.``, ``:``,
beginning with a letter or digit.
"""

from __future__ import annotations

import re

#: The longest identifier accepted, characters.
MAX_ID_LENGTH = 64
#: What an identifier may hold (as the README documents it).
ID_CHARACTERS = "letters, digits and - _ . : (starting with a letter or digit)"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_.:]*")


def is_valid_id(value: object) -> bool:
    """Whether ``value`` is an identifier of the documented set (see the module)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_LENGTH
        and _ID.fullmatch(value) is not None
    )


def id_problem(value: str) -> str | None:
    """Why ``value`` is not an identifier (a message naming the rule), or ``None``."""
    if is_valid_id(value):
        return None
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long; at most {MAX_ID_LENGTH}"
    return f"may hold only {ID_CHARACTERS}; got {value[:40]!r}"
