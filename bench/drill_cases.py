"""The drill-down pages on the server, at the tier's full store (the district's 550,000
incidents): the time to build each page (an area of every level, a building, an incident) and
its incidents table, as Dash builds them for a page load, for the district centre (the widest
view). Each page is asked for in turn, so most of them find the per-area caches cold, as a
user going down finds them.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import dash
from flask import g

from gridmap.bench.browser_rows import percentiles
from gridmap.bench.browser_store import cached_store, fresh_copy
from gridmap.bench.rows import row
from gridmap.domain.access import Scope

#: Areas of each level sampled (the district has one).
SAMPLES = 4
#: The goal of the issue: any page, p95, ms.
GOAL_MS = 200.0


def bench_drilldown(data, repeat: int) -> list[dict]:
    """Server time of the drill-down pages and their tables (p95 over every page asked)."""
    from gridmap.dashboard.desk.callbacks import desk_table
    from gridmap.dashboard.shell.app import create_app
    from gridmap.settings import Settings

    cached, info = cached_store(data.scale, data.folder, log=print)
    with tempfile.TemporaryDirectory(prefix="gridmap-bench-drill-") as tmp:
        db = fresh_copy(cached, info, Path(tmp))
        app = create_app(Settings(store_url=f"sqlite:///{db}", data_dir=Path(tmp), auth=False))
        ctx = app.server.config["GRIDMAP_CONTEXT"]
        with app.server.test_request_context("/"):
            ctx.warm_up()  # what a server builds as it starts (the district's 7/30-day figures)
        pages = {
            p.get("path_template") or p["path"]: p["layout"] for p in dash.page_registry.values()
        }
        targets = _targets(ctx, app.server)
        times: dict[str, list[float]] = {}
        for _ in range(max(1, min(repeat, 3))):
            for kind, template, key in targets:
                with app.server.test_request_context("/"):
                    g.scope = Scope.district("bench")
                    started = time.perf_counter()
                    if template == "/area/<code>":
                        pages[template](code=key)
                    elif template == "/building/<building_id>":
                        pages[template](building_id=key)
                    else:
                        pages[template](incident_id=key)
                    times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                    if template == "/area/<code>":
                        started = time.perf_counter()
                        desk_table({"kind": "area", "key": key})
                        times.setdefault("table", []).append((time.perf_counter() - started) * 1000)
        ctx.store.close()
    every = [ms for values in times.values() for ms in values]
    _p50, p95 = percentiles(every)
    rows = [
        row(
            "drilldown_page_server_ms_p95",
            None if p95 is None else round(p95, 1),
            "ms",
            None,
            "",
            goal=f"<= {GOAL_MS:.0f} ms p95",
            met=p95 is not None and p95 <= GOAL_MS,
            pages=len(every),
            store=info.get("incidents"),
            how="each page's layout (figures, to-do list, ranking or ledger) and its table's "
            "callback, built in the server process as the district centre, once the server's "
            "start-up warm-up (the district's 7- and 30-day figures) is done; other areas "
            "cold",
        )
    ]
    for kind, values in times.items():
        p50, p95 = percentiles(values)
        rows.append(
            row(
                f"drilldown_{kind}_server_ms_p95",
                None if p95 is None else round(p95, 1),
                "ms",
                None,
                "",
                p50=None if p50 is None else round(p50, 1),
                samples=[round(v, 1) for v in values],
            )
        )
    return rows


def _targets(ctx, server) -> list[tuple[str, str, str]]:
    """(kind, page template, key) of the pages asked for: the district, a few streets,
    communities and grids (each inside the one before), buildings and incidents."""
    store = ctx.store
    with server.test_request_context("/"):
        district = ctx.settings.district_code
    out = [("district", "/area/<code>", district)]
    streets = [c for c, _n in store.child_areas(None, "street")][:SAMPLES]
    for street in streets:
        out.append(("street", "/area/<code>", street))
    communities = [store.child_areas(s, "community")[0][0] for s in streets]
    for community in communities:
        out.append(("community", "/area/<code>", community))
    grids = [store.child_areas(c, "grid")[0][0] for c in communities]
    for grid in grids:
        out.append(("grid", "/area/<code>", grid))
    for grid in grids:
        buildings = store.grid_buildings(grid)
        if len(buildings):
            out.append(("building", "/building/<building_id>", buildings["building_id"].iloc[0]))
    for street in streets:
        incidents = store.get_incidents(open_only=True, area_code=street, limit=1)
        if len(incidents):
            out.append(("incident", "/incident/<incident_id>", incidents["incident_id"].iloc[0]))
    return out
