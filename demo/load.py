"""Loading a generated demo data set into a store: the command line's ``demo-data`` and the
benchmarks both load it this way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from gridmap.demo.dataset import read_base_layer, read_manifest
from gridmap.demo.photos import add_demo_photos
from gridmap.domain.areas import LEVEL_OF_LAYER
from gridmap.feed.photos import PhotoFiles
from gridmap.feed.store import open_store


def load_into_store(
    folder: Path,
    url: str,
    progress: Callable[..., None] | None = None,
    photos_dir: Path | None = None,
) -> dict[str, int]:
    """Load a generated data set (``folder``: base layers, incidents, events) into the store
    at ``url``; returns the rows written per layer. ``progress`` is told the key of each step
    (``load_step_areas``, ``load_step_buildings``, ``load_step_incidents``,
    ``load_step_photos``). With ``photos_dir``, some handled incidents get photos
    (:mod:`gridmap.demo.photos`) kept there."""
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
        if photos_dir is not None:
            say("load_step_photos")
            seed = int((read_manifest(folder) or {}).get("seed", 0))
            counts["photos"] = add_demo_photos(store, PhotoFiles(photos_dir), seed=seed)
    return counts
