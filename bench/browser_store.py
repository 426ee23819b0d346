"""The store the browser benchmarks serve: built once per tier, cached, copied per run.

* district: the tier's demo data set (base layers, a year of incidents and their events),
  loaded with :func:`gridmap.demo.load.load_into_store`.
* city: the city's real areas and a deterministic synthetic live picture
  (:func:`synthetic_incidents`: ~100,000 open incidents, ~30,000 reports of the last 24 h),
  without the tier's ten million historical incidents, which the pages never draw.

The built file is cached as ``<data folder>/bench-browser.db`` with a JSON sidecar saying
what it holds and at what "now" its times were made; each run works on a copy whose times are
shifted to the present (:func:`fresh_copy`), so the cache stays pristine and "the last 24 h"
means today whenever the benchmark runs.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridmap.domain.areas import LEVEL_OF_LAYER
from gridmap.domain.categories import CATEGORIES, SOURCES
from gridmap.domain.routing import route
from gridmap.domain.sla import allowed_hours_array

CACHE_NAME = "bench-browser.db"
#: Open workflow states of the synthetic incidents, with their shares.
OPEN_STATES = {
    "reported": 0.05,
    "accepted": 0.05,
    "dispatched": 0.10,
    "in_progress": 0.50,
    "handled": 0.20,
    "verified": 0.10,
}
#: Time columns (epoch ms) per table, shifted together by :func:`shift_times`.
TIME_COLUMNS = {
    "incidents": ("reported_at", "stage_entered_at", "deadline", "closed_at", "last_event_at"),
    "events": ("at", "deadline", "received_at"),
}
_HOUR_MS = 3_600_000


def sample_in_polygons(
    geoms: np.ndarray,
    which: np.ndarray,
    rng: np.random.Generator,
    *,
    decimals: int = 6,
    max_rounds: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """One uniform random point inside ``geoms[which[i]]`` for each ``i``, rounded to
    ``decimals`` (rejection sampling from each polygon's bounds, tested after rounding; a
    point still missing after ``max_rounds`` takes a point on the polygon's surface)."""
    bounds = shapely.bounds(geoms)[which]
    x = np.empty(len(which))
    y = np.empty(len(which))
    todo = np.arange(len(which))
    for _ in range(max_rounds):
        if not len(todo):
            break
        b = bounds[todo]
        tx = rng.uniform(b[:, 0], b[:, 2]).round(decimals)
        ty = rng.uniform(b[:, 1], b[:, 3]).round(decimals)
        inside = shapely.contains_xy(geoms[which[todo]], tx, ty)
        x[todo[inside]], y[todo[inside]] = tx[inside], ty[inside]
        todo = todo[~inside]
    if len(todo):  # slivers: a point on the surface, rounded where that stays inside
        points = shapely.point_on_surface(geoms[which[todo]])
        px, py = shapely.get_x(points), shapely.get_y(points)
        rx, ry = px.round(decimals), py.round(decimals)
        keep = shapely.contains_xy(geoms[which[todo]], rx, ry)
        x[todo], y[todo] = np.where(keep, rx, px), np.where(keep, ry, py)
    return x, y


def synthetic_incidents(
    grids: gpd.GeoDataFrame,
    *,
    n_open: int = 100_000,
    n_recent: int = 30_000,
    now: pd.Timestamp,
    seed: int = 0,
) -> pd.DataFrame:
    """A deterministic live picture: ``n_open`` open incidents and ``n_recent`` reports of the
    last 24 h (a third of them among the open ones, the rest closed since), each at a random
    point inside its grid.

    Parameters
    ----------
    grids
        ``code``, ``community_code``, ``street_code``, geometry (EPSG:4326); a ``weight``
        column, if present, sets how busy each grid is.
    now
        The present; open incidents are reported over the 14 days before it, with stage
        deadlines such that about a fifth are overdue and some near due.

    Returns
    -------
    pandas.DataFrame
        Columns for :meth:`gridmap.feed.store.sql.SQLStore.bulk_load`.
    """
    rng = np.random.default_rng(seed)
    n_recent_open = min(n_open, n_recent // 3)
    n_closed = n_recent - n_recent_open
    n = n_open + n_closed
    weight = grids["weight"].to_numpy(float) if "weight" in grids else np.ones(len(grids))
    which = rng.choice(len(grids), size=n, p=weight / weight.sum())
    lon, lat = sample_in_polygons(np.asarray(grids.geometry.values), which, rng)
    cat_idx = rng.choice(len(CATEGORIES), size=n, p=[c.share for c in CATEGORIES])
    category = np.array([c.code for c in CATEGORIES])[cat_idx]
    sub_pick = rng.random(n)
    subcategory = np.array(
        [
            CATEGORIES[k].subcategories[int(u * len(CATEGORIES[k].subcategories))][0]
            for k, u in zip(cat_idx, sub_pick, strict=True)
        ]
    )
    priority = rng.choice([1, 2, 3], size=n, p=[0.05, 0.1, 0.85])
    is_open = np.arange(n) < n_open
    status = np.where(
        is_open, rng.choice(list(OPEN_STATES), size=n, p=list(OPEN_STATES.values())), "closed"
    )
    old = np.arange(n) < n_open - n_recent_open
    age_h = np.where(old, 24 + rng.random(n) * 13 * 24, rng.random(n) * 24)
    allowed = allowed_hours_array(np.where(is_open, status, "verified"), category, priority)
    in_stage_h = np.minimum(age_h, rng.random(n) * 1.25 * allowed)
    in_stage_h = np.where(status == "reported", age_h, in_stage_h)
    now_ms = now.value // 1_000_000
    closed_ms = np.where(is_open, np.nan, now_ms - age_h * rng.random(n) * _HOUR_MS)
    entered_ms = np.where(is_open, now_ms - in_stage_h * _HOUR_MS, closed_ms)
    deadline_ms = np.where(is_open, entered_ms + allowed * _HOUR_MS, np.nan)
    sources = rng.choice(list(SOURCES), size=n, p=[s[2] for s in SOURCES.values()])
    codes = grids["code"].to_numpy()[which]
    departments = {s: route(s) for s in np.unique(subcategory)}
    return pd.DataFrame(
        {
            "incident_id": [f"S{i:07d}" for i in range(n)],
            "source": sources,
            "category": category,
            "subcategory": subcategory,
            "priority": priority,
            "reported_at": _stamps(now_ms - age_h * _HOUR_MS, now.tz),
            "lon": lon,
            "lat": lat,
            "source_crs": "EPSG:4326",
            "grid_code": codes,
            "community_code": grids["community_code"].to_numpy()[which],
            "street_code": grids["street_code"].to_numpy()[which],
            "description": "巡查发现问题，请尽快处置。",
            "department": [departments[s] for s in subcategory],
            "status": status,
            "stage_entered_at": _stamps(entered_ms, now.tz),
            "deadline": _stamps(deadline_ms, now.tz),
            "closed_at": _stamps(closed_ms, now.tz),
            "escalated": False,
        }
    )


def _stamps(ms: np.ndarray, tz) -> pd.Series:
    """Epoch ms (NaN for none) → aware timestamps in ``tz``, whole seconds."""
    return pd.Series(pd.to_datetime(ms, unit="ms", utc=True).tz_convert(tz).floor("s"))


def cached_store(scale: str, folder: Path, log=print) -> tuple[Path, dict]:
    """The cached store file of the tier in ``folder`` (built if missing or stale) and its
    sidecar info (``now_ms``, ``buildings``, ``key``, ``build_s``)."""
    from gridmap.demo.dataset import DEMO_VERSION, read_manifest

    path = folder / CACHE_NAME
    info_path = path.with_suffix(".json")
    manifest = read_manifest(folder) or {}
    key = (
        f"demo:{manifest.get('now')}:{manifest.get('seed')}:v{manifest.get('version')}"
        if scale == "district"
        else f"syn1:v{DEMO_VERSION}"
    )
    if path.exists() and info_path.exists():
        info = json.loads(info_path.read_text())
        if info.get("key") == key:
            return path, info
    tmp = path.with_name(f".{path.name}.building")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    if scale == "district":
        log("loading the district demo data into the bench store (about a minute)")
        info = _build_district(folder, tmp, manifest)
    else:
        log("building the city bench store (areas and a synthetic live picture)")
        info = _build_city(folder, tmp)
    _checkpoint(tmp)
    tmp.replace(path)
    for extra in tmp.parent.glob(tmp.name + "*"):
        extra.unlink()
    info.update(key=key, build_s=round(time.perf_counter() - started, 1))
    info_path.write_text(json.dumps(info, indent=2))
    return path, info


def _build_district(folder: Path, path: Path, manifest: dict) -> dict:
    from gridmap.demo.load import load_into_store

    load_into_store(folder, f"sqlite:///{path}", progress=lambda step, **_v: print(f"  {step} …"))
    now = pd.Timestamp(manifest["now"])
    return {"now_ms": int(now.value // 1_000_000), "buildings": True, "incidents": "demo"}


def _build_city(folder: Path, path: Path) -> dict:
    from gridmap.demo.areas import make_areas, write_areas
    from gridmap.demo.dataset import DEMO_VERSION, read_base_layer, read_manifest
    from gridmap.feed.store import open_store

    gpkg = folder / "base.gpkg"
    # which generator made the areas: the full data set's manifest, or the note left here
    marker = folder / "areas.json"
    made = read_manifest(folder) or (json.loads(marker.read_text()) if marker.exists() else {})
    if not gpkg.exists() or made.get("version") != DEMO_VERSION:
        # areas of an older generator (before the real outlines) are made again
        folder.mkdir(parents=True, exist_ok=True)
        write_areas(make_areas("city", 42), gpkg)
        marker.write_text(json.dumps({"version": DEMO_VERSION}))
    now = pd.Timestamp.now(tz="Asia/Shanghai").floor("s")
    with open_store(f"sqlite:///{path}") as store:
        grids = None
        for layer, level in LEVEL_OF_LAYER.items():
            frame = read_base_layer(folder, layer)
            store.put_areas(level, frame)
            grids = frame if level == "grid" else grids
        store.bulk_load(synthetic_incidents(grids, now=now, seed=42))
    # buildings (~600,000) are left out: neither page draws them at the city tier
    return {"now_ms": int(now.value // 1_000_000), "buildings": False, "incidents": "synthetic"}


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def shift_times(path: Path, delta_ms: int) -> None:
    """Add ``delta_ms`` to every stored time in the database file at ``path``."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            for table, columns in TIME_COLUMNS.items():
                sets = ", ".join(f"{c} = {c} + ?" for c in columns)
                conn.execute(f"UPDATE {table} SET {sets}", (delta_ms,) * len(columns))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def fresh_copy(cached: Path, info: dict, folder: Path) -> Path:
    """A working copy of ``cached`` in ``folder`` with its times moved to the present."""
    target = folder / "store.db"
    shutil.copyfile(cached, target)
    delta = int(time.time() * 1000) - int(info["now_ms"])
    if abs(delta) > 60_000:
        shift_times(target, delta)
    return target
