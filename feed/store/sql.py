"""The store's logic, written once in portable SQL for SQLite and PostgreSQL/PostGIS.

Backends supply a connection, their migrations and a few expressions (geometry in and out,
bulk insert, row locks). Queries are written with ``?`` placeholders and translated once.
Every write runs in one transaction: it is all there or none of it is.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridmap.feed.store.base import (
    AREA_COLUMNS,
    AREA_LEVELS,
    BUILDING_COLUMNS,
    EVENT_COLUMNS,
    EVENT_TIME_COLUMNS,
    INCIDENT_COLUMNS,
    INCIDENT_TIME_COLUMNS,
    Store,
    StoreError,
    from_epoch_ms,
    join_props,
    split_props,
    to_epoch_ms,
)
from gridmap.feed.store.common import (
    CLOSED_STATES,
    ConflictError,
    NotFoundError,
    chunks,
    now_ms,
)
from gridmap.feed.store.keys import ApiKeysMixin
from gridmap.feed.store.schema import SCHEMA_VERSION
from gridmap.feed.store.users import UsersMixin
from gridmap.feed.store.writes import LiveWritesMixin

__all__ = ["CLOSED_STATES", "ConflictError", "NotFoundError", "SQLStore", "now_ms", "rows_of"]

_OPEN_SQL = "status NOT IN ('closed', 'void')"
#: Incident columns that :meth:`SQLStore.incidents_as_of` rebuilds from the event log.
_AS_OF_COLUMNS = ("status", "stage_entered_at", "deadline", "closed_at")

#: Columns returned for live updates (events joined with their incident).
LIVE_COLUMNS = (
    "event_id",
    "incident_id",
    "at",
    "action",
    "from_state",
    "to_state",
    "lon",
    "lat",
    "category",
    "subcategory",
    "priority",
    "street_code",
    "community_code",
    "grid_code",
    "status",
    "deadline",
    "stage_entered_at",
    "escalated",
    "description",
)


class SQLStore(LiveWritesMixin, ApiKeysMixin, UsersMixin, Store):
    """Store logic shared by the backends."""

    #: SQL that opens a write transaction.
    begin_sql = "BEGIN"
    #: Suffix that locks selected rows until the end of the transaction.
    lock_suffix = ""
    migrations: ClassVar[dict[int, str]] = {}

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._sql_cache: dict[str, str] = {}
        self._migrate()

    # --- backend hooks -------------------------------------------------------------------
    @abc.abstractmethod
    def _connect(self):
        """A new DB-API connection in autocommit mode (transactions are explicit)."""

    def _sql(self, sql: str) -> str:
        """Translate ``?`` placeholders to the backend's style."""
        return sql

    def _geom_in(self) -> str:
        """SQL expression taking one WKB parameter."""
        return "?"

    def _geom_out(self, column: str = "geom") -> str:
        """SQL expression returning WKB."""
        return column

    def _prepare_geom(self, geoms: np.ndarray) -> np.ndarray:
        """Geometries as the backend stores them (PostGIS columns are MultiPolygon)."""
        return geoms

    def _bulk_insert(self, cur, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        cur.executemany(
            self._sql(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            ),
            rows,
        )

    def _table_exists(self, cur, name: str) -> bool:
        raise NotImplementedError

    def _lock_table(self, cur, table: str) -> None:
        """Make write transactions that touch ``table`` take turns until this one ends (a
        no-op where every write transaction already runs alone, as in SQLite)."""

    # --- connections and transactions ---------------------------------------------------
    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _execute(self, sql: str, params: Sequence[Any] = ()):
        cur = self._conn().cursor()
        cur.execute(self._sql(sql), tuple(params))
        return cur

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._execute(sql, params).fetchall()

    def _frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        cur = self._execute(sql, params)
        columns = [d[0] for d in cur.description]
        return pd.DataFrame.from_records(cur.fetchall(), columns=columns)

    def _transaction(self):
        return _Transaction(self)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            try:
                conn.close()
            finally:
                self._local.conn = None

    def ping(self) -> bool:
        try:
            self._query("SELECT 1")
        except Exception:
            self.close()
            return False
        return True

    def _migrate(self) -> None:
        with self._transaction() as cur:
            version = 0
            if self._table_exists(cur, "meta"):
                cur.execute(self._sql("SELECT value FROM meta WHERE key = 'schema_version'"))
                row = cur.fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.url} has schema version {version}, newer than this gridmap "
                    f"({SCHEMA_VERSION}); upgrade gridmap"
                )
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in self.migrations[step].split(";"):
                    if statement.strip():
                        cur.execute(statement)
                cur.execute(
                    self._sql(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    ),
                    (str(step),),
                )

    # --- base layers ---------------------------------------------------------------------
    def put_areas(self, level: str, frame: gpd.GeoDataFrame, *, replace: bool = True) -> int:
        """Write the areas of ``level``: replacing the whole level, or (``replace=False``)
        adding new codes and updating existing ones while keeping the rest."""
        _check_level(level)
        rows = self._geo_rows(frame.assign(level=level), (*AREA_COLUMNS,))
        with self._transaction() as cur:
            if replace:
                cur.execute(self._sql("DELETE FROM areas WHERE level = ?"), (level,))
            cur.executemany(
                self._sql(
                    "INSERT INTO areas (code, level, name, parent_code, props, geom, minx, miny, "
                    f"maxx, maxy) VALUES (?,?,?,?,?,{self._geom_in()},?,?,?,?) "
                    "ON CONFLICT (code) DO UPDATE SET level = excluded.level, "
                    "name = excluded.name, "
                    "parent_code = excluded.parent_code, props = excluded.props, "
                    "geom = excluded.geom, minx = excluded.minx, miny = excluded.miny, "
                    "maxx = excluded.maxx, maxy = excluded.maxy"
                ),
                rows,
            )
        return len(rows)

    def get_areas(self, level: str) -> gpd.GeoDataFrame:
        _check_level(level)
        table = self._frame(
            f"SELECT code, level, name, parent_code, props, {self._geom_out()} AS geom "
            "FROM areas WHERE level = ? ORDER BY code",
            (level,),
        )
        return _to_geo(table, ["code", "level", "name", "parent_code", "props", "geom"])

    def put_buildings(self, frame: gpd.GeoDataFrame, *, replace: bool = True) -> int:
        """Write buildings: replacing all, or (``replace=False``) adding and updating by id."""
        rows = self._geo_rows(frame, BUILDING_COLUMNS)
        columns = [*BUILDING_COLUMNS, "props", "geom", "minx", "miny", "maxx", "maxy"]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        with self._transaction() as cur:
            if replace:
                cur.execute("DELETE FROM buildings")
            cur.executemany(
                self._sql(
                    f"INSERT INTO buildings ({', '.join(columns)}) VALUES "
                    f"(?,?,?,?,?,?,?,{self._geom_in()},?,?,?,?) "
                    f"ON CONFLICT (building_id) DO UPDATE SET {updates}"
                ),
                rows,
            )
        return len(rows)

    def get_buildings(self, bbox=None) -> gpd.GeoDataFrame:
        sql = (
            "SELECT building_id, grid_code, name, floors, households, population, props, "
            f"{self._geom_out()} AS geom FROM buildings"
        )
        params: tuple = ()
        if bbox is not None:
            sql += " WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?"
            params = (bbox[0], bbox[2], bbox[1], bbox[3])
        table = self._frame(sql + " ORDER BY building_id", params)
        return _to_geo(table, [*BUILDING_COLUMNS, "props", "geom"])

    def layer_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(AREA_LEVELS, 0)
        counts.update(dict(self._query("SELECT level, count(*) FROM areas GROUP BY level")))
        for table in ("buildings", "incidents", "events"):
            counts[table] = int(self._query(f"SELECT count(*) FROM {table}")[0][0])
        return counts

    def _geo_rows(self, frame: gpd.GeoDataFrame, columns: tuple[str, ...]) -> list[tuple]:
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            raise ValueError(f"layers are stored in EPSG:4326, got {frame.crs.to_string()}")
        base = rows_of(frame, columns, ())
        props = split_props(frame, (*columns, "level"))
        geoms = np.asarray(frame.geometry.values, dtype=object)
        bounds = shapely.bounds(geoms)
        wkb = shapely.to_wkb(self._prepare_geom(geoms))
        return [
            (*row, prop, blob, *map(float, b))
            for row, prop, blob, b in zip(base, props, wkb, bounds, strict=True)
        ]

    # --- incidents: bulk --------------------------------------------------------------
    def bulk_load(self, incidents: pd.DataFrame, events: pd.DataFrame | None = None) -> int:
        inc_rows = rows_of(incidents, INCIDENT_COLUMNS, INCIDENT_TIME_COLUMNS)
        with self._transaction() as cur:
            ids = [r[0] for r in inc_rows]
            for chunk in chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                cur.execute(
                    self._sql(f"DELETE FROM incidents WHERE incident_id IN ({marks})"), chunk
                )
                if events is not None and len(events):
                    # a reloaded incident brings its whole history: the old one goes
                    cur.execute(
                        self._sql(f"DELETE FROM events WHERE incident_id IN ({marks})"), chunk
                    )
            self._bulk_insert(cur, "incidents", INCIDENT_COLUMNS, inc_rows)
            if events is not None and len(events):
                self._bulk_insert(
                    cur, "events", EVENT_COLUMNS, rows_of(events, EVENT_COLUMNS, EVENT_TIME_COLUMNS)
                )
            cur.execute(
                "UPDATE incidents SET last_event_at = COALESCE((SELECT max(e.at) FROM events e "
                "WHERE e.incident_id = incidents.incident_id), reported_at) "
                "WHERE last_event_at IS NULL"
            )
            self._rebuild_open_counts(cur)
        self._after_bulk_load()
        return len(inc_rows)

    def _after_bulk_load(self) -> None:
        """Refresh planner statistics after a bulk load (a no-op where not needed)."""

    def _rebuild_open_counts(self, cur) -> None:
        cur.execute("DELETE FROM open_counts")
        cur.execute(
            "INSERT INTO open_counts (grid_code, status, n) SELECT COALESCE(grid_code, ''), "
            f"status, count(*) FROM incidents WHERE {_OPEN_SQL} "
            "GROUP BY COALESCE(grid_code, ''), status"
        )

    # --- incidents: reads ---------------------------------------------------------------
    def get_incidents(
        self, *, open_only: bool = False, area_code: str | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        where, params = _area_filter(area_code)
        if open_only:
            where.append(_OPEN_SQL)
        sql = f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY incident_id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return _incident_frame(self._frame(sql, params))

    def list_incidents(
        self,
        *,
        start_ms: int,
        end_ms: int,
        service_codes: Sequence[str] = (),
        status: str | None = None,
        limit: int = 1000,
        area_code: str | None = None,
    ) -> pd.DataFrame:
        """Incidents reported in ``[start, end)``, newest first, for the Open311 list.

        ``status`` is Open311's ``open`` or ``closed``; ``area_code`` confines to an area.
        """
        where, params = _area_filter(area_code)
        where += ["reported_at >= ?", "reported_at < ?"]
        params += [start_ms, end_ms]
        if service_codes:
            where.append(f"subcategory IN ({','.join('?' * len(service_codes))})")
            params += list(service_codes)
        if status == "open":
            where.append(_OPEN_SQL)
        elif status == "closed":
            where.append(f"NOT ({_OPEN_SQL})")
        return _incident_frame(
            self._frame(
                f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE {' AND '.join(where)} "
                f"ORDER BY reported_at DESC LIMIT {int(limit)}",
                params,
            )
        )

    def get_incident(self, incident_id: str) -> dict | None:
        frame = _incident_frame(
            self._frame(
                f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents WHERE incident_id = ?",
                (incident_id,),
            )
        )
        return None if frame.empty else frame.iloc[0].to_dict()

    def get_events(self, incident_id: str) -> pd.DataFrame:
        frame = self._frame(
            f"SELECT event_id, {', '.join(EVENT_COLUMNS)} FROM events WHERE incident_id = ? "
            "ORDER BY at, event_id",
            (incident_id,),
        )
        for column in EVENT_TIME_COLUMNS:
            frame[column] = from_epoch_ms(frame[column])
        return frame

    def events_since(self, cursor: int, *, limit: int = 1000) -> tuple[pd.DataFrame, int]:
        """Events after ``cursor`` (an ``event_id``) joined with their incident's current row.

        Returns the events (oldest first, at most ``limit``; times tz-aware) and the new cursor.
        """
        rows, new_cursor = self.event_rows_since(cursor, limit=limit)
        frame = pd.DataFrame.from_records(rows, columns=list(LIVE_COLUMNS))
        for column in ("at", "deadline", "stage_entered_at"):
            frame[column] = from_epoch_ms(frame[column])
        return frame, new_cursor

    def event_rows_since(self, cursor: int, *, limit: int = 1000) -> tuple[list[dict], int]:
        """:meth:`events_since` as plain dicts with times in epoch ms (no pandas: the live
        tick's hot path)."""
        event_cols = ("event_id", "incident_id", "at", "action", "from_state", "to_state")
        events = self._query(
            f"SELECT {', '.join(event_cols)} FROM events WHERE event_id > ? "
            f"ORDER BY event_id LIMIT {int(limit)}",
            (int(cursor),),
        )
        # then their incidents by primary key (two index lookups, whatever the statistics;
        # a join let PostgreSQL's planner hash the whole incidents table)
        incident_cols = [c for c in LIVE_COLUMNS if c not in event_cols]
        by_id: dict[str, tuple] = {}
        for chunk in chunks(sorted({e[1] for e in events}), 500):
            for row in self._query(
                f"SELECT incident_id, {', '.join(incident_cols)} FROM incidents "
                f"WHERE incident_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                by_id[row[0]] = row[1:]
        missing = (None,) * len(incident_cols)
        names = (*event_cols, *incident_cols)
        rows = [dict(zip(names, e + by_id.get(e[1], missing), strict=True)) for e in events]
        return rows, (int(events[-1][0]) if events else int(cursor))

    def last_event_id(self) -> int:
        return int(self._query("SELECT COALESCE(max(event_id), 0) FROM events")[0][0])

    def open_counts(self) -> pd.DataFrame:
        """Open incidents per grid and state, from the incrementally kept summary."""
        return self._frame(
            "SELECT grid_code, status, n FROM open_counts WHERE n > 0 ORDER BY grid_code, status"
        )

    def recount_open(self) -> pd.DataFrame:
        """The same figures counted from scratch (the naive way; also a consistency check)."""
        return self._frame(
            "SELECT COALESCE(grid_code, '') AS grid_code, status, count(*) AS n FROM incidents "
            f"WHERE {_OPEN_SQL} GROUP BY COALESCE(grid_code, ''), status ORDER BY 1, 2"
        )

    def due(self, now_ms_: int) -> pd.DataFrame:
        """Open incidents past (overdue) or near (near-due) their stage deadline at ``now``."""
        frame = self._frame(
            "SELECT incident_id, status, category, priority, street_code, grid_code, lon, lat, "
            "stage_entered_at, deadline, CASE WHEN deadline < ? THEN 'overdue' ELSE 'near_due' "
            f"END AS due FROM incidents WHERE {_OPEN_SQL} AND deadline IS NOT NULL AND "
            "(deadline - ?) < 0.2 * (deadline - stage_entered_at) ORDER BY deadline",
            (now_ms_, now_ms_),
        )
        for column in ("stage_entered_at", "deadline"):
            frame[column] = from_epoch_ms(frame[column])
        return frame

    def counts(
        self,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        level: str = "grid",
        by: str = "status",
    ) -> pd.DataFrame:
        """Incidents reported in ``[start, end)`` per area of ``level`` and ``by`` value."""
        if level not in ("grid", "community", "street"):
            raise ValueError(f"unknown level {level!r}; allowed: grid, community, street")
        if by not in ("status", "category", "subcategory", "source", "priority"):
            raise ValueError(
                f"cannot count by {by!r}; allowed: status, category, subcategory, source, priority"
            )
        where, params = [], []
        if start_ms is not None:
            where.append("reported_at >= ?")
            params.append(start_ms)
        if end_ms is not None:
            where.append("reported_at < ?")
            params.append(end_ms)
        sql = (
            f"SELECT {level}_code AS code, {by} AS value, count(*) AS n FROM incidents"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" GROUP BY {level}_code, {by} ORDER BY 1, 2"
        )
        return self._frame(sql, params)

    def state_as_of(self, at_ms: int) -> pd.DataFrame:
        """Each incident's state at ``at_ms``, rebuilt from the event log (escalations aside)."""
        frame = self._frame(
            "SELECT incident_id, to_state AS status, at, deadline FROM ("
            "SELECT incident_id, to_state, at, deadline, ROW_NUMBER() OVER ("
            "PARTITION BY incident_id ORDER BY at DESC, event_id DESC) AS rn FROM events "
            "WHERE at <= ? AND action <> 'escalate') last WHERE rn = 1 ORDER BY incident_id",
            (at_ms,),
        )
        for column in ("at", "deadline"):
            frame[column] = from_epoch_ms(frame[column])
        return frame

    def report_points(
        self,
        since_ms: int,
        until_ms: int | None = None,
        *,
        area_code: str | None = None,
        categories: Sequence[str] = (),
    ) -> pd.DataFrame:
        """``lon``, ``lat`` (WGS84 degrees) and ``category`` of every located incident of
        ``area_code`` reported after ``since_ms`` (and by ``until_ms``), whatever its state
        since: the points of a heat layer."""
        where, params = _area_filter(area_code)
        where += ["reported_at > ?", "lon IS NOT NULL"]
        params += [int(since_ms)]
        if until_ms is not None:
            where.append("reported_at <= ?")
            params.append(int(until_ms))
        if categories:
            where.append(f"category IN ({','.join('?' * len(categories))})")
            params += list(categories)
        return pd.DataFrame.from_records(
            self._query(
                f"SELECT lon, lat, category FROM incidents WHERE {' AND '.join(where)}", params
            ),
            columns=["lon", "lat", "category"],
        )

    def incident_ids_in_area(self, incident_ids: Sequence[str], area_code: str | None) -> set[str]:
        """Those of ``incident_ids`` that are incidents of ``area_code`` (all that exist for
        ``None``)."""
        where, params = _area_filter(area_code)
        found: set[str] = set()
        for chunk in chunks(sorted(set(incident_ids)), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT incident_id FROM incidents WHERE incident_id IN ({marks})"
            if where:
                sql += " AND " + " AND ".join(where)
            found.update(r[0] for r in self._query(sql, [*chunk, *params]))
        return found

    def incidents_as_of(
        self,
        at_ms: int,
        *,
        area_code: str | None = None,
        closed_since_ms: int | None = None,
    ) -> pd.DataFrame:
        """The incidents of ``area_code`` (all: ``None``) reported by ``at_ms``, each with its
        state at that moment rebuilt from the event log (escalations aside): ``status``,
        ``stage_entered_at`` and ``deadline`` as they were then (times tz-aware).

        Only incidents still open then are read, and, with ``closed_since_ms``, those closed
        after it too: closed and void are final states, so an incident closed by
        ``closed_since_ms`` needs no rebuilding, and the work grows with what the export asks
        for, not with the whole history.
        """
        where, params = _area_filter(area_code)
        since = at_ms if closed_since_ms is None else min(int(closed_since_ms), at_ms)
        where += ["reported_at <= ?", "(closed_at IS NULL OR closed_at > ?)"]
        params += [at_ms, since]
        columns = ", ".join(f"i.{c}" for c in INCIDENT_COLUMNS if c not in _AS_OF_COLUMNS)
        frame = self._frame(
            f"WITH cand AS (SELECT incident_id FROM incidents WHERE {' AND '.join(where)}), "
            "last AS (SELECT e.incident_id, e.to_state, e.at, e.deadline, ROW_NUMBER() OVER ("
            "PARTITION BY e.incident_id ORDER BY e.at DESC, e.event_id DESC) AS rn "
            "FROM events e WHERE e.incident_id IN (SELECT incident_id FROM cand) "
            "AND e.at <= ? AND e.action <> 'escalate') "
            f"SELECT {columns}, last.to_state AS status, last.at AS stage_entered_at, "
            "last.deadline AS deadline, i.closed_at AS closed_at FROM incidents i "
            "JOIN last ON last.incident_id = i.incident_id AND last.rn = 1 "
            "ORDER BY i.incident_id",
            [*params, at_ms],
        )
        frame = frame.reindex(columns=list(INCIDENT_COLUMNS))
        frame["closed_at"] = frame["closed_at"].where(frame["status"].isin(CLOSED_STATES))
        return _incident_frame(frame)


class _Transaction:
    """``with store._transaction() as cur``: BEGIN … COMMIT, or ROLLBACK on any error."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store

    def __enter__(self):
        self.cur = self.store._conn().cursor()
        self.cur.execute(self.store.begin_sql)
        return self.cur

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.cur.execute("COMMIT")
        else:
            try:
                self.cur.execute("ROLLBACK")
            except Exception:
                self.store.close()


def _check_level(level: str) -> None:
    if level not in AREA_LEVELS:
        raise ValueError(f"unknown area level {level!r}; allowed: {list(AREA_LEVELS)}")


def _area_filter(area_code: str | None) -> tuple[list[str], list[Any]]:
    if not area_code:
        return [], []
    column = {6: None, 9: "street_code", 12: "community_code"}.get(len(area_code), "grid_code")
    if column is None:
        return [], []  # the whole district
    return [f"{column} = ?"], [area_code]


def rows_of(frame: pd.DataFrame, columns: Sequence[str], time_columns: Sequence[str]) -> list:
    """Rows as tuples of plain Python values, in ``columns`` order (missing columns → NULL)."""
    data = []
    n = len(frame)
    for column in columns:
        if column not in frame.columns:
            data.append([None] * n)
            continue
        series = frame[column]
        if column in time_columns:
            data.append(list(to_epoch_ms(series)))
        elif series.dtype == bool or str(series.dtype) == "boolean":
            data.append([None if pd.isna(v) else int(v) for v in series])
        else:
            values = series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
            data.append([v.item() if isinstance(v, np.generic) else v for v in values])
    return list(zip(*data, strict=True))


def _incident_frame(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        table = pd.DataFrame(columns=list(INCIDENT_COLUMNS))
    for column in INCIDENT_TIME_COLUMNS:
        table[column] = from_epoch_ms(table[column])
    table["escalated"] = table["escalated"].fillna(0).astype(int).astype(bool)
    return table


def _to_geo(table: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    if table.empty:
        table = pd.DataFrame(columns=columns)
    blobs = [bytes(b) if isinstance(b, memoryview) else b for b in table.pop("geom")]
    geoms = shapely.from_wkb(np.array(blobs, dtype=object)) if blobs else []
    props = table.pop("props")
    table = join_props(table, props)
    return gpd.GeoDataFrame(table, geometry=geoms, crs="EPSG:4326")
