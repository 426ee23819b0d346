"""Store fixtures: every store test runs against SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import pytest

from gridmap.feed.store import open_store

from .. import pg


@pytest.fixture(scope="session")
def pg_server():
    try:
        url, cluster = pg.server_url()
    except Exception as exc:  # no server and none can be started here
        pytest.skip(f"no PostgreSQL/PostGIS available: {exc}")
    yield url
    if cluster is not None:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = request.getfixturevalue("pg_server")
    url, schema = pg.schema_url(base)
    yield url
    pg.drop_schema(base, schema)


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.close()
