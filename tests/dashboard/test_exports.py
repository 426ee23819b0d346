"""Exports over HTTP: GIS files, the HTML map and the PNG, each of the caller's area only,
with personal data as the caller's role may read it; bad parameters get a 400 naming them."""

from __future__ import annotations

import io
import re
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from gridmap.dashboard.desk.snapshot import SnapshotError, SnapshotQuery
from gridmap.feed.store import open_store
from gridmap.settings import Settings

from ..helpers import with_description
from .conftest import demo_store

PASSWORD = "export-secret-1"
PHONE = "13912345678"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("exports")
    url = demo_store(data, incidents=3000, seed=9)
    with open_store(url) as store:
        street = store.get_incidents(open_only=True)["street_code"].value_counts().index[0]
        incident = store.get_incidents(open_only=True, area_code=street)["incident_id"].iloc[0]
        with_description(store, incident, f"井盖缺失，电话{PHONE}")
        store.add_user("street1", "street", street, PASSWORD)
        store.add_user("planner1", "planner", None, PASSWORD)
    from gridmap.dashboard.shell.app import create_app

    dash_app = create_app(Settings(store_url=url, data_dir=data, auth=True))
    dash_app.street, dash_app.url, dash_app.incident = street, url, incident
    return dash_app


def _client(app, user):
    client = app.server.test_client()
    client.post("/login", data={"username": user, "password": PASSWORD})
    return client


def test_exports_need_a_login(app):
    assert app.server.test_client().get("/export/incidents.csv").status_code == 401


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "parquet", "csv"])
def test_a_street_exports_its_open_incidents_with_full_text(app, fmt):
    answer = _client(app, "street1").get(f"/export/incidents.{fmt}")
    assert answer.status_code == 200
    assert "gridmap-incidents-" in answer.headers["Content-Disposition"]
    if fmt == "parquet":
        frame = gpd.read_parquet(io.BytesIO(answer.data))
    elif fmt == "csv":
        frame = pd.read_csv(io.BytesIO(answer.data), dtype=str, encoding="utf-8-sig")
    else:
        frame = pyogrio.read_dataframe(io.BytesIO(answer.data))
    with open_store(app.url) as store:
        expected = store.get_incidents(open_only=True, area_code=app.street)
    assert set(frame["incident_id"]) == set(expected["incident_id"])
    assert set(frame["street_code"].astype(str)) == {app.street}
    row = frame[frame["incident_id"] == app.incident].iloc[0]
    assert PHONE in row["description"]  # a street office handles it: its role reads it


def test_a_planner_exports_the_district_masked(app):
    answer = _client(app, "planner1").get("/export/incidents.csv")
    text = answer.data.decode("utf-8-sig")
    assert app.incident in text and PHONE not in text and "139****5678" in text
    grids = pd.read_csv(
        io.BytesIO(_client(app, "planner1").get("/export/grids.csv").data), encoding="utf-8-sig"
    )
    assert not grids["worker_phone"].astype(str).str.fullmatch(r"1\d{10}").any()
    assert grids["worker"].astype(str).str.contains(r"\*").all()


def test_grids_as_zipped_shapefile_carry_their_figures(app):
    answer = _client(app, "street1").get("/export/grids.shp.zip")
    names = zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    assert {n.rsplit(".", 1)[1] for n in names} >= {"shp", "shx", "dbf", "prj", "cpg"}
    geojson = pyogrio.read_dataframe(
        io.BytesIO(_client(app, "street1").get("/export/grids.geojson").data)
    )
    assert geojson["code"].str.startswith(app.street).all()
    with open_store(app.url) as store:
        open_now = store.get_incidents(open_only=True, area_code=app.street)
    assert geojson["open"].sum() == len(open_now.dropna(subset=["grid_code"]))


def test_a_past_moment_shows_the_state_then(app):
    with open_store(app.url) as store:
        first = store.get_incidents()["reported_at"].min()
    at = (first - pd.Timedelta(minutes=1)).tz_convert("Asia/Shanghai")
    answer = _client(app, "planner1").get(f"/export/incidents.csv?at={at:%Y-%m-%dT%H:%M}")
    frame = pd.read_csv(io.BytesIO(answer.data), encoding="utf-8-sig")
    assert len(frame) == 0  # nothing had been reported yet


@pytest.mark.parametrize(
    "query, field",
    [
        ("at=yesterday-ish", "at"),
        ("at=2999-01-01T00:00", "at"),
        ("category=XX", "category"),
        ("status=lost", "status"),
    ],
)
def test_bad_parameters_are_named(app, query, field):
    answer = _client(app, "planner1").get(f"/export/incidents.csv?{query}")
    assert answer.status_code == 400 and answer.get_json()["field"] == field


def test_unknown_exports_list_the_allowed_ones(app):
    answer = _client(app, "planner1").get("/export/incidents.xls")
    assert answer.status_code == 404 and "incidents.gpkg" in answer.get_json()["error"]


def test_the_html_map_is_standalone_and_masked(app):
    answer = _client(app, "planner1").get("/export/map.html")
    html = answer.data.decode()
    assert answer.status_code == 200 and "leaflet" in html.lower()
    # nothing fetched: no remote script, style sheet or image (Leaflet's own attribution
    # link in its inlined code is text, not a request)
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?://""", html)
    assert PHONE not in html


@pytest.mark.browser
def test_the_png_draws_with_chinese_text(app, tmp_path):
    answer = _client(app, "street1").get("/export/map.png?category=SR")
    assert answer.status_code == 200 and answer.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(answer.data) > 50_000
    (tmp_path / "map.png").write_bytes(answer.data)


def test_snapshot_query_reads_local_times():
    now = pd.Timestamp("2026-11-25 12:00", tz="Asia/Shanghai")
    query = SnapshotQuery.from_args({"at": "2026-11-25T10:30", "category": "SR,TF"}, now)
    assert query.at == pd.Timestamp("2026-11-25 10:30", tz="Asia/Shanghai")
    assert query.categories == ("SR", "TF")
    with pytest.raises(SnapshotError, match="future"):
        SnapshotQuery.from_args({"at": "2026-11-26T10:30"}, now)


def test_the_heat_of_a_snapshot_counts_every_report_of_the_day(app):
    from gridmap.dashboard.desk.exports import reports_before
    from gridmap.domain.access import Scope

    now = pd.Timestamp.now(tz="Asia/Shanghai")
    with open_store(app.url) as store:
        all_ = store.get_incidents()
        recent = all_[
            (all_["reported_at"] > now - pd.Timedelta(hours=24))
            & (all_["street_code"] == app.street)
        ].dropna(subset=["lon"])
        # the category the street reported most in the last day (a fixed one may have none
        # at some hour of the demo's day)
        category = recent["category"].value_counts().index[0]
        query = SnapshotQuery(at=now, categories=(category,))
        heat = reports_before(store, Scope("s", "street", app.street), query)
    day = recent[recent["category"] == category]
    assert len(heat) == len(day) > 0
    assert (day["status"] == "closed").any() or len(day) < 5  # closed ones count too
