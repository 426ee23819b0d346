"""One home per rule: the near-due share is changed in one place (the district's time limits
file) and the wall's payloads, the desk, the exports and the figures all follow it."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from gridmap.domain.sla import TimeLimits, use_time_limits
from gridmap.settings import Settings

from .conftest import demo_store


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("rules")
    return data, demo_store(data, incidents=3000, seed=17)


def _near_due_everywhere(data, url, limits_file: str) -> dict[str, int]:
    from gridmap.dashboard.desk.callbacks import desk_table
    from gridmap.dashboard.shell.app import create_app

    app = create_app(Settings(store_url=url, data_dir=data, time_limits_file=limits_file))
    client = app.server.test_client()
    ctx = app.server.config["GRIDMAP_CONTEXT"]
    located = client.get("/live/open.json").get_json()
    csv = client.get("/export/incidents.csv").get_data().decode("utf-8-sig")
    exported = pd.read_csv(io.StringIO(csv), dtype=str)
    grids = pd.read_csv(io.BytesIO(client.get("/export/grids.csv").data), encoding="utf-8-sig")
    with app.server.test_request_context("/"):
        rows, _caption = desk_table({"kind": "area", "key": "510108"})
    table_marks = sum(1 for r in rows if r["due"] == "临期")
    unlocated = ctx.store.get_incidents(open_only=True)["lon"].isna().sum()
    assert unlocated == 0, "the sample has no open incident without a location"
    return {
        "figures": ctx.store.current_figures(ctx.now())["near_due"],
        "wall": sum(1 for d in located["due"] if d == 1),
        "export": int((exported["due"] == "near_due").sum()),
        "grids": int(grids["near_due"].sum()),
        "desk": table_marks,
    }


def test_the_near_due_share_is_followed_everywhere(store_url, tmp_path):
    data, url = store_url
    wide = tmp_path / "limits.toml"
    wide.write_text("near_due_share = 0.7\n", encoding="utf-8")
    try:
        built_in = _near_due_everywhere(data, url, "")
        widened = _near_due_everywhere(data, url, str(wide))
    finally:
        use_time_limits(TimeLimits.built_in())
    for counts in (built_in, widened):
        assert len(set(counts.values())) == 1, counts  # every channel says the same
    assert widened["figures"] > built_in["figures"]
