"""Times sent by users and systems: one parser for every API field, export and filter.

Only ISO 8601 is accepted (``2026-11-25``, ``2026-11-25T10:30``, ``2026-11-25 10:30:00``,
with ``Z`` or an offset such as ``+08:00``); a time without a zone is local time of the
district. Words (``now``, ``today``), bare numbers and dates outside :data:`EARLIEST` …
:data:`LATEST` are refused with a message that says what to send: they are mistakes, and
some (``now`` read as the server's zone, year ``-1``) would be silently wrong or crash later.
"""

from __future__ import annotations

import re

import pandas as pd

#: The earliest and latest times accepted (local).
EARLIEST = pd.Timestamp("2000-01-01")
LATEST = pd.Timestamp("2100-01-01")
#: An example of the accepted form, for messages.
EXAMPLE = "2026-11-25T10:30:00+08:00"
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


def epoch_ms(stamp: pd.Timestamp) -> int:
    """A tz-aware time as milliseconds since the Unix epoch (UTC): how the store keeps times."""
    return int(stamp.value // 1_000_000)


class TimeFormatError(ValueError):
    """A time that is not accepted; the message says why and what to send."""


def parse_time(value: object, timezone: str = "Asia/Shanghai") -> pd.Timestamp:
    """``value`` as a tz-aware timestamp (a time without a zone is in ``timezone``).

    Raises
    ------
    TimeFormatError
        For anything but an ISO 8601 date or time between :data:`EARLIEST` and
        :data:`LATEST`.
    """
    text = str(value).strip() if isinstance(value, (str, int, float)) else ""
    if not _ISO.fullmatch(text):
        raise TimeFormatError(f"not an ISO 8601 time: {str(value)[:40]!r} (e.g. {EXAMPLE})")
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        raise TimeFormatError(f"not a valid time: {text[:40]!r} (e.g. {EXAMPLE})") from None
    if stamp is pd.NaT:
        raise TimeFormatError(f"not a valid time: {text[:40]!r}")
    stamp = stamp.tz_localize(timezone) if stamp.tzinfo is None else stamp.tz_convert(timezone)
    local = stamp.tz_localize(None)
    if not EARLIEST <= local < LATEST:
        raise TimeFormatError(f"{text[:40]!r} lies outside {EARLIEST:%Y-%m-%d} … {LATEST:%Y-%m-%d}")
    return stamp
