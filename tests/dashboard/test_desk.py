"""The desk page's filters and table, through the plain function its callback calls."""

from __future__ import annotations

import re

import pytest

from gridmap.feed.store import open_store
from gridmap.settings import Settings

from ..helpers import with_description
from .conftest import demo_store


@pytest.fixture(scope="module")
def app_ctx(tmp_path_factory):
    data = tmp_path_factory.mktemp("desk")
    url = demo_store(data, incidents=6000, seed=5)
    from gridmap.dashboard.shell.app import create_app

    app = create_app(Settings(store_url=url, data_dir=data))
    with app.server.app_context():
        yield url


def _ops(patch) -> dict[tuple, object]:
    return {
        tuple(op["location"]): op["params"].get("value")
        for op in patch.to_plotly_json()["operations"]
    }


def _where():
    """Trace indices of the desk map: (heat, rings, dots)."""
    from gridmap.dashboard.desk.layers import desk_parts

    parts = desk_parts()
    return (
        parts.trace_index("incident_heat"),
        parts.trace_index("dispatch_status", 0),
        parts.trace_index("dispatch_status", 1),
    )


ON = ["dispatch_status", "grid_choropleth", "street_outlines"]


def test_filters_patch_only_the_incident_traces(app_ctx):
    from gridmap.dashboard.desk.callbacks import desk_update

    heat, _rings, dots = _where()
    patch, table, _legend = desk_update(ON, ["SR"], None, 24)
    ops = _ops(patch)
    with open_store(app_ctx) as store:
        open_sr = store.get_incidents(open_only=True)
    sr = open_sr[open_sr["category"] == "SR"]
    assert set(ops[("data", dots, "ids")]) == set(sr.dropna(subset=["lon"])["incident_id"])
    assert ops[("data", heat, "visible")] is False and ops[("data", dots, "visible")] is True
    assert not any(loc[:2] == ("layout", "map") and "source" in loc for loc in ops)
    html_text = str(table.to_plotly_json())
    assert not re.search(r"1[3-9]\d{9}", html_text)  # phone numbers masked
    rows = table.children[1].children
    assert len(rows) == min(len(sr), 200)  # the table lists unlocated ones too


def test_status_filter(app_ctx):
    from gridmap.dashboard.desk.callbacks import desk_update

    _heat, rings, dots = _where()
    patch, _, _ = desk_update(ON, None, ["in_progress"], 168)
    ops = _ops(patch)
    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True).dropna(subset=["lon"])
    expected = set(rows.loc[rows["status"] == "in_progress", "incident_id"])
    assert set(ops[("data", dots, "ids")]) == expected
    assert set(ops[("data", rings, "ids")]) <= expected  # rings only on shown incidents


def test_english_switch_changes_the_words_not_the_data(app_ctx):
    import dash

    from gridmap.dashboard.desk.callbacks import desk_update

    # the pages as Dash registered them (importing their modules again would register
    # them twice)
    pages = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    layout, wall_layout = pages["/"], pages["/wall"]

    dots = _where()[2]
    zh_patch, zh_table, zh_legend = desk_update(ON, None, None, 24, "zh")
    en_patch, en_table, en_legend = desk_update(ON, None, None, 24, "en")
    assert _ops(zh_patch)[("data", dots, "ids")] == _ops(en_patch)[("data", dots, "ids")]
    assert "未结案件" in str(zh_legend) and "Open" in str(en_legend)
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
    assert "Street outlines" in page and "Areas coloured by" in page  # the catalogue's names
    assert "图层" in str(layout().to_plotly_json())
    wall = str(wall_layout(lang="en").to_plotly_json())
    assert "Newest events" in wall and "Reported today" in wall and "最新事件" not in wall


def test_export_link_follows_the_filters():
    from gridmap.dashboard.desk.callbacks import export_href

    assert export_href("incidents.csv", None, None, None) == "/export/incidents.csv"
    href = export_href("map.png", "2026-11-25T10:30", ["SR", "TF"], ["in_progress"])
    assert href == "/export/map.png?at=2026-11-25T10%3A30&category=SR%2CTF&status=in_progress"


def test_rings_mark_exactly_the_overdue_and_near_due(app_ctx):
    import pandas as pd

    from gridmap.dashboard.desk.callbacks import desk_update
    from gridmap.domain.sla import due_status

    patch, _, _ = desk_update(ON, None, None, 24)
    ringed = set(_ops(patch)[("data", _where()[1], "ids")])
    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True).dropna(subset=["lon"])
    due = due_status(rows["deadline"], rows["stage_entered_at"], pd.Timestamp.now(tz="UTC"))
    expected = set(rows["incident_id"][pd.Series(due).isin(["overdue", "near_due"]).to_numpy()])
    assert ringed and len(ringed) < len(rows)  # some, not all
    assert len(ringed ^ expected) <= 2  # a deadline may pass between the two reads


def test_drill_down_to_one_incident_and_its_history(app_ctx):
    from gridmap.dashboard.desk.detail import incident_detail
    from gridmap.domain.access import Scope

    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True)
        row = rows[rows["status"] == "in_progress"].iloc[0]
        with_description(store, row["incident_id"], "路灯不亮，联系人：王先生，电话13912345678")
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


def test_switches_follow_the_catalogue_and_a_new_figure_changes_only_choropleth_sources(app_ctx):
    from gridmap.dashboard.desk.callbacks import desk_update
    from gridmap.dashboard.desk.layers import LIGHT_RAMPS, desk_parts, desk_specs

    parts = desk_parts()
    specs = {s.id: s for s in desk_specs()}
    patch, _, legend = desk_update(["street_outlines"], None, None, 24, "zh", "overdue", True)
    ops = _ops(patch)
    for spec_id, places in parts.parts.items():  # every part of every spec is switched
        for where, i in places:
            key = (
                ("data", i, "visible")
                if where == "data"
                else ("layout", "map", "layers", i, "visible")
            )
            assert ops[key] is (spec_id == "street_outlines"), (spec_id, where, i)
    sources = {loc: v for loc, v in ops.items() if loc[-1] == "source"}
    choropleth_layers = [
        i for s in specs.values() if s.kind == "area_choropleth" for w, i in parts.parts[s.id]
    ]
    assert sorted(loc[3] for loc in sources) == sorted(choropleth_layers)
    assert all("figure=overdue" in url for url in sources.values())
    colours = [
        v for loc, v in ops.items() if loc[-1] == "color" and loc[:3] == ("layout", "map", "layers")
    ]
    assert set(colours) == set(LIGHT_RAMPS["overdue"])
    assert "超期案件" in str(legend)


def test_choropleth_classes_partition_the_areas_by_their_figure(app_ctx):
    import json

    import pandas as pd

    from gridmap.dashboard.desk.layers import choropleth_classes
    from gridmap.dashboard.shared.georoutes import outline_geojson
    from gridmap.domain.access import Scope

    now = pd.Timestamp.now(tz="Asia/Shanghai")
    with open_store(app_ctx) as store:
        streets = store.get_areas("street")
        whole = outline_geojson(streets)
        classes = choropleth_classes(
            store, whole, "street_choropleth", "open", Scope.district(), now
        )
        figures = store.area_figures("street", now)
        one = Scope(user="s", role="street", area_code=streets["code"].iloc[0])
        mine = choropleth_classes(store, whole, "street_choropleth", "open", one, now)
    by_class = [[f["properties"]["code"] for f in json.loads(c)["features"]] for c in classes]
    codes = [c for k in by_class for c in k]
    assert sorted(codes) == sorted(streets["code"])  # each street in exactly one class
    opened = figures["open"].reindex(streets["code"]).fillna(0)
    lows, highs = [opened[k].max() for k in by_class if k], [opened[k].min() for k in by_class if k]
    assert all(
        a <= b for a, b in zip(lows, highs[1:], strict=False)
    )  # classes rise with the figure
    assert [c for k in mine for c in json.loads(k)["features"]] and all(
        f["properties"]["code"] == one.area_code for k in mine for f in json.loads(k)["features"]
    )
    with open_store(app_ctx) as store, pytest.raises(KeyError):
        choropleth_classes(store, whole, "street_choropleth", "nonsense", Scope.district(), now)


def test_heat_of_many_reports_is_drawn_as_hexagons(app_ctx, monkeypatch):
    from gridmap.dashboard.desk.callbacks import desk_update
    from gridmap.layers import plotly_map

    heat = _where()[0]
    monkeypatch.setattr(plotly_map, "HEX_ABOVE_POINTS", 10)
    patch, _, _ = desk_update(["incident_heat"], None, None, 720)
    trace = _ops(patch)[("data", heat)]
    assert trace["type"] == "choroplethmap" and trace["visible"] is True
    assert sum(trace["z"]) > 10 and len(trace["geojson"]["features"]) == len(trace["z"])
    monkeypatch.setattr(plotly_map, "HEX_ABOVE_POINTS", 10**9)
    patch, _, _ = desk_update(["incident_heat"], None, None, 720)
    assert _ops(patch)[("data", heat)]["type"] == "densitymap"


def test_too_many_dots_are_left_out_with_a_word_and_a_filter_brings_them_back(app_ctx, monkeypatch):
    from gridmap.dashboard.desk import layers as desk_layers
    from gridmap.dashboard.desk.callbacks import desk_update

    dots = _where()[2]
    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True).dropna(subset=["lon"])
    counts = rows["status"].value_counts()
    rare, cap = counts.index[-1], int(counts.iloc[-1])
    assert cap < len(rows)
    monkeypatch.setattr(desk_layers, "DESK_MAX_DOTS", cap)
    patch, table, legend = desk_update(ON, None, None, 24)
    assert _ops(patch)[("data", dots, "ids")] == []
    assert "点位过多" in str(legend) and f"{len(rows):,}" in str(legend)
    assert len(table.children[1].children) == min(200, len(rows))  # the table stays
    patch, _, legend = desk_update(ON, None, [rare], 24)
    assert len(_ops(patch)[("data", dots, "ids")]) == cap
    assert "点位过多" not in str(legend)
