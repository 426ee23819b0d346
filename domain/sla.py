"""The SLA clock: the time allowed in each stage, and when an incident is near-due or overdue.

The time allowed in a stage is ``stage_hours[state] * priority_factors[priority]``; for the 处置
stage (``in_progress``) it is the category's ``handle_hours[category] * priority factor``. An
incident past its stage deadline is overdue (超期); one with less than ``near_due_share`` of its
stage's time left is near-due (临期).

Every city sets its own time limits (GB/T 30428.8 leaves them to it), so they are data: a
:class:`TimeLimits`, built in from the workflow's and the categories' tables, or read from a
TOML file (the ``time_limits_file`` setting; see :meth:`TimeLimits.from_toml`). The limits in
force are :func:`time_limits`; everything that judges a deadline — Python and SQL alike (see
:func:`due_case_sql`) — asks them at the moment it judges, so a change in one place is followed
everywhere. Durations are hours; times in SQL are epoch milliseconds.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from gridmap.domain.categories import CATEGORIES, PRIORITIES
from gridmap.domain.workflow import STATES

#: Due marks by their number (the live payloads send the number).
DUE_ORDER = ("", "near_due", "overdue")


@dataclasses.dataclass(frozen=True)
class TimeLimits:
    """The time allowed per stage, category and priority, and the near-due share.

    Parameters
    ----------
    stage_hours
        Hours allowed in each workflow state at normal priority (``None``: no deadline). The
        ``in_progress`` entry is not used: that stage's time is the category's.
    handle_hours
        Hours of the 处置 stage (``in_progress``) by category code, at normal priority.
    priority_factors
        Factor on every stage's time by priority (1 urgent, 2 high, 3 normal).
    near_due_share
        Share of a stage's time left under which an open incident is near-due (0–1).
    source
        Where the limits come from (``built-in`` or the file), for messages.
    """

    stage_hours: Mapping[str, float | None]
    handle_hours: Mapping[str, float]
    priority_factors: Mapping[int, float]
    near_due_share: float = 0.2
    source: str = "built-in"

    @classmethod
    def built_in(cls) -> TimeLimits:
        """The limits of the workflow's and the categories' tables."""
        return cls(
            stage_hours={code: state.stage_hours for code, state in STATES.items()},
            handle_hours={c.code: float(c.handle_hours) for c in CATEGORIES},
            priority_factors={code: factor for code, (_n, _e, factor) in PRIORITIES.items()},
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> TimeLimits:
        """Limits from a TOML file; what it leaves out stays built in.

        The file, all tables optional::

            near_due_share = 0.2
            [stage_hours]        # 上报 reported, 立案 accepted, 派遣 dispatched, ...
            reported = 0.5
            dispatched = 2
            [handle_hours]       # the 处置 stage, by category code
            SR = 24
            TF = 2
            [priority_factors]   # 1 urgent, 2 high, 3 normal
            1 = 0.25

        Raises
        ------
        ValueError
            Naming the file and the unknown key, or the value that is not a positive number.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"time limits {path}: {exc}") from exc
        base = cls.built_in()
        known = {"near_due_share", "stage_hours", "handle_hours", "priority_factors"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"time limits {path}: unknown {unknown}; allowed: {sorted(known)}")
        stage = _table(path, data, "stage_hours", base.stage_hours, str)
        handle = _table(path, data, "handle_hours", base.handle_hours, str)
        factors = _table(path, data, "priority_factors", base.priority_factors, int)
        share = data.get("near_due_share", base.near_due_share)
        if not isinstance(share, (int, float)) or not 0 < share < 1:
            raise ValueError(f"time limits {path}: near_due_share must lie between 0 and 1")
        return cls(stage, handle, factors, float(share), str(path))


def _table(path: Path, data: dict, name: str, base: Mapping, key_type) -> dict:
    table = dict(base)
    given = data.get(name, {})
    if not isinstance(given, dict):
        raise ValueError(f"time limits {path}: [{name}] must be a table")
    for key, value in given.items():
        typed = key_type(key) if key_type is str or str(key).isdigit() else key
        if typed not in base:
            raise ValueError(
                f"time limits {path}: [{name}] has unknown key {key!r}; allowed: {list(base)}"
            )
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"time limits {path}: [{name}] {key} must be a positive number")
        table[typed] = float(value)
    return table


_ACTIVE: list[TimeLimits] = []


def time_limits() -> TimeLimits:
    """The limits in force (built in, unless :func:`use_time_limits` set others)."""
    if not _ACTIVE:
        _ACTIVE.append(TimeLimits.built_in())
    return _ACTIVE[0]


def use_time_limits(limits: TimeLimits) -> TimeLimits:
    """Put ``limits`` in force for this process; returns the ones they replace."""
    before = time_limits()
    _ACTIVE[0] = limits
    return before


# --- the time allowed ------------------------------------------------------------------------
def allowed_hours(state: str, category: str, priority: int) -> float | None:
    """Hours allowed in ``state`` for an incident of ``category`` and ``priority``.

    Returns ``None`` for states without a deadline (closed, void).
    """
    limits = time_limits()
    factor = limits.priority_factors[int(priority)]
    if state == "in_progress":
        return limits.handle_hours[category] * factor
    hours = limits.stage_hours[state]
    return None if hours is None else hours * factor


def allowed_hours_array(
    states: np.ndarray | str, categories: np.ndarray, priorities: np.ndarray
) -> np.ndarray:
    """Vectorised :func:`allowed_hours`: float hours, NaN where a state has no deadline.

    ``states`` may be one state for all incidents. Lookups go through ``pandas.factorize``, so
    the cost is a hash per incident, not a Python call.
    """
    limits = time_limits()
    prio = np.asarray(priorities, dtype=np.int64)
    factor = np.ones(prio.shape)
    for code, f in limits.priority_factors.items():
        factor[prio == code] = f
    cat_codes, cat_uniques = pd.factorize(np.asarray(categories, dtype=object))
    handle = np.array([limits.handle_hours[c] for c in cat_uniques] + [np.nan])
    handle_hours = handle[cat_codes]  # code -1 (missing) picks the NaN

    def stage(code: str) -> float:
        hours = limits.stage_hours[code]
        return np.nan if hours is None else hours

    if isinstance(states, str):
        base = handle_hours if states == "in_progress" else np.full(prio.shape, stage(states))
        return base * factor
    st_codes, st_uniques = pd.factorize(np.asarray(states, dtype=object))
    stages = np.array([stage(s) for s in st_uniques] + [np.nan])
    in_progress = np.array([s == "in_progress" for s in st_uniques] + [False])[st_codes]
    base = np.where(in_progress, handle_hours, stages[st_codes])
    return base * factor


# --- due: near-due and overdue -----------------------------------------------------------------
def due_codes(deadline_ms, entered_ms, now_ms: float) -> np.ndarray:
    """0 (no deadline, or on time), 1 (near-due) or 2 (overdue) per incident.

    ``deadline_ms`` and ``entered_ms`` are epoch ms (missing: ``None`` or NaN); the number
    indexes :data:`DUE_ORDER`.
    """
    d = _floats(deadline_ms)
    e = _floats(entered_ms)
    share = time_limits().near_due_share
    with np.errstate(invalid="ignore"):
        overdue = d < now_ms
        near = ~overdue & ((d - now_ms) < share * (d - e))
    return np.where(overdue, 2, np.where(near, 1, 0)).astype(int)


def _floats(values) -> np.ndarray:
    """Epoch ms as floats, NaN where missing (``None``, NaN, ``pd.NA``)."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):  # pandas' NA in a nullable column
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)


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
    out[has & (left < time_limits().near_due_share * total)] = "near_due"
    out[has & (left < 0)] = "overdue"
    return out


def _share_sql() -> str:
    return repr(float(time_limits().near_due_share))


def due_case_sql(
    now: str = "?", deadline: str = "deadline", entered: str = "stage_entered_at"
) -> str:
    """SQL of an incident's due mark at ``now`` (an expression or ``?``, epoch ms):
    ``'overdue'``, ``'near_due'`` or ``'on_time'`` (NULL without a deadline). ``now`` appears
    twice: bind it twice."""
    return (
        f"CASE WHEN {deadline} IS NULL THEN NULL WHEN {deadline} < {now} THEN 'overdue' "
        f"WHEN ({deadline} - {now}) < {_share_sql()} * ({deadline} - {entered}) "
        "THEN 'near_due' ELSE 'on_time' END"
    )


def near_or_overdue_sql(
    now: str = "?", deadline: str = "deadline", entered: str = "stage_entered_at"
) -> str:
    """SQL condition: near-due or overdue at ``now`` (bound once)."""
    return (
        f"{deadline} IS NOT NULL AND ({deadline} - {now}) < "
        f"{_share_sql()} * ({deadline} - {entered})"
    )


def near_due_from_sql(deadline: str = "deadline", entered: str = "stage_entered_at") -> str:
    """SQL of the moment (epoch ms) an incident becomes near-due."""
    return f"({deadline} - {_share_sql()} * ({deadline} - {entered}))"
