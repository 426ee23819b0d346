"""Whether each incident was handled on time at every stage (按期): :func:`on_time_by_incident`
orders an incident's events, works out the deadline in force at each event (timezone-aware
instants compared in UTC) and marks the incident late when any event came after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridmap.geo.aggregate.times import _NS, _utc_ns


def on_time_by_incident(events: pd.DataFrame) -> pd.Series:
    """Whether each incident's handling stayed within every stage deadline (按期).

    Definition: take an incident's events in order (by ``seq`` if present, else by ``at``,
    ties in log order). Each event after the first is judged against the deadline *in force*
    when it happened: the ``deadline`` set by the latest earlier event that sets one. Every
    event sets the deadline (a NaT deadline meaning "none", as after 结案) **except** an event
    that keeps the state (``from_state == to_state``) and carries no deadline, such as 督办
    (escalate): it leaves the earlier deadline in force. (Without ``from_state``/``to_state``
    columns every event sets it.) An event is *late* when ``at > deadline in force``; an event
    exactly at the deadline is on time, and no deadline is never late. An incident is on
    time when none of its events is late. So a stage finished late, a 延期 (extension) asked
    for after the deadline, or a 督办 issued after the deadline all make the incident late.

    Parameters
    ----------
    events
        Event log with ``incident_id``, ``at``, ``deadline`` (timezone-aware, NaT for none)
        and optionally ``seq``, ``from_state``, ``to_state``.

    Returns
    -------
    pandas.Series
        bool, indexed by ``incident_id`` (each incident in the log once, in order of first
        appearance): True when on time.
    """
    ids, uniques = pd.factorize(events["incident_id"])
    order = _event_order(ids, events)
    ids = ids[order]
    at = _utc_ns(events["at"])[order]
    deadline = _utc_ns(events["deadline"])[order]
    first = np.r_[True, ids[1:] != ids[:-1]] if len(ids) else np.zeros(0, dtype=bool)
    keeps_state = _keeps_state(events)[order]
    sets_deadline = first | ~(keeps_state & np.isnat(deadline))
    in_force = _deadline_in_force(deadline, sets_deadline, first)
    late = at > in_force  # NaT compares False: no deadline, never late
    late_incident = np.zeros(len(uniques), dtype=bool)
    late_incident[ids[late]] = True
    return pd.Series(~late_incident, index=pd.Index(uniques, name="incident_id"), name="on_time")


def _event_order(ids: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """Positions that sort events by incident then ``seq`` (or ``at``); stable."""
    key_column = "seq" if "seq" in events.columns else "at"
    key = events[key_column]
    key = _utc_ns(key).view(np.int64) if key_column == "at" else key.to_numpy(dtype=np.int64)
    same = ids[1:] == ids[:-1]
    if np.all(ids[1:] >= ids[:-1]) and np.all(~same | (key[1:] >= key[:-1])):
        return np.arange(len(ids))  # already grouped and in order (as stores write it)
    return np.lexsort((key, ids))


def _keeps_state(events: pd.DataFrame) -> np.ndarray:
    """True for events that leave the state unchanged (False without state columns)."""
    if not {"from_state", "to_state"} <= set(events.columns):
        return np.zeros(len(events), dtype=bool)
    same = events["from_state"] == events["to_state"]  # missing compares False
    return same.to_numpy(dtype=bool, na_value=False)


def _deadline_in_force(
    deadline: np.ndarray, sets_deadline: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """For each event, the deadline set by the latest earlier setter in its incident.

    ``first`` events are always setters, so the running maximum of setter positions never
    reaches back into the previous incident.
    """
    n = len(deadline)
    in_force = np.full(n, np.datetime64("NaT"), dtype=_NS)
    if n == 0:
        return in_force
    setter = np.maximum.accumulate(np.where(sets_deadline, np.arange(n), 0))
    in_force[1:] = deadline[setter[:-1]]
    in_force[first] = np.datetime64("NaT")
    return in_force
