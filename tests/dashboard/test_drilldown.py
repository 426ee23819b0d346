"""The drill-down pages and the incident loop, on the server: what each page answers each
caller, the grid's ledger, the breadcrumbs, the to-do list, the actions a role may take (and
the stale page's message), photos served only inside the caller's area. The same in a real
browser is in ``test_drilldown_browser.py``."""

from __future__ import annotations

import io

import dash
import pandas as pd
import pytest
from flask import g

from gridmap.dashboard.desk import ids
from gridmap.domain.access import Scope
from gridmap.domain.privacy import mask_name, mask_phone
from gridmap.domain.workflow import waiting_states
from gridmap.feed.store import open_store

from ..feed.test_photos import picture
from .probe import login, probe_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return probe_app(tmp_path_factory.mktemp("drill"))


@pytest.fixture(scope="module")
def places(app):
    """A grid, a building and an open incident of street1's street and of street2's."""
    out = {}
    with open_store(app.url) as store:
        for who, street in (("mine", app.mine), ("other", app.other)):
            grid = store.child_areas(street, "grid")[0][0]
            building = store.grid_buildings(grid)["building_id"].iloc[0]
            incident = store.get_incidents(open_only=True, area_code=street)["incident_id"].iloc[0]
            out[who] = {"grid": grid, "building": building, "incident": incident}
    return out


def _ctx(app):
    return app.server.config["GRIDMAP_CONTEXT"]


def _layout(app, scope: Scope, template: str, **kwargs):
    """The layout a page's function draws for ``scope`` (as Dash calls it per page load)."""
    pages = {p.get("path_template") or p["path"]: p["layout"] for p in dash.page_registry.values()}
    with app.server.test_request_context("/"):
        g.scope = scope
        return pages[template](**kwargs)


def test_pages_answer_only_inside_the_callers_area(app, places):
    street = login(app, "street1")
    mine, other = places["mine"], places["other"]
    community = mine["grid"][:12]
    for path in (
        f"/area/{app.mine}",
        f"/area/{community}",
        f"/area/{mine['grid']}",
        f"/building/{mine['building']}",
        f"/incident/{mine['incident']}",
    ):
        assert street.get(path).status_code == 200, path
    for path in (
        f"/area/{app.other}",
        "/area/510108",  # the district is not a street office's
        f"/area/{other['grid']}",
        f"/building/{other['building']}",
        f"/incident/{other['incident']}",
        "/area/abc",
        "/area/510108004999",
        "/incident/NOPE",
        "/building/%3Cscript%3E",
    ):
        answer = street.get(path)
        assert answer.status_code == 404, path
        assert b"dash" not in answer.data.lower()  # the page itself is not sent
    centre = login(app, "centre1")
    assert centre.get("/area/510108").status_code == 200
    assert centre.get("/area/510109").status_code == 404  # another district
    assert centre.get(f"/area/{app.other}").status_code == 200
    anonymous = app.server.test_client().get(f"/area/{app.mine}")
    assert anonymous.status_code == 302 and "/login?next=/area/" in anonymous.headers["Location"]


def test_the_grid_page_is_its_ledger_with_personal_data_as_the_role_reads_it(app, places):
    grid = places["mine"]["grid"]
    row = _ctx(app).store.area_row(grid)
    worker, phone = row["props"]["worker"], row["props"]["worker_phone"]
    buildings = _ctx(app).store.grid_buildings(grid)
    street = str(_layout(app, Scope("street1", "street", app.mine), "/area/<code>", code=grid))
    assert worker in street and phone in street
    for name, households in zip(buildings["name"], buildings["households"], strict=True):
        assert name in street and f"'{households:,}'" in street
    assert f"/building/{buildings['building_id'].iloc[0]}" in street  # each a link down
    centre = str(_layout(app, Scope.district("centre1"), "/area/<code>", code=grid))
    assert worker not in centre and phone not in centre
    assert mask_name(worker) in centre and mask_phone(phone) in centre
    # the street's page ranks its communities, each a link one level down
    page = str(_layout(app, Scope("street1", "street", app.mine), "/area/<code>", code=app.mine))
    communities = _ctx(app).store.child_areas(app.mine, "community")
    assert all(f"/area/{code}" in page for code, _name in communities)
    # another street's page, asked for by a layout call all the same, draws nothing of it
    theirs = str(_layout(app, Scope("street1", "street", app.mine), "/area/<code>", code=app.other))
    assert app.other not in theirs.replace("/area/", "") or "无此页面" in theirs


def test_breadcrumbs_link_only_the_callers_areas(app, places):
    from gridmap.dashboard.desk.area import crumbs

    grid = places["mine"]["grid"]
    with app.server.test_request_context("/"):
        steps = crumbs(_ctx(app), Scope("street1", "street", app.mine), grid)
        names = _ctx(app).names()
    assert [s.href for s in steps] == [
        None,
        f"/area/{app.mine}",
        f"/area/{grid[:12]}",
        f"/area/{grid}",
    ]
    assert steps[1].label == names[app.mine] and steps[2].label == names[grid[:12]]
    assert grid in steps[3].label


def _callback(client, outputs, inputs, state, changed):
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
        if len(outputs) > 1
        else f"{outputs[0][0]}.{outputs[0][1]}",
        "outputs": [{"id": i, "property": p} for i, p in outputs]
        if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [
            [{"id": i, "property": p, "value": v}]
            if isinstance(i, dict)  # a pattern (ALL): a list of the matching components
            else {"id": i, "property": p, "value": v}
            for i, p, v in inputs
        ],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed],
    }
    return client.post("/_dash-update-component", json=body)


def _table(client, page):
    return _callback(
        client,
        [
            (ids.DESK_TABLE_ROWS, "data"),
            (ids.DESK_TABLE_CAPTION, "children"),
            (ids.DESK_TABLE_SHOWN, "data"),
        ],
        [
            (ids.DESK_CATEGORY, "value", None),
            (ids.DESK_STATUS, "value", None),
            (ids.DESK_TABLE_VIEW, "value", "open"),
            (ids.DESK_DUE, "value", None),
            (ids.DESK_WITHIN, "value", None),
            (ids.DESK_TICK, "n_intervals", None),
        ],
        [
            (ids.DESK_PAGE, "data", page),
            (ids.DESK_LANG, "value", "zh"),
            (ids.DESK_TABLE_SHOWN, "data", None),
        ],
        f"{ids.DESK_TABLE_VIEW}.value",
    )


def test_the_table_answers_the_page_only_inside_the_callers_area(app):
    client = login(app, "street1")
    own = _table(client, {"kind": "area", "key": app.mine})
    assert own.status_code == 200
    rows = own.get_json()["response"][ids.DESK_TABLE_ROWS]["data"]
    with open_store(app.url) as store:
        expected = store.get_incidents(open_only=True, area_code=app.mine)
    assert {r["incident_id"] for r in rows} == set(expected["incident_id"])
    for page in (
        {"kind": "area", "key": app.other},
        {"kind": "area", "key": "510108"},
        {"kind": "area", "key": "x" * 80},
        "not a page",
    ):
        answer = _table(client, page)
        assert answer.status_code == 400 and answer.get_json()["field"] == "page", page


def test_the_todo_list_holds_what_waits_on_the_role(app):
    from gridmap.dashboard.desk.data import todo_incidents

    ctx = _ctx(app)
    with app.server.test_request_context("/"):
        names = ctx.names()
        centre, centre_due, total = todo_incidents(
            ctx.store, Scope.district("centre1"), None, names, ctx.now()
        )
        first, _due, same_total = todo_incidents(
            ctx.store, Scope.district("centre1"), None, names, ctx.now(), limit=5
        )
        street, _, _ = todo_incidents(
            ctx.store, Scope("street1", "street", app.mine), app.mine, names, ctx.now()
        )
    assert total == same_total == len(centre) and list(first["incident_id"]) == list(
        centre["incident_id"][:5]
    )
    assert len(centre) and set(centre["status"]) <= set(waiting_states("centre"))
    # the most urgent first: every overdue one before any that is not, then by deadline
    overdue = [d == "overdue" for d in centre_due]
    assert overdue == sorted(overdue, reverse=True)
    later = centre["deadline"][~pd.Series(overdue)].dropna()
    assert later.is_monotonic_increasing
    assert set(street["status"]) <= {"dispatched", "in_progress"}
    street_name = names[app.mine]
    assert all(
        d.startswith(street_name) or d.startswith(tuple(names[c] for c in [cc]))
        for d, cc in zip(street["department"], street["community_code"], strict=True)
    )


def _new_incident(app) -> str:
    client = app.server.test_client()
    answer = client.post(
        "/open311/v2/requests.json",
        json={
            "service_code": "MD01",
            "lat": app.theirs["lat"],
            "long": app.theirs["lon"],
            "description": "邻里纠纷，住户李先生13912345678",
        },
        headers={"X-API-Key": app.keys["other"]},
    )
    assert answer.status_code == 201, answer.get_json()
    with open_store(app.url) as store:
        stored = store.list_incidents(start_ms=0, end_ms=2**62, limit=1, area_code=app.other)
    return stored["incident_id"].iloc[0]


def test_the_incident_loop_by_role_with_photos_and_a_stale_page(app):
    from gridmap.dashboard.desk.actions import allowed_now, dispatch_units, take_action

    ctx = _ctx(app)
    rid = _new_incident(app)
    centre = Scope.district("centre1")
    street = Scope("street2", "street", app.other)
    stranger = Scope("street1", "street", app.mine)

    def act(scope, action, expected, **kw):
        with app.server.test_request_context("/"):
            row = ctx.store.get_incident(rid)
            fields = {"note": None, "deadline": None, "unit": None, "photo": None} | kw
            return take_action(
                ctx, scope, row, action=action, expected=expected, lang="zh", **fields
            )

    with app.server.test_request_context("/"):
        names = ctx.names()
        row = ctx.store.get_incident(rid)
        assert allowed_now(row, street, names) == []  # not yet dispatched to it
        assert allowed_now(row, centre, names) == ["accept", "void"]
        units, suggested = dispatch_units(ctx, row)
    assert suggested == f"{names[app.other]}综治中心" and suggested in units
    assert not act(centre, "void", "reported").ok  # a void needs its reason
    assert act(centre, "accept", "reported").ok
    assert not act(centre, "dispatch", "accepted", unit="外省某局").ok  # not a unit offered
    assert act(centre, "dispatch", "accepted", unit=suggested).ok
    assert not act(stranger, "start", "dispatched").ok  # another street's office
    assert act(street, "start", "dispatched", photo=picture("JPEG")).ok
    late = act(centre, "return", "dispatched", note="派错了")  # a page that missed the start
    assert not late.ok and "处置中" in late.message
    assert act(street, "handle", "in_progress", note="已调解", photo=picture("PNG")).ok
    assert act(centre, "verify", "handled").ok
    assert act(centre, "close", "verified").ok
    with open_store(app.url) as store:
        events = store.get_events(rid)
        photos = store.photos_of([rid])
        assert store.get_incident(rid)["status"] == "closed"
    assert list(events["action"]) == [
        "report",
        "accept",
        "dispatch",
        "start",
        "handle",
        "verify",
        "close",
    ]
    assert list(events["actor"])[1:] == [
        "centre1",
        "centre1",
        "street2",
        "street2",
        "centre1",
        "centre1",
    ]
    assert [(p["action"], p["actor"], p["ext"]) for p in photos] == [
        ("start", "street2", "jpg"),
        ("handle", "street2", "png"),
    ]
    # the photos are served to who may read the incident, to nobody else
    name = f"{photos[0]['sha256']}.{photos[0]['ext']}"
    assert login(app, "street2").get(f"/photos/{name}").status_code == 200
    thumb = login(app, "centre1").get(f"/photos/{photos[0]['sha256']}.thumb.jpg")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert login(app, "street1").get(f"/photos/{name}").status_code == 404
    assert app.server.test_client().get(f"/photos/{name}").status_code == 401
    keyed = app.server.test_client()
    assert keyed.get(f"/photos/{name}?api_key={app.keys['other']}").status_code == 200
    assert keyed.get(f"/photos/{name}?api_key={app.keys['mine']}").status_code == 404
    for sneaky in ("/photos/..%2Fsecret_key", "/photos/secret_key", f"/photos/{name}.png"):
        answer = keyed.get(sneaky, headers={"X-API-Key": app.keys["district"]})
        assert answer.status_code in (401, 404) and b"secret" not in answer.data[:0]


def test_a_crafted_action_on_another_streets_incident_gets_nothing(app, places):
    client = login(app, "street1")
    theirs = places["other"]["incident"]
    with open_store(app.url) as store:
        before = store.get_incident(theirs)["status"]
    answer = _callback(
        client,
        [
            (ids.ACT_MESSAGE, "children"),
            (ids.INCIDENT_SIDE, "children"),
            (ids.INCIDENT_BELOW, "children"),
        ],
        [({"type": ids.ACT_BUTTON, "action": "start"}, "n_clicks", 1)],
        [
            (ids.ACT_NOTE, "value", None),
            (ids.ACT_DEADLINE, "value", None),
            (ids.ACT_UNIT, "value", None),
            (ids.ACT_PHOTO, "contents", None),
            (ids.ACT_STATE, "data", {"incident": theirs, "state": before}),
            (ids.DESK_LANG, "value", "zh"),
        ],
        '{"action":"start","type":"act-button"}.n_clicks',
    )
    assert answer.status_code == 400 and answer.get_json()["field"] == "incident"
    with open_store(app.url) as store:
        assert store.get_incident(theirs)["status"] == before


def test_a_photo_picked_in_the_browser_arrives_as_a_data_url():
    import base64

    from gridmap.dashboard.desk.actions import photo_bytes
    from gridmap.feed.photos import PhotoError

    data = picture("WEBP")
    assert photo_bytes("data:image/webp;base64," + base64.b64encode(data).decode()) == data
    assert photo_bytes(None) is None
    for bad in ("no comma", "data:image/png;base64,@@@", 12):
        with pytest.raises(PhotoError):
            photo_bytes(bad)
    assert io.BytesIO(data).read(4) == b"RIFF"


def test_the_demo_gives_some_handled_incidents_a_photo_before_and_after(app):
    with open_store(app.url) as store:
        handled = [
            e["incident_id"] for e in store.recent_events(limit=400) if e["action"] == "handle"
        ]
        photos = [p for p in store.photos_of(handled) if p["actor"] == "demo"]
    assert photos, "the demo made no photos"
    by_incident: dict[str, list[str]] = {}
    for p in photos:
        by_incident.setdefault(p["incident_id"], []).append(p["action"])
    assert all(sorted(actions) == ["handle", "report"] for actions in by_incident.values())
    files = _ctx(app).service.photos
    for p in photos[:20]:
        assert files.path(f"{p['sha256']}.{p['ext']}").is_file()
        assert files.path(f"{p['sha256']}.thumb.jpg").is_file()
    shown = login(app, "centre1").get(f"/photos/{photos[0]['sha256']}.jpg")
    assert shown.status_code == 200 and shown.data[:2] == b"\xff\xd8"


def test_exports_carry_the_photos_urls(app):
    import io as _io

    csv = login(app, "centre1").get("/export/incidents.csv?status=handled,verified,closed")
    assert csv.status_code == 200
    table = pd.read_csv(_io.BytesIO(csv.data), encoding="utf-8-sig", dtype=str)
    with_photos = table[table["photos"].notna()]
    assert len(with_photos)
    with open_store(app.url) as store:
        kept = store.photos_of(list(with_photos["incident_id"]))
    urls = {f"http://localhost/photos/{p['sha256']}.{p['ext']}" for p in kept}
    listed = {u for cell in with_photos["photos"] for u in cell.split()}
    assert listed == urls


def test_the_desks_grids_carry_names_and_workers_as_the_role_reads_them(app, places):
    import json

    grid = places["mine"]["grid"]
    worker = _ctx(app).store.area_row(grid)["props"]["worker"]

    def props(user: str, query: str) -> dict:
        answer = login(app, user).get(f"/geo/grid.geojson{query}")
        assert answer.status_code == 200
        features = json.loads(answer.data)["features"]
        return {f["properties"]["code"]: f["properties"] for f in features}

    street = props("street1", "?with=ledger")[grid]
    centre = props("centre1", "?with=ledger")[grid]
    assert street["worker"] == worker and street["name"]
    assert centre["worker"] == mask_name(worker)
    assert props("street1", "")[grid] == {"code": grid}  # the wall's: codes only
    assert app.other not in str(props("street1", "?with=ledger").keys())


def test_the_desk_map_of_a_page_is_asked_for_before_the_page_draws(app, places):
    client = login(app, "street1")
    own = client.get("/desk/map.json?path=/")
    assert own.status_code == 200
    config = own.get_json()
    assert config["area"] == app.mine and len(config["bounds"]) == 4
    building = client.get(f"/desk/map.json?path=/building/{places['mine']['building']}")
    assert building.get_json()["focus"] == places["mine"]["building"]
    assert building.get_json()["point"] is not None
    for path in (f"/area/{app.other}", f"/incident/{places['other']['incident']}", "/nope/1"):
        assert client.get(f"/desk/map.json?path={path}").status_code == 404, path
