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


def _client_get(path: str):
    """GET ``path`` from the desk's server as the district centre (logins off)."""
    import flask

    return flask.current_app.test_client().get(path)


def _open_features(path: str = "/desk/open.geojson") -> dict:
    import json

    answer = _client_get(path)
    assert answer.status_code == 200, answer.data[:200]
    return json.loads(answer.data)


DISTRICT_PAGE = {"kind": "area", "key": "510108"}


def test_the_map_gets_every_located_open_incident_with_what_its_filters_need(app_ctx):
    from gridmap.dashboard.desk.callbacks import desk_table

    data = _open_features()
    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True)
    located = rows.dropna(subset=["lon"])
    by_id = {f["properties"]["incident_id"]: f for f in data["features"]}
    assert set(by_id) == set(located["incident_id"])
    one = located.iloc[0]
    props = by_id[one["incident_id"]]["properties"]
    assert (props["status"], props["category"], props["subcategory"]) == (
        one["status"],
        one["category"],
        one["subcategory"],
    )
    assert by_id[one["incident_id"]]["geometry"]["coordinates"] == [
        round(one["lon"], 5),
        round(one["lat"], 5),
    ]
    # the table's rows come from the server, filtered there: every one, the unlocated too
    table, caption = desk_table(DISTRICT_PAGE, ["SR"])
    sr = rows[rows["category"] == "SR"]
    assert not re.search(r"1[3-9]\d{9}", str(table))  # phone numbers masked
    assert {r["incident_id"] for r in table} == set(sr["incident_id"])
    assert f"{len(sr):,}" in caption and f"{len(rows):,}" in caption  # shown, of how many


def test_a_filtered_ask_for_the_incidents_gets_only_those(app_ctx):
    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True).dropna(subset=["lon"])
    data = _open_features("/desk/open.geojson?category=SR,TF&status=in_progress")
    expected = rows[rows["category"].isin(["SR", "TF"]) & (rows["status"] == "in_progress")]
    assert {f["properties"]["incident_id"] for f in data["features"]} == set(
        expected["incident_id"]
    )
    for bad in ("category=XX", "status=closed", "category=" + "SR," * 200):
        answer = _client_get(f"/desk/open.geojson?{bad}")
        assert answer.status_code == 400 and answer.json["field"] in bad


def test_reports_of_a_window_for_the_heat(app_ctx):
    import json

    import pandas as pd

    week = json.loads(_client_get("/desk/reports.geojson?hours=168").data)["features"]
    day = json.loads(_client_get("/desk/reports.geojson?hours=24").data)["features"]
    with open_store(app_ctx) as store:
        since = int((pd.Timestamp.now(tz="UTC") - pd.Timedelta(hours=168)).value // 10**6)
        expected = len(store.report_points(since))
    assert len(day) <= len(week) and abs(len(week) - expected) <= 2
    assert all(f["properties"]["category"] for f in week)
    assert _client_get("/desk/reports.geojson?hours=5").status_code == 400


def test_english_switch_changes_the_words_not_the_data(app_ctx):
    import dash

    from gridmap.dashboard.desk.callbacks import desk_legend_for, desk_table

    # the pages as Dash registered them (importing their modules again would register
    # them twice)
    pages = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    layout, wall_layout = pages["/"], pages["/wall"]

    zh_legend = desk_legend_for(None, None, "zh")
    en_legend = desk_legend_for(None, None, "en")
    assert "未结案件" in str(zh_legend) and "Open" in str(en_legend)
    zh_rows, zh_caption = desk_table(DISTRICT_PAGE, lang="zh")
    en_rows, en_caption = desk_table(DISTRICT_PAGE, lang="en")
    assert [r["incident_id"] for r in zh_rows] == [r["incident_id"] for r in en_rows]
    assert "rows" in en_caption and "条" in zh_caption
    assert en_rows[0]["status"] in (
        "Reported",
        "Verified",
        "In progress",
        "Accepted",
        "Dispatched",
        "Handled",
    )
    page = str(layout(lang="en").to_plotly_json())
    assert "'headerName': 'Description'" in page and "'headerName': 'Id'" in page
    assert "'headerName': '编号'" in str(layout().to_plotly_json())
    assert "Layers" in page and "Export a snapshot" in page and "图层" not in page
    assert "Street outlines" in page and "Areas coloured by" in page  # the catalogue's names
    assert "Households" in page and "In progress" in page  # the map's tooltips, in English
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

    from gridmap.domain.sla import due_status

    features = _open_features()["features"]
    ringed = {f["properties"]["incident_id"] for f in features if f["properties"]["due"]}
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


def test_the_map_is_the_catalogue_as_the_desk_draws_it():
    from gridmap.dashboard.desk.layers import LIGHT_RAMPS, desk_map_layers, desk_specs

    rendered = desk_map_layers("overdue")
    by_spec: dict[str, list] = {}
    for layer in rendered["layers"]:
        by_spec.setdefault(layer["metadata"]["gridmap:spec"], []).append(layer)
    assert list(by_spec) == [s.id for s in desk_specs()]  # every switch has its layers
    grid = by_spec["grid_choropleth"][0]
    assert grid["paint"]["fill-color"][3:-1:2] == list(LIGHT_RAMPS["overdue"])
    # a level's fills and outlines are one source: the geometry is fetched once
    assert by_spec["grid_outlines"][0]["source"] == grid["source"]
    assert rendered["sources"][grid["source"]] == {
        "type": "geojson",
        "data": "/geo/grid.geojson?with=ledger",
        "promoteId": "code",
    }
    assert not any("plotly" in str(v) for v in rendered["sources"].values())
    # buildings come as vector tiles, from the zoom they are fetched at
    (buildings,) = by_spec["buildings"]
    source = rendered["sources"][buildings["source"]]
    assert source["type"] == "vector" and source["minzoom"] == 14
    assert source["tiles"] == ["/tiles/buildings/{z}/{x}/{y}.pbf"]
    assert buildings["source-layer"] == "buildings"


def test_figure_classes_partition_the_areas_by_their_figure(app_ctx):
    import pandas as pd

    from gridmap.dashboard.desk.layers import LIGHT_RAMPS, figure_classes
    from gridmap.domain.access import Scope

    now = pd.Timestamp.now(tz="Asia/Shanghai")
    with open_store(app_ctx) as store:
        streets = store.get_areas("street")
        classes = figure_classes(store, "street_choropleth", "open", Scope.district(), now)
        figures = store.area_figures("street", now)
        one = Scope(user="s", role="street", area_code=streets["code"].iloc[0])
        mine = figure_classes(store, "street_choropleth", "overdue", one, now)
        with pytest.raises(KeyError):
            figure_classes(store, "street_choropleth", "nonsense", Scope.district(), now)
        with pytest.raises(KeyError):
            figure_classes(store, "street_outlines", "open", Scope.district(), now)
    assert sorted(classes["codes"]) == sorted(streets["code"])  # each street in one class
    opened = figures["open"].reindex(classes["codes"]).fillna(0).to_numpy()
    assert classes["values"] == [int(v) for v in opened]
    order = sorted(range(len(opened)), key=lambda i: opened[i])
    ks = [classes["k"][i] for i in order]
    assert ks == sorted(ks)  # classes rise with the figure
    assert classes["colours"] == list(LIGHT_RAMPS["open"])
    assert mine["codes"] == [one.area_code] and mine["colours"] == list(LIGHT_RAMPS["overdue"])


def test_figures_route_answers_the_callers_area_and_names_a_bad_figure(app_ctx):
    import pandas as pd

    from gridmap.dashboard.desk.layers import figure_classes
    from gridmap.domain.access import Scope

    data = _client_get("/desk/figures/grid_choropleth.json?figure=open").json
    assert len(data["codes"]) == len(data["k"]) == len(data["values"]) > 1000
    rates = _client_get("/desk/figures/grid_choropleth.json?figure=on_time_rate").json
    assert len(rates["codes"]) == len(rates["k"]) == len(rates["values"])
    # the rate is of what was handled today, and just after midnight nothing was: the
    # figures as they stood at yesterday's noon, when the demo's grids had handled some
    noon = pd.Timestamp.now(tz="Asia/Shanghai").normalize() - pd.Timedelta(hours=12)
    with open_store(app_ctx) as store:
        then = figure_classes(store, "grid_choropleth", "on_time_rate", Scope.district(), noon)
    assert then["values"] and all(str(v).endswith("%") for v in then["values"])
    assert _client_get("/desk/figures/grid_choropleth.json?figure=x").status_code == 400
    assert _client_get("/desk/figures/buildings.json").status_code == 404


def test_too_many_dots_are_left_out_with_a_word_and_a_filter_brings_them_back(app_ctx, monkeypatch):
    from gridmap.dashboard.desk import callbacks, routes
    from gridmap.dashboard.desk.callbacks import desk_legend_for, desk_table

    with open_store(app_ctx) as store:
        rows = store.get_incidents(open_only=True).dropna(subset=["lon"])
    counts = rows["status"].value_counts()
    rare, cap = counts.index[-1], int(counts.iloc[-1])
    assert cap < len(rows)
    monkeypatch.setattr(routes, "DESK_MAX_DOTS", cap)
    monkeypatch.setattr(callbacks, "DESK_MAX_DOTS", cap)
    data = _open_features()
    assert data["features"] == [] and data["hidden"] == len(rows)
    legend = desk_legend_for(None, None)
    assert "点位过多" in str(legend) and f"{len(rows):,}" in str(legend)
    assert len(desk_table(DISTRICT_PAGE)[0]) >= len(rows)  # the table lists them all
    data = _open_features(f"/desk/open.geojson?status={rare}")
    assert len(data["features"]) == cap and "hidden" not in data
    legend = desk_legend_for(None, [rare])
    assert "点位过多" not in str(legend)


def test_a_row_without_area_codes_or_unit_still_makes_the_table(app_ctx):
    # a hotline report by address alone has no grid, community or street: pandas gives NaN
    # (it broke the whole table with a 500 once)
    import pandas as pd

    from gridmap.dashboard.desk.table import table_rows
    from gridmap.domain.access import Scope

    nan = float("nan")
    incidents = pd.DataFrame(
        [
            {
                "incident_id": "510108202612050000001",
                "category": "SR",
                "subcategory": "SR01",
                "community_code": nan,
                "street_code": nan,
                "grid_code": nan,
                "status": "reported",
                "reported_at": pd.Timestamp("2026-12-05 08:00", tz="UTC"),
                "deadline": pd.NaT,
                "department": nan,
                "description": nan,
            }
        ]
    )
    (row,) = table_rows(incidents, [""], {}, Scope.district(), "zh")
    assert row["place"] == "" and row["department"] == "" and row["description"] == ""
    assert row["deadline"] == "" and "nan" not in str(row).lower()
