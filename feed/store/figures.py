"""The figures engine: what the wall, the desk, the exports and the bench show, from indexed
queries of the store, now or as they stood at a moment.

Today's reports, dispatches, work in progress, overdue, on-time and closure rates (each with
yesterday's value for the change), figures per area (now, or rebuilt from the event log as
they stood at a moment), and reports per hour today against the usual day. Times are epoch ms
(UTC); days are local days of ``now``'s zone; ``area_code`` confines to a street, community or
grid (``None``: the whole store). The rules — what is open, near-due, late — come from
:mod:`gridmap.domain`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from gridmap.domain.areas import INCIDENT_COLUMNS, area_condition
from gridmap.domain.sla import due_case_sql, near_or_overdue_sql
from gridmap.domain.workflow import open_sql


def day_bounds(now: pd.Timestamp, days_back: int = 0) -> tuple[int, int]:
    """Epoch-ms bounds ``[start, end)`` of the local day ``days_back`` days before ``now``'s."""
    start = now.normalize() - pd.Timedelta(days=days_back)
    end = start + pd.Timedelta(days=1)
    return int(start.value // 1_000_000), int(end.value // 1_000_000)


def _events_in(area_code: str | None, alias: str) -> tuple[str, str, list]:
    """(join, condition, params) confining events ``alias`` to the area's incidents."""
    where, params = area_condition(area_code, "si")
    if not params:
        return "", "1=1", []
    return f" JOIN incidents si ON si.incident_id = {alias}.incident_id", where, params


#: A handle event is late when it comes after the deadline the stage's 'start' (or an
#: 'extend') set: the SQL of that deadline for a handle event ``h``.
DEADLINE_AT_HANDLE = (
    "(SELECT s.deadline FROM events s WHERE s.incident_id = h.incident_id AND s.at <= h.at "
    "AND s.action IN ('start', 'extend') ORDER BY s.at DESC LIMIT 1)"
)


def _with_categories(
    where: str, params: list, categories: Sequence[str], alias: str = ""
) -> tuple[str, list]:
    if not categories:
        return where, params
    column = f"{alias}.category" if alias else "category"
    marks = ",".join("?" * len(categories))
    return f"{where} AND {column} IN ({marks})", [*params, *categories]


class FiguresMixin:
    """The figures engine of :class:`~gridmap.feed.store.sql.SQLStore`."""

    def day_figures(
        self,
        now: pd.Timestamp,
        *,
        days_back: int = 0,
        until: pd.Timestamp | None = None,
        area_code: str | None = None,
    ) -> dict[str, float]:
        """Figures of one local day (today by default), counted up to ``until`` (default:
        now), of the incidents of ``area_code`` (default: all).

        Returns ``reported``, ``dispatched`` (dispatch events), ``handled`` (handle events),
        ``closed`` (close events), ``late_handled`` (handled after the deadline in force),
        ``on_time_rate`` (1 - late/handled), ``closed_of_reported`` (of the incidents reported
        that day, those closed by ``until``) and ``closure_rate`` (that over the day's reports,
        void ones left out of both: 0–1).
        """
        start, end = day_bounds(now, days_back)
        stop = min(end, int(((until or now).value) // 1_000_000) - days_back * 86_400_000)
        area, area_params = area_condition(area_code)
        reported = self._query(
            f"SELECT count(*) FROM incidents WHERE reported_at >= ? AND reported_at < ? AND {area}",
            (start, stop, *area_params),
        )[0][0]
        join, cond, cond_params = _events_in(area_code, "e")
        actions = dict(
            self._query(
                f"SELECT e.action, count(*) FROM events e{join} WHERE e.at >= ? AND e.at < ? "
                f"AND e.action IN ('dispatch', 'handle', 'close') AND {cond} GROUP BY e.action",
                (start, stop, *cond_params),
            )
        )
        join, cond, cond_params = _events_in(area_code, "h")
        late = self._query(
            f"SELECT count(*) FROM events h{join} WHERE h.action = 'handle' AND h.at >= ? "
            f"AND h.at < ? AND h.at > {DEADLINE_AT_HANDLE} AND {cond}",
            (start, stop, *cond_params),
        )[0][0]
        handled = actions.get("handle", 0)
        closed = actions.get("close", 0)
        # of the incidents reported that day, how many were closed by ``until`` (void ones
        # left out of both): closures of older incidents would push "closed / reported" past
        # 100 %
        cohort_closed, cohort_void = self._query(
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

    def count_reported(self, since_ms: int, *, area_code: str | None = None) -> int:
        """Incidents of ``area_code`` reported since ``since_ms`` (located or not)."""
        where, params = area_condition(area_code)
        return int(
            self._query(
                f"SELECT count(*) FROM incidents WHERE reported_at >= ? AND {where}",
                (int(since_ms), *params),
            )[0][0]
        )

    def current_figures(self, now: pd.Timestamp, *, area_code: str | None = None) -> dict[str, int]:
        """Open incidents now (of ``area_code``): ``in_progress`` (dispatched or in progress),
        ``open``, ``overdue`` and ``near_due``."""
        now_ms = int(now.value // 1_000_000)
        # grid codes extend their community's and street's codes: the summary filters by prefix
        by_status = dict(
            self._query(
                "SELECT status, sum(n) FROM open_counts WHERE grid_code LIKE ? GROUP BY status",
                ((area_code or "") + "%",),
            )
        )
        where, params = area_condition(area_code)
        due = dict(
            self._query(
                "SELECT CASE WHEN deadline < ? THEN 'overdue' ELSE 'near_due' END, count(*) "
                f"FROM incidents WHERE {open_sql()} AND {near_or_overdue_sql()} AND {where} "
                "GROUP BY 1",
                (now_ms, now_ms, *params),
            )
        )
        return {
            "open": int(sum(by_status.values())),
            "in_progress": int(by_status.get("dispatched", 0) + by_status.get("in_progress", 0)),
            "overdue": int(due.get("overdue", 0)),
            "near_due": int(due.get("near_due", 0)),
        }

    def area_figures(
        self,
        level: str,
        now: pd.Timestamp,
        *,
        area_code: str | None = None,
        at: pd.Timestamp | None = None,
        categories: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Figures per area of ``level`` (grid, community or street) of ``area_code``, one
        row per area with incidents, indexed by area code: ``open``, ``overdue`` and
        ``near_due``; ``reported`` today; ``handled`` and ``late_handled`` today (handle
        events, late when after the deadline then in force, as in :meth:`day_figures`) and
        ``on_time_rate`` (NaN where nothing was handled today).

        Now, or with ``at`` as they stood at that moment (states rebuilt from the event log,
        "today" the local day of ``at``, counted up to it); of ``categories`` only if given.
        """
        if level not in INCIDENT_COLUMNS:
            raise ValueError(
                f"no area figures for level {level!r}; allowed: {list(INCIDENT_COLUMNS)}"
            )
        column = INCIDENT_COLUMNS[level]
        moment = now if at is None else at
        at_ms = int(moment.value // 1_000_000)
        start, _end = day_bounds(moment)
        where, params = _with_categories(*area_condition(area_code), categories)
        if at is None:  # the current state
            states = (
                f"SELECT {column} AS code, status, deadline, stage_entered_at AS entered "
                f"FROM incidents WHERE {open_sql()} AND {column} IS NOT NULL AND {where}"
            )
            state_params = list(params)
        else:  # each open incident's last event by then
            states = (
                f"SELECT i.{column} AS code, last.to_state AS status, last.deadline, "
                "last.at AS entered FROM incidents i JOIN (SELECT e.incident_id, e.to_state, "
                "e.at, e.deadline, ROW_NUMBER() OVER (PARTITION BY e.incident_id ORDER BY "
                "e.at DESC, e.event_id DESC) AS rn FROM events e WHERE e.incident_id IN ("
                f"SELECT incident_id FROM incidents WHERE {where} AND {column} IS NOT NULL "
                "AND reported_at <= ? AND (closed_at IS NULL OR closed_at > ?)) AND e.at <= ? "
                "AND e.action <> 'escalate') last ON last.incident_id = i.incident_id "
                f"AND last.rn = 1 WHERE {open_sql('last.to_state')}"
            )
            state_params = [*params, at_ms, at_ms, at_ms]
        due = due_case_sql("?", "deadline", "entered")
        backlog = self._query(
            f"SELECT code, count(*), sum(CASE WHEN {due} = 'overdue' THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {due} = 'near_due' THEN 1 ELSE 0 END) FROM ({states}) st "
            "GROUP BY code",
            (at_ms, at_ms, at_ms, at_ms, *state_params),
        )
        reported = self._query(
            f"SELECT {column}, count(*) FROM incidents WHERE reported_at >= ? AND "
            f"reported_at <= ? AND {column} IS NOT NULL AND {where} GROUP BY {column}",
            (start, at_ms, *params),
        )
        where_i, params_i = _with_categories(*area_condition(area_code, "i"), categories, "i")
        handled = self._query(
            f"SELECT i.{column}, count(*), sum(CASE WHEN h.at > {DEADLINE_AT_HANDLE} "
            "THEN 1 ELSE 0 END) FROM events h JOIN incidents i ON i.incident_id = h.incident_id "
            f"WHERE h.action = 'handle' AND h.at >= ? AND h.at <= ? AND i.{column} IS NOT NULL "
            f"AND {where_i} GROUP BY i.{column}",
            (start, at_ms, *params_i),
        )
        frame = pd.DataFrame(backlog, columns=["code", "open", "overdue", "near_due"])
        frame = frame.set_index("code")
        frame = frame.join(
            pd.DataFrame(reported, columns=["code", "reported"]).set_index("code"), how="outer"
        )
        done = pd.DataFrame(handled, columns=["code", "handled", "late_handled"]).set_index("code")
        frame = frame.join(done, how="outer")
        counts = ["open", "overdue", "near_due", "reported", "handled", "late_handled"]
        frame[counts] = frame[counts].fillna(0).astype("int64")
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = 1 - frame["late_handled"] / frame["handled"].where(frame["handled"] > 0)
        frame["on_time_rate"] = rate.astype(float)
        frame.index.name = "code"
        return frame.sort_index()

    def today_breakdown(
        self, now: pd.Timestamp, *, area_code: str | None = None
    ) -> dict[str, dict[str, int]]:
        """Reports of the local day of ``now`` up to it (incidents of ``area_code``), counted
        by ``subcategory`` and by ``source`` (how they came in: grid worker, hotline, video AI,
        resident, sensor), each most first.
        """
        start, _end = day_bounds(now)
        stop = int(now.value // 1_000_000)
        where, params = area_condition(area_code)
        out: dict[str, dict[str, int]] = {}
        for column in ("subcategory", "source"):
            rows = self._query(
                f"SELECT {column}, count(*) FROM incidents WHERE reported_at >= ? AND "
                f"reported_at <= ? AND {where} GROUP BY {column} ORDER BY 2 DESC, 1",
                (start, stop, *params),
            )
            out[column] = {str(key): int(n) for key, n in rows}
        return out

    def hourly_today_vs_usual(
        self, now: pd.Timestamp, *, days: int = 28, area_code: str | None = None
    ) -> pd.DataFrame:
        """Reports per local hour today and the mean of the same hour over the previous
        ``days`` (incidents of ``area_code``; default all).

        Returns a frame indexed 0–23 with ``today`` (NaN for hours still to come) and
        ``usual``.
        """
        start, _ = day_bounds(now, days)
        today_start, _ = day_bounds(now)
        where, params = area_condition(area_code)
        times = np.array(
            [
                r[0]
                for r in self._query(
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
