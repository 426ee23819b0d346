"""The intake API over HTTP (Flask test client): Open311, events, keys, and bad requests."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from flask import Flask

from gridmap.feed.api import MAX_BODY, install_api
from gridmap.feed.photos import MAX_PHOTO_BYTES, PhotoFiles
from gridmap.feed.service import IntakeService
from gridmap.feed.store import open_store
from gridmap.geo.coords import wgs84_to_gcj02
from tests.feed.test_photos import picture


@pytest.fixture
def env(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'api.db'}")
    grids = gpd.GeoDataFrame(
        {
            "code": ["510108004006001", "510108004006002"],
            "name": ["第1网格", "第2网格"],
            "parent_code": ["510108004006"] * 2,
            "community_code": ["510108004006"] * 2,
            "street_code": ["510108004"] * 2,
        },
        geometry=[
            shapely.box(104.10, 30.66, 104.11, 30.67),
            shapely.box(104.11, 30.66, 104.12, 30.67),
        ],
        crs="EPSG:4326",
    )
    store.put_areas("grid", grids)
    service = IntakeService(store, photos=PhotoFiles(tmp_path / "photos"))
    app = Flask("test")
    install_api(app, lambda: service)
    key = store.add_api_key("网格员APP")
    yield app.test_client(), key, store
    store.close()


def _post(client, path, body, key, **kw):
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-API-Key": key} if key else {},
        **kw,
    )


REQUEST = {
    "service_code": "SS01",
    "lat": 30.665,
    "long": 104.105,
    "description": "井盖缺失，报告人王女士，电话13912345678",
    "source": "grid_worker",
}


def _counts(store):
    c = store.layer_counts()
    return c["incidents"], c["events"]


def test_services(env):
    client, _, _ = env
    services = client.get("/open311/v2/services.json").get_json()
    assert {"service_code": "SS01", "group": "设施管理"}.items() <= next(
        s for s in services if s["service_code"] == "SS01"
    ).items()
    assert client.get("/open311/v2/services/SS01.json").status_code == 200
    assert client.get("/open311/v2/services/ZZ99.json").status_code == 404


def test_post_request_assigns_routes_and_masks(env):
    client, key, store = env
    answer = _post(client, "/open311/v2/requests.json", REQUEST, key)
    assert answer.status_code == 201
    request_id = answer.get_json()[0]["service_request_id"]
    row = store.get_incident(request_id)
    assert row["grid_code"] == "510108004006001"
    assert row["department"] == "区市政设施管理所"
    assert row["deadline"] > row["reported_at"]
    assert client.get(f"/open311/v2/requests/{request_id}.json").status_code == 401
    shown = client.get(
        f"/open311/v2/requests/{request_id}.json", headers={"X-API-Key": key}
    ).get_json()[0]
    assert shown["status"] == "open"
    assert "13912345678" not in shown["description"] and "139****5678" in shown["description"]
    assert shown["expected_datetime"] is not None
    listed = client.get(
        "/open311/v2/requests.json?status=open&service_code=SS01", headers={"X-API-Key": key}
    ).get_json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert (
        client.get("/open311/v2/requests.json?status=closed", headers={"X-API-Key": key}).get_json()
        == []
    )


def test_gcj02_location_is_converted(env):
    client, key, store = env
    glon, glat = wgs84_to_gcj02(104.115, 30.665)
    body = {**REQUEST, "long": float(glon), "lat": float(glat), "coordinate_system": "gcj02"}
    request_id = _post(client, "/open311/v2/requests.json", body, key).get_json()[0][
        "service_request_id"
    ]
    row = store.get_incident(request_id)
    assert row["lon"] == pytest.approx(104.115, abs=1e-7)
    assert row["grid_code"] == "510108004006002"
    assert row["source_x"] == pytest.approx(float(glon))


def test_same_id_and_body_stores_one_incident(env):
    client, key, store = env
    body = {**REQUEST, "service_request_id": "APP-0001"}
    assert _post(client, "/open311/v2/requests.json", body, key).status_code == 201
    assert _post(client, "/open311/v2/requests.json", body, key).status_code == 200
    assert _counts(store) == (1, 1)
    other = _post(client, "/open311/v2/requests.json", {**body, "description": "别的"}, key)
    assert other.status_code == 409
    assert _counts(store) == (1, 1)


def test_point_outside_every_grid_is_kept_unassigned(env):
    client, key, store = env
    body = {**REQUEST, "long": 104.20, "lat": 30.70}
    request_id = _post(client, "/open311/v2/requests.json", body, key).get_json()[0][
        "service_request_id"
    ]
    assert store.get_incident(request_id)["grid_code"] is None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("{not json", 400, "body"),
        ({**REQUEST, "service_code": "XX01"}, 400, "service_code"),
        ({k: v for k, v in REQUEST.items() if k != "lat"}, 400, "lat"),
        ({**REQUEST, "lat": "north"}, 400, "lat"),
        ({**REQUEST, "lat": 104.105, "long": 30.665}, 400, "lat/long"),  # swapped
        ({**REQUEST, "lat": 48.85, "long": 2.35}, 400, "lat/long"),  # Paris
        ({**REQUEST, "lat": 39.9, "long": 116.4}, 400, "lat/long"),  # Beijing: not this district
        ({**REQUEST, "coordinate_system": "mars2"}, 400, "coordinate_system"),
        ({**REQUEST, "priority": 7}, 400, "priority"),
        ({**REQUEST, "source": "pigeon"}, 400, "source"),
        ({**REQUEST, "description": "长" * 5000}, 400, "description"),
        ({**REQUEST, "requested_datetime": "yesterday-ish"}, 400, "requested_datetime"),
        ({**REQUEST, "requested_datetime": "2099-01-01T00:00:00+08:00"}, 400, "requested_datetime"),
        ([REQUEST], 400, "body"),
    ],
)
def test_bad_requests_get_4xx_naming_the_field_and_change_nothing(env, body, status, field):
    client, key, store = env
    before = _counts(store)
    data = body if isinstance(body, str) else json.dumps(body)
    answer = client.post(
        "/open311/v2/requests.json",
        data=data,
        content_type="application/json",
        headers={"X-API-Key": key},
    )
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()[0]
    assert error["field"] == field
    assert field in error["description"]
    assert _counts(store) == before


def test_keys_and_sizes(env):
    client, key, store = env
    assert _post(client, "/open311/v2/requests.json", REQUEST, None).status_code == 401
    assert _post(client, "/open311/v2/requests.json", REQUEST, "gm_wrong").status_code == 401
    huge = {**REQUEST, "description": "x" * (MAX_BODY + 10)}
    assert _post(client, "/open311/v2/requests.json", huge, key).status_code == 413
    form = client.post(
        "/open311/v2/requests.json",
        data={**{k: str(v) for k, v in REQUEST.items()}, "api_key": key},
    )
    assert form.status_code == 201
    assert _counts(store) == (1, 1)


def test_workflow_events_over_http(env):
    client, key, store = env
    rid = _post(client, "/open311/v2/requests.json", REQUEST, key).get_json()[0][
        "service_request_id"
    ]
    path = f"/api/v1/incidents/{rid}/events"
    assert _post(client, path, {"action": "accept"}, key).status_code == 201
    wrong = _post(client, path, {"action": "close"}, key)
    assert wrong.status_code == 409
    assert "dispatch" in wrong.get_json()[0]["description"]  # the allowed actions are named
    assert _post(client, path, {"action": "fly"}, key).status_code == 400
    assert (
        _post(client, "/api/v1/incidents/NOPE/events", {"action": "accept"}, key).status_code == 404
    )
    stale = _post(client, path, {"action": "dispatch", "at": "2020-01-01T00:00:00+08:00"}, key)
    assert stale.status_code == 409 and "older" in stale.get_json()[0]["description"]
    ext = _post(client, path, {"action": "extend"}, key)
    assert ext.status_code == 400 and ext.get_json()[0]["field"] == "deadline"
    assert store.get_incident(rid)["status"] == "accepted"


def test_a_sender_that_saw_an_older_state_is_refused_and_a_return_needs_its_reason(env):
    client, key, store = env
    rid = _post(client, "/open311/v2/requests.json", REQUEST, key).get_json()[0][
        "service_request_id"
    ]
    path = f"/api/v1/incidents/{rid}/events"
    assert _post(client, path, {"action": "accept", "if_state": "reported"}, key).status_code == 201
    # a second desk that still shows "reported" voids it: refused, the state is kept
    late = _post(client, path, {"action": "void", "if_state": "reported", "note": "重复"}, key)
    assert late.status_code == 409
    assert "accepted" in late.get_json()[0]["description"]
    assert store.get_incident(rid)["status"] == "accepted"
    bad = _post(client, path, {"action": "dispatch", "if_state": "flying"}, key)
    assert bad.status_code == 400 and bad.get_json()[0]["field"] == "if_state"
    reasonless = _post(client, path, {"action": "void"}, key)
    assert reasonless.status_code == 400 and reasonless.get_json()[0]["field"] == "note"
    voided = _post(client, path, {"action": "void", "note": "重复上报"}, key)
    assert voided.status_code == 201
    assert store.get_events(rid)["note"].iloc[-1] == "重复上报"


def test_bulk_events_are_all_or_nothing(env):
    client, key, store = env
    ids = [
        _post(
            client, "/open311/v2/requests.json", {**REQUEST, "service_request_id": f"B{i}"}, key
        ).get_json()[0]["service_request_id"]
        for i in range(3)
    ]
    bad = _post(
        client,
        "/api/v1/events/bulk",
        {
            "events": [
                {"incident_id": ids[0], "action": "accept"},
                {"incident_id": ids[1], "action": "verify"},
            ]
        },
        key,
    )
    assert bad.status_code == 409 and "event 1" in bad.get_json()[0]["description"]
    assert store.get_incident(ids[0])["status"] == "reported"
    malformed = _post(client, "/api/v1/events/bulk", {"events": [{"incident_id": ids[0]}]}, key)
    assert malformed.get_json()[0]["field"] == "events[0].action"
    good = _post(
        client,
        "/api/v1/events/bulk",
        {"events": [{"incident_id": i, "action": "accept"} for i in ids]},
        key,
    )
    assert good.status_code == 201 and good.get_json()["accepted"] == 3
    statuses = {store.get_incident(i)["status"] for i in ids}
    assert statuses == {"accepted"}
    assert np.all(store.open_counts()["n"].to_numpy() > 0)


def test_a_store_without_grids_is_not_asked_for_them_on_every_request(tmp_path, monkeypatch):
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    service = IntakeService(store)
    calls = []
    real = store.get_areas
    monkeypatch.setattr(store, "get_areas", lambda level: calls.append(level) or real(level))
    for i in range(5):
        service.submit_request({**REQUEST, "service_request_id": f"E{i}"}, client="t")
    assert calls == ["grid"]  # looked once; again only after EMPTY_RECHECK_S
    assert store.get_incident("E4")["grid_code"] is None
    store.close()


def test_a_key_tied_to_an_area_sees_and_changes_only_that_area(env):
    client, key, store = env
    store.put_areas(
        "grid",
        gpd.GeoDataFrame(
            {
                "code": ["510108005001001"],
                "name": ["他街网格"],
                "parent_code": ["510108005001"],
                "community_code": ["510108005001"],
                "street_code": ["510108005"],
            },
            geometry=[shapely.box(104.12, 30.66, 104.13, 30.67)],
            crs="EPSG:4326",
        ),
        replace=False,
    )
    mine = _post(client, "/open311/v2/requests.json", REQUEST, key).get_json()[0]
    other_body = {**REQUEST, "long": 104.125}
    other = _post(client, "/open311/v2/requests.json", other_body, key).get_json()[0]
    street_key = store.add_api_key("双桥子街道系统", area_code="510108004")
    headers = {"X-API-Key": street_key}
    listed = client.get("/open311/v2/requests.json", headers=headers).get_json()
    assert [r["service_request_id"] for r in listed] == [mine["service_request_id"]]
    assert "13912345678" in listed[0]["description"]  # a street office handles it: full text
    district = client.get("/open311/v2/requests.json", headers={"X-API-Key": key}).get_json()
    assert len(district) == 2 and all("13912345678" not in r["description"] for r in district)
    hidden = client.get(f"/open311/v2/requests/{other['service_request_id']}.json", headers=headers)
    assert hidden.status_code == 404
    before = _counts(store)
    event = {"action": "accept"}
    path = f"/api/v1/incidents/{other['service_request_id']}/events"
    assert _post(client, path, event, street_key).status_code == 404
    bulk = {
        "events": [
            {"incident_id": mine["service_request_id"], "action": "accept"},
            {"incident_id": other["service_request_id"], "action": "accept"},
        ]
    }
    assert _post(client, "/api/v1/events/bulk", bulk, street_key).status_code == 404
    outside = _post(client, "/open311/v2/requests.json", other_body, street_key)
    assert outside.status_code == 403 and "510108004" in outside.get_json()[0]["description"]
    assert _counts(store) == before  # nothing half-written
    path = f"/api/v1/incidents/{mine['service_request_id']}/events"
    assert _post(client, path, event, street_key).status_code == 201


def test_an_open311_app_posts_its_photo_as_multipart_with_the_key_in_the_form(env, tmp_path):
    client, key, store = env
    form = {k: str(v) for k, v in REQUEST.items()} | {"api_key": key}
    posted = client.post(
        "/open311/v2/requests.json",
        data={**form, "media": (io.BytesIO(picture("JPEG")), "IMG_0001.JPG", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 201, posted.get_json()
    rid = posted.get_json()[0]["service_request_id"]
    photos = store.photos_of([rid])
    assert [(p["action"], p["actor"], p["ext"]) for p in photos] == [("report", "网格员APP", "jpg")]
    kept = tmp_path / "photos" / photos[0]["sha256"][:2] / f"{photos[0]['sha256']}.jpg"
    assert kept.is_file() and b"GPSLatitude" not in kept.read_bytes()
    answer = client.get(f"/open311/v2/requests/{rid}.json", headers={"X-API-Key": key})
    assert answer.get_json()[0]["media_url"].endswith(f"/photos/{photos[0]['sha256']}.jpg")
    listed = client.get("/open311/v2/requests.json", headers={"X-API-Key": key}).get_json()
    assert [r["media_url"] is not None for r in listed] == [True]


def test_a_bad_photo_refuses_the_request_and_stores_nothing(env):
    client, key, store = env
    form = {k: str(v) for k, v in REQUEST.items()} | {"api_key": key}
    for media, status in (
        ((io.BytesIO(b"GIF89a" + b"\0" * 64), "photo.jpg", "image/jpeg"), 400),
        ((io.BytesIO(b"\xff\xd8" + b"\0" * (MAX_PHOTO_BYTES + 10)), "big.jpg"), 413),
    ):
        refused = client.post(
            "/open311/v2/requests.json",
            data={**form, "media": media},
            content_type="multipart/form-data",
        )
        assert refused.status_code == status
        assert refused.get_json()[0]["field"] in ("media", "body")
    assert _counts(store) == (0, 0)


def test_photos_before_and_after_go_with_their_events(env):
    client, key, store = env
    rid = _post(client, "/open311/v2/requests.json", REQUEST, key).get_json()[0][
        "service_request_id"
    ]
    path = f"/api/v1/incidents/{rid}/events"
    for action in ("accept", "dispatch"):
        assert _post(client, path, {"action": action}, key).status_code == 201
    for action, fmt in (("start", "PNG"), ("handle", "WEBP")):
        sent = client.post(
            path,
            data={"action": action, "media": (io.BytesIO(picture(fmt)), "p"), "api_key": key},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 201, sent.get_json()
    assert [(p["action"], p["ext"]) for p in store.photos_of([rid])] == [
        ("start", "png"),
        ("handle", "webp"),
    ]
    assert store.get_incident(rid)["status"] == "handled"


def test_keyless_reads_only_when_the_setting_says_and_without_personal_fields(env, tmp_path):
    from gridmap.settings import Settings

    client, key, _store = env
    form = {k: str(v) for k, v in REQUEST.items()} | {"api_key": key}
    posted = client.post(
        "/open311/v2/requests.json",
        data={**form, "media": (io.BytesIO(picture("JPEG")), "p.jpg")},
        content_type="multipart/form-data",
    )
    rid = posted.get_json()[0]["service_request_id"]
    assert client.get("/open311/v2/requests.json").status_code == 401  # off by default
    client.application.config["GRIDMAP_SETTINGS"] = Settings(open311_public_reads=True)
    try:
        listed = client.get("/open311/v2/requests.json")
        one = client.get(f"/open311/v2/requests/{rid}.json")
        assert listed.status_code == 200 and one.status_code == 200
        for item in (listed.get_json()[0], one.get_json()[0]):
            assert item["service_request_id"] == rid and item["service_code"] == "SS01"
            assert item["description"] is None and item["media_url"] is None
            assert "13912345678" not in json.dumps(item, ensure_ascii=False)
        # writes still need a key
        assert _post(client, "/open311/v2/requests.json", REQUEST, None).status_code == 401
        assert (
            _post(client, f"/api/v1/incidents/{rid}/events", {"action": "accept"}, None).status_code
            == 401
        )
        # and a key still reads everything it may
        keyed = client.get(f"/open311/v2/requests/{rid}.json", headers={"X-API-Key": key})
        assert keyed.get_json()[0]["media_url"] and "井盖缺失" in keyed.get_json()[0]["description"]
    finally:
        del client.application.config["GRIDMAP_SETTINGS"]
