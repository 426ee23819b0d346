"""The embedded store: SQLite in WAL mode, ``synchronous=FULL`` so an acknowledged write is on
disk. Geometry is WKB with its bounds in columns; times are epoch ms (UTC)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

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
    wkb_array,
)

SCHEMA_VERSION = 1

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE areas (
        code TEXT PRIMARY KEY, level TEXT NOT NULL, name TEXT, parent_code TEXT, props TEXT,
        geom BLOB NOT NULL, minx REAL, miny REAL, maxx REAL, maxy REAL
    );
    CREATE INDEX areas_level ON areas (level, code);
    CREATE TABLE buildings (
        building_id TEXT PRIMARY KEY, grid_code TEXT, name TEXT, floors INTEGER,
        households INTEGER, population INTEGER, props TEXT,
        geom BLOB NOT NULL, minx REAL, miny REAL, maxx REAL, maxy REAL
    );
    CREATE INDEX buildings_grid ON buildings (grid_code);
    CREATE INDEX buildings_bbox ON buildings (minx, maxx, miny, maxy);
    CREATE TABLE incidents (
        incident_id TEXT PRIMARY KEY, source TEXT, category TEXT, subcategory TEXT,
        priority INTEGER, reported_at INTEGER NOT NULL, lon REAL, lat REAL, source_crs TEXT,
        source_x REAL, source_y REAL, grid_code TEXT, community_code TEXT, street_code TEXT,
        description TEXT, department TEXT, status TEXT NOT NULL, stage_entered_at INTEGER,
        deadline INTEGER, closed_at INTEGER, escalated INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX incidents_open ON incidents (status, grid_code);
    CREATE INDEX incidents_reported ON incidents (reported_at);
    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, at INTEGER NOT NULL,
        action TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, actor TEXT, note TEXT,
        department TEXT, deadline INTEGER
    );
    CREATE INDEX events_incident ON events (incident_id, at);
    """,
}


class SQLiteStore(Store):
    """The embedded store.

    Parameters
    ----------
    url
        ``sqlite:///relative/or/absolute/path.db``; the folder is created if missing.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        path = url.removeprefix("sqlite:///")
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    # --- connections ---------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            target = str(self.path) if self.path is not None else ":memory:"
            try:
                conn = sqlite3.connect(
                    target, timeout=30, isolation_level=None, check_same_thread=False
                )
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open {self.url}: {exc}") from exc
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def _migrate(self) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            has_meta = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
            ).fetchone()
            version = 0
            if has_meta:
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.url} has schema version {version}, newer than this gridmap "
                    f"({SCHEMA_VERSION}); upgrade gridmap"
                )
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[step].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(step),),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def ping(self) -> bool:
        try:
            self._conn().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def _write(self, statements: list[tuple[str, list | tuple]]) -> None:
        """Run statements in one transaction: a list of rows → ``executemany``, a tuple →
        the parameters of one ``execute``."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                if isinstance(params, list):
                    conn.executemany(sql, params)
                else:
                    conn.execute(sql, params)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # --- base layers ---------------------------------------------------------------
    def put_areas(self, level: str, frame: gpd.GeoDataFrame) -> int:
        if level not in AREA_LEVELS:
            raise ValueError(f"unknown area level {level!r}; allowed: {list(AREA_LEVELS)}")
        frame = frame.assign(level=level)
        rows = _geo_rows(frame, AREA_COLUMNS)
        self._write(
            [
                ("DELETE FROM areas WHERE level = ?", (level,)),
                (
                    "INSERT OR REPLACE INTO areas (code, level, name, parent_code, props, geom, "
                    "minx, miny, maxx, maxy) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    rows,
                ),
            ]
        )
        return len(rows)

    def get_areas(self, level: str) -> gpd.GeoDataFrame:
        if level not in AREA_LEVELS:
            raise ValueError(f"unknown area level {level!r}; allowed: {list(AREA_LEVELS)}")
        table = pd.read_sql_query(
            "SELECT code, level, name, parent_code, props, geom FROM areas WHERE level = ? "
            "ORDER BY code",
            self._conn(),
            params=(level,),
        )
        return _to_geo(table)

    def put_buildings(self, frame: gpd.GeoDataFrame) -> int:
        rows = _geo_rows(frame, BUILDING_COLUMNS)
        self._write(
            [
                ("DELETE FROM buildings", ()),
                (
                    "INSERT OR REPLACE INTO buildings (building_id, grid_code, name, floors, "
                    "households, population, props, geom, minx, miny, maxx, maxy) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    rows,
                ),
            ]
        )
        return len(rows)

    def get_buildings(self, bbox=None) -> gpd.GeoDataFrame:
        sql = (
            "SELECT building_id, grid_code, name, floors, households, population, props, geom "
            "FROM buildings"
        )
        params: tuple = ()
        if bbox is not None:
            sql += " WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?"
            params = (bbox[0], bbox[2], bbox[1], bbox[3])
        table = pd.read_sql_query(sql + " ORDER BY building_id", self._conn(), params=params)
        return _to_geo(table)

    def layer_counts(self) -> dict[str, int]:
        conn = self._conn()
        counts = dict.fromkeys(AREA_LEVELS, 0)
        counts.update(conn.execute("SELECT level, count(*) FROM areas GROUP BY level").fetchall())
        for table in ("buildings", "incidents", "events"):
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return counts

    # --- incidents -----------------------------------------------------------------
    def bulk_load(self, incidents: pd.DataFrame, events: pd.DataFrame | None = None) -> int:
        inc_rows = _rows(incidents, INCIDENT_COLUMNS, INCIDENT_TIME_COLUMNS)
        statements: list[tuple[str, list | tuple]] = [
            (
                f"INSERT OR REPLACE INTO incidents ({', '.join(INCIDENT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(INCIDENT_COLUMNS))})",
                inc_rows,
            )
        ]
        if events is not None and len(events):
            statements.append(
                (
                    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
                    _rows(events, EVENT_COLUMNS, EVENT_TIME_COLUMNS),
                )
            )
        self._write(statements)
        return len(inc_rows)

    def get_incidents(self, *, open_only: bool = False) -> pd.DataFrame:
        sql = f"SELECT {', '.join(INCIDENT_COLUMNS)} FROM incidents"
        if open_only:
            sql += " WHERE status NOT IN ('closed', 'void')"
        table = pd.read_sql_query(sql + " ORDER BY incident_id", self._conn())
        for column in INCIDENT_TIME_COLUMNS:
            table[column] = from_epoch_ms(table[column])
        table["escalated"] = table["escalated"].astype(bool)
        return table


def _rows(frame: pd.DataFrame, columns: tuple[str, ...], time_columns: tuple[str, ...]) -> list:
    """Rows as tuples of plain Python values, in ``columns`` order (missing columns → NULL)."""
    data = {}
    for column in columns:
        if column not in frame.columns:
            data[column] = np.full(len(frame), None, dtype=object)
        elif column in time_columns:
            data[column] = to_epoch_ms(frame[column])
        else:
            values = frame[column].astype(object)
            data[column] = values.where(values.notna(), None).to_numpy(dtype=object)
            if frame[column].dtype == bool or str(frame[column].dtype) == "boolean":
                data[column] = np.array(
                    [None if v is None else int(v) for v in data[column]], dtype=object
                )
    return list(zip(*(_plain(data[c]) for c in columns), strict=True))


def _plain(values: np.ndarray) -> list:
    """numpy scalars → Python scalars (sqlite3 accepts only those)."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _geo_rows(frame: gpd.GeoDataFrame, columns: tuple[str, ...]) -> list:
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise ValueError(f"layers are stored in EPSG:4326, got {frame.crs.to_string()}")
    base = _rows(frame, columns, ())
    props = split_props(frame, (*columns, "level"))
    geoms = frame.geometry.values
    bounds = shapely.bounds(np.asarray(geoms, dtype=object))
    wkb = wkb_array(geoms)
    return [
        (*row, prop, blob, *map(float, b))
        for row, prop, blob, b in zip(base, props, wkb, bounds, strict=True)
    ]


def _to_geo(table: pd.DataFrame) -> gpd.GeoDataFrame:
    geoms = shapely.from_wkb(table.pop("geom").to_numpy())
    props = table.pop("props")
    table = join_props(table, props)
    return gpd.GeoDataFrame(table, geometry=geoms, crs="EPSG:4326")
