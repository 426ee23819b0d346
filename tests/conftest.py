"""Shared fixtures: an isolated data folder and store per test that asks for one.

Tests make their own settings whatever the caller's shell holds: an operator's ``GRIDMAP_*``
variables (a production ``GRIDMAP_STORE_URL``, logins on, another port) and its
``gridmap.toml`` are put aside before any test runs, so neither the tests nor the servers they
start read them. ``GRIDMAP_TEST_*`` variables (the tests' own, such as ``GRIDMAP_TEST_PG``)
stay.
"""

from __future__ import annotations

import os

import pytest

from gridmap.settings import get_settings


def pytest_configure(config) -> None:
    for name in [n for n in os.environ if n.startswith("GRIDMAP_")]:
        if not name.startswith("GRIDMAP_TEST_"):
            del os.environ[name]
    # nor a gridmap.toml lying in the folder the tests are run from
    os.environ["GRIDMAP_CONFIG"] = os.devnull
    # the command line speaks English in the tests (its Chinese is tested with --lang zh)
    os.environ["LC_MESSAGES"] = "en_US.UTF-8"
    get_settings.cache_clear()


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """Settings pointing at a fresh data folder (and so a fresh SQLite store)."""
    monkeypatch.setenv("GRIDMAP_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
