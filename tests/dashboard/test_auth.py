"""Logins and areas, over HTTP against the real app: every data path answers with the caller's
area only, decided on the server."""

from __future__ import annotations

import pytest

from gridmap.dashboard.login import _safe_next
from gridmap.feed.store import open_store
from gridmap.settings import Settings

from .conftest import demo_store

PASSWORD = "街道-secret-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("auth")
    url = demo_store(data, incidents=4000, seed=7)
    with open_store(url) as store:
        counts = store.get_incidents(open_only=True)["street_code"].value_counts()
        street = counts.index[0]
        store.add_user("street1", "street", street, PASSWORD)
        store.add_user("centre1", "centre", None, PASSWORD)
    from gridmap.dashboard.shell.app import create_app

    dash_app = create_app(Settings(store_url=url, data_dir=data, auth=True))
    dash_app.street = street
    dash_app.url = url
    return dash_app


def _login(client, user: str, password: str = PASSWORD):
    return client.post("/login", data={"username": user, "password": password, "next": "/wall"})


def test_nothing_without_a_login(app):
    client = app.server.test_client()
    page = client.get("/wall")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    for path in ("/live/open.json", "/live/heat.json", "/geo/grid.geojson", "/_dash-layout"):
        assert client.get(path).status_code == 401, path
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/healthz").status_code == 200
    login = client.get("/login")
    assert login.status_code == 200 and "登录" in login.get_data(as_text=True)


def test_a_wrong_password_is_refused_and_says_so(app):
    client = app.server.test_client()
    answer = _login(client, "street1", "wrong")
    assert answer.status_code == 401 and "密码错误" in answer.get_data(as_text=True)
    assert _login(client, "nobody").status_code == 401
    assert client.get("/live/open.json").status_code == 401


def test_a_street_office_gets_only_its_street(app):
    client = app.server.test_client()
    assert _login(client, "street1").status_code == 302
    payload = client.get("/live/open.json").get_json()
    with open_store(app.url) as store:
        open_now = store.get_incidents(open_only=True).dropna(subset=["lon"])
    mine = open_now[open_now["street_code"] == app.street]
    assert sorted(payload["ids"]) == sorted(mine["incident_id"])
    assert 0 < len(mine) < len(open_now)
    classes = client.get("/live/grid-classes.json").get_json()
    assert classes["codes"] and all(c.startswith(app.street) for c in classes["codes"])
    shown = client.get("/desk/figures/grid_choropleth.json?figure=overdue").get_json()["codes"]
    assert shown and all(code.startswith(app.street) for code in shown)
    dots = client.get("/desk/open.geojson").get_json()["features"]
    assert sorted(f["properties"]["incident_id"] for f in dots) == sorted(mine["incident_id"])
    page = client.get("/wall")
    assert page.status_code == 200


def test_the_centre_gets_the_whole_district(app):
    client = app.server.test_client()
    _login(client, "centre1")
    payload = client.get("/live/open.json").get_json()
    with open_store(app.url) as store:
        n = len(store.get_incidents(open_only=True).dropna(subset=["lon"]))
    assert len(payload["ids"]) == n


def _wall_tick(client, cursor: int):
    """The wall's tick, as the browser asks for it."""
    return client.get(f"/live/tick.json?cursor={cursor}&since=0")


def test_the_wall_tick_sends_only_the_callers_area(app):
    with open_store(app.url) as store:
        last = store.last_event_id()
        events, _ = store.events_since(last - 300, limit=300)
    assert set(events["street_code"].dropna()) - {app.street}, "the sample needs other streets"
    client = app.server.test_client()
    _login(client, "street1")
    answer = _wall_tick(client, last - 300)
    assert answer.status_code == 200
    delta = answer.get_json()["delta"]
    changed = {c["id"] for c in delta["changes"]}
    with open_store(app.url) as store:
        streets = {store.get_incident(i)["street_code"] for i in changed}
    assert changed and streets == {app.street}  # incl. the ones that fell overdue
    assert all(code.startswith(app.street) for code in delta["grids"])
    centre = app.server.test_client()
    _login(centre, "centre1")
    everything = _wall_tick(centre, last - 300).get_json()["delta"]
    assert len(everything["changes"]) > len(changed)
    anonymous = app.server.test_client()
    assert _wall_tick(anonymous, last - 300).status_code == 401


def test_a_removed_user_is_signed_out_at_once(app):
    client = app.server.test_client()
    with open_store(app.url) as store:
        store.add_user("temp", "community", _community(store, app.street), PASSWORD)
    _login(client, "temp")
    assert client.get("/live/open.json").status_code == 200
    with open_store(app.url) as store:
        store.remove_user("temp")
    assert client.get("/live/open.json").status_code == 401


def _community(store, street: str) -> str:
    communities = store.get_areas("community")
    return communities.loc[communities["code"].str.startswith(street), "code"].iloc[0]


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/wall", "/wall"),
        ("https://evil.example/wall", "/"),
        ("//evil.example/", "/"),
        ("/etc/passwd", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_after_login_only_our_pages(target, expected):
    assert _safe_next(target) == expected


def test_roles_and_areas_are_checked(app):
    with open_store(app.url) as store:
        with pytest.raises(ValueError, match="9-digit"):
            store.add_user("x", "street", "510108")
        with pytest.raises(ValueError, match="allowed"):
            store.add_user("x", "mayor", None)
        with pytest.raises(ValueError, match="no area"):
            store.add_user("x", "street", "510108999")


def test_without_a_scope_logins_on_means_nothing_not_everything(app):
    from werkzeug.exceptions import Unauthorized

    from gridmap.dashboard.shared.auth import current_scope

    with app.server.test_request_context("/somewhere"), pytest.raises(Unauthorized):
        current_scope()
