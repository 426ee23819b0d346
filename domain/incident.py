"""One builder of a new incident: the row the store keeps and its first workflow event, made
the same way whether the report came through the API, a file import or the simulator.

From what was reported (its service code, priority, time, place and the areas it lies in) it
derives the rest by the rules of the floor: the category, the unit it is routed to (with its
street's and community's names), the state ``reported`` and that stage's deadline.
Times are epoch milliseconds (UTC); the location is WGS84 lon/lat degrees.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gridmap.domain.categories import SOURCES, category_of
from gridmap.domain.routing import route
from gridmap.domain.sla import allowed_hours


@dataclasses.dataclass(frozen=True)
class Place:
    """Where an incident lies: WGS84 lon/lat (``None`` when it came without), the
    coordinates as sent and their CRS, and the areas it lies in with their names."""

    lon: float | None
    lat: float | None
    source_crs: str = "EPSG:4326"
    source_x: float | None = None
    source_y: float | None = None
    grid_code: str | None = None
    community_code: str | None = None
    street_code: str | None = None
    street_name: str | None = None
    community_name: str | None = None


def new_incident(
    incident_id: str,
    subcategory: str,
    *,
    reported_ms: int,
    place: Place,
    priority: int = 3,
    source: str = "resident",
    description: str = "",
    client: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The incident row and its ``report`` event.

    Raises
    ------
    KeyError
        For an unknown service code (naming the known ones) or source.
    """
    category = category_of(subcategory)
    if source not in SOURCES:
        raise KeyError(f"unknown source {source!r}; allowed: {list(SOURCES)}")
    deadline = reported_ms + int(allowed_hours("reported", category.code, priority) * 3_600_000)
    row = {
        "incident_id": incident_id,
        "source": source,
        "category": category.code,
        "subcategory": subcategory,
        "priority": int(priority),
        "reported_at": reported_ms,
        "lon": place.lon,
        "lat": place.lat,
        "source_crs": place.source_crs,
        "source_x": place.lon if place.source_x is None else place.source_x,
        "source_y": place.lat if place.source_y is None else place.source_y,
        "grid_code": place.grid_code,
        "community_code": place.community_code,
        "street_code": place.street_code,
        "description": description,
        "department": route(subcategory, place.street_name, place.community_name),
        "status": "reported",
        "stage_entered_at": reported_ms,
        "deadline": deadline,
        "closed_at": None,
        "escalated": 0,
        "last_event_at": reported_ms,
        "api_client": client,
    }
    event = {
        "incident_id": incident_id,
        "at": reported_ms,
        "action": "report",
        "from_state": None,
        "to_state": "reported",
        "actor": SOURCES[source][0],
        "note": None,
        "department": None,
        "deadline": deadline,
    }
    return row, event
