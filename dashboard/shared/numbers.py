"""How the screens write a figure and its change against yesterday (the wall's cards and the
desk's figures say them the same way)."""

from __future__ import annotations

import math

from gridmap.dashboard.shared.i18n import t


def is_missing(value) -> bool:
    """Whether a figure has no value (``None`` or NaN: nothing to rate)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def figure_text(value: float | None, kind: str) -> str:
    """A count with thousands separators, a rate (0–1) in percent to one decimal, hours to
    one decimal (``kind``: ``count``, ``rate`` or ``hours``); a dash for none."""
    if is_missing(value):
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "hours":
        return f"{value:.1f} h"
    return f"{int(value):,}"


def change_text(value, before, kind: str, lang: str = "zh") -> str:
    """The change of a figure against yesterday (``before``; ``None``: a figure of now)."""
    if before is None or value is None:
        return t("now", lang)
    if is_missing(value) or is_missing(before):
        return f"{t('vs_yesterday', lang)} —"
    diff = value - before
    arrow = "▲" if diff > 0 else ("▼" if diff < 0 else "＝")
    text = f"{abs(diff) * 100:.1f}{t('points', lang)}" if kind == "rate" else f"{abs(int(diff)):,}"
    return f"{t('vs_yesterday', lang)} {arrow} {text}"
