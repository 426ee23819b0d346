"""Shared fixtures of the dashboard tests: a small demo data set loaded into a store."""

from __future__ import annotations

import os
from pathlib import Path

from gridmap.dashboard.shell.cli import main
from gridmap.settings import get_settings


def demo_store(folder: Path, *, incidents: int, seed: int) -> str:
    """Generate a district demo data set of ``incidents`` into ``folder`` (its data folder)
    and load it into the embedded store there; returns the store URL."""
    old = os.environ.get("GRIDMAP_DATA_DIR")
    os.environ["GRIDMAP_DATA_DIR"] = str(folder)
    get_settings.cache_clear()
    try:
        args = ["demo-data", "--incidents", str(incidents), "--seed", str(seed)]
        assert main(args) == 0
    finally:
        get_settings.cache_clear()
        if old is None:
            os.environ.pop("GRIDMAP_DATA_DIR")
        else:
            os.environ["GRIDMAP_DATA_DIR"] = old
    return f"sqlite:///{folder / 'gridmap.db'}"
