"""The wall screen's figures, straight from the store with indexed queries.

Today's reports, dispatches, work in progress, overdue, on-time and closure rates (each with
yesterday's value for the change), and reports per hour today against the usual day. Times are
epoch ms (UTC); days are local days in ``timezone``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridmap.feed.access import Scope
from gridmap.feed.store.sql import SQLStore

_OPEN = "status NOT IN ('closed', 'void')"


def day_bounds(now: pd.Timestamp, days_back: int = 0) -> tuple[int, int]:
    """Epoch-ms bounds ``[start, end)`` of the local day ``days_back`` days before ``now``'s."""
    start = now.normalize() - pd.Timedelta(days=days_back)
    end = start + pd.Timedelta(days=1)
    return int(start.value // 1_000_000), int(end.value // 1_000_000)


def _events_in(scope: Scope | None, alias: str) -> tuple[str, str, list]:
    """(join, condition, params) confining events ``alias`` to the scope's incidents."""
    if scope is None or scope.column is None:
        return "", "1=1", []
    where, params = scope.where("si")
    return f" JOIN incidents si ON si.incident_id = {alias}.incident_id", where, params


def day_figures(
    store: SQLStore,
    now: pd.Timestamp,
    *,
    days_back: int = 0,
    until: pd.Timestamp | None = None,
    scope: Scope | None = None,
) -> dict[str, float]:
    """Figures of one local day (today by default), counted up to ``until`` (default: now),
    of the incidents in ``scope`` (default: the whole district).

    Returns ``reported``, ``dispatched`` (dispatch events), ``handled`` (handle events),
    ``closed`` (close events), ``late_handled`` (handled after the deadline in force),
    ``on_time_rate`` (1 - late/handled), ``closed_of_reported`` (of the incidents reported
    that day, those closed by ``until``) and ``closure_rate`` (that over the day's reports,
    void ones left out of both: 0–1).
    """
    start, end = day_bounds(now, days_back)
    stop = min(end, int(((until or now).value) // 1_000_000) - days_back * 86_400_000)
    area, area_params = (scope or Scope.district()).where()
    reported = store._query(
        f"SELECT count(*) FROM incidents WHERE reported_at >= ? AND reported_at < ? AND {area}",
        (start, stop, *area_params),
    )[0][0]
    join, cond, cond_params = _events_in(scope, "e")
    actions = dict(
        store._query(
            f"SELECT e.action, count(*) FROM events e{join} WHERE e.at >= ? AND e.at < ? "
            f"AND e.action IN ('dispatch', 'handle', 'close') AND {cond} GROUP BY e.action",
            (start, stop, *cond_params),
        )
    )
    # a handle is late when it comes after the deadline the 'start' event set
    join, cond, cond_params = _events_in(scope, "h")
    late = store._query(
        f"SELECT count(*) FROM events h{join} WHERE h.action = 'handle' AND h.at >= ? "
        "AND h.at < ? AND h.at > (SELECT s.deadline FROM events s WHERE s.incident_id = "
        "h.incident_id AND s.at <= h.at AND s.action IN ('start', 'extend') "
        f"ORDER BY s.at DESC LIMIT 1) AND {cond}",
        (start, stop, *cond_params),
    )[0][0]
    handled = actions.get("handle", 0)
    closed = actions.get("close", 0)
    # of the incidents reported that day, how many were closed by ``until`` (void ones left
    # out of both): closures of older incidents would push "closed / reported" past 100 %
    cohort_closed, cohort_void = store._query(
        "SELECT sum(CASE WHEN status = 'closed' AND closed_at < ? THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'void' THEN 1 ELSE 0 END) FROM incidents "
        f"WHERE reported_at >= ? AND reported_at < ? AND {area}",
        (stop, start, stop, *area_params),
    )[0]
    cohort = reported - int(cohort_void or 0)
    return {
        "reported": int(reported),
        "dispatched": int(actions.get("dispatch", 0)),
        "handled": int(handled),
        "closed": int(closed),
        "late_handled": int(late),
        "on_time_rate": (1 - late / handled) if handled else float("nan"),
        "closed_of_reported": int(cohort_closed or 0),
        "closure_rate": (int(cohort_closed or 0) / cohort) if cohort > 0 else float("nan"),
    }


def current_figures(
    store: SQLStore, now: pd.Timestamp, *, scope: Scope | None = None
) -> dict[str, int]:
    """Open incidents now (in ``scope``): ``in_progress`` (dispatched or in progress),
    ``open``, ``overdue`` and ``near_due`` (less than 20% of the stage's time left)."""
    now_ms = int(now.value // 1_000_000)
    area = scope.area_code if scope is not None else None
    # grid codes extend their community's and street's codes: the summary filters by prefix
    by_status = dict(
        store._query(
            "SELECT status, sum(n) FROM open_counts "
            + ("WHERE grid_code LIKE ? " if area else "")
            + "GROUP BY status",
            (area + "%",) if area else (),
        )
    )
    where, params = (scope or Scope.district()).where()
    due = dict(
        store._query(
            "SELECT CASE WHEN deadline < ? THEN 'overdue' ELSE 'near_due' END, count(*) "
            f"FROM incidents WHERE {_OPEN} AND deadline IS NOT NULL AND "
            f"(deadline - ?) < 0.2 * (deadline - stage_entered_at) AND {where} GROUP BY 1",
            (now_ms, now_ms, *params),
        )
    )
    return {
        "open": int(sum(by_status.values())),
        "in_progress": int(by_status.get("dispatched", 0) + by_status.get("in_progress", 0)),
        "overdue": int(due.get("overdue", 0)),
        "near_due": int(due.get("near_due", 0)),
    }


#: The incidents column holding each area level's code.
AREA_COLUMNS = {"grid": "grid_code", "community": "community_code", "street": "street_code"}


def area_figures_now(
    store: SQLStore, now: pd.Timestamp, level: str, *, scope: Scope | None = None
) -> pd.DataFrame:
    """Figures per area of ``level`` (grid, community or street) in ``scope``, one row per
    area with incidents, indexed by area code: ``open`` and ``overdue`` now, ``handled``
    and ``late_handled`` today (handle events, late when after the deadline then in force,
    as in :func:`day_figures`) and ``on_time_rate`` (NaN where nothing was handled today)."""
    if level not in AREA_COLUMNS:
        raise ValueError(f"no area figures for level {level!r}; allowed: {list(AREA_COLUMNS)}")
    column = AREA_COLUMNS[level]
    now_ms = int(now.value // 1_000_000)
    start, _end = day_bounds(now)
    where, params = (scope or Scope.district()).where()
    backlog = store._query(
        f"SELECT {column}, count(*), sum(CASE WHEN deadline < ? THEN 1 ELSE 0 END) "
        f"FROM incidents WHERE {_OPEN} AND {column} IS NOT NULL AND {where} GROUP BY {column}",
        (now_ms, *params),
    )
    where, params = (scope or Scope.district()).where("i")
    handled = store._query(
        f"SELECT i.{column}, count(*), sum(CASE WHEN h.at > (SELECT s.deadline FROM events s "
        "WHERE s.incident_id = h.incident_id AND s.at <= h.at AND s.action IN ('start', "
        "'extend') ORDER BY s.at DESC LIMIT 1) THEN 1 ELSE 0 END) FROM events h JOIN incidents "
        f"i ON i.incident_id = h.incident_id WHERE h.action = 'handle' AND h.at >= ? AND "
        f"h.at <= ? AND i.{column} IS NOT NULL AND {where} GROUP BY i.{column}",
        (start, now_ms, *params),
    )
    frame = pd.DataFrame(backlog, columns=["code", "open", "overdue"]).set_index("code")
    done = pd.DataFrame(handled, columns=["code", "handled", "late_handled"]).set_index("code")
    frame = frame.join(done, how="outer")
    frame = frame.fillna({"open": 0, "overdue": 0, "handled": 0, "late_handled": 0})
    counts = ["open", "overdue", "handled", "late_handled"]
    frame[counts] = frame[counts].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = 1 - frame["late_handled"] / frame["handled"].where(frame["handled"] > 0)
    frame["on_time_rate"] = rate.astype(float)
    return frame.sort_index()


def hourly_today_vs_usual(
    store: SQLStore, now: pd.Timestamp, *, days: int = 28, scope: Scope | None = None
) -> pd.DataFrame:
    """Reports per local hour today and the mean of the same hour over the previous ``days``
    (incidents in ``scope``; default the whole district).

    Returns a frame indexed 0–23 with ``today`` (NaN for hours still to come) and ``usual``.
    """
    start, _ = day_bounds(now, days)
    today_start, _ = day_bounds(now)
    where, params = (scope or Scope.district()).where()
    times = np.array(
        [
            r[0]
            for r in store._query(
                f"SELECT reported_at FROM incidents WHERE reported_at >= ? AND {where}",
                (start, *params),
            )
        ],
        dtype=np.int64,
    )
    local = pd.to_datetime(times, unit="ms", utc=True).tz_convert(now.tz)
    hours = local.hour.to_numpy()
    is_today = times >= today_start
    today = np.bincount(hours[is_today], minlength=24).astype(float)
    today[now.hour + 1 :] = np.nan
    usual = np.bincount(hours[~is_today], minlength=24) / days
    return pd.DataFrame({"today": today, "usual": usual}, index=pd.RangeIndex(24, name="hour"))
