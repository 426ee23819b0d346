"""The drill-down and the incident loop as users do them, with logins on, in a real headless
Chromium cut off from everything but loopback: a street office clicks from its street to a
community, a grid and a building (the URL and the breadcrumbs follow, back returns); the grid
page names its worker and lists its buildings; the centre and the street office take an
incident from report to close with photos, each step in the store with its user as actor and
in the wall's live feed; a photo posted by curl as an Open311 client does is kept and shown."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from gridmap.feed.store import open_store

from ..feed.test_photos import picture
from .browser import BROWSER_MARKS, CHROMIUM, FLAGS, Server, free_port
from .conftest import demo_store
from .probe import PASSWORD

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("drill-browser")
    url = demo_store(data, incidents=3000, seed=8)
    with open_store(url) as store:
        street = store.get_incidents(open_only=True)["street_code"].value_counts().index[0]
        store.add_user("jiedao", "street", street, PASSWORD)
        store.add_user("zhongxin", "centre", None, PASSWORD)
        key = store.add_api_key("网格员APP", area_code=street)
    srv = Server({**os.environ, "GRIDMAP_DATA_DIR": str(data), "GRIDMAP_AUTH": "true"}, free_port())
    srv.store_url, srv.street, srv.key, srv.data = url, street, key, data
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _sign_in(browser, server, user: str, path: str = "/"):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.asked, page.errors = [], []
    page.on("request", lambda r: page.asked.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url + path)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_function("() => window.gridmapDesk && window.gridmapDesk.painted", timeout=6e4)
    return page


def _click_at(page, lon: float, lat: float) -> None:
    """Click the map where ``lon, lat`` (WGS84) is drawn."""
    point = page.evaluate(
        """([lon, lat]) => { const m = window.gridmapDesk.map, p = m.project([lon, lat]);
                   const r = m.getContainer().getBoundingClientRect();
                   return {x: r.left + p.x, y: r.top + p.y}; }""",
        [lon, lat],
    )
    page.mouse.click(point["x"], point["y"])


def _arrive(page, path: str) -> None:
    page.wait_for_function("p => location.pathname === p", arg=path, timeout=10000)
    page.wait_for_function(
        "p => window.gridmapDesk.arrived && document.getElementById('desk-map') && "
        "window.gridmapDesk.el === document.getElementById('desk-map')",
        arg=path,
        timeout=10000,
    )


def test_a_street_office_drills_down_by_clicks_and_back_returns(browser, server):
    with open_store(server.store_url) as store:
        communities = store.get_areas("community")
        community = communities[communities["code"].str.startswith(server.street)].iloc[0]
        grids = store.get_areas("grid")
        grid = grids[grids["code"].str.startswith(community["code"])].iloc[0]
        buildings = store.grid_buildings(grid["code"])
        names = {a: n for a, n in zip(communities["code"], communities["name"], strict=True)}
        building = store.get_buildings(bbox=grid.geometry.bounds)
        around = store.get_buildings(bbox=community.geometry.bounds).geometry.union_all()
    building = building[building["building_id"] == buildings["building_id"].iloc[0]].iloc[0]
    page = _sign_in(browser, server, "jiedao")
    assert page.url.endswith("/")  # its own street's page
    assert "成华区" in page.inner_text(".crumbs")
    page.get_by_label("派遣状态 (未结事件)").uncheck()  # click the areas, not the dots
    # clicked where no building is (a click on a building opens the building)
    spot = grid.geometry.difference(around.buffer(0.0002)).representative_point()
    _click_at(page, spot.x, spot.y)
    _arrive(page, f"/area/{community['code']}")
    page.wait_for_function(
        "name => document.querySelector('.crumbs').innerText.includes(name)",
        arg=names[community["code"]],
    )
    _click_at(page, spot.x, spot.y)
    _arrive(page, f"/area/{grid['code']}")
    page.wait_for_selector("#grid-worker")
    props = grid.to_dict()
    assert page.inner_text("#grid-worker") == props["worker"]  # a street office reads it
    assert page.inner_text("#grid-worker-phone") == props["worker_phone"]
    ledger = page.inner_text("#grid-buildings")
    assert buildings["name"].iloc[0] in ledger and str(buildings["households"].iloc[0]) in ledger
    page.wait_for_function("() => window.gridmapDesk.map.areTilesLoaded()", timeout=20000)
    spot = building.geometry.representative_point()
    _click_at(page, spot.x, spot.y)
    _arrive(page, f"/building/{building['building_id']}")
    page.wait_for_selector("#building-facts")
    assert building["name"] in page.inner_text(".crumbs")
    assert f"{int(building['households']):,}" in page.inner_text("#building-facts")
    page.go_back()
    page.wait_for_function("p => location.pathname === p", arg=f"/area/{grid['code']}")
    page.wait_for_selector("#grid-worker")
    page.go_back()
    page.wait_for_function("p => location.pathname === p", arg=f"/area/{community['code']}")
    page.wait_for_function(
        "name => document.querySelector('.crumb-here').innerText.includes(name)",
        arg=names[community["code"]],
    )
    assert not page.errors
    assert all(u.startswith((server.url, "data:", "blob:")) for u in page.asked)
    # the map was made once and moved from page to page: the geometry came once
    grids_fetched = [u for u in page.asked if "/geo/grid.geojson" in u]
    assert len(grids_fetched) == 1


def test_the_incident_loop_in_the_browser_with_photos(browser, server, tmp_path):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(picture("JPEG"))
    # a grid worker's app posts the report with its photo, as Open311 clients do (multipart)
    with open_store(server.store_url) as store:
        spot = (
            store.get_incidents(open_only=True, area_code=server.street)
            .dropna(subset=["lon"])
            .iloc[0]
        )
        cursor = store.last_event_id()
    posted = subprocess.run(
        [
            "curl", "-s", "-F", f"api_key={server.key}", "-F", "service_code=MD01",
            "-F", f"lat={spot['lat']}", "-F", f"long={spot['lon']}",
            "-F", "description=楼上漏水引发邻里纠纷", "-F", f"media=@{photo};type=image/jpeg",
            f"{server.url}/open311/v2/requests.json",
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "service_request_id" in posted.stdout, posted.stdout
    rid = posted.stdout.split('"service_request_id":"')[1].split('"')[0]

    centre = _sign_in(browser, server, "zhongxin", f"/incident/{rid}")
    centre.wait_for_selector(".photos img")  # the report's photo, shown
    assert centre.evaluate("() => document.querySelector('.photos img').naturalWidth") > 0

    def act(page, button: str, note: str | None = None, photo: bytes | None = None) -> str:
        page.wait_for_selector(f"button.act-btn:has-text('{button}')")
        if note:
            page.fill("#act-note", note)
        if photo:  # picked as a user does: a click opens the file chooser
            with page.expect_file_chooser() as chooser:
                page.click("#act-photo .act-photo")
            chooser.value.set_files({"name": "site.jpg", "mimeType": "image/jpeg", "buffer": photo})
            page.wait_for_function(
                "() => document.getElementById('act-photo-name').innerText === 'site.jpg'"
            )
        before = page.inner_text("#act-message")
        with page.expect_response(
            lambda r: (
                "_dash-update-component" in r.url and "act-button" in (r.request.post_data or "")
            )
        ) as answer:
            page.click(f"button.act-btn:has-text('{button}')")
        assert answer.value.ok, answer.value.text()[:300]
        page.wait_for_function(
            "b => document.getElementById('act-message').innerText !== b", arg=before
        )
        return page.inner_text("#act-message")

    assert "已办理" in act(centre, "受理立案")
    assert "已办理" in act(centre, "派遣")  # to the unit the routing table suggests: the street's
    street = _sign_in(browser, server, "jiedao", f"/incident/{rid}")
    assert "已办理" in act(street, "开始处置", photo=picture("PNG", (80, 60)))
    # the centre's page still shows "dispatched": its return is refused with a clear word
    stale = act(centre, "退回", note="请重新派遣")
    assert "已被他人办理" in stale and "处置中" in stale
    assert "已办理" in act(street, "处置反馈", note="已调解", photo=picture("WEBP", (90, 60)))
    centre.reload()
    centre.wait_for_function("() => window.gridmapDesk && window.gridmapDesk.painted", timeout=6e4)
    assert "已办理" in act(centre, "核查通过")
    assert "已办理" in act(centre, "结案")
    # each photo under its step of the history, and all of them together
    centre.wait_for_function(
        "() => document.querySelectorAll('.timeline .photos img').length === 3"
    )
    assert centre.evaluate(
        "() => [...document.querySelectorAll('.photos img')].every(i => i.naturalWidth > 0)"
    )
    with open_store(server.store_url) as store:
        events = store.get_events(rid)
        assert store.get_incident(rid)["status"] == "closed"
        photos = store.photos_of([rid])
    assert list(events["action"]) == [
        "report", "accept", "dispatch", "start", "handle", "verify", "close"
    ]  # fmt: skip
    assert list(events["actor"])[1:] == [
        "zhongxin", "zhongxin", "jiedao", "jiedao", "zhongxin", "zhongxin"
    ]  # fmt: skip
    assert [p["action"] for p in photos] == ["report", "start", "handle"]
    # every step reached the wall's live feed (what the wall reads each second)
    since = int(time.time() * 1000)
    tick = centre.request.get(f"{server.url}/live/tick.json?cursor={cursor}&since={since}")
    tick = tick.json()
    assert rid in str(tick)
    assert not centre.errors and not street.errors
