"""Tests of gridmap.domain.sla: the time allowed per stage, the near-due and overdue marks at
their boundaries, and the district's own limits read from a file."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from gridmap.domain.sla import (
    TimeLimits,
    allowed_hours,
    allowed_hours_array,
    due_codes,
    due_status,
    time_limits,
    use_time_limits,
)

HOUR = 3_600_000


@pytest.fixture
def limits():
    """Restores the limits in force after a test changes them."""
    before = time_limits()
    yield
    use_time_limits(before)


def test_allowed_hours_by_stage_category_and_priority():
    assert allowed_hours("reported", "SR", 3) == 0.5
    assert allowed_hours("reported", "SR", 1) == 0.5 * 0.25
    assert allowed_hours("in_progress", "TF", 3) == 2  # the category's 处置 time
    assert allowed_hours("closed", "SR", 3) is None
    got = allowed_hours_array(
        np.array(["reported", "in_progress", "closed"]), np.array(["SR", "TF", "SR"]), [3, 2, 3]
    )
    assert got[:2].tolist() == [0.5, 1.0] and np.isnan(got[2])


def test_due_marks_at_their_boundaries():
    entered, deadline = 0, 10 * HOUR  # 10 hours; near-due with 2 hours (20 %) left
    at = [deadline - 2 * HOUR, deadline - 2 * HOUR + 1, deadline, deadline + 1]
    codes = [int(due_codes([deadline], [entered], now)[0]) for now in at]
    assert codes == [0, 1, 1, 2]  # exactly 20 % left: not yet; at the deadline: not yet overdue
    assert due_codes([None], [None], 5).tolist() == [0]  # no deadline
    stamps = pd.to_datetime([deadline], unit="ms", utc=True)
    entered_at = pd.to_datetime([entered], unit="ms", utc=True)
    now = pd.Timestamp(deadline - HOUR, unit="ms", tz="UTC")
    assert due_status(stamps, entered_at, now).tolist() == ["near_due"]


def test_the_limits_in_force_are_followed(limits):
    use_time_limits(dataclasses.replace(time_limits(), near_due_share=0.5))
    assert int(due_codes([10 * HOUR], [0], 5 * HOUR + 1)[0]) == 1  # half the time left
    use_time_limits(TimeLimits.built_in())
    assert int(due_codes([10 * HOUR], [0], 5 * HOUR + 1)[0]) == 0


def test_a_district_file_replaces_what_it_names(tmp_path, limits):
    path = tmp_path / "时限.toml"
    path.write_text(
        "near_due_share = 0.3\n[stage_hours]\nreported = 1\n[handle_hours]\nTF = 4\n"
        "[priority_factors]\n1 = 0.5\n",
        encoding="utf-8",
    )
    read = TimeLimits.from_toml(path)
    use_time_limits(read)
    assert allowed_hours("reported", "SR", 3) == 1.0
    assert allowed_hours("in_progress", "TF", 1) == 2.0
    assert allowed_hours("accepted", "SR", 3) == 1.0  # left out: built in
    assert read.near_due_share == 0.3 and read.source == str(path)


@pytest.mark.parametrize(
    "text, words",
    [
        ("near_due_share = 2\n", "between 0 and 1"),
        ("[stage_hours]\nlost = 1\n", "unknown key 'lost'"),
        ("[handle_hours]\nSR = -1\n", "positive"),
        ("deadlines = 1\n", "unknown ['deadlines']"),
        ("[stage_hours\n", "time limits"),
    ],
)
def test_a_bad_file_is_an_error_naming_what_is_wrong(tmp_path, text, words):
    path = tmp_path / "limits.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        TimeLimits.from_toml(path)
