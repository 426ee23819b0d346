"""Run the benchmarks of a scale tier and collect one JSON object.

Each benchmark measures our way and the naive way in the same run (so a ratio holds on a noisy
shared machine), each as the median of several runs, and states its goal where the issue sets
one. Data comes from the demo generator (cached under ``data/demo/<scale>``).
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rich.progress import Progress

from gridmap.bench.cases import BENCHMARKS, BenchData
from gridmap.settings import get_settings


def machine_info() -> dict:
    """Cores, memory and software of this machine."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        pages = 0
    import geopandas
    import shapely

    return {
        "cores": os.cpu_count(),
        "memory_gib": round(pages / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "shapely": shapely.__version__,
        "geopandas": geopandas.__version__,
    }


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, seconds."""
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_benchmarks(
    scale: str, *, only: list[str] | None = None, repeat: int = 5, data_dir: Path | None = None
) -> dict:
    """Run the benchmarks of ``scale`` (all, or the names in ``only``).

    Returns
    -------
    dict
        ``{"scale", "machine", "results": [{"name", "value", "unit", "baseline",
        "baseline_name", "ratio", "goal", ...}]}``.
    """
    names = only or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        raise ValueError(f"unknown benchmark(s) {unknown}; known: {list(BENCHMARKS)}")
    folder = (data_dir or get_settings().demo_dir) / scale
    results = []
    with Progress(transient=False) as progress:
        task = progress.add_task(f"bench {scale}: preparing data", total=len(names) + 1)
        data = BenchData.prepare(
            scale,
            folder,
            progress=lambda step, **_v: progress.update(task, description=f"bench {scale}: {step}"),
        )
        progress.advance(task)
        for name in names:
            progress.update(task, description=f"bench {scale}: {name}")
            results.extend(BENCHMARKS[name](data, repeat))
            progress.advance(task)
    return {"scale": scale, "machine": machine_info(), "results": results}
