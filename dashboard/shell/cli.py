"""The ``gridmap`` command line: demo data, imports, the server, benchmarks.

Each sub-command is a thin wrapper around plain functions that tests call directly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from gridmap.dashboard.shell.cli_admin import add_admin_commands
from gridmap.dashboard.shell.rules import put_rules_in_force
from gridmap.settings import get_settings

console = Console(stderr=True, highlight=False, soft_wrap=True)

def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gridmap`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        put_rules_in_force(get_settings())
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError, RuntimeError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridmap",
        description="gridmap: demo data, imports, the dashboard server, benchmarks",
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    demo = sub.add_parser("demo-data", help="generate a deterministic demo data set")
    demo.add_argument("--scale", choices=["district", "city"], default="district")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--out", type=Path, help="folder (default: data/demo/<scale>)")
    demo.add_argument("--now", help="the demo's present, ISO time (default: this hour)")
    demo.add_argument("--incidents", type=int, help="number of incidents (default: the tier's)")
    demo.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing if the data set and the store already hold it",
    )
    demo.add_argument("--no-store", action="store_true", help="only write files")
    demo.set_defaults(handler=_cmd_demo_data)

    imp = sub.add_parser("import", help="import a layer file into the store")
    imp.add_argument("kind", choices=["grids", "buildings", "incidents"])
    imp.add_argument("path", type=Path)
    imp.add_argument("--crs", help="source CRS: EPSG code, CGCS2000, gcj02, bd09, WKT")
    imp.add_argument(
        "--level",
        default="grid",
        choices=["district", "street", "community", "grid"],
        help="area level of a grids import (default: grid)",
    )
    imp.add_argument("--id-field")
    imp.add_argument("--name-field")
    imp.add_argument("--parent-field")
    imp.add_argument("--lon-field")
    imp.add_argument("--lat-field")
    imp.add_argument("--layer", help="layer inside a GeoPackage or zip")
    imp.add_argument("--encoding", help="text encoding, if detection gets it wrong (e.g. GBK)")
    imp.add_argument("--swap-xy", action="store_true", help="the file has lat/lon order")
    imp.add_argument("--report", type=Path, help="write the machine-readable report (JSON)")
    imp.add_argument("--out", type=Path, help="also write the clean layer (.gpkg or .geojson)")
    imp.add_argument("--no-store", action="store_true", help="do not write into the store")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace the whole level (grids) or all buildings; default: add new "
        "ids and update existing ones, keep the rest",
    )
    imp.set_defaults(handler=_cmd_import)

    run = sub.add_parser("run", help="serve the dashboard and the intake API")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--simulate", action="store_true", help="also play a live day")
    run.add_argument("--rate", type=float, default=1.0, help="simulated events per second")
    run.add_argument(
        "--workers", type=int, default=1, help="server processes behind the one address (default 1)"
    )
    run.set_defaults(handler=_cmd_run)

    add_admin_commands(sub)

    sim = sub.add_parser("simulate", help="play a live day through the intake API")
    sim.add_argument("--url", default=None, help="server (default: http://HOST:PORT)")
    sim.add_argument("--rate", type=float, default=1.0, help="requests per second")
    sim.add_argument("--duration", type=float, default=None, help="seconds (default: forever)")
    sim.add_argument("--api-key", default=None, help="key to use (default: makes one)")
    sim.add_argument("--seed", type=int, default=None)
    sim.set_defaults(handler=_cmd_simulate)

    bench = sub.add_parser("bench", help="measure the scale tiers against the naive way")
    bench.add_argument("--scale", choices=["district", "city"], default="district")
    bench.add_argument("--only", nargs="*", metavar="NAME", help="run only these benchmarks")
    bench.add_argument("--json", type=Path, dest="json_out", help="write results here")
    bench.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    bench.set_defaults(handler=_cmd_bench)
    return parser


# --- demo-data ---------------------------------------------------------------------------
def _cmd_demo_data(args: argparse.Namespace) -> int:
    import pandas as pd

    from gridmap.demo.dataset import generate, read_manifest

    settings = get_settings()
    out = args.out or settings.demo_dir / args.scale
    manifest = read_manifest(out)
    store_url = settings.resolved_store_url
    if args.if_missing and manifest and manifest.get("seed") == args.seed:
        if args.no_store or _store_holds(store_url, manifest):
            console.print(f"demo data already in {out} and the store; nothing to do")
            return 0
    else:
        now = pd.Timestamp(args.now) if args.now else None
        if now is not None and now.tzinfo is None:
            now = now.tz_localize(settings.timezone)
        console.print(f"generating the {args.scale} demo data set into {out}")
        manifest = generate(
            args.scale,
            out,
            seed=args.seed,
            now=now,
            incidents=args.incidents,
            progress=lambda m: console.print(f"  {m} …"),
        )
        console.print(
            f"wrote {out} in {manifest['seconds']} s: "
            + ", ".join(f"{k} {v:,}" for k, v in manifest["counts"].items())
        )
    if not args.no_store:
        from gridmap.demo.load import load_into_store

        console.print(f"loading the demo data into {store_url} (about a minute the first time)")
        counts = load_into_store(out, store_url, progress=lambda step: console.print(f"  {step} …"))
        console.print(f"store {store_url}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def _store_holds(url: str, manifest: dict) -> bool:
    from gridmap.feed.store import open_store

    with open_store(url) as store:
        counts = store.layer_counts()
    return (
        counts.get("grid", 0) == manifest["counts"]["grids"]
        and counts.get("incidents", 0) >= manifest["counts"]["incidents"]
    )


# --- import ------------------------------------------------------------------------------
def _cmd_import(args: argparse.Namespace) -> int:
    from gridmap.geo.ingest import import_areas, import_points

    settings = get_settings()
    store = None
    if not args.no_store:
        from gridmap.feed.store import open_store

        store = open_store(settings.resolved_store_url)
    try:
        if args.kind in ("grids", "buildings"):
            level = args.level if args.kind == "grids" else "grid"
            parents = _parent_areas(store, args.level) if args.kind == "grids" else None
            result = import_areas(
                args.path,
                level=level,
                crs=args.crs,
                id_field=args.id_field,
                name_field=args.name_field,
                parent_field=args.parent_field,
                layer=args.layer,
                encoding=args.encoding,
                swap_xy=args.swap_xy,
                parents=parents,
                metric_crs=settings.metric_crs,
            )
        else:
            result = import_points(
                args.path,
                crs=args.crs,
                id_field=args.id_field,
                lon_field=args.lon_field,
                lat_field=args.lat_field,
                layer=args.layer,
                encoding=args.encoding,
                swap_xy=args.swap_xy,
            )
        for line in result.summary_lines():
            console.print(line, markup=False)
        if args.report:
            args.report.write_text(
                json.dumps(result.report, ensure_ascii=False, indent=2, default=str)
            )
            console.print(f"report: {args.report}")
        if args.out:
            _write_clean(result.frame, args.out)
            console.print(f"clean copy: {args.out}")
        if store is not None and args.kind == "grids" and len(result.frame):
            n = store.put_areas(args.level, result.frame, replace=args.replace)
            total = store.layer_counts()[args.level]
            how = "replaced the level with" if args.replace else "added or updated"
            console.print(
                f"{how} {n} {args.level} areas in {store.url}; the level now holds {total}",
                markup=False,
            )
        elif store is not None and args.kind == "buildings" and len(result.frame):
            frame = result.frame.rename(columns={"code": "building_id", "parent_code": "grid_code"})
            n = store.put_buildings(
                frame.drop(columns=["level"], errors="ignore"), replace=args.replace
            )
            console.print(
                f"stored {n} buildings in {store.url}; the store now holds "
                f"{store.layer_counts()['buildings']}",
                markup=False,
            )
        elif store is not None and args.kind == "incidents" and len(result.frame):
            n = _store_incidents(store, result)
            console.print(f"stored {n} incidents in {store.url}")
    finally:
        if store is not None:
            store.close()
    return 0


def _parent_areas(store, level: str):
    parent_level = {"grid": "community", "community": "street", "street": "district"}.get(level)
    if store is None or parent_level is None:
        return None
    parents = store.get_areas(parent_level)
    return parents if len(parents) else None


def _write_clean(frame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in {".gpkg", ".geojson", ".json"}:
        raise ValueError(f"--out must end in .gpkg or .geojson, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_file(path, engine="pyogrio", driver="GPKG" if suffix == ".gpkg" else "GeoJSON")


def _store_incidents(store, result) -> int:
    from gridmap.feed.intake import incidents_from_import

    grids = store.get_areas("grid")
    incidents, rejected = incidents_from_import(result.frame, grids)
    for item in rejected[:20]:
        console.print(f"rejected: row {item['index']}: {item['reason']}", markup=False)
    return store.bulk_load(incidents)


# --- run ---------------------------------------------------------------------------------
def _cmd_run(args: argparse.Namespace) -> int:
    from gridmap.dashboard.shell.server import serve

    settings = get_settings()
    return serve(
        settings,
        host=args.host or settings.host,
        port=args.port or settings.port,
        simulate=args.simulate,
        rate=args.rate,
        workers=args.workers,
    )


# --- apikey / simulate -------------------------------------------------------------------
def _cmd_simulate(args: argparse.Namespace) -> int:
    from gridmap.feed.simulator import run_simulator

    settings = get_settings()
    url = args.url or f"http://{settings.host}:{settings.port}"
    key = args.api_key
    if key is None:
        from gridmap.feed.store import open_store

        with open_store(settings.resolved_store_url) as store:
            key = store.add_api_key("simulator")
    stats = run_simulator(url, key, rate=args.rate, duration=args.duration, seed=args.seed)
    console.print(f"simulator: {stats}")
    return 0


# --- bench -------------------------------------------------------------------------------
def _cmd_bench(args: argparse.Namespace) -> int:
    from gridmap.bench.run import run_benchmarks

    result = run_benchmarks(args.scale, only=args.only, repeat=args.repeat)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text)
        console.print(f"wrote {args.json_out}")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
