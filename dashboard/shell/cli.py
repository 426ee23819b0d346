"""The ``gridmap`` command line: demo data, imports, the server, users and keys, benchmarks.

Each sub-command is a thin wrapper around plain functions that tests call directly, and
imports what it needs when it runs (so that ``gridmap user list`` does not load Dash, and
only ``gridmap bench`` reaches the benchmarks). It speaks Chinese, or English with
``--lang en`` or an English locale (:mod:`gridmap.dashboard.shell.words`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from gridmap.dashboard.shell.cli_admin import add_admin_commands
from gridmap.dashboard.shell.rules import put_rules_in_force
from gridmap.dashboard.shell.words import WORDS, cli_lang, say
from gridmap.domain.categories import kinds_text
from gridmap.settings import get_settings

console = Console(stderr=True, highlight=False, soft_wrap=True)

#: The language of this run of the command line (set by :func:`main`).
_LANG = ["zh"]


def _say(key: str, **values) -> None:
    """Print the words of ``key`` in the run's language (to standard error)."""
    console.print(say(key, _LANG[0], **values), markup=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gridmap`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    _LANG[0] = lang = cli_lang(argv)
    parser = _parser(lang)
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
        _say("error", text=str(exc))
        return 1


def _parser(lang: str) -> argparse.ArgumentParser:
    def h(key: str) -> str:
        return say(key, lang)

    parser = argparse.ArgumentParser(prog="gridmap", description=h("prog"))
    parser.add_argument("--lang", choices=["zh", "en"], help=h("lang_help"))
    sub = parser.add_subparsers(metavar="COMMAND")

    demo = sub.add_parser("demo-data", help=h("demo_help"))
    demo.add_argument("--scale", choices=["district", "city"], default="district")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--out", type=Path, help=h("demo_out"))
    demo.add_argument("--now", help=h("demo_now"))
    demo.add_argument("--incidents", type=int, help=h("demo_incidents"))
    demo.add_argument("--if-missing", action="store_true", help=h("demo_if_missing"))
    demo.add_argument("--no-store", action="store_true", help=h("demo_no_store"))
    demo.set_defaults(handler=_cmd_demo_data)

    imp = sub.add_parser("import", help=h("import_help"))
    imp.add_argument("kind", choices=["grids", "buildings", "incidents"])
    imp.add_argument("path", type=Path)
    imp.add_argument("--crs", help=h("import_crs"))
    imp.add_argument(
        "--level",
        default="grid",
        choices=["district", "street", "community", "grid"],
        help=h("import_level"),
    )
    imp.add_argument("--id-field")
    imp.add_argument("--name-field")
    imp.add_argument("--parent-field")
    imp.add_argument("--lon-field")
    imp.add_argument("--lat-field")
    imp.add_argument("--layer", help=h("import_layer"))
    imp.add_argument("--encoding", help=h("import_encoding"))
    imp.add_argument("--swap-xy", action="store_true", help=h("import_swap"))
    imp.add_argument("--report", type=Path, help=h("import_report"))
    imp.add_argument("--out", type=Path, help=h("import_out"))
    imp.add_argument("--no-store", action="store_true", help=h("import_no_store"))
    imp.add_argument("--replace", action="store_true", help=h("import_replace"))
    imp.set_defaults(handler=_cmd_import)

    run = sub.add_parser("run", help=h("run_help"))
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--simulate", action="store_true", help=h("run_simulate"))
    run.add_argument("--rate", type=float, default=1.0, help=h("run_rate"))
    run.add_argument("--workers", type=int, default=1, help=h("run_workers"))
    run.set_defaults(handler=_cmd_run)

    add_admin_commands(sub, lang)

    sim = sub.add_parser("simulate", help=h("sim_help"))
    sim.add_argument("--url", default=None, help=h("sim_url"))
    sim.add_argument("--rate", type=float, default=1.0, help=h("sim_rate"))
    sim.add_argument("--duration", type=float, default=None, help=h("sim_duration"))
    sim.add_argument("--api-key", default=None, help=h("sim_key"))
    sim.add_argument("--seed", type=int, default=None)
    sim.set_defaults(handler=_cmd_simulate)

    bench = sub.add_parser("bench", help=h("bench_help"))
    bench.add_argument("--scale", choices=["district", "city"], default="district")
    bench.add_argument("--only", nargs="*", metavar="NAME", help=h("bench_only"))
    bench.add_argument("--json", type=Path, dest="json_out", help=h("bench_json"))
    bench.add_argument("--repeat", type=int, default=5, help=h("bench_repeat"))
    bench.set_defaults(handler=_cmd_bench)
    return parser


def _step(step: str, **values) -> None:
    console.print("  " + say(step, _LANG[0], **values) + " …", markup=False)


def _counts(counts: dict) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items())


# --- demo-data ---------------------------------------------------------------------------
def _cmd_demo_data(args: argparse.Namespace) -> int:
    import pandas as pd

    from gridmap.demo.dataset import DEMO_VERSION, generate, read_manifest

    settings = get_settings()
    out = args.out or settings.demo_dir / args.scale
    manifest = read_manifest(out)
    store_url = settings.resolved_store_url
    current = manifest and (manifest.get("seed"), manifest.get("version")) == (
        args.seed,
        DEMO_VERSION,
    )
    if args.if_missing and current:
        if args.no_store or _store_holds(store_url, manifest):
            _say("demo_done_already", out=out)
            return 0
    else:
        now = pd.Timestamp(args.now) if args.now else None
        if now is not None and now.tzinfo is None:
            now = now.tz_localize(settings.timezone)
        _say("demo_generating", scale=say(args.scale, _LANG[0]), out=out)
        manifest = generate(
            args.scale, out, seed=args.seed, now=now, incidents=args.incidents, progress=_step
        )
        _say("demo_wrote", out=out, seconds=manifest["seconds"], counts=_counts(manifest["counts"]))
    if not args.no_store:
        from gridmap.demo.load import load_into_store

        _say("demo_loading", url=store_url)
        counts = load_into_store(out, store_url, progress=_step, photos_dir=settings.photos_path)
        _say("demo_loaded", url=store_url, counts=_counts(counts))
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
    from gridmap.feed.importer import import_file

    settings = get_settings()
    store = None
    if not args.no_store:
        from gridmap.feed.store import open_store

        store = open_store(settings.resolved_store_url)
    try:
        outcome = import_file(
            args.kind,
            args.path,
            store=store,
            level=args.level,
            replace=args.replace,
            metric_crs=settings.metric_crs,
            timezone=settings.timezone,
            crs=args.crs,
            id_field=args.id_field,
            name_field=args.name_field,
            parent_field=args.parent_field,
            lon_field=args.lon_field,
            lat_field=args.lat_field,
            layer=args.layer,
            encoding=args.encoding,
            swap_xy=args.swap_xy,
        )
        for line in import_lines(outcome, _LANG[0]):
            console.print(line, markup=False)
        if args.report:
            args.report.write_text(
                json.dumps(outcome.report, ensure_ascii=False, indent=2, default=str),
                encoding="utf-8",
            )
            _say("report_written", path=args.report)
        if args.out:
            _write_clean(outcome.result.frame, args.out)
            _say("clean_written", path=args.out)
        if store is not None:
            for line in stored_lines(outcome, store.url, _LANG[0]):
                console.print(line, markup=False)
    finally:
        if store is not None:
            store.close()
    return 0


def import_lines(outcome, lang: str) -> list[str]:
    """What an import found, in ``lang``: source, CRS, counts, notes, repairs, every refused
    row (where: a spreadsheet's line, a feature's number; and why), checks and warnings."""
    r = outcome.report
    counts = r["counts"]
    lines = [say("source", lang, text=r["source"])]
    crs = r["crs"] + (f" ({r['crs_note']})" if r.get("crs_note") else "")
    lines.append(say("crs", lang, text=crs))
    text = say(
        "counts", lang, **{k: counts.get(k, 0) for k in ("loaded", "kept", "repaired", "rejected")}
    )
    if counts.get("normalised"):
        text += say("counts_normalised", lang, n=counts["normalised"])
    lines.append(text)
    lines += [say("note", lang, text=n) for n in r.get("notes", [])]
    lines += [say("code_issue", lang, text=issue["message"]) for issue in r.get("codes", [])]
    for kind, n in sorted(r.get("repair_actions", {}).items()):
        lines.append(say("repaired", lang, kind=kind, n=n))
    rejected = r.get("rejected", [])
    where = "rejected_line" if r.get("rows") == "lines" else "rejected_feature"
    word = "where_line" if r.get("rows") == "lines" else "where_feature"
    for item in rejected[:50]:
        if "first" in item.get("params", {}):
            first = say(word, lang, n=item["params"]["first"])
            item = {**item, "params": {**item["params"], "first_where": first}}
        who = f" ({item['id']})" if isinstance(item.get("id"), str) and item["id"] else ""
        lines.append(say(where, lang, row=item["row"], who=who, reason=_why(item, lang)))
    if len(rejected) > 50:
        lines.append(say("rejected_more", lang, n=len(rejected) - 50))
    if any(item.get("code") == "unknown_kind" for item in rejected):
        lines.append(say("kinds_known", lang, text=kinds_text()))
    lines += [say("check", lang, text=i["message"]) for i in r.get("hierarchy", [])[:50]]
    lines += [say("warning", lang, text=w) for w in r.get("warnings", [])]
    return lines


def _why(item: dict, lang: str) -> str:
    """A refused row's reason in ``lang`` (its words when the reason has a code, else as the
    reader wrote it)."""
    key = f"why_{item.get('code')}"
    if item.get("code") and key in WORDS:
        return say(key, lang, **item.get("params", {}))
    return str(item["reason"])


def stored_lines(outcome, url: str, lang: str) -> list[str]:
    """What an import wrote into the store at ``url``, in ``lang``."""
    if not outcome.stored:
        return [say("nothing_stored", lang)]
    if outcome.kind == "grids":
        level = say(f"level_{outcome.level}", lang)
        key = "stored_areas_replaced" if outcome.replaced else "stored_areas"
        return [say(key, lang, n=outcome.stored, level=level, url=url, held=outcome.held)]
    if outcome.kind == "buildings":
        return [say("stored_buildings", lang, n=outcome.stored, url=url, held=outcome.held)]
    return [
        say(
            "stored_incidents",
            lang,
            n=outcome.stored,
            url=url,
            unassigned=outcome.incidents.unassigned,
            rejected=outcome.report["counts"]["rejected"],
        )
    ]


def _write_clean(frame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in {".gpkg", ".geojson", ".json"}:
        raise ValueError(f"--out must end in .gpkg or .geojson, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_file(path, engine="pyogrio", driver="GPKG" if suffix == ".gpkg" else "GeoJSON")


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
        lang=_LANG[0],
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
    _say("sim_done", stats=stats)
    return 0


# --- bench -------------------------------------------------------------------------------
def _cmd_bench(args: argparse.Namespace) -> int:
    from gridmap.bench.run import run_benchmarks

    result = run_benchmarks(args.scale, only=args.only, repeat=args.repeat)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text)
        _say("bench_wrote", path=args.json_out)
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
