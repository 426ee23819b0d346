"""Stage deadlines (SLA) by state, category and priority; overdue (超期) and near-due (临期).

The time allowed in a stage is ``stage_hours(state) * priority_factor``; for the 处置 stage
(``in_progress``) it is the category's ``handle_hours * priority_factor``. An incident past its
stage deadline is overdue; one with less than :data:`NEAR_DUE_SHARE` of its time left is near-due.
All times are timezone-aware or all naive; durations are in hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridmap.feed.categories import CATEGORY_BY_CODE, PRIORITIES
from gridmap.feed.workflow import STATES

#: Share of a stage's time left under which the incident is near-due (临期).
NEAR_DUE_SHARE = 0.2


def allowed_hours(state: str, category: str, priority: int) -> float | None:
    """Hours allowed in ``state`` for an incident of ``category`` and ``priority``.

    Returns ``None`` for states without a deadline (closed, void).
    """
    factor = PRIORITIES[int(priority)][2]
    if state == "in_progress":
        return CATEGORY_BY_CODE[category].handle_hours * factor
    hours = STATES[state].stage_hours
    return None if hours is None else hours * factor


def allowed_hours_array(
    states: np.ndarray | str, categories: np.ndarray, priorities: np.ndarray
) -> np.ndarray:
    """Vectorised :func:`allowed_hours`: float hours, NaN where a state has no deadline.

    ``states`` may be one state for all incidents. Lookups go through ``pandas.factorize``, so
    the cost is a hash per incident, not a Python call.
    """
    prio = np.asarray(priorities, dtype=np.int64)
    factor = np.ones(prio.shape)
    for code, (_name, _en, f) in PRIORITIES.items():
        factor[prio == code] = f
    cat_codes, cat_uniques = pd.factorize(np.asarray(categories, dtype=object))
    handle = np.array([CATEGORY_BY_CODE[c].handle_hours for c in cat_uniques] + [np.nan])
    handle_hours = handle[cat_codes]  # code -1 (missing) picks the NaN
    if isinstance(states, str):
        hours = STATES[states].stage_hours
        base = (
            handle_hours
            if states == "in_progress"
            else np.full(prio.shape, np.nan if hours is None else hours)
        )
        return base * factor
    st_codes, st_uniques = pd.factorize(np.asarray(states, dtype=object))
    stage = np.array(
        [np.nan if STATES[s].stage_hours is None else STATES[s].stage_hours for s in st_uniques]
        + [np.nan]
    )
    in_progress = np.array([s == "in_progress" for s in st_uniques] + [False])[st_codes]
    base = np.where(in_progress, handle_hours, stage[st_codes])
    return base * factor


def deadline_for(entered_at: pd.Timestamp, state: str, category: str, priority: int):
    """Deadline of the stage ``state`` entered at ``entered_at`` (``None`` if no deadline)."""
    hours = allowed_hours(state, category, priority)
    return None if hours is None else entered_at + pd.Timedelta(hours=hours)


def due_status(
    deadline: pd.Series | pd.DatetimeIndex,
    entered_at: pd.Series | pd.DatetimeIndex,
    now: pd.Timestamp,
) -> np.ndarray:
    """``"overdue"``, ``"near_due"``, ``"on_time"`` or ``""`` (no deadline), per incident.

    Parameters
    ----------
    deadline, entered_at
        Stage deadline and the time the stage was entered (NaT where there is no deadline).
    now
        The moment to judge at.
    """
    deadline = pd.to_datetime(pd.Series(deadline)).reset_index(drop=True)
    entered_at = pd.to_datetime(pd.Series(entered_at)).reset_index(drop=True)
    total = (deadline - entered_at).dt.total_seconds().to_numpy()
    left = (deadline - now).dt.total_seconds().to_numpy()
    out = np.full(len(deadline), "", dtype=object)
    has = ~np.isnan(left)
    out[has] = "on_time"
    out[has & (left < NEAR_DUE_SHARE * total)] = "near_due"
    out[has & (left < 0)] = "overdue"
    return out
