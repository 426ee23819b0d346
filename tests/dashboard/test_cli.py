"""The ``gridmap`` command line, called as a user would (in-process, isolated data folder)."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from gridmap.dashboard.shell.cli import main
from gridmap.feed.store import open_store


@pytest.fixture
def grids_file(tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "网格编码": ["510108004006001", "510108004006002"],
            "网格名称": ["一网格", "二网格"],
            "所属社区": ["510108004006"] * 2,
        },
        geometry=[
            shapely.box(104.10, 30.66, 104.11, 30.67),
            shapely.Polygon([(104.11, 30.66), (104.11, 30.67), (104.12, 30.67), (104.12, 30.66)]),
        ],  # clockwise
        crs="EPSG:4326",
    ).to_crs("EPSG:4544")
    path = tmp_path / "grids.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def test_import_grids_report_out_and_merge(isolated_settings, grids_file, tmp_path, capsys):
    report, out = tmp_path / "report.json", tmp_path / "clean.geojson"
    assert (
        main(["import", "grids", str(grids_file), "--report", str(report), "--out", str(out)]) == 0
    )
    data = json.loads(report.read_text())
    assert data["counts"] == {"loaded": 2, "kept": 2, "repaired": 0, "normalised": 1, "rejected": 0}
    clean = gpd.read_file(out)
    assert clean.crs.to_epsg() == 4326 and clean["name"].tolist() == ["一网格", "二网格"]
    url = isolated_settings.resolved_store_url
    with open_store(url) as store:
        assert store.get_areas("grid")["code"].tolist() == ["510108004006001", "510108004006002"]
    # a second file with one grid adds/updates by code and keeps the rest …
    one = gpd.read_file(grids_file).iloc[:1]
    one.loc[0, "网格名称"] = "一网格（新）"
    single = tmp_path / "one.gpkg"
    one.to_file(single, engine="pyogrio")
    assert main(["import", "grids", str(single)]) == 0
    with open_store(url) as store:
        names = store.get_areas("grid")["name"].tolist()
    assert names == ["一网格（新）", "二网格"]
    # … unless asked to replace the level
    assert main(["import", "grids", str(single), "--replace"]) == 0
    with open_store(url) as store:
        assert store.layer_counts()["grid"] == 1


def test_import_buildings(isolated_settings, tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "楼栋编码": ["5101080040060010001"],
            "名称": ["建设路1号1栋"],
            "所属网格编码": ["510108004006001"],
        },
        geometry=[shapely.box(104.101, 30.661, 104.102, 30.662)],
        crs="EPSG:4326",
    )
    path = tmp_path / "buildings.geojson"
    frame.to_file(path, engine="pyogrio")
    assert main(["import", "buildings", str(path)]) == 0
    with open_store(isolated_settings.resolved_store_url) as store:
        stored = store.get_buildings()
    assert stored["building_id"].tolist() == ["5101080040060010001"]
    assert stored["grid_code"].tolist() == ["510108004006001"]


def test_import_errors_exit_1_with_a_message(isolated_settings, tmp_path, capsys):
    path = tmp_path / "swapped.csv"
    path.write_text("id,lon,lat\n1,30.66,104.10\n")
    assert main(["import", "incidents", str(path), "--no-store"]) == 1
    err = capsys.readouterr().err
    assert "swapped" in err and "--swap-xy" in err
    assert main(["import", "grids", str(tmp_path / "missing.shp")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_apikeys(isolated_settings, capsys):
    assert main(["apikey", "add", "12345热线"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("gm_")
    assert main(["apikey", "list"]) == 0
    assert "12345热线" in capsys.readouterr().out
    assert main(["apikey", "revoke", "12345热线"]) == 0
    with open_store(isolated_settings.resolved_store_url) as store:
        assert store.check_api_key(key) is None
    assert main(["apikey", "revoke", "12345热线"]) == 1


def test_demo_data_small(isolated_settings, capsys):
    assert (
        main(
            ["demo-data", "--scale", "district", "--incidents", "3000", "--now", "2026-11-25T10:00"]
        )
        == 0
    )
    with open_store(isolated_settings.resolved_store_url) as store:
        counts = store.layer_counts()
    assert counts["street"] == 11 and counts["community"] == 83
    assert 1100 <= counts["grid"] <= 1300 and counts["incidents"] == 3000
    manifest = json.loads((isolated_settings.demo_dir / "district" / "manifest.json").read_text())
    assert manifest["now"].startswith("2026-11-25T10:00")
    # --if-missing does nothing the second time
    assert main(["demo-data", "--scale", "district", "--if-missing"]) == 0
    assert "nothing to do" in capsys.readouterr().err
    # a data set of an older generator (the made-up outline) is made again
    path = isolated_settings.demo_dir / "district" / "manifest.json"
    path.write_text(json.dumps({k: v for k, v in manifest.items() if k != "version"}))
    assert main(["demo-data", "--scale", "district", "--if-missing", "--incidents", "3000"]) == 0
    assert "nothing to do" not in capsys.readouterr().err
    assert json.loads(path.read_text())["version"] == manifest["version"]


def test_lists_say_the_day_as_the_district_counts_it(isolated_settings, capsys):
    """A user made at 04:00 in Chengdu (20:00 UTC the day before) was made on the 6th."""
    import sqlite3

    assert main(["user", "add", "xinhong", "--role", "community", "--area", "510108004006"]) == 0
    assert main(["apikey", "add", "网格员App"]) == 0
    at = 1_796_500_800_000  # 2026-12-05T20:00:00Z
    path = isolated_settings.resolved_store_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE users SET created_at = ?", (at,))
        db.execute("UPDATE api_keys SET created_at = ?", (at,))
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    assert "xinhong\tcommunity\t510108004006\t2026-12-06" in capsys.readouterr().out
    assert main(["apikey", "list"]) == 0
    assert "网格员App\t2026-12-06 04:00" in capsys.readouterr().out
