"""The benchmark cases: each returns result rows of our way beside the naive way."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from gridmap.bench import browser_cases, drill_cases, feed_cases
from gridmap.bench.rows import row as _row
from gridmap.demo.dataset import generate, read_manifest
from gridmap.geo.assign import PolygonIndex
from gridmap.geo.repair import repair_polygons

#: Largest sample the naive ways are run on (their rate is per item, so a sample suffices).
NAIVE_SAMPLE = 1_000_000


@dataclasses.dataclass
class BenchData:
    """The generated data of a tier, read lazily and cached."""

    scale: str
    folder: Path

    @classmethod
    def prepare(cls, scale: str, folder: Path, progress: Callable[..., None]) -> BenchData:
        """Use the data set in ``folder``, generating it first if it is missing."""
        if read_manifest(folder) is None:
            generate(scale, folder, seed=42, progress=progress)
        return cls(scale, folder)

    @functools.cached_property
    def grids(self) -> gpd.GeoDataFrame:
        return pyogrio.read_dataframe(self.folder / "base.gpkg", layer="grids", use_arrow=True)

    @functools.cached_property
    def points(self) -> tuple[np.ndarray, np.ndarray]:
        table = pd.read_parquet(self.folder / "incidents.parquet", columns=["lon", "lat"])
        return table["lon"].to_numpy(), table["lat"].to_numpy()


def _median(fn, repeat):
    from gridmap.bench.run import median_time

    return median_time(fn, repeat)


def bench_load(data: BenchData, repeat: int) -> list[dict]:
    """Reading each base layer: pyogrio with Arrow vs geopandas.read_file's default path."""
    rows = []
    path = data.folder / "base.gpkg"
    for layer in ("grids", "buildings"):
        n = pyogrio.read_info(path, layer=layer)["features"]
        ours = _median(
            lambda layer=layer: pyogrio.read_dataframe(path, layer=layer, use_arrow=True), repeat
        )
        naive = _median(lambda layer=layer: gpd.read_file(path, layer=layer), repeat)
        rows.append(
            _row(
                f"load_{layer}",
                n / ours,
                "features/s",
                n / naive,
                "geopandas.read_file (no Arrow)",
                features=n,
            )
        )
    # incidents: GeoParquet vs the same points as CSV (the way offices hand them over)
    parquet = data.folder / "incidents.parquet"
    csv = data.folder / "bench-incidents-sample.csv"
    columns = ["incident_id", "subcategory", "reported_at", "lon", "lat"]
    if not csv.exists():
        pd.read_parquet(parquet, columns=columns).head(NAIVE_SAMPLE).to_csv(csv, index=False)
    total = len(pd.read_parquet(parquet, columns=["lon"]))
    ours = _median(lambda: gpd.read_parquet(parquet, columns=[*columns, "geometry"]), repeat)
    sample = min(total, NAIVE_SAMPLE)

    def naive_csv():
        table = pd.read_csv(csv, dtype={"incident_id": str})
        gpd.GeoDataFrame(
            table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
        )

    naive = _median(naive_csv, repeat)
    rows.append(
        _row(
            "load_incidents",
            total / ours,
            "features/s",
            sample / naive,
            "pandas.read_csv + points_from_xy",
            features=total,
        )
    )
    return rows


def _damaged(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Grids with the defects of real files: clockwise rings, repeated points, bow-ties."""
    geoms = np.asarray(grids.geometry.values, dtype=object).copy()
    rng = np.random.default_rng(0)
    for i in range(len(geoms)):
        g = geoms[i]
        if g.geom_type != "Polygon":
            continue
        ring = np.asarray(g.exterior.coords)
        kind = i % 4
        if kind == 0:
            ring = ring[::-1]  # clockwise
        elif kind == 1 and len(ring) > 4:
            k = rng.integers(1, len(ring) - 2)
            ring = np.insert(ring, k, ring[k], axis=0)  # repeated point
        elif kind == 2 and len(ring) > 5:
            ring[[1, 2]] = ring[[2, 1]]  # two vertices swapped: a self-intersection
            ring[-1] = ring[0]
        geoms[i] = shapely.Polygon(ring)
    return grids.set_geometry(geoms)


def bench_repair(data: BenchData, repeat: int) -> list[dict]:
    """Repairing a grid layer with real-file defects vs per-feature ``buffer(0)``."""
    damaged = _damaged(data.grids[["code", "geometry"]])
    n = len(damaged)
    ours = _median(lambda: repair_polygons(damaged, id_column="code"), max(1, repeat // 2))

    def naive():
        return [g if g.is_valid else g.buffer(0) for g in damaged.geometry]

    naive_t = _median(naive, max(1, repeat // 2))
    invalid = int((~shapely.is_valid(np.asarray(damaged.geometry.values))).sum())
    return [
        _row(
            "repair",
            n / ours,
            "features/s",
            n / naive_t,
            "per-feature buffer(0) (loses half of each bow-tie, no report)",
            features=n,
            invalid_features=invalid,
        )
    ]


def bench_assign(data: BenchData, repeat: int) -> list[dict]:
    """Assigning every incident to its grid: raster index vs ``geopandas.sjoin``."""
    grids = data.grids
    x, y = data.points
    build = _median(lambda: PolygonIndex.build(grids.geometry.values, grids["code"].to_numpy()), 1)
    index = PolygonIndex.build(grids.geometry.values, grids["code"].to_numpy())
    ours = _median(lambda: index.locate(x, y), repeat)
    sample = min(len(x), NAIVE_SAMPLE)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[:sample], y[:sample]), crs="EPSG:4326")
    polys = grids[["code", "geometry"]]
    naive = _median(
        lambda: gpd.sjoin(points, polys, how="left", predicate="within"), max(1, repeat // 2)
    )
    # the two agree (sjoin may list a border point twice; take the smallest code)
    ours_codes = index.locate_codes(x[:sample], y[:sample])
    joined = gpd.sjoin(points, polys, how="left", predicate="within")
    first = joined.groupby(level=0)["code"].min().reindex(range(sample))
    agree = float(np.mean(pd.Series(ours_codes).fillna("") == first.fillna("").to_numpy()))
    return [
        _row(
            "assign_points",
            len(x) / ours,
            "points/s",
            sample / naive,
            "geopandas.sjoin(predicate='within')",
            goal=5e6 if data.scale == "city" else None,
            points=len(x),
            grids=len(grids),
            agreement_with_baseline=agree,
            index_build_s=round(build, 2),
            ambiguous_cell_share=round(index.ambiguous_share, 4),
        ),
    ]


BENCHMARKS: dict[str, Callable[[BenchData, int], list[dict]]] = {
    "load": bench_load,
    "repair": bench_repair,
    "assign_points": bench_assign,
    "ingest": feed_cases.bench_ingest,
    "post_latency": feed_cases.bench_post_latency,
    "live_queries": feed_cases.bench_live_queries,
    "simulator_memory": feed_cases.bench_simulator_memory,
    "browser": browser_cases.bench_browser,
    "drilldown": drill_cases.bench_drilldown,
}
