"""A probe of every route as a street office trying another street and as any key holder
trying to inject (the holes of issue 10, each closed, each with a test of its own). What each
map data route answers a street office is in ``test_map_scope.py``."""

from __future__ import annotations

import io
import json
import re
import threading

import pandas as pd
import pytest

from gridmap.domain.workflow import OPEN_STATES
from gridmap.feed.store import open_store
from gridmap.settings import Settings

from ..helpers import with_description
from .conftest import demo_store
from .probe import PASSWORD, probe_app
from .probe import login as _login

XSS = "<img src=x onerror=alert(31)>"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return probe_app(tmp_path_factory.mktemp("security"))


def _post(client, path: str, body, key: str):
    return client.post(path, json=body, headers={"X-API-Key": key})


def _request(**extra) -> dict:
    return {
        "service_code": "SS01",
        "lat": 30.67,
        "long": 104.12,
        "description": "井盖缺失",
        **extra,
    }


# 1. stored XSS -----------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [XSS, "a b", "订单1", "x" * 65, "-leading", "a/b"])
def test_ids_from_clients_keep_to_the_documented_characters(app, bad):
    client = app.server.test_client()
    answer = _post(
        client, "/open311/v2/requests.json", _request(service_request_id=bad), app.keys["district"]
    )
    assert answer.status_code == 400 and answer.get_json()[0]["field"] == "service_request_id"
    event = {"action": "accept", "client_event_id": bad}
    answer = _post(
        client,
        "/api/v1/events/bulk",
        {"events": [{"incident_id": "X1", **event}]},
        app.keys["district"],
    )
    assert answer.status_code == 400 and "client_event_id" in answer.get_json()[0]["field"]


@pytest.fixture(scope="module")
def marked_up(tmp_path_factory):
    """An app over a store of its own, holding a legacy row with markup in its id and a street
    name with a script in it (as a file import of old could have brought)."""
    data = tmp_path_factory.mktemp("markup")
    url = demo_store(data, incidents=400, seed=22)
    with open_store(url) as store:
        mine = store.get_incidents(open_only=True)["street_code"].value_counts().index[0]
        store.add_user("street1", "street", mine, PASSWORD)
    from gridmap.dashboard.shell.app import create_app

    dash_app = create_app(Settings(store_url=url, data_dir=data, auth=True))
    dash_app.url, dash_app.mine = url, mine
    return dash_app


def test_the_html_map_shows_markup_as_text(marked_up):
    app = marked_up
    with open_store(app.url) as store:
        row = store.get_incidents(open_only=True, area_code=app.mine).iloc[[0]].copy()
        row["incident_id"] = XSS
        event = pd.DataFrame(
            {
                "incident_id": [XSS],
                "at": row["reported_at"].to_numpy(),
                "action": ["report"],
                "from_state": [None],
                "to_state": ["reported"],
            }
        )
        row["status"] = "reported"
        store.bulk_load(row, event)
        streets = store.get_areas("street")
        streets.loc[streets["code"] == app.mine, "name"] = "<script>alert(1)</script>"
        store.put_areas("street", streets[["code", "name", "parent_code", "geometry"]])
    page = _login(app, "street1").get("/export/map.html").get_data(as_text=True)
    # the markup is there only escaped, in whatever JSON encoding folium chose
    for raw in ("<img src=x", "\\u003cimg src=x", "<script>alert", "\\u003cscript\\u003ealert"):
        assert raw not in page, raw
    assert re.search(r"(&|\\u0026)lt;img src=x onerror=alert\(31\)", page)
    assert re.search(r"(&|\\u0026)lt;script(&|\\u0026)gt;alert", page)


# 3. masking --------------------------------------------------------------------------------------
PHONES = [
    "139-1234-5678",
    "139 1234 5678",
    "139.1234.5678",
    "+8613987654321",
    "8613987654321",
    "１３９１２３４５６７８",
    "(028)84561234",
]


def test_district_reads_mask_every_phone_form(app):
    text = "报告人张三丰，" + "，".join(PHONES)
    client = app.server.test_client()
    posted = _post(
        client,
        "/open311/v2/requests.json",
        _request(description=text, lat=app.theirs["lat"], long=app.theirs["lon"]),
        app.keys["district"],
    )
    assert posted.status_code == 201, posted.get_json()
    rid = posted.get_json()[0]["service_request_id"]
    shown = client.get(
        f"/open311/v2/requests/{rid}.json", headers={"X-API-Key": app.keys["district"]}
    ).get_json()[0]
    for needle in ("-1234-", " 1234 ", ".1234.", "98765", "8456", "１２３４", "三丰"):
        assert needle not in shown["description"], shown["description"]
    csv = _login(app, "centre1").get("/export/incidents.csv").get_data().decode("utf-8-sig")
    assert rid in csv
    line = next(x for x in csv.splitlines() if rid in x)
    for needle in ("-1234-", " 1234 ", ".1234.", "98765", "8456", "１２３４", "三丰"):
        assert needle not in line, line
    own = (
        app.server.test_client()
        .get(f"/open311/v2/requests/{rid}.json", headers={"X-API-Key": app.keys["other"]})
        .get_json()[0]
    )
    assert "139-1234-5678" in own["description"]  # the street's own key reads it whole


# 4. sessions -------------------------------------------------------------------------------------
def test_logout_ends_every_session_of_the_user(app):
    one, two = _login(app, "street1"), _login(app, "street1")
    assert one.get("/live/open.json").status_code == 200
    cookie = one.get_cookie("session").value
    assert one.post("/logout").status_code == 400  # no token: a link elsewhere cannot sign out
    assert one.get("/live/open.json").status_code == 200
    page = one.get("/logout").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert one.post("/logout", data={"csrf": token}).status_code == 302
    assert one.get("/live/open.json").status_code == 401
    replay = app.server.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/live/open.json").status_code == 401  # the old cookie is dead
    assert two.get("/live/open.json").status_code == 401  # signed out everywhere


def test_a_new_password_and_a_recreated_user_end_old_sessions(app):
    with open_store(app.url) as store:
        store.add_user("temp", "street", app.mine, PASSWORD)
    client = _login(app, "temp")
    assert client.get("/live/open.json").status_code == 200
    with open_store(app.url) as store:
        store.set_password("temp", "another-secret-2")
    assert client.get("/live/open.json").status_code == 401
    client = _login(app, "temp", "another-secret-2")
    with open_store(app.url) as store:
        store.remove_user("temp")
        store.add_user("temp", "centre", None, PASSWORD)  # the same name, a wider role
    assert client.get("/live/open.json").status_code == 401
    with open_store(app.url) as store:
        store.remove_user("temp")


def test_a_session_is_not_extended_by_use(app):
    client = _login(app, "street1")
    first = client.get("/live/open.json")
    assert "Set-Cookie" not in first.headers


def test_guessing_passwords_is_stopped_and_says_so(app):
    with open_store(app.url) as store:
        store.add_user("guessed", "street", app.mine, PASSWORD)
    client = app.server.test_client()
    for _ in range(5):
        wrong = client.post("/login", data={"username": "guessed", "password": "nope"})
        assert wrong.status_code == 401
    locked = client.post("/login", data={"username": "guessed", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "过多" in locked.get_data(as_text=True)
    assert client.get("/live/open.json").status_code == 401
    _login(app, "street1")  # another user is not locked out
    with open_store(app.url) as store:
        store.remove_user("guessed")


# 5. client_event_id per incident -----------------------------------------------------------------
def test_client_event_ids_are_per_incident(app):
    working = ["accepted", "dispatched", "in_progress", "handled", "verified"]
    with open_store(app.url) as store:
        mine = store.get_incidents(open_only=True, area_code=app.mine)
        theirs = store.get_incidents(open_only=True, area_code=app.other)
        a = mine[mine["status"].isin(working)]["incident_id"].iloc[0]
        b = theirs[theirs["status"].isin(working)]["incident_id"].iloc[0]
        before = len(store.get_events(b))
    client = app.server.test_client()
    event = {"action": "escalate", "client_event_id": "evt-1"}
    first = _post(client, f"/api/v1/incidents/{a}/events", event, app.keys["mine"])
    assert first.status_code == 201
    # another street's sender, the same id on its own incident: applied, not a "duplicate"
    second = _post(client, f"/api/v1/incidents/{b}/events", event, app.keys["other"])
    assert second.status_code == 201 and not second.get_json().get("duplicate")
    again = _post(client, f"/api/v1/incidents/{a}/events", event, app.keys["mine"])
    assert again.status_code == 200 and again.get_json()["duplicate"]
    with open_store(app.url) as store:
        assert len(store.get_events(b)) == before + 1


# 6. CSV formulas ---------------------------------------------------------------------------------
def test_csv_cells_that_look_like_formulas_are_text(app):
    formulas = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
    # four open incidents of the street: reported now as a client sends them (how many of
    # the demo's are still open depends on the hour the demo was made)
    with open_store(app.url) as store:
        inside = store.get_area(app.mine).geometry.iloc[0].representative_point()
    client = app.server.test_client()
    ids = []
    for _formula in formulas:
        body = _request(lat=inside.y, long=inside.x, description="x")
        answer = _post(client, "/open311/v2/requests.json", body, app.keys["mine"])
        assert answer.status_code in (200, 201), answer.get_json()
        ids.append(answer.get_json()[0]["service_request_id"])
    with open_store(app.url) as store:
        for incident, text in zip(ids, formulas, strict=True):
            with_description(store, incident, text)
    data = _login(app, "street1").get("/export/incidents.csv").get_data().decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(data), dtype=str)
    shown = frame.set_index("incident_id").loc[ids, "description"].tolist()
    assert shown == ["'" + f for f in formulas]
    assert frame["lon"].astype(float).notna().all()  # numbers stay numbers


# 7. other areas look unknown ---------------------------------------------------------------------
def test_a_report_in_another_street_does_not_name_it(app):
    client = app.server.test_client()
    answer = _post(
        client,
        "/open311/v2/requests.json",
        _request(lat=app.theirs["lat"], long=app.theirs["lon"]),
        app.keys["mine"],
    )
    assert answer.status_code == 403
    text = json.dumps(answer.get_json(), ensure_ascii=False)
    assert app.other not in text and str(app.theirs["grid_code"]) not in text


def test_an_id_used_in_another_street_answers_like_an_unused_one(app):
    client = app.server.test_client()
    key = app.keys["mine"]
    with open_store(app.url) as store:
        inside = store.get_incidents(open_only=True, area_code=app.mine).dropna(subset=["lon"])
    theirs = app.theirs["incident_id"]
    body = _request(lat=inside["lat"].iloc[0], long=inside["lon"].iloc[0])
    taken = _post(client, "/open311/v2/requests.json", {**body, "service_request_id": theirs}, key)
    fresh = _post(
        client, "/open311/v2/requests.json", {**body, "service_request_id": "NEVER-USED-1"}, key
    )
    assert taken.status_code == fresh.status_code == 201
    assert taken.get_json()[0]["service_request_id"] == theirs  # as sent, like the fresh one
    assert fresh.get_json()[0]["service_request_id"] == "NEVER-USED-1"
    again = _post(client, "/open311/v2/requests.json", {**body, "service_request_id": theirs}, key)
    assert again.status_code == 200 and again.get_json()[0]["service_request_id"] == theirs
    # the sender goes on with its id: reads and events reach its own incident
    read = client.get(f"/open311/v2/requests/{theirs}.json", headers={"X-API-Key": key})
    assert read.status_code == 200 and read.get_json()[0]["service_request_id"] == theirs
    assert read.get_json()[0]["description"] == "井盖缺失"
    listed = client.get(
        f"/open311/v2/requests.json?service_request_id={theirs}", headers={"X-API-Key": key}
    ).get_json()
    assert [r["service_request_id"] for r in listed] == [theirs]
    accepted = _post(client, f"/api/v1/incidents/{theirs}/events", {"action": "accept"}, key)
    assert accepted.status_code == 201 and accepted.get_json()["incident_id"] == theirs
    bulk = _post(
        client,
        "/api/v1/events/bulk",
        {"events": [{"incident_id": theirs, "action": "void", "note": "重复上报"}]},
        key,
    )
    assert bulk.status_code == 201 and bulk.get_json()["results"][0]["incident_id"] == theirs
    with open_store(app.url) as store:  # the other street's incident is untouched
        other = store.get_incident(theirs)
        assert other["street_code"] == app.other and other["status"] == app.theirs["status"]
    # and another street's key still cannot see or touch it
    assert (
        client.get(
            "/open311/v2/requests/NEVER-USED-1.json", headers={"X-API-Key": app.keys["other"]}
        ).status_code
        == 404
    )


# 8. bad parameters and bounded exports -----------------------------------------------------------
@pytest.mark.parametrize(
    "at", ["0001-01-01", "-1", "now", "1970-01-01", "2026-13-01", "9999-01-01"]
)
def test_a_bad_export_time_is_a_400_naming_it(app, at):
    answer = _login(app, "street1").get(f"/export/incidents.csv?at={at}")
    assert answer.status_code == 400 and answer.get_json()["field"] == "at"


@pytest.mark.parametrize("cursor", ["99999999999999999999999", "-5", "1e9", "", "²", "١٢٣"])
def test_a_bad_tick_cursor_is_a_400(app, cursor):
    answer = _login(app, "street1").get(f"/live/tick.json?cursor={cursor}&since=0")
    assert answer.status_code == 400 and answer.get_json()["field"] == "cursor"


def _detail(client, click):
    from gridmap.dashboard.desk import ids

    body = {
        "output": f"{ids.DESK_DETAIL}.children",
        "outputs": {"id": ids.DESK_DETAIL, "property": "children"},
        "inputs": [{"id": ids.DESK_CLICKED, "property": "data", "value": click}],
        "state": [{"id": ids.DESK_LANG, "property": "value", "value": "zh"}],
        "changedPropIds": [f"{ids.DESK_CLICKED}.data"],
    }
    return client.post("/_dash-update-component", json=body)


def test_the_detail_callback_refuses_odd_clicks_and_hides_other_streets(app):
    client = _login(app, "street1")
    for click in ([1, 2], {"incident_id": {"x": 1}}, {"incident_id": "<b>1</b>"}, "x"):
        answer = _detail(client, click)
        assert answer.status_code == 400 and answer.get_json()["field"] == "clicked"
    other = _detail(client, {"incident_id": app.theirs["incident_id"]})
    assert other.status_code == 200 and app.theirs["incident_id"] not in other.get_data(
        as_text=True
    )


def _desk(client, **values):
    from gridmap.dashboard.desk import ids

    inputs = {
        ids.DESK_CATEGORY: ("value", None),
        ids.DESK_STATUS: ("value", None),
        ids.DESK_FIGURE: ("value", "open"),
    }
    for key, value in values.items():
        inputs[key] = ("value", value)
    body = {
        "output": f"{ids.DESK_LEGEND}.children",
        "outputs": {"id": ids.DESK_LEGEND, "property": "children"},
        "inputs": [{"id": i, "property": p, "value": v} for i, (p, v) in inputs.items()],
        "state": [{"id": ids.DESK_LANG, "property": "value", "value": "zh"}],
        "changedPropIds": [f"{ids.DESK_CATEGORY}.value"],
    }
    return client.post("/_dash-update-component", json=body)


def test_the_desk_callback_names_a_bad_input(app):
    from gridmap.dashboard.desk import ids

    client = _login(app, "street1")
    assert _desk(client).status_code == 200
    for key, value, field in (
        (ids.DESK_CATEGORY, ["nonsense"], "category"),
        (ids.DESK_STATUS, {"a": 1}, "status"),
        (ids.DESK_FIGURE, "x", "figure"),
    ):
        answer = _desk(client, **{key: value})
        assert answer.status_code == 400 and answer.get_json()["field"] == field, answer.data[:200]


def test_a_communitys_html_export_works(app):
    answer = _login(app, "comm1").get("/export/map.html")
    assert answer.status_code == 200 and b"leaflet" in answer.data.lower()


def test_exports_never_queue_and_say_when_they_are_busy(app):
    from gridmap.dashboard.desk import exports

    assert exports._QUEUE.enter("street1") is None  # street1's export is being made
    try:
        busy = _login(app, "street1").get("/export/incidents.csv")
        assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0
        assert "still being made" in busy.get_json()["error"]
        assert _login(app, "street2").get("/export/incidents.csv").status_code == 200
        assert exports._QUEUE.enter("someone") is None  # now every slot is taken
        try:
            full = _login(app, "street2").get("/export/incidents.csv")
            assert full.status_code == 503 and "exports are being made" in full.get_json()["error"]
        finally:
            exports._QUEUE.leave("someone")
    finally:
        exports._QUEUE.leave("street1")
    assert _login(app, "street1").get("/export/incidents.csv").status_code == 200


def test_a_past_export_reads_only_what_it_needs(app):
    from gridmap.dashboard.desk.snapshot import SnapshotQuery, incidents_at
    from gridmap.domain.access import Scope

    with open_store(app.url) as store:
        now = pd.Timestamp.now(tz="Asia/Shanghai")
        before = now - pd.Timedelta(hours=6)
        query = SnapshotQuery(before)
        frame = incidents_at(store, Scope("s", "street", app.mine), query, {})
        # the slow way: each incident's whole log, its last step by then
        everything = store.get_incidents(area_code=app.mine)
        expected = set()
        for incident in everything[everything["reported_at"] <= before]["incident_id"]:
            log = store.get_events(incident)
            log = log[(log["at"] <= before) & (log["action"] != "escalate")]
            if len(log) and log["to_state"].iloc[-1] in OPEN_STATES:
                expected.add(incident)
    assert set(frame["incident_id"]) == expected and expected


# 9. exact public paths, headers ------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/loginx",
        "/healthzx",
        "/open311/../live/open.json",
        "/api/v1/../../live/heat.json",
        "/assetsx/a.js",
    ],
)
def test_public_paths_are_exact(app, path):
    answer = app.server.test_client().get(path)
    assert answer.status_code in (401, 404), (path, answer.status_code)
    assert b"_dash-config" not in answer.data


def test_unknown_api_paths_answer_a_json_404(app):
    client = app.server.test_client()
    for path in ("/api/v2/nothing", "/open311/v2/nothing.json", "/api/v1/incidents/X/events"):
        answer = client.get(path)
        assert (
            answer.status_code == 404 and answer.is_json and answer.get_json()[0]["field"] == "path"
        )


def test_pages_carry_a_content_security_policy(app):
    client = _login(app, "street1")
    for path in ("/", "/wall", "/login"):
        answer = client.get(path)
        policy = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert answer.headers["X-Frame-Options"] == "DENY"
    assert "X-Content-Type-Options" in client.get("/live/open.json").headers


def test_user_list_shows_district_users_without_nan(app, capsys, monkeypatch):
    from gridmap.dashboard.shell.cli import main
    from gridmap.settings import get_settings

    monkeypatch.setenv("GRIDMAP_STORE_URL", app.url)
    get_settings.cache_clear()
    try:
        assert main(["user", "list"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "centre1\tcentre\t-\t" in out and "nan" not in out


def test_concurrent_logins_of_one_user_each_get_a_session(app):
    clients, errors = [], []

    def login() -> None:
        try:
            clients.append(_login(app, "street2"))
        except AssertionError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=login) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and all(c.get("/live/open.json").status_code == 200 for c in clients)


# found by a probe as a new user would: bad input that crashed, a race ---------------------
def test_odd_api_bodies_are_400s_naming_the_field(app):
    client = app.server.test_client()
    deep = "[" * 100_000 + "]" * 100_000
    for path in ("/open311/v2/requests.json", "/api/v1/events/bulk"):
        answer = client.post(path, data=deep, content_type="application/json")
        assert answer.status_code in (400, 401), answer.status_code
        keyed = client.post(
            path, data=deep, content_type="application/json", headers={"X-API-Key": "x"}
        )
        assert keyed.status_code in (400, 401)
    key = app.keys["district"]
    moon = _post(
        client,
        "/open311/v2/requests.json",
        _request(coordinate_system="IAU_2015:30100"),
        key,
    )
    assert moon.status_code == 400 and moon.get_json()[0]["field"] == "coordinate_system"
    for priority in (1.5, 0, "4"):
        answer = _post(client, "/open311/v2/requests.json", _request(priority=priority), key)
        assert answer.status_code == 400 and answer.get_json()[0]["field"] == "priority"


def _callback(client, body):
    return client.post("/_dash-update-component", json=body)


def test_crafted_callback_requests_are_400s(app):
    from gridmap.dashboard.desk import ids

    client = _login(app, "street1")
    client.get("/wall")  # the app sets itself up
    good_output = f"{ids.DESK_DETAIL}.children"
    bodies = [
        [],
        {},
        {"output": 123},
        {"output": "nothing.children", "outputs": {"id": "nothing", "property": "children"}},
        {"output": good_output, "outputs": {"id": ids.DESK_DETAIL, "property": "children"}},
        {
            "output": good_output,
            "outputs": {"id": ids.DESK_DETAIL, "property": "children"},
            "inputs": "x",
        },
        {
            "output": good_output,
            "outputs": {"id": ids.DESK_DETAIL, "property": "children"},
            "inputs": [{"id": ids.DESK_MAP, "property": "clickData", "value": None}],
            "changedPropIds": [123],
        },
    ]
    for body in bodies:
        answer = _callback(client, body)
        assert answer.status_code == 400, (body, answer.status_code, answer.data[:200])
    routing = next(
        key
        for key in app.callback_map
        if "_pages_content" in key or "_pages_location" in str(app.callback_map[key])
    )
    for pathname, search in ((123, ""), (["/wall"], ""), ("/wall", {"a": 1})):
        body = {
            "output": routing,
            "outputs": [],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": pathname},
                {"id": "_pages_location", "property": "search", "value": search},
            ],
            "changedPropIds": ["_pages_location.pathname"],
        }
        assert _callback(client, body).status_code == 400


def test_a_repeated_tour_parameter_counts_once():
    from gridmap.dashboard.wall.page import _tour_seconds

    assert _tour_seconds(["1", "20"]) == 20
    assert _tour_seconds("30") == 30
    for odd in ("abc", "-5", "²", [], None, {"a": 1}):
        assert _tour_seconds(odd) == 0


def test_an_unknown_script_path_is_a_404(app):
    client = app.server.test_client()
    for path in ("/_dash-component-suites/nosuchpkg/x.js", "/_dash-component-suites/dash/no.js"):
        assert client.get(path).status_code == 404


def test_echoed_values_are_cut_short(app):
    long = "x" * 100_000
    answer = _login(app, "street1").get(f"/export/incidents.csv?status={long}")
    assert answer.status_code == 400 and len(answer.data) < 2000
    answer = _login(app, "street1").get(f"/desk/figures/grid_choropleth.json?figure={long}")
    assert answer.status_code == 400 and len(answer.data) < 2000
    answer = _login(app, "street1").get(f"/desk/open.geojson?category={long}")
    assert answer.status_code == 400 and len(answer.data) < 2000
