"""Write and read a whole demo data set: base layers (GeoPackage) and incidents (GeoParquet).

Layout of ``<out>/<scale>/``: ``base.gpkg`` (layers districts, streets, communities, grids,
buildings), ``incidents.parquet`` (GeoParquet, points in EPSG:4326), ``events.parquet`` (the
workflow log) and ``manifest.json`` (scale, seed, now, counts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from geopandas.io.arrow import _geopandas_to_arrow

from gridmap.demo.areas import make_areas, write_areas
from gridmap.demo.incidents import iter_incidents
from gridmap.domain.workflow import CLOSED_STATES

#: What the generator makes; a data set of another version is made again by ``--if-missing``
#: (2: the districts in their real outlines; 3: photos of some incidents, kept as they are loaded).
DEMO_VERSION = 3
#: Incidents per tier (one year).
INCIDENT_COUNTS = {"district": 550_000, "city": 10_000_000}
AREA_LAYERS = ("districts", "streets", "communities", "grids", "buildings")


def generate(
    scale: str,
    out_dir: Path,
    *,
    seed: int = 42,
    now: pd.Timestamp | None = None,
    incidents: int | None = None,
    progress: Callable[..., None] = lambda _step, **_values: None,
) -> dict:
    """Generate the ``scale`` tier into ``out_dir`` and return its manifest.

    Parameters
    ----------
    scale
        ``"district"`` (Chenghua) or ``"city"`` (Chengdu).
    out_dir
        Folder to write into (created).
    seed
        The same seed and ``now`` give the same data.
    now
        The demo's present (default: this hour, Asia/Shanghai).
    incidents
        Override the number of incidents (default: the tier's).
    progress
        Called as each step starts with its key (``demo_step_areas``, ``demo_step_base``,
        ``demo_step_incidents`` with ``done`` and ``total``): the command line says it in
        the user's language.
    """
    if scale not in INCIDENT_COUNTS:
        raise ValueError(f"unknown scale {scale!r}; allowed: {sorted(INCIDENT_COUNTS)}")
    now = now or pd.Timestamp.now(tz="Asia/Shanghai").floor("h")
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    progress("demo_step_areas")
    layers = make_areas(scale, seed)
    progress("demo_step_base")
    write_areas(layers, out_dir / "base.gpkg")
    streets = dict(zip(layers["streets"]["code"], layers["streets"]["name"], strict=True))
    communities = dict(
        zip(layers["communities"]["code"], layers["communities"]["name"], strict=True)
    )
    manifest_path = out_dir / "manifest.json"
    manifest_path.unlink(missing_ok=True)  # a partial data set has no manifest
    counts = _write_incidents(
        out_dir,
        iter_incidents(
            layers["grids"],
            count=incidents or INCIDENT_COUNTS[scale],
            now=now,
            seed=seed,
            street_names=streets,
            community_names=communities,
        ),
        total=incidents or INCIDENT_COUNTS[scale],
        progress=progress,
    )
    manifest = {
        "version": DEMO_VERSION,
        "scale": scale,
        "seed": seed,
        "now": now.isoformat(),
        "counts": {**{k: len(v) for k, v in layers.items()}, **counts},
        "seconds": round(time.perf_counter() - started, 1),
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def _write_incidents(out_dir: Path, chunks, *, total: int, progress) -> dict[str, int]:
    """Stream incident and event chunks into ``incidents.parquet`` (GeoParquet) and
    ``events.parquet``; returns the counts."""
    counts = {"incidents": 0, "open_incidents": 0, "events": 0}
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        for chunk in chunks:
            done = counts["incidents"] + len(chunk.incidents)
            progress("demo_step_incidents", done=done, total=total)
            tables = {
                "incidents.parquet": _geoparquet_table(chunk.incidents),
                "events.parquet": pa.Table.from_pandas(chunk.events, preserve_index=False),
            }
            for name, table in tables.items():
                if name not in writers:
                    writers[name] = pq.ParquetWriter(out_dir / name, table.schema)
                writers[name].write_table(table)
            counts["incidents"] = done
            counts["events"] += len(chunk.events)
            status = chunk.incidents["status"].to_numpy(dtype=object)
            counts["open_incidents"] += int((~np.isin(status, CLOSED_STATES)).sum())
    finally:
        for writer in writers.values():
            writer.close()
    return counts


def _geoparquet_table(frame: gpd.GeoDataFrame) -> pa.Table:
    """A GeoParquet table (WKB geometry with the ``geo`` metadata) to stream in chunks; uses
    geopandas's own writer path, as ``to_parquet`` has no append mode."""
    return _geopandas_to_arrow(frame, index=False)


def read_manifest(out_dir: Path) -> dict | None:
    """The manifest of a generated data set, or ``None`` if there is none (or it is partial)."""
    path = out_dir / "manifest.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def read_base_layer(out_dir: Path, layer: str) -> gpd.GeoDataFrame:
    """One base layer of a generated data set (EPSG:4326)."""
    return gpd.read_file(out_dir / "base.gpkg", layer=layer, engine="pyogrio")
