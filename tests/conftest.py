"""Shared fixtures: an isolated data folder and store per test that asks for one."""

from __future__ import annotations

import pytest

from gridmap.settings import get_settings


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """Settings pointing at a fresh data folder (and so a fresh SQLite store)."""
    monkeypatch.setenv("GRIDMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GRIDMAP_STORE_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
