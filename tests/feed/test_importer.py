"""Tests of gridmap.feed.importer (and the command line that prints it), on files as Chinese
offices make them: every row kept or refused with its line and reason, incidents made as the
API makes them, parents checked."""

from __future__ import annotations

import csv

import geopandas as gpd
import pytest
import shapely

from gridmap.dashboard.shell.cli import main
from gridmap.feed.importer import import_file
from gridmap.feed.service import IntakeService
from gridmap.feed.store import open_store

STREET, COMMUNITY = "510108004", "510108004006"
GRIDS = ("510108004006001", "510108004006002")

ROWS = [
    ["编号", "类别", "事件小类", "经度", "纬度", "上报时间", "问题描述"],
    ["IMP-1", "SS01", "", "104.105", "30.665", "2026-11-20 10:00", "井盖缺失"],
    ["IMP-2", "", "井盖缺失破损", "104.106", "30.666", "2026-11-20 10:05", "名称作小类"],
    ["IMP-3", "市容环境", "", "104.107", "30.667", "2026-11-20 10:10", "只有大类"],
    ["IMP-4", "SR01", "", "30.668", "104.108", "2026-11-20 10:15", "经纬度颠倒"],
    ["IMP-5", "SR01", "", "116.4", "39.9", "2026-11-20 10:20", "北京"],
    ["IMP-6", "XX99", "", "104.109", "30.669", "2026-11-20 10:25", "未知小类"],
    ["IMP-7", "SR01", "", "104.110", "30.669", "not a time", "时间错误"],
    ["IMP-1", "SR01", "", "104.111", "30.669", "2026-11-20 10:35", "重复编号"],
    ["IMP-9", "暴露垃圾", "", "104.112", "30.668", "2026-11-20 10:40", "小类名称在类别列"],
    ["IMP-10", "SR02", "", "", "", "2026-11-20 10:45", "无坐标"],
    ["IMP-11", "JM01", "", "104.113", "30.667", "2026-11-20 10:50", "占道经营"],
    ["IMP-12", "SR04", "", "104.14", "30.67", "2026-11-20 10:55", "网格外，区附近"],
]
#: line → what became of the row (a code of refusal, or "kept")
EXPECTED = {
    2: "kept",
    3: "kept",
    4: "category_only",
    5: "swapped",
    6: "far_away",
    7: "unknown_kind",
    8: "bad_time",
    9: "duplicate_id",
    10: "kept",
    11: "no_coordinates",
    12: "kept",
    13: "kept",
}


@pytest.fixture
def store_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        store.put_areas(
            "street",
            gpd.GeoDataFrame(
                {"code": [STREET], "name": ["双桥子街道"], "parent_code": ["510108"]},
                geometry=[shapely.box(104.09, 30.65, 104.13, 30.68)],
                crs="EPSG:4326",
            ),
        )
        store.put_areas(
            "community",
            gpd.GeoDataFrame(
                {"code": [COMMUNITY], "name": ["新鸿社区"], "parent_code": [STREET]},
                geometry=[shapely.box(104.10, 30.66, 104.12, 30.67)],
                crs="EPSG:4326",
            ),
        )
        store.put_areas(
            "grid",
            gpd.GeoDataFrame(
                {"code": list(GRIDS), "name": ["一网格", "二网格"], "parent_code": [COMMUNITY] * 2},
                geometry=[
                    shapely.box(104.10, 30.66, 104.11, 30.67),
                    shapely.box(104.11, 30.66, 104.12, 30.67),
                ],
                crs="EPSG:4326",
            ),
        )
    return url


@pytest.fixture
def gbk_csv(tmp_path):
    path = tmp_path / "事件.csv"
    with open(path, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(ROWS)
    return path


def test_every_row_is_kept_or_refused_with_its_line_and_reason(store_url, gbk_csv):
    with open_store(store_url) as store:
        outcome = import_file("incidents", gbk_csv, store=store)
        stored = store.get_incidents()
    refused = {item["row"]: item["code"] for item in outcome.report["rejected"]}
    kept = {line for line in EXPECTED if line not in refused and EXPECTED[line] == "kept"}
    assert {line: code for line, code in EXPECTED.items() if code != "kept"} == refused
    assert len(kept) == outcome.stored == len(stored) == 5
    assert outcome.report["counts"] == {
        "loaded": 12,
        "kept": 5,
        "repaired": 0,
        "rejected": 7,
    }
    assert set(stored["incident_id"]) == {"IMP-1", "IMP-2", "IMP-9", "IMP-11", "IMP-12"}
    assert stored.set_index("incident_id").loc["IMP-2", "subcategory"] == "SS01"  # by its name
    assert stored.set_index("incident_id").loc["IMP-9", "subcategory"] == "SR01"
    assert outcome.incidents.unassigned == 1  # IMP-12: near the district, in no grid


def test_an_imported_incident_is_made_as_the_api_makes_it(store_url, gbk_csv):
    with open_store(store_url) as store:
        import_file("incidents", gbk_csv, store=store)
        imported = store.get_incident("IMP-11")
        events = store.get_events("IMP-11")
        service = IntakeService(store)
        posted, _event = service.build_incident(
            {"service_code": "JM01", "lat": 30.667, "long": 104.113}, client="app"
        )
    # routed to its street's own office, as the API routes it
    assert imported["department"] == posted["department"] == "双桥子街道综合执法中队"
    assert imported["grid_code"] == posted["grid_code"] == GRIDS[1]
    assert imported["street_code"] == STREET and imported["community_code"] == COMMUNITY
    assert events["action"].tolist() == ["report"]  # its history begins like any other


def test_an_incident_the_store_holds_is_not_rewritten_by_a_file(store_url, gbk_csv):
    with open_store(store_url) as store:
        import_file("incidents", gbk_csv, store=store)
        again = import_file("incidents", gbk_csv, store=store)
        assert store.layer_counts()["incidents"] == 5
    assert again.stored == 0
    assert {r["code"] for r in again.report["rejected"] if r["row"] in (2, 3)} == {"exists"}


def test_the_command_line_says_it_in_chinese(store_url, gbk_csv, monkeypatch, capsys):
    monkeypatch.setenv("GRIDMAP_STORE_URL", store_url)
    from gridmap.settings import get_settings

    get_settings.cache_clear()
    try:
        assert main(["--lang", "zh", "import", "incidents", str(gbk_csv)]) == 0
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "读入 12，保留 5，修复 0，拒绝 7" in err
    assert "拒绝：第 5 行 (IMP-4)：经纬度似乎颠倒了" in err
    assert "拒绝：第 9 行 (IMP-1)：编号“IMP-1”重复（首次出现在第 2 行）" in err
    assert "可用的事件小类：" in err and err.count("SS01 井盖缺失破损") == 1  # listed once
    assert "已写入 5 件事件" in err


def test_grids_under_an_unknown_community_are_a_warning(store_url, tmp_path):
    grids = gpd.GeoDataFrame(
        {"网格编码": ["510108999001001"], "网格名称": ["无主网格"], "所属社区": ["510108999001"]},
        geometry=[shapely.box(104.10, 30.66, 104.101, 30.661)],
        crs="EPSG:4326",
    )
    path = tmp_path / "网格.geojson"
    grids.to_file(path, engine="pyogrio")
    with open_store(store_url) as store:
        outcome = import_file("grids", path, store=store)
    text = " ".join(outcome.warnings)
    assert "510108999001" in text and "store does not hold" in text
    assert any("division table" in w or "510108999001" in w for w in outcome.warnings[1:])


def test_a_file_without_ids_names_only_its_own_columns(tmp_path):
    frame = gpd.GeoDataFrame(
        {"备注": ["x"]}, geometry=[shapely.box(104.1, 30.6, 104.2, 30.7)], crs="EPSG:4326"
    )
    path = tmp_path / "noid.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(ValueError, match="备注") as error:
        import_file("grids", path, crs="gcj02")  # converted: the reader adds source_crs
    assert "source_crs" not in str(error.value)
