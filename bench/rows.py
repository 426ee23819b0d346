"""One benchmark result row: a figure beside the naive way measured in the same run."""

from __future__ import annotations

from typing import Any


def row(name, value, unit, baseline, baseline_name, goal=None, **extra) -> dict[str, Any]:
    """``{"name", "value", "unit", "baseline", "baseline_name", "ratio", "goal", **extra}``;
    ``value`` may be ``None`` where nothing was measured (then so is the ratio)."""
    ratio = round(value / baseline, 2) if value is not None and baseline else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": ratio,
        "goal": goal,
        **extra,
    }
