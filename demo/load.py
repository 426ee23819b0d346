"""Loading a generated demo data set into a store: the command line's ``demo-data`` and the
benchmarks both load it this way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from gridmap.demo.dataset import read_base_layer
from gridmap.feed.store import open_store

#: Layers of the demo GeoPackage → area level in the store.
DEMO_LEVELS = {
    "districts": "district",
    "streets": "street",
    "communities": "community",
    "grids": "grid",
}


def load_into_store(
    folder: Path, url: str, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Load a generated data set (``folder``: base layers, incidents, events) into the store
    at ``url``; returns the rows written per layer. ``progress`` is told each step (Chinese)."""
    say = progress or (lambda _message: None)
    counts: dict[str, int] = {}
    with open_store(url) as store:
        say("区域图层")
        for layer, level in DEMO_LEVELS.items():
            counts[layer] = store.put_areas(level, read_base_layer(folder, layer))
        say("楼栋")
        counts["buildings"] = store.put_buildings(read_base_layer(folder, "buildings"))
        say("事件及其流转记录")
        incidents = pd.read_parquet(folder / "incidents.parquet")
        events = pd.read_parquet(folder / "events.parquet")
        counts["incidents"] = store.bulk_load(incidents, events)
    return counts
