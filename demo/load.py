"""Loading a generated demo data set into a store: the command line's ``demo-data`` and the
benchmarks both load it this way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from gridmap.demo.dataset import read_base_layer
from gridmap.domain.areas import LEVEL_OF_LAYER
from gridmap.feed.store import open_store


def load_into_store(
    folder: Path, url: str, progress: Callable[..., None] | None = None
) -> dict[str, int]:
    """Load a generated data set (``folder``: base layers, incidents, events) into the store
    at ``url``; returns the rows written per layer. ``progress`` is told the key of each step
    (``load_step_areas``, ``load_step_buildings``, ``load_step_incidents``)."""
    say = progress or (lambda _step, **_values: None)
    counts: dict[str, int] = {}
    with open_store(url) as store:
        say("load_step_areas")
        for layer, level in LEVEL_OF_LAYER.items():
            counts[layer] = store.put_areas(level, read_base_layer(folder, layer))
        say("load_step_buildings")
        counts["buildings"] = store.put_buildings(read_base_layer(folder, "buildings"))
        say("load_step_incidents")
        incidents = pd.read_parquet(folder / "incidents.parquet")
        events = pd.read_parquet(folder / "events.parquet")
        counts["incidents"] = store.bulk_load(incidents, events)
    return counts
