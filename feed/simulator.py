"""A believable live day, played through the intake API like the real reporting systems.

New reports come from grid workers (their app sends GCJ-02) and the 12345 hotline (WGS84), near
places where incidents already happen; the centre accepts and dispatches them; departments start,
handle, sometimes extend; verification sometimes returns one. Some are left alone and go overdue.
Memory stays bounded: the simulator remembers at most :data:`MAX_TRACKED` open incidents.
"""

from __future__ import annotations

import collections
import json
import random
import time
import urllib.error
import urllib.request
from typing import Any

from gridmap.domain.categories import CATEGORIES, NORMAL, URGENT
from gridmap.domain.workflow import CLOSED_STATES
from gridmap.geo.coords import wgs84_to_gcj02

MAX_TRACKED = 5000
#: Next action by state, with (action, weight) choices; "wait" leaves it for now.
NEXT_ACTIONS: dict[str, list[tuple[str, float]]] = {
    "reported": [("accept", 0.9), ("void", 0.03), ("wait", 0.07)],
    "accepted": [("dispatch", 0.9), ("wait", 0.1)],
    "dispatched": [("start", 0.85), ("return", 0.03), ("wait", 0.12)],
    "in_progress": [("handle", 0.7), ("extend", 0.04), ("escalate", 0.02), ("wait", 0.24)],
    "handled": [("verify", 0.85), ("return", 0.08), ("wait", 0.07)],
    "verified": [("close", 0.95), ("wait", 0.05)],
}
_DEPARTMENTS = ("区城市管理和综合执法局", "区住房和城乡建设局", "区市政设施管理所", "区应急管理局")
#: Reasons given for a return or a void.
_REASONS = {
    "return": ("处置不到位，请重新处置", "非本单位职责，请重新派遣", "照片不清晰，请补充"),
    "void": ("重复上报", "经核实不属实", "已由其他渠道办结"),
}
_TEXTS = ("门口{}，影响通行。", "{}，居民反映多次。", "巡查发现{}。", "{}，请尽快处置。")


class _Api:
    def __init__(self, base: str, key: str) -> None:
        self.base = base.rstrip("/")
        self.key = key

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "X-API-Key": self.key},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


def run_simulator(
    url: str,
    api_key: str,
    *,
    rate: float = 1.0,
    duration: float | None = None,
    seed: int | None = None,
    stop=None,
) -> dict[str, int]:
    """Post reports and workflow events to ``url`` at about ``rate`` requests per second.

    Parameters
    ----------
    url
        Base URL of the gridmap server.
    api_key
        A key made by ``gridmap apikey add``.
    duration
        Seconds to run (``None``: until ``stop`` is set or interrupted).
    stop
        A ``threading.Event`` that ends the run when set.

    Returns
    -------
    dict
        Counts of reports, events, refusals (4xx) and connection failures.
    """
    rng = random.Random(seed)
    api = _Api(url, api_key)
    stats = collections.Counter()
    tracked: collections.OrderedDict[str, str] = collections.OrderedDict()
    places: list[tuple[float, float]] = []
    started = time.monotonic()
    next_at = started
    while (duration is None or time.monotonic() - started < duration) and not (
        stop is not None and stop.is_set()
    ):
        now = time.monotonic()
        if now < next_at:
            time.sleep(min(next_at - now, 0.5))
            continue
        next_at += 1.0 / max(rate, 0.01)
        try:
            if not places:
                _seed_places(api, places, tracked)
                if not places:
                    places.append((104.10, 30.67))
            if rng.random() < 0.35 or not tracked:
                _report(api, rng, places, tracked, stats)
            else:
                _advance(api, rng, tracked, stats)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            stats["unreachable"] += 1
            next_at = time.monotonic() + 2.0  # the server is away: back off, then carry on
    return dict(stats)


def _seed_places(api: _Api, places: list, tracked: collections.OrderedDict) -> None:
    status, body = api.call("GET", "/open311/v2/requests.json?status=open")
    if status != 200 or not isinstance(body, list):
        return
    for item in body:
        places.append((float(item["long"]), float(item["lat"])))
        tracked[item["service_request_id"]] = item.get("status_notes") or "reported"
    while len(tracked) > MAX_TRACKED:
        tracked.popitem(last=False)


def _report(api, rng, places, tracked, stats) -> None:
    lon, lat = rng.choice(places)
    lon += rng.gauss(0, 0.002)
    lat += rng.gauss(0, 0.002)
    cat = rng.choices(CATEGORIES, weights=[c.share for c in CATEGORIES])[0]
    code, name, _en = rng.choice(cat.subcategories)
    worker = rng.random() < 0.6
    body: dict[str, Any] = {
        "service_code": code,
        "description": rng.choice(_TEXTS).format(name),
        "source": "grid_worker" if worker else "hotline",
        "priority": URGENT if cat.code == "TF" and rng.random() < 0.5 else NORMAL,
    }
    if worker:  # the grid workers' app sends GCJ-02
        glon, glat = wgs84_to_gcj02(lon, lat)
        body.update({"long": float(glon), "lat": float(glat), "coordinate_system": "gcj02"})
    else:
        body.update({"long": lon, "lat": lat})
    status, answer = api.call("POST", "/open311/v2/requests.json", body)
    if status in (200, 201):
        stats["reports"] += 1
        tracked[answer[0]["service_request_id"]] = "reported"
        if len(places) < 2000:
            places.append((lon, lat))
        while len(tracked) > MAX_TRACKED:
            tracked.popitem(last=False)
    else:
        stats["refused"] += 1


def _advance(api, rng, tracked, stats) -> None:
    incident_id = rng.choice(list(tracked.keys())[-500:])
    state = tracked[incident_id]
    choices = NEXT_ACTIONS.get(state)
    if not choices:
        tracked.pop(incident_id, None)
        return
    action = rng.choices([a for a, _ in choices], weights=[w for _, w in choices])[0]
    if action == "wait":
        return
    body: dict[str, Any] = {"action": action}
    if action == "dispatch":
        body["department"] = rng.choice(_DEPARTMENTS)
    if action in _REASONS:  # a return or a void says why
        body["note"] = rng.choice(_REASONS[action])
    if action == "extend":
        body["deadline"] = time.strftime(
            "%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600 + 172800)
        )
    status, answer = api.call("POST", f"/api/v1/incidents/{incident_id}/events", body)
    if status in (200, 201) and isinstance(answer, dict):
        stats["events"] += 1
        new_state = answer.get("status", state)
        if new_state in CLOSED_STATES:
            tracked.pop(incident_id, None)
        else:
            tracked[incident_id] = new_state
    else:
        stats["refused"] += 1
        tracked.pop(incident_id, None)  # its state moved on elsewhere; forget it
