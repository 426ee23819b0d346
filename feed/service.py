"""The intake service: validates incoming requests and events, converts coordinates, assigns
grids, routes, sets deadlines, and writes through the store. Plain functions and one class that
the HTTP layer (and tests, and the simulator) call.
"""

from __future__ import annotations

import functools
import hashlib
import json
import queue
import secrets
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

import numpy as np
from pyproj.exceptions import ProjError

from gridmap.domain.access import AccessError, Scope
from gridmap.domain.categories import NORMAL, PRIORITIES, SOURCES, SUBCATEGORY_TO_CATEGORY
from gridmap.domain.identifiers import MAX_ID_LENGTH, id_problem
from gridmap.domain.incident import Place, new_incident
from gridmap.domain.sla import allowed_hours
from gridmap.domain.times import TimeFormatError, parse_time
from gridmap.domain.workflow import (
    ACTIONS,
    NEEDS_REASON,
    STATES,
    TransitionError,
    apply_action,
    check_expected,
)
from gridmap.feed.photos import Photo, PhotoError, PhotoFiles, clean_photo
from gridmap.feed.store import ConflictError, SQLStore
from gridmap.feed.store.common import now_ms
from gridmap.geo.assign import PolygonIndex, grid_parents, service_bounds
from gridmap.geo.crs import (
    WGS84,
    CoordinateError,
    CRSError,
    check_lonlat,
    parse_crs,
    points_to_wgs84,
)

#: Longest description accepted, characters.
MAX_DESCRIPTION = 4000
#: Seconds before a store without grids is asked again for them.
EMPTY_RECHECK_S = 30.0
#: Most events in one bulk request.
MAX_BATCH = 5000
#: Text fields and their longest accepted length.
_TEXT_LIMITS = {
    "actor": 100,
    "note": 2000,
    "department": 100,
    "address_string": 500,
}


class RequestError(ValueError):
    """A request that cannot be accepted; ``field`` names what is wrong (HTTP 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class IntakeService:
    """Accepts incidents and workflow events for one store.

    Parameters
    ----------
    store
        The incident store.
    timezone
        Zone of times sent without one.
    photos
        Where photos are kept (``None``: photos are refused, naming the setting).
    """

    def __init__(
        self,
        store: SQLStore,
        *,
        timezone: str = "Asia/Shanghai",
        photos: PhotoFiles | None = None,
    ) -> None:
        self.store = store
        self.timezone = timezone
        self.photos = photos
        self._index: PolygonIndex | None = None
        self._service_bounds: tuple[float, float, float, float] | None = None
        self._grid_parents: dict[str, tuple[str | None, str | None]] = {}
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()
        self._locate_lock = threading.Lock()
        self._next_check = 0.0
        self._committer = GroupCommitter(store)

    def warm_up(self) -> None:
        """Build the grid lookup and parse the default CRS now (a server calls this in a
        background thread at start), so the first request does not pay for them."""
        try:
            _parse_crs_cached("EPSG:4326")
            self.grid_index()
        except Exception:  # the store is not there yet: the first request will try again
            pass

    # --- grids ---------------------------------------------------------------------------
    def grid_index(self) -> PolygonIndex | None:
        """The grid lookup, built once from the store's grids (``None`` if it has none; an
        empty store is looked at again after :data:`EMPTY_RECHECK_S`, not on every request)."""
        with self._lock:
            if self._index is None and time.monotonic() >= self._next_check:
                self._next_check = time.monotonic() + EMPTY_RECHECK_S
                grids = self.store.get_areas("grid")
                if len(grids):
                    # one point per request: a small lattice is plenty and builds fast
                    self._index = PolygonIndex.build(
                        grids.geometry.values, grids["code"].to_numpy(), max_cells=4_000_000
                    )
                    self._grid_parents = grid_parents(grids)
                    self._service_bounds = service_bounds(grids)
                    for level in ("street", "community"):
                        areas = self.store.get_areas(level)
                        self._names.update(zip(areas["code"], areas["name"], strict=True))
            return self._index

    def locate(self, lon: float, lat: float) -> tuple[str | None, str | None, str | None]:
        """(grid, community, street) codes of a WGS84 point; ``None`` s when outside all."""
        index = self.grid_index()
        if index is None:
            return None, None, None
        with self._locate_lock:  # GEOS prepared geometries are not thread-safe
            code = index.locate_codes(np.array([lon]), np.array([lat]))[0]
        if code is None:
            return None, None, None
        community, street = self._grid_parents.get(code, (None, None))
        return code, community, street

    # --- incidents -----------------------------------------------------------------------
    def submit_request(
        self, payload: Mapping[str, Any], *, client: str, scope: Scope | None = None
    ) -> tuple[dict, bool]:
        """Validate and store an Open311 service request. Returns (row, created).

        The write goes through :class:`GroupCommitter`: requests arriving together share one
        commit, and each returns only once its incident is on disk. A caller confined to an
        area (``scope``) may report only inside it (:class:`AccessError` otherwise).
        """
        row, event = self.build_incident(payload, client=client)
        if scope is not None and not scope.allows(row):
            raise AccessError("lat/long", f"the location lies outside your area {scope.area_code}")
        if scope is None or scope.column is None:
            return self._committer.submit(row, event)
        try:
            result = self._committer.submit(row, event)
        except ConflictError:
            result = None
        if result is not None and result[1]:
            return result
        stored = self.store.get_incident(row["incident_id"])
        if stored is not None and not scope.allows(stored):
            # The id is another area's: that is not the caller's business. The request is
            # stored under an id of the sender's own (the same for a retry), as Open311
            # servers assign ids, and answered like any new request.
            own = own_id(row["incident_id"], client)
            return self._committer.submit(
                {**row, "incident_id": own}, {**event, "incident_id": own}
            )
        if result is None:  # the caller's own incident, with another body
            raise ConflictError(
                f"incident {row['incident_id']!r} exists with a different body; "
                "use a new id, or post workflow events to change it"
            )
        return result

    def build_incident(self, payload: Mapping[str, Any], *, client: str) -> tuple[dict, dict]:
        """The incident row and its ``report`` event for a request, or :class:`RequestError`."""
        service = _text(payload, "service_code", required=True, limit=10)
        if service not in SUBCATEGORY_TO_CATEGORY:
            raise RequestError(
                "service_code",
                f"unknown service {service!r}; see /open311/v2/services.json for the list",
            )
        lon_in = _number(payload, "long", required=True)
        lat_in = _number(payload, "lat", required=True)
        crs_text = _text(payload, "coordinate_system", limit=200) or "EPSG:4326"
        try:
            source_crs = _parse_crs_cached(crs_text)
        except CRSError:
            raise RequestError(
                "coordinate_system",
                f"unknown coordinate system {crs_text!r}; "
                "use wgs84, gcj02, bd09, cgcs2000 or an EPSG code",
            ) from None
        if source_crs is None:
            raise RequestError("coordinate_system", "give a CRS such as wgs84, gcj02 or bd09")
        lon, lat = self._to_wgs84(lon_in, lat_in, source_crs)
        description = _text(payload, "description", limit=MAX_DESCRIPTION) or ""
        source = _text(payload, "source", limit=20) or "resident"
        if source not in SOURCES:
            raise RequestError("source", f"unknown source {source!r}; allowed: {list(SOURCES)}")
        number = _number(payload, "priority")
        priority = NORMAL if number is None else number
        if priority not in PRIORITIES:
            raise RequestError("priority", f"must be one of {list(PRIORITIES)}, got {priority:g}")
        priority = int(priority)
        reported = self._time(payload, "requested_datetime") or now_ms()
        if reported > now_ms() + 5 * 60_000:
            raise RequestError("requested_datetime", "lies in the future")
        grid, community, street = self.locate(lon, lat)
        incident_id = _identifier(payload, "service_request_id") or _new_id(reported)
        place = Place(
            lon,
            lat,
            source_crs=source_crs.label.split(" ")[0],
            source_x=lon_in,
            source_y=lat_in,
            grid_code=grid,
            community_code=community,
            street_code=street,
            street_name=self._names.get(street or ""),
            community_name=self._names.get(community or ""),
        )
        row, event = new_incident(
            incident_id,
            service,
            reported_ms=reported,
            place=place,
            priority=priority,
            source=source,
            description=description,
            client=client,
        )
        # the same request sent twice hashes the same, whenever it arrives
        row["body_hash"] = _body_hash(
            {
                "service_code": service,
                "long": lon_in,
                "lat": lat_in,
                "crs": source_crs.label,
                "description": description,
                "source": source,
                "priority": priority,
                "requested_datetime": payload.get("requested_datetime"),
            }
        )
        return row, event

    def _to_wgs84(self, lon_in: float, lat_in: float, source_crs) -> tuple[float, float]:
        """WGS84 of a request's location, with errors an API client can act on."""
        geographic = source_crs.kind != "pyproj" or source_crs.crs.is_geographic
        if geographic and 70 <= lat_in <= 140 and 3 <= lon_in <= 54:
            raise RequestError(
                "lat/long",
                f"lat={lat_in:g} and long={lon_in:g} look swapped: "
                "lat is the latitude (north, about 30.7 in Chengdu) and long "
                "the longitude (east, about 104.1)",
            )
        try:
            if source_crs.label == WGS84.label:  # the common case: nothing to transform
                check_lonlat(np.array([lon_in]), np.array([lat_in]))
                lon, lat = [lon_in], [lat_in]
            else:
                lon, lat = points_to_wgs84(np.array([lon_in]), np.array([lat_in]), source_crs)
        except CoordinateError:
            raise RequestError(
                "lat/long",
                f"lat={lat_in:g}, long={lon_in:g} lies "
                f"outside China in {source_crs.label}; check the values and "
                "coordinate_system",
            ) from None
        except (ProjError, CRSError, ValueError):  # a CRS pyproj knows but cannot bring here
            raise RequestError(
                "coordinate_system",
                f"cannot convert from {source_crs.label[:60]} to WGS84; "
                "use wgs84, gcj02, bd09, cgcs2000 or an EPSG code of China",
            ) from None
        lon_f, lat_f = float(lon[0]), float(lat[0])
        self.grid_index()
        bounds = self._service_bounds
        if bounds is not None and not (
            bounds[0] <= lon_f <= bounds[2] and bounds[1] <= lat_f <= bounds[3]
        ):
            raise RequestError(
                "lat/long",
                f"({lat_f:.5f}, {lon_f:.5f}) lies far outside the district's "
                f"service area (lon {bounds[0]:.2f}–{bounds[2]:.2f}, lat {bounds[1]:.2f}–"
                f"{bounds[3]:.2f}); points near it are accepted and flagged unassigned",
            )
        return lon_f, lat_f

    # --- events --------------------------------------------------------------------------
    def parse_event(
        self, payload: Mapping[str, Any], *, incident_id: str | None = None, client: str = ""
    ) -> dict[str, Any]:
        """A workflow event from a request body, or :class:`RequestError`."""
        if not isinstance(payload, Mapping):
            raise RequestError("event", "must be a JSON object")
        if incident_id is not None:
            problem = id_problem(incident_id)
            if problem:
                raise RequestError("incident_id", problem)
            incident = incident_id
        else:
            incident = _identifier(payload, "incident_id", required=True)
        action = _text(payload, "action", required=True, limit=20)
        if action not in ACTIONS or action == "report":
            allowed = [a for a in ACTIONS if a != "report"]
            raise RequestError("action", f"unknown action {action!r}; allowed: {allowed}")
        at = self._time(payload, "at") or now_ms()
        if at > now_ms() + 5 * 60_000:
            raise RequestError("at", "lies in the future")
        deadline = self._time(payload, "deadline")
        if action == "extend" and deadline is None:
            raise RequestError("deadline", "an 'extend' event needs the new deadline")
        event = {
            "incident_id": incident,
            "action": action,
            "at": at,
            "deadline": deadline,
            "actor": _text(payload, "actor", limit=100) or client,
        }
        for field in ("note", "department"):
            event[field] = _text(payload, field, limit=_TEXT_LIMITS[field])
        event["client_event_id"] = _identifier(payload, "client_event_id")
        expected = _text(payload, "if_state", limit=20)
        if expected is not None and expected not in STATES:
            raise RequestError("if_state", f"unknown state {expected!r}; known: {list(STATES)}")
        event["if_state"] = expected
        if action in NEEDS_REASON and not event["note"]:
            raise RequestError("note", f"a {action!r} event needs its reason in 'note'")
        return event

    def apply_events(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Apply parsed events atomically (see :meth:`SQLStore.apply_events`)."""
        return self.store.apply_events(events, plan_event)

    # --- photos --------------------------------------------------------------------------
    def check_photo(self, data: bytes) -> Photo:
        """A photo from outside, checked and cleaned (:func:`~gridmap.feed.photos.clean_photo`);
        :class:`~gridmap.feed.photos.PhotoError` names what is wrong with it."""
        if self.photos is None:
            raise PhotoError(400, "this server keeps no photos (setting photo_dir)")
        return clean_photo(data)

    def attach_photo(
        self, incident_id: str, photo: Photo, *, action: str, at: int, actor: str
    ) -> dict[str, Any]:
        """Keep a checked photo for an incident, sent with ``action`` at ``at`` (epoch ms):
        the files first (synced), then the record; returns the record."""
        assert self.photos is not None
        self.photos.save(photo)
        self.store.add_photo(incident_id, photo, action=action, at=at, actor=actor)
        return {"sha256": photo.sha256, "name": photo.name, "action": action}

    def _time(self, payload: Mapping[str, Any], field: str) -> int | None:
        value = payload.get(field)
        if value in (None, ""):
            return None
        try:
            stamp = parse_time(value, self.timezone)
        except TimeFormatError as exc:
            raise RequestError(field, str(exc)) from None
        return int(stamp.tz_convert("UTC").value // 1_000_000)


class GroupCommitter:
    """Group commit: one writer thread stores whatever requests are waiting in one transaction.

    Durability is unchanged — :meth:`submit` returns only after the commit that holds its
    incident — but a burst of N requests costs one fsync instead of N.
    """

    #: Most incidents in one commit.
    MAX_GROUP = 256

    def __init__(self, store: SQLStore) -> None:
        self.store = store
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, row: dict, event: dict, *, timeout: float = 30.0) -> tuple[dict, bool]:
        """Store one incident; raises what the store raised for it."""
        self._ensure_thread()
        future: Future = Future()
        self._queue.put((row, event, future))
        return future.result(timeout=timeout)

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < self.MAX_GROUP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self.store.create_incidents([(r, e) for r, e, _f in group])
            except Exception as exc:  # the store failed: every waiting request learns it
                for _r, _e, future in group:
                    future.set_exception(exc)
                continue
            for (_r, _e, future), result in zip(group, results, strict=True):
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)


def plan_event(current: dict[str, Any], event: dict[str, Any]) -> tuple[dict, dict]:
    """The incident's updates and the event row for ``event`` on ``current`` (store row).

    Raises
    ------
    TransitionError
        For an action the transition table does not allow (the message names the allowed).
    """
    state = current["status"]
    check_expected(state, event.get("if_state"))
    new_state = apply_action(state, event["action"])
    at = event["at"]
    update: dict[str, Any] = {"status": new_state}
    action = event["action"]
    if action == "extend":
        if current["deadline"] is not None and event["deadline"] <= current["deadline"]:
            raise TransitionError("'deadline' of an extension must be later than the current one")
        update["deadline"] = event["deadline"]
    elif action == "escalate":
        update["escalated"] = 1
    else:
        hours = allowed_hours(new_state, current["category"], int(current["priority"]))
        update["stage_entered_at"] = at
        update["deadline"] = None if hours is None else at + int(hours * 3_600_000)
        update["closed_at"] = at if not STATES[new_state].is_open else None
    if action == "dispatch" and event.get("department"):
        update["department"] = event["department"]
    stored = {
        "incident_id": event["incident_id"],
        "at": at,
        "action": action,
        "from_state": state,
        "to_state": new_state,
        "actor": event.get("actor"),
        "note": event.get("note"),
        "department": event.get("department"),
        "deadline": update.get("deadline", current["deadline"]),
        "client_event_id": event.get("client_event_id"),
    }
    return update, stored


def _text(
    payload: Mapping[str, Any], field: str, *, required: bool = False, limit: int = 1000
) -> str | None:
    value = payload.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RequestError(field, "is required")
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise RequestError(field, f"must be text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > limit:
        raise RequestError(field, f"is {len(text)} characters long; at most {limit}")
    return text


def _identifier(payload: Mapping[str, Any], field: str, *, required: bool = False) -> str | None:
    """An id sent by the client, of the documented character set (:mod:`..identifiers`)."""
    value = _text(payload, field, required=required, limit=MAX_ID_LENGTH * 4)
    if value is None:
        return None
    problem = id_problem(value)
    if problem:
        raise RequestError(field, problem)
    return value


def _number(payload: Mapping[str, Any], field: str, *, required: bool = False) -> float | None:
    value = payload.get(field)
    if value is None or value == "":
        if required:
            raise RequestError(field, "is required")
        return None
    if isinstance(value, bool):
        raise RequestError(field, "must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RequestError(field, f"must be a number, got {str(value)[:40]!r}") from None
    if not np.isfinite(number):
        raise RequestError(field, "must be a finite number")
    return number


@functools.lru_cache(maxsize=64)
def _parse_crs_cached(text: str):
    return parse_crs(text)


def own_id(incident_id: str, client: str) -> str:
    """The id a request of ``client`` is stored under when its ``incident_id`` is already
    used in another area: the id (cut to fit) and 8 hex digits of the sender and the id, so
    a retry of the same request finds the same incident."""
    digest = hashlib.sha256(f"{client}\x00{incident_id}".encode()).hexdigest()[:8]
    return f"{incident_id[: MAX_ID_LENGTH - 9]}:{digest}"


def _new_id(reported_ms: int) -> str:
    """``R<Beijing time yyyymmddHHMMSS><6 hex digits>``."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(reported_ms / 1000 + 8 * 3600))
    return f"R{stamp}{secrets.token_hex(3).upper()}"


def _body_hash(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
