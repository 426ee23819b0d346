"""The production store: PostgreSQL with PostGIS (psycopg 3).

Incidents carry a generated ``geometry(Point, 4326)`` column with a GiST index; grids and
buildings are ``geometry(MultiPolygon, 4326)`` tables. Bulk loads go through ``COPY``.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import numpy as np
import shapely

from gridmap.feed.store.base import StoreError
from gridmap.feed.store.schema import POSTGRES_MIGRATIONS
from gridmap.feed.store.sql import SQLStore
from gridmap.feed.store.tiles import BUFFER, BUILDING_FIELDS, BUILDINGS_LAYER, EXTENT, check_tile


class PostgresStore(SQLStore):
    """The store at ``postgresql://user@host:port/db``."""

    lock_suffix = " FOR UPDATE"
    by_incident_id = "incident_id"
    migrations = POSTGRES_MIGRATIONS

    def _connect(self):
        import psycopg

        try:
            conn = psycopg.connect(
                self.url.replace("postgres://", "postgresql://", 1),
                autocommit=True,
                connect_timeout=5,
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self._safe_url()}: {exc}") from exc
        return conn

    def _safe_url(self) -> str:
        """The URL without a password."""
        parts = urlsplit(self.url)
        netloc = parts.hostname or ""
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def _sql(self, sql: str) -> str:
        cached = self._sql_cache.get(sql)
        if cached is None:
            cached = self._sql_cache[sql] = sql.replace("%", "%%").replace("?", "%s")
        return cached

    def building_tile(self, z: int, x: int, y: int, *, area_code: str | None = None) -> bytes:
        """Vector tile ``z/x/y`` of the buildings in ``area_code``, made by PostGIS
        (``ST_AsMVT``): the same tile as the embedded store's (:mod:`.tiles`)."""
        check_tile(z, x, y)
        fields = ", ".join(f"b.{f}" for f in BUILDING_FIELDS)
        rows = self._query(
            f"SELECT ST_AsMVT(t, '{BUILDINGS_LAYER}', {EXTENT}, 'geom') FROM (SELECT {fields}, "
            "ST_AsMVTGeom(ST_Transform(b.geom, 3857), ST_TileEnvelope(?, ?, ?), "
            f"{EXTENT}, {BUFFER}, true) AS geom FROM buildings b WHERE b.geom && "
            f"ST_Transform(ST_TileEnvelope(?, ?, ?, margin => {BUFFER / EXTENT}), 4326) "
            "AND b.grid_code LIKE ? ORDER BY b.building_id) t WHERE t.geom IS NOT NULL",
            (z, x, y, z, x, y, (area_code or "") + "%"),
        )
        return bytes(rows[0][0] or b"")

    def _geom_in(self) -> str:
        return "ST_GeomFromWKB(?, 4326)"

    def _geom_out(self, column: str = "geom") -> str:
        return f"ST_AsBinary({column})"

    def _prepare_geom(self, geoms: np.ndarray) -> np.ndarray:
        single = shapely.get_type_id(geoms) == 3
        out = geoms.copy()
        out[single] = shapely.multipolygons(geoms[single].reshape(-1, 1)) if single.any() else []
        return out

    def _index_names(self, cur, prefix: str) -> list[str]:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname LIKE %s",
            (prefix + "%",),
        )
        return [r[0] for r in cur.fetchall()]

    def _lock_table(self, cur, table: str) -> None:
        # readers go on; writers of the table wait their turn until this transaction ends
        cur.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")

    def _bulk_insert(self, cur, table, columns, rows) -> None:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _after_bulk_load(self) -> None:
        # without fresh statistics the planner joins events to incidents by scanning both
        self._execute("ANALYZE incidents")
        self._execute("ANALYZE events")
        self._execute("ANALYZE open_counts")

    def _table_exists(self, cur, name: str) -> bool:
        # in the first schema of the search path only, where this store creates its tables
        cur.execute(
            "SELECT to_regclass(quote_ident(current_schema()) || '.' || %s) IS NOT NULL", (name,)
        )
        return bool(cur.fetchone()[0])
