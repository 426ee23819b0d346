"""The role × action table beside the transition table, the to-do states, stale checks and
the units an incident may go to."""

import pytest

from gridmap.domain.access import ROLES
from gridmap.domain.routing import route, unit_area, units_of
from gridmap.domain.workflow import (
    ACTIONS,
    ROLE_ACTIONS,
    STATES,
    StaleStateError,
    TransitionError,
    apply_action,
    check_expected,
    role_actions,
    waiting_states,
)


def test_every_role_has_a_row_of_known_actions():
    assert set(ROLE_ACTIONS) == set(ROLES)
    for actions in ROLE_ACTIONS.values():
        assert set(actions) <= set(ACTIONS) - {"report"}


def test_every_action_but_report_has_a_role():
    taken = {a for actions in ROLE_ACTIONS.values() for a in actions}
    assert taken == set(ACTIONS) - {"report"}


@pytest.mark.parametrize(
    ("role", "state", "expected"),
    [
        ("centre", "reported", ["accept", "void"]),
        ("centre", "accepted", ["dispatch", "escalate", "void"]),
        ("centre", "dispatched", ["return", "extend", "escalate"]),
        ("centre", "handled", ["verify", "return", "escalate"]),
        ("centre", "verified", ["close", "return", "escalate"]),
        ("street", "dispatched", ["start", "return"]),
        ("street", "in_progress", ["handle", "return"]),
        ("street", "reported", []),
        ("community", "handled", ["return"]),
        ("planner", "handled", []),
        ("centre", "closed", []),
    ],
)
def test_role_actions_are_legal_and_allowed(role, state, expected):
    got = role_actions(role, state)
    assert got == expected
    for action in got:  # each is a transition the table allows
        apply_action(state, action)


def test_a_field_role_acts_only_on_its_own_units():
    assert role_actions("street", "dispatched", own_unit=False) == []
    assert role_actions("centre", "dispatched", own_unit=False) == ["return", "extend", "escalate"]


def test_waiting_states_per_role():
    assert waiting_states("centre") == ("reported", "accepted", "handled", "verified")
    assert waiting_states("street") == ("dispatched", "in_progress")
    assert waiting_states("community") == ("dispatched", "in_progress")
    assert waiting_states("planner") == ()
    assert all(STATES[s].is_open for role in ROLES for s in waiting_states(role))


def test_a_stale_state_is_refused_naming_both_states():
    check_expected("accepted", None)
    check_expected("accepted", "accepted")
    with pytest.raises(StaleStateError, match=r"立案.*accepted.*上报.*reported"):
        check_expected("accepted", "reported")
    assert issubclass(StaleStateError, TransitionError)


def test_units_offered_for_a_street_and_whose_they_are():
    units = units_of("双桥子街道", ["新鸿社区", "双桥子社区"])
    assert "区水务局" in units and "双桥子街道综治中心" in units and "双桥子街道办事处" in units
    assert units[-2:] == ["新鸿社区工作站", "双桥子社区工作站"]
    # the routing table's suggestion is always among the units offered
    for code in ("MS", "MD", "JM", "SS02", "AQ03"):
        assert route(code, "双桥子街道", "新鸿社区") in units
    street, community = ("510108004", "双桥子街道"), ("510108004006", "新鸿社区")
    assert unit_area("新鸿社区工作站", street, community) == "510108004006"
    assert unit_area("双桥子街道综治中心", street, community) == "510108004"
    assert unit_area("双桥子街道办事处", street, community) == "510108004"
    assert unit_area("区水务局", street, community) is None
    assert unit_area(None, street, community) is None
    assert units_of(None) == sorted(u for u in units if u.startswith("区"))
