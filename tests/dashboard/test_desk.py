"""The desk page's filters and table, through the plain function its callback calls."""

from __future__ import annotations

import re

import pytest

from gridmap.feed.store import open_store
from gridmap.settings import Settings

from .conftest import demo_store


@pytest.fixture(scope="module")
def app_ctx(tmp_path_factory):
    data = tmp_path_factory.mktemp("desk")
    url = demo_store(data, incidents=6000, seed=5)
    from gridmap.dashboard.app import create_app

    app = create_app(Settings(store_url=url, data_dir=data))
    with app.server.app_context():
        yield url


def _ops(patch) -> dict[tuple, object]:
    return {
        tuple(op["location"]): op["params"].get("value")
        for op in patch.to_plotly_json()["operations"]
    }


def test_filters_patch_only_the_incident_traces(app_ctx):
    from gridmap.dashboard.desk_callbacks import desk_update

    patch, table = desk_update(["points"], ["SR"], None, 24)
    ops = _ops(patch)
    with open_store(app_ctx) as store:
        open_sr = store.get_incidents(open_only=True)
    expected = set(open_sr.loc[open_sr["category"] == "SR", "incident_id"])
    assert set(ops[("data", 2, "ids")]) == expected
    assert ops[("data", 0, "visible")] is False and ops[("data", 2, "visible")] is True
    assert not any(loc[:2] == ("layout", "map") and "source" in loc for loc in ops)
    html_text = str(table.to_plotly_json())
    assert not re.search(r"1[3-9]\d{9}", html_text)  # phone numbers masked
    rows = table.children[1].children
    assert len(rows) == min(len(expected), 200)


def test_status_filter(app_ctx):
    from gridmap.dashboard.desk_callbacks import desk_update

    patch, _ = desk_update(["points", "halo"], None, ["in_progress"], 168)
    ops = _ops(patch)
    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True)
    expected = set(rows.loc[rows["status"] == "in_progress", "incident_id"])
    assert set(ops[("data", 2, "ids")]) == expected
    assert set(ops[("data", 1, "ids")]) <= expected  # rings only on shown incidents


def test_english_switch_changes_the_words_not_the_data(app_ctx):
    import dash

    from gridmap.dashboard.desk_callbacks import desk_update

    # the pages as Dash registered them (importing their modules again would register
    # them twice)
    pages = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    layout, wall_layout = pages["/"], pages["/wall"]

    zh_patch, zh_table = desk_update(["points"], None, None, 24, "zh")
    en_patch, en_table = desk_update(["points"], None, None, 24, "en")
    assert _ops(zh_patch)[("data", 2, "ids")] == _ops(en_patch)[("data", 2, "ids")]
    zh_head = [th.children for th in zh_table.children[0].children.children]
    en_head = [th.children for th in en_table.children[0].children.children]
    assert zh_head[0] == "编号" and en_head[0] == "Id" and "Description" in en_head
    first = en_table.children[1].children[0].children
    assert any(
        state in first[3].children
        for state in ("Reported", "Verified", "In progress", "Accepted", "Dispatched", "Handled")
    )
    page = str(layout(lang="en").to_plotly_json())
    assert "Layers" in page and "Export a snapshot" in page and "图层" not in page
    assert "图层" in str(layout().to_plotly_json())
    wall = str(wall_layout(lang="en").to_plotly_json())
    assert "Newest events" in wall and "Reported today" in wall and "最新事件" not in wall


def test_export_link_follows_the_filters():
    from gridmap.dashboard.desk_callbacks import export_href

    assert export_href("incidents.csv", None, None, None) == "/export/incidents.csv"
    href = export_href("map.png", "2026-11-25T10:30", ["SR", "TF"], ["in_progress"])
    assert href == "/export/map.png?at=2026-11-25T10%3A30&category=SR%2CTF&status=in_progress"


def test_rings_mark_exactly_the_overdue_and_near_due(app_ctx):
    import pandas as pd

    from gridmap.dashboard.desk_callbacks import desk_update
    from gridmap.feed.sla import due_status

    patch, _ = desk_update(["points", "halo"], None, None, 24)
    ringed = set(_ops(patch)[("data", 1, "ids")])
    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True).dropna(subset=["lon"])
    due = due_status(rows["deadline"], rows["stage_entered_at"], pd.Timestamp.now(tz="UTC"))
    expected = set(rows["incident_id"][pd.Series(due).isin(["overdue", "near_due"]).to_numpy()])
    assert ringed and len(ringed) < len(rows)  # some, not all
    assert len(ringed ^ expected) <= 2  # a deadline may pass between the two reads


def test_drill_down_to_one_incident_and_its_history(app_ctx):
    from gridmap.dashboard.desk_detail import incident_detail
    from gridmap.feed.access import Scope

    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True)
        row = rows[rows["status"] == "in_progress"].iloc[0]
        store._execute(
            "UPDATE incidents SET description = ? WHERE incident_id = ?",
            ("路灯不亮，联系人：王先生，电话13912345678", row["incident_id"]),
        )
        n_events = len(store.get_events(row["incident_id"]))
        other = rows[rows["street_code"] != row["street_code"]]["street_code"].iloc[0]
        centre = str(
            incident_detail(store, row["incident_id"], Scope.district(), {}).to_plotly_json()
        )
        street = Scope("s", "street", row["street_code"])
        own = incident_detail(store, row["incident_id"], street, {}, "en")
        elsewhere = incident_detail(store, row["incident_id"], Scope("o", "street", other), {})
    assert row["incident_id"] in centre and "13912345678" not in centre and "139****5678" in centre
    history = own.children[3].children
    assert len(history) == n_events >= 4  # reported, accepted, dispatched, started at least
    text = str(own.to_plotly_json())
    assert "13912345678" in text and "Workflow history" in text and "Dispatch" in text
    assert elsewhere.children == "无此事件或不在本辖区"  # another street's: as if unknown
