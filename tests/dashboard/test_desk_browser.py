"""The desk in a real headless Chromium with every address but loopback cut off: MapLibre's
own map (no plotly.js), the area whole, filters applied in the browser, a click to a detail."""

from __future__ import annotations

import pytest

from gridmap.feed.store import open_store

from .browser import BROWSER_MARKS, CHROMIUM, FLAGS, demo_server

pytestmark = BROWSER_MARKS

DOTS = "gm-dispatch_status"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("desk-browser"), incidents=4000, seed=3) as srv:
        yield srv


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1920, "height": 1080})
        pg.asked = []
        pg.errors = []
        pg.on("request", lambda r: pg.asked.append(r.url))
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.goto(server.url + "/")
        pg.wait_for_function("() => window.gridmapDesk && window.gridmapDesk.painted", timeout=6e4)
        # the sources left for after the first picture (names, buildings) are added then:
        # the map is still again once they are in
        pg.evaluate(
            """() => new Promise(done => {
                 const map = window.gridmapDesk.map;
                 map.once('idle', done);
                 map.triggerRepaint();
               })"""
        )
        yield pg
        browser.close()


#: When the table first shows rows (``window.gridmapRowsAt``, ms since the page's start).
ROWS_CLOCK = """(() => {
  const look = () => {
    const api = window.dash_ag_grid && window.dash_ag_grid.getApi &&
                (() => { try { return window.dash_ag_grid.getApi('desk-grid'); }
                         catch (e) { return null; } })();
    if (api && api.getDisplayedRowCount() > 0) { window.gridmapRowsAt = performance.now(); }
    else { setTimeout(look, 20); }
  };
  look();
})();"""


def _drawn_ids(page) -> set[str]:
    """Incident ids of the dots drawn on the map now (not those the filters leave out, drawn
    clear by their feature-state)."""
    return set(
        page.evaluate(
            """layer => window.gridmapDesk.map.queryRenderedFeatures({layers: [layer]})
                 .filter(f => !(f.state && f.state.out))
                 .map(f => f.properties.incident_id)""",
            DOTS,
        )
    )


def _settle(page) -> None:
    page.wait_for_function("() => window.gridmapDesk.shown()", timeout=30000)


def test_the_desk_draws_its_area_whole_on_maplibre_with_nothing_from_elsewhere(page, server):
    assert not page.errors
    assert all(url.startswith((server.url, "data:", "blob:")) for url in page.asked)
    assert not any("plotly" in url for url in page.asked)  # the desk's map needs none
    view = page.evaluate(
        """() => { const m = window.gridmapDesk.map, b = m.gridmapBounds, v = m.getBounds();
                   const el = m.getContainer().getBoundingClientRect();
                   return {inside: v.getWest() <= b[0] && v.getEast() >= b[2] &&
                                   v.getSouth() <= b[1] && v.getNorth() >= b[3],
                           share: Math.max((b[2] - b[0]) / (v.getEast() - v.getWest()),
                                           (b[3] - b[1]) / (v.getNorth() - v.getSouth())),
                           width: el.width, height: el.height}; }"""
    )
    assert view["inside"] and view["share"] > 0.8, view  # whole, and filling the panel
    assert view["width"] > 1200 and view["height"] > 500, view
    with open_store(server.store_url) as store:
        located = store.get_incidents(open_only=True).dropna(subset=["lon"])
    drawn = _drawn_ids(page)
    assert drawn and drawn <= set(located["incident_id"])
    assert len(drawn) > 0.9 * len(located)  # all of them, but a few under the detail box
    # the area colours come from the figures: every grid of the district has its class
    states = page.evaluate(
        """() => window.gridmapDesk.map.querySourceFeatures('gm-grid_choropleth')
                 .filter(f => window.gridmapDesk.map.getFeatureState(
                   {source: 'gm-grid_choropleth', id: f.id}).k !== undefined).length"""
    )
    assert states > 100


def test_the_tables_rows_wait_for_the_maps_first_picture(server):
    """Laying out the table's rows is a long task of the main thread: it comes once the map
    has its first picture (here held back by slow grids), not in the map's way."""
    import time

    from playwright.sync_api import sync_playwright

    def slowly(route):
        time.sleep(1.5)
        route.continue_()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1920, "height": 1080})
        pg.add_init_script(ROWS_CLOCK)
        pg.context.route("**/geo/grid.geojson*", slowly)
        pg.goto(server.url + "/")
        pg.wait_for_function("() => window.gridmapRowsAt", timeout=60000)
        timing = pg.evaluate(
            "() => ({rows: window.gridmapRowsAt, painted: window.gridmapDesk.painted})"
        )
        browser.close()
    assert timing["painted"] and timing["rows"] >= timing["painted"], timing


#: Every ``setLayoutProperty`` of the desk's map: the layer, the property, its value before,
#: the value set, and whether the map had painted (``window.gridmapLayoutSets``).
LAYOUT_SETS = """(() => {
  window.gridmapLayoutSets = [];
  let lib;
  Object.defineProperty(window, 'maplibregl', {configurable: true, get: () => lib, set: v => {
    lib = v;
    const set = v.Map.prototype.setLayoutProperty;
    v.Map.prototype.setLayoutProperty = function (id, name, value, options) {
      const desk = window.gridmapDesk;
      window.gridmapLayoutSets.push([id, name, this.getLayoutProperty(id, name), value,
                                     Boolean(desk && desk.painted)]);
      return set.call(this, id, name, value, options);
    };
  }});
})();"""


def test_the_first_view_lays_no_source_out_twice(server):
    """MapLibre lays out every tile of a layer's source again when a layout property
    changes, and a layer with no visibility given counts as changed when set 'visible': the
    first view sets no visibility a layer already has (it was a second round of tiles and
    frames before the first picture, ~0.3 s of a sign-in); a layer switch still sets its."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1920, "height": 1080})
        pg.add_init_script(LAYOUT_SETS)
        pg.goto(server.url + "/")
        pg.wait_for_function("() => window.gridmapDesk && window.gridmapDesk.painted", timeout=6e4)
        pg.evaluate(
            """() => { const desk = window.gridmapDesk, view = desk.view;
                       desk.apply(Object.assign({}, view,
                         {layers: view.layers.filter(l => l !== 'grid_outlines')})); }"""
        )
        sets = pg.evaluate("() => window.gridmapLayoutSets")
        browser.close()
    first = [s for s in sets if not s[4]]
    unchanged = [s for s in first if s[1] == "visibility" and (s[2] or "visible") == s[3]]
    assert not unchanged, unchanged
    switched = [s for s in sets if s[4] and s[3] == "none"]
    assert switched and all(s[0].startswith("gm-grid_outlines") for s in switched), sets


def test_a_link_keeps_its_filters_and_leaves_out_what_no_control_has(server):
    """The filters are in the URL's fragment: a shared link shows the same, and a value no
    control offers (mistyped, or from an older version) is dropped, not drawn as nothing."""
    from playwright.sync_api import sync_playwright

    link = "/#status=in_progress,nonsense&figure=bogus&view=zzz&q=%E8%B7%AF"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1920, "height": 1080})
        pg.goto(server.url + link)
        pg.wait_for_function(
            "() => window.gridmapDesk && window.gridmapDesk.painted"
            " && window.gridmapDesk.view.statuses.length",
            timeout=60000,
        )
        pg.wait_for_function("() => window.location.hash.indexOf('bogus') < 0", timeout=10000)
        view = pg.evaluate("() => window.gridmapDesk.view")
        search = pg.input_value("#desk-search")
        hash_now = pg.evaluate("() => decodeURIComponent(window.location.hash)")
        browser.close()
    assert view["statuses"] == ["in_progress"] and view["figure"] == "open"
    assert search == "路"
    assert "status=in_progress" in hash_now and "zzz" not in hash_now and "路" in hash_now


def test_filters_change_the_map_in_the_browser_without_fetching_it_again(page, server):
    with open_store(server.store_url) as store:
        located = store.get_incidents(open_only=True).dropna(subset=["lon"])
    before = len(page.asked)
    _filter_status(page, "处置中", "in_progress")
    drawn = _drawn_ids(page)
    in_progress = set(located.loc[located["status"] == "in_progress", "incident_id"])
    assert drawn and drawn <= in_progress
    fetched = [u for u in page.asked[before:] if "/desk/open" in u or ".geojson" in u]
    assert fetched == []  # a filter expression, not a new download
    # a layer switch hides the dots; the figure recolours the grids from a few codes
    page.get_by_label("派遣状态 (未结事件)").uncheck()
    # the switch reaches the map by a callback: settled only once the map has it
    page.wait_for_function(
        "() => !window.gridmapDesk.view.layers.includes('dispatch_status')", timeout=30000
    )
    _settle(page)
    assert _drawn_ids(page) == set()
    page.get_by_label("超期案件").check()
    page.wait_for_function(
        "() => window.gridmapDesk.figures['gm-grid_choropleth'] === 'overdue'", timeout=10000
    )
    asked = [u for u in page.asked[before:] if "/desk/figures/" in u]
    assert asked and all("figure=overdue" in u for u in asked)
    # the heat is off at first and its reports not fetched; switched on, they come
    assert not [u for u in page.asked if "/desk/reports.geojson" in u]
    page.get_by_label("事件热力 (24小时)").check()
    page.wait_for_function(
        "() => window.gridmapDesk.map.querySourceFeatures('gm-incident_heat').length > 0",
        timeout=30000,
    )
    assert [u for u in page.asked if "/desk/reports.geojson?hours=24" in u]


def _filter_status(page, label: str, code: str) -> None:
    """Pick ``label`` in the status filter and wait for the map to show it."""
    page.click("#desk-status")
    # the dropdown's list opens in a popover of its own (typed keys before it has the focus
    # would be lost): its option is clicked once it is there
    page.locator(".dash-dropdown-content [role=option]", has_text=label).click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "code => window.gridmapDesk.view.statuses.includes(code)", arg=code, timeout=30000
    )
    _settle(page)


def test_the_filters_and_figures_come_back_after_the_gl_context_is_lost(page, server):
    """A desk stays open all day; a GPU driver reset loses the GL context and MapLibre sets
    its style again without any feature-state: every filtered-out incident would be drawn
    and every area in the default colour. The desk draws its filters and figure again."""
    _filter_status(page, "处置中", "in_progress")
    filtered = _drawn_ids(page)
    with open_store(server.store_url) as store:
        located = store.get_incidents(open_only=True).dropna(subset=["lon"])
    assert filtered and len(filtered) < len(located)
    page.evaluate(
        """() => new Promise(done => {
          const map = window.gridmapDesk.map;
          const lose = map.getCanvas().getContext('webgl2').getExtension('WEBGL_lose_context');
          map.once('webglcontextrestored', () => map.once('idle', done));
          lose.loseContext();
          setTimeout(() => lose.restoreContext(), 300);
        })"""
    )
    _settle(page)
    page.wait_for_function(
        "() => { const m = window.gridmapDesk.map; return m.loaded() && !m.isMoving(); }",
        timeout=30000,
    )
    assert _drawn_ids(page) == filtered
    coloured = page.evaluate(
        """() => { const m = window.gridmapDesk.map;
             return m.queryRenderedFeatures()
               .filter(f => f.state && f.state.k !== undefined).length; }"""
    )
    assert coloured > 0


def test_clicking_an_incident_shows_its_detail(page):
    # the map stands still first (a loaded machine may still be fitting it to its element)
    page.wait_for_function(
        "() => { const m = window.gridmapDesk.map; return m.loaded() && !m.isMoving(); }",
        timeout=30000,
    )
    page.wait_for_timeout(500)
    point = page.evaluate(
        """layer => { const m = window.gridmapDesk.map;
                   const f = m.queryRenderedFeatures({layers: [layer]})
                     .find(f => { const p = m.project(f.geometry.coordinates);
                                  return p.x > 100 && p.x < 1000 && p.y > 100; });
                   const p = m.project(f.geometry.coordinates);
                   const r = m.getContainer().getBoundingClientRect();
                   return {x: r.left + p.x, y: r.top + p.y, id: f.properties.incident_id}; }""",
        DOTS,
    )
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(".desk-tip", timeout=5000)  # the tooltip names it
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function(
        "id => document.getElementById('desk-detail').innerText.includes(id)",
        arg=point["id"],
        timeout=30000,
    )
    # several dots may lie under the pointer: the one named is one of them, with its history
    assert "处置过程" in page.inner_text("#desk-detail")


def test_zoomed_in_the_buildings_come_as_vector_tiles_with_their_ledger(page, server):
    with open_store(server.store_url) as store:
        building = store.get_buildings().iloc[0]
    where = building.geometry.representative_point()
    # zoomed as a user zooms (an event of the user's: the map is no longer refitted to its
    # area when the page's layout moves)
    page.evaluate(
        "([lon, lat]) => window.gridmapDesk.map.jumpTo({center: [lon, lat], zoom: 16.5},"
        " {originalEvent: new WheelEvent('wheel')})",
        [where.x, where.y],
    )
    page.wait_for_function(
        "() => window.gridmapDesk.map.getLayer('gm-buildings') && "
        "window.gridmapDesk.map.queryRenderedFeatures({layers: ['gm-buildings']}).length > 0",
        timeout=30000,
    )
    drawn = page.evaluate(
        "() => window.gridmapDesk.map.queryRenderedFeatures({layers: ['gm-buildings']})"
        ".map(f => f.properties)"
    )
    assert building["building_id"] in {p["building_id"] for p in drawn}
    assert all("households" in p and "population" in p for p in drawn)
    assert any("/tiles/buildings/16/" in url for url in page.asked)
    assert not any(url.endswith("/geo/buildings.geojson") for url in page.asked)


def test_the_desk_map_follows_the_store_live(page, server):
    import json
    import urllib.request

    with open_store(server.store_url) as store:
        key = store.add_api_key("desk-live-test")
        near = store.get_incidents(open_only=True).dropna(subset=["lon"]).iloc[0]

    def post(path: str, body: dict) -> dict:
        request = urllib.request.Request(
            server.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-API-Key": key},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    rid = post(
        "/open311/v2/requests.json",
        {"service_code": "SR01", "lat": near["lat"], "long": near["lon"], "description": "新的"},
    )[0]["service_request_id"]
    held = "id => window.gridmapDesk.openById && window.gridmapDesk.openById.get(id)"
    # a new report: the map does not hold it, so it asks for the open incidents again
    page.wait_for_function(f"id => Boolean(({held})(id))", arg=rid, timeout=15000)
    # the table takes it with its next refresh, as a change of one row (the others untouched)
    row = """id => { const api = window.dash_ag_grid.getApi('desk-grid');
                     const node = api && api.getRowNode(id); return node ? node.data : null; }"""
    page.wait_for_function(f"id => Boolean(({row})(id))", arg=rid, timeout=15000)
    # a row that does not change keeps its very object through the table's refreshes
    kept = page.evaluate(
        """id => { const api = window.dash_ag_grid.getApi('desk-grid');
                   let node = null;
                   api.forEachNode(n => { if (!node && n.data.incident_id !== id) node = n; });
                   window.__kept = node.data; return node.data.incident_id; }""",
        rid,
    )
    post(f"/api/v1/incidents/{rid}/events", {"action": "accept"})
    page.wait_for_function(
        f"id => ({held})(id).properties.status === 'accepted'", arg=rid, timeout=15000
    )
    post(f"/api/v1/incidents/{rid}/events", {"action": "void", "note": "重复"})
    page.wait_for_function(f"id => !({held})(id)", arg=rid, timeout=15000)
    page.wait_for_function(f"id => !({row})(id)", arg=rid, timeout=15000)
    assert page.evaluate(f"id => ({row})(id) === window.__kept", kept)
    # and the map, once it has taken the new data in, no longer draws it
    page.wait_for_function(
        """id => !window.gridmapDesk.map.querySourceFeatures(window.gridmapDesk.openSource)
                 .some(f => f.properties.incident_id === id)""",
        arg=rid,
        timeout=15000,
    )
