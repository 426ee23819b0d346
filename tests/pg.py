"""A PostgreSQL + PostGIS server for the store tests.

Uses the server on 127.0.0.1:5432 (database ``test``) when one answers; otherwise starts a
throwaway cluster (``initdb`` in a temporary folder, as the ``postgres`` user when run as root)
on a free port and stops it at the end. Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import psycopg

DEFAULT_URL = os.environ.get("GRIDMAP_TEST_PG", "postgresql://127.0.0.1:5432/test")


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayCluster:
    """``initdb`` + ``pg_ctl start`` in a temporary folder; ``stop()`` removes it."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no PostgreSQL server binaries (install postgresql-15-postgis-3)")
        self.bin = os.path.dirname(bins[-1])
        self.dir = tempfile.mkdtemp(prefix="gridmap-pg-")
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:  # initdb refuses to run as root
            self.user = "postgres"
            shutil.chown(self.dir, user=self.user)
        self._run("initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres", "--no-sync")
        self._run(
            "pg_ctl",
            "-D",
            f"{self.dir}/data",
            "-w",
            "-l",
            f"{self.dir}/log",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        for _ in range(50):
            if _answers(self.url):
                return
            time.sleep(0.2)
        raise RuntimeError(f"throwaway PostgreSQL did not start; see {self.dir}/log")

    def _run(self, tool: str, *args: str) -> None:
        cmd = [f"{self.bin}/{tool}", *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def server_url() -> tuple[str, ThrowawayCluster | None]:
    """URL of a PostGIS server, and the cluster to stop later (``None`` for the shared one)."""
    if _answers(DEFAULT_URL):
        return DEFAULT_URL, None
    cluster = ThrowawayCluster()
    return cluster.url, cluster


def schema_url(base: str) -> tuple[str, str]:
    """A new schema on ``base``; returns (URL whose search_path is that schema, schema name)."""
    name = "gm_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{name},public", name


def drop_schema(base: str, name: str) -> None:
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
