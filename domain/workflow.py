"""The dispatch workflow (the 7-step loop of grid management) as one transition table.

States are data with a category (open / closed); code asks :func:`is_open`. Every change is an
event (who, when, action, from, to, note, department, deadline) in an append-only log.

    上报 reported → 受理 accepted → 派遣 dispatched → 处置 in_progress → 反馈 handled
    → 核查 verified → 结案 closed;  退回 return (back to accepted), 延期 extend (new deadline),
    督办 escalate (flag, same state), 作废 void.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class State:
    """A workflow state.

    Attributes
    ----------
    code, name, name_en
        Machine code, Chinese and English names.
    is_open
        Whether an incident in this state still needs work (Open311 ``open``).
    stage_hours
        Time allowed in this state at normal priority, hours (``None``: no deadline). The 处置
        stage's time comes from the category instead (see :mod:`gridmap.domain.sla`).
    """

    code: str
    name: str
    name_en: str
    is_open: bool
    stage_hours: float | None


STATES: dict[str, State] = {
    s.code: s
    for s in (
        State("reported", "上报", "Reported", True, 0.5),
        State("accepted", "立案", "Accepted", True, 1.0),
        State("dispatched", "派遣", "Dispatched", True, 2.0),
        State("in_progress", "处置中", "In progress", True, None),
        State("handled", "已反馈", "Handled", True, 24.0),
        State("verified", "已核查", "Verified", True, 48.0),
        State("closed", "结案", "Closed", False, None),
        State("void", "作废", "Void", False, None),
    )
}

#: Every state in table order: the live payloads number states by their place in it.
STATE_ORDER: tuple[str, ...] = tuple(STATES)
#: States that still need work (Open311 ``open``), and those that need none, in table order.
OPEN_STATES: tuple[str, ...] = tuple(code for code, s in STATES.items() if s.is_open)
CLOSED_STATES: tuple[str, ...] = tuple(code for code, s in STATES.items() if not s.is_open)
#: Closed states that are no closure (作废): left out of closure and on-time rates.
VOID_STATES: tuple[str, ...] = ("void",)


def open_sql(column: str = "status") -> str:
    """The SQL condition "still open" on a state ``column``, from the table above (written as
    the store's partial indexes are, so that they serve it)."""
    closed = ", ".join(f"'{code}'" for code in CLOSED_STATES)
    return f"{column} NOT IN ({closed})"


#: The main line of states, in order.
MAIN_LINE: tuple[str, ...] = (
    "reported",
    "accepted",
    "dispatched",
    "in_progress",
    "handled",
    "verified",
    "closed",
)


@dataclasses.dataclass(frozen=True)
class Action:
    """A transition: from any of ``sources`` to ``target`` (``None``: stays in its state)."""

    code: str
    name: str
    name_en: str
    sources: frozenset[str]
    target: str | None


_OPEN_AFTER_ACCEPT = frozenset({"accepted", "dispatched", "in_progress", "handled", "verified"})

ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("report", "上报", "Report", frozenset(), "reported"),
        Action("accept", "受理立案", "Accept", frozenset({"reported"}), "accepted"),
        Action("dispatch", "派遣", "Dispatch", frozenset({"accepted"}), "dispatched"),
        Action("start", "开始处置", "Start work", frozenset({"dispatched"}), "in_progress"),
        Action("handle", "处置反馈", "Report handled", frozenset({"in_progress"}), "handled"),
        Action("verify", "核查通过", "Verify", frozenset({"handled"}), "verified"),
        Action("close", "结案", "Close", frozenset({"verified"}), "closed"),
        Action(
            "return",
            "退回",
            "Return",
            frozenset({"dispatched", "in_progress", "handled", "verified"}),
            "accepted",
        ),
        Action("extend", "延期", "Extend deadline", frozenset({"dispatched", "in_progress"}), None),
        Action("escalate", "督办", "Escalate", _OPEN_AFTER_ACCEPT, None),
        Action("void", "作废", "Void", frozenset({"reported", "accepted"}), "void"),
    )
}


#: Who does what: role (see :mod:`gridmap.domain.access`) → the actions it may take. The
#: centre accepts or voids reports, dispatches, extends, escalates, verifies and closes or
#: returns; a street office or community workstation starts and reports handled what was
#: dispatched to one of its units, or returns it (not theirs); a planner only reads.
ROLE_ACTIONS: dict[str, tuple[str, ...]] = {
    "centre": ("accept", "void", "dispatch", "extend", "escalate", "verify", "close", "return"),
    "street": ("start", "handle", "return"),
    "community": ("start", "handle", "return"),
    "planner": (),
}
#: Roles that act only on what was dispatched to a unit of their own area.
FIELD_ROLES: frozenset[str] = frozenset({"street", "community"})
#: Actions that need a reason in ``note`` / a new ``deadline`` / a unit in ``department``.
NEEDS_REASON: frozenset[str] = frozenset({"return", "void"})
NEEDS_DEADLINE: frozenset[str] = frozenset({"extend"})
NEEDS_UNIT: frozenset[str] = frozenset({"dispatch"})


class TransitionError(ValueError):
    """An action that the transition table does not allow from the current state."""


class StaleStateError(TransitionError):
    """An action taken on a state the incident has left (a page or app that had not seen
    the latest event): refused rather than applied to the newer state."""


def check_expected(state: str, expected: str | None) -> None:
    """Raise :class:`StaleStateError` when ``expected`` (the state the sender saw; ``None``:
    not said) is not the incident's ``state``."""
    if expected is not None and expected != state:
        raise StaleStateError(
            f"the incident is now {STATES[state].name} ({state}), not "
            f"{STATES[expected].name if expected in STATES else expected} ({expected}) "
            "as the sender saw it; someone acted on it meanwhile: reload and decide again"
        )


def is_open(state: str) -> bool:
    """Whether ``state`` is an open state (raises ``KeyError`` naming the states if unknown)."""
    return state_info(state).is_open


def state_info(state: str) -> State:
    """The :class:`State` for a code; unknown codes raise ``KeyError`` naming the known ones."""
    try:
        return STATES[state]
    except KeyError:
        raise KeyError(f"unknown state {state!r}; known: {list(STATES)}") from None


def open311_status(state: str) -> str:
    """Open311 GeoReport v2 status: ``open`` or ``closed``."""
    return "open" if is_open(state) else "closed"


def allowed_actions(state: str) -> list[str]:
    """Actions allowed from ``state``, in table order."""
    state_info(state)
    return [a.code for a in ACTIONS.values() if state in a.sources]


def role_actions(role: str, state: str, *, own_unit: bool = True) -> list[str]:
    """Actions ``role`` may take now on an incident in ``state``, in table order: legal from
    the state (the transition table) and allowed to the role (:data:`ROLE_ACTIONS`). A field
    role (street office, community) acts only when the incident was dispatched to a unit of
    its own area (``own_unit``)."""
    if role in FIELD_ROLES and not own_unit:
        return []
    allowed = ROLE_ACTIONS.get(role, ())
    return [a for a in allowed_actions(state) if a in allowed]


def waiting_states(role: str) -> tuple[str, ...]:
    """States in which an incident waits on ``role`` (its to-do list, 待办): those from which
    the role has an action that moves the incident on (escalate and extend only mark it)."""
    moving = [ACTIONS[a] for a in ROLE_ACTIONS.get(role, ()) if ACTIONS[a].target is not None]
    waiting = {s for a in moving if a.code != "return" for s in a.sources}
    return tuple(s for s in STATES if s in waiting)


def apply_action(state: str | None, action: str) -> str:
    """The state after ``action`` from ``state`` (``None``: a new incident).

    Raises
    ------
    TransitionError
        If the table does not allow it; the message names the allowed actions.
    """
    if action not in ACTIONS:
        raise TransitionError(f"unknown action {action!r}; known: {list(ACTIONS)}")
    act = ACTIONS[action]
    if state is None:
        if action != "report":
            raise TransitionError(f"a new incident starts with 'report', not {action!r}")
        return "reported"
    if state not in act.sources:
        raise TransitionError(
            f"action {action!r} is not allowed from state {state!r}; "
            f"allowed: {allowed_actions(state) or 'none (final state)'}"
        )
    return act.target or state
