"""Which area, building or incident a drill-down page shows, decided on the server for the
caller: anything outside the caller's area is as unknown as a code that does not exist.

Pages are addressed by their URL (the URL is the state): ``/area/<code>`` (the code says the
level: 6 digits a district, 9 a street, 12 a community, longer a grid), ``/building/<id>`` and
``/incident/<id>``. Breadcrumbs run from the district down; the areas above the caller's own
are named but not linked.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gridmap.dashboard.shared.context import AppContext
from gridmap.dashboard.shared.i18n import t
from gridmap.domain.access import Scope
from gridmap.domain.areas import ancestor_code, child_level, level_of
from gridmap.domain.identifiers import is_valid_id

#: The path of each kind of page.
AREA_PATH = "/area/{}"
BUILDING_PATH = "/building/{}"
INCIDENT_PATH = "/incident/{}"


@dataclasses.dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumbs: its label, and its page (``None``: not the caller's)."""

    label: str
    href: str | None


@dataclasses.dataclass(frozen=True)
class AreaView:
    """An area as a page shows it.

    Attributes
    ----------
    code
        The area's code; ``query_code`` is what the store is asked with (``None`` for the
        district: the whole store).
    level, name, bounds
        Its level, name and ``[minx, miny, maxx, maxy]`` (WGS84 degrees).
    props
        Its ledger fields (a grid's worker and phone).
    """

    code: str
    level: str
    name: str
    bounds: list[float]
    props: dict[str, Any]

    @property
    def query_code(self) -> str | None:
        return None if self.level == "district" else self.code

    @property
    def child_level(self) -> str | None:
        return child_level(self.query_code)


def own_area_code(ctx: AppContext, scope: Scope) -> str:
    """The code of the caller's own area (the district's for district roles)."""
    return scope.area_code or ctx.settings.district_code


def area_view(ctx: AppContext, scope: Scope, code: Any) -> AreaView | None:
    """The area ``code`` if it exists and lies in the caller's area, else ``None``."""
    if not isinstance(code, str) or not code.isdigit() or len(code) > 24:
        return None
    try:
        level = level_of(code)
    except ValueError:
        return None
    if level == "district":
        if scope.area_code or code != ctx.settings.district_code:
            return None
    elif not scope.contains_code(code):
        return None
    row = ctx.store.area_row(code)
    if row is None:
        if level != "district":
            return None
        bounds = ctx.area_bounds(None)  # a store without its district's outline
        return AreaView(code, "district", ctx.district_view()[2], bounds, {})
    return AreaView(code, row["level"], row["name"] or code, row["bounds"], row["props"])


def crumbs(ctx: AppContext, scope: Scope, code: str, lang: str = "zh") -> list[Crumb]:
    """Breadcrumbs from the district to area ``code`` (itself last)."""
    names = ctx.names()
    steps = [ctx.settings.district_code]
    steps += [a for a in (ancestor_code(code, "street"), ancestor_code(code, "community")) if a]
    if level_of(code) != "district":
        steps.append(code)
    out = []
    for step in steps:
        level = level_of(step)
        label = names.get(step) or (ctx.district_view()[2] if level == "district" else None)
        if label is None:  # a grid: named by its code, as the ledgers do
            label = t("grid_code", lang).format(step) if level == "grid" else step
        mine = scope.contains_code(step) if level != "district" else not scope.area_code
        out.append(Crumb(label, AREA_PATH.format(step) if mine else None))
    return out


def building_view(ctx: AppContext, scope: Scope, building_id: Any) -> dict[str, Any] | None:
    """A building's ledger row if it exists and lies in the caller's area, else ``None``."""
    if not isinstance(building_id, str) or not is_valid_id(building_id):
        return None
    row = ctx.store.building_row(building_id)
    if row is None or not scope.contains_code(row.get("grid_code")):
        return None
    return row


def incident_view(ctx: AppContext, scope: Scope, incident_id: Any) -> dict[str, Any] | None:
    """An incident's row if it exists and lies in the caller's area, else ``None``."""
    if not isinstance(incident_id, str) or not is_valid_id(incident_id):
        return None
    row = ctx.store.get_incident(incident_id)
    if row is None or not scope.allows(row):
        return None
    return row


def page_exists(ctx: AppContext, scope: Scope, path: str) -> bool:
    """Whether a drill-down ``path`` names something the caller may see (the server answers
    404 before any page is drawn otherwise)."""
    kind, _slash, key = path.strip("/").partition("/")
    if not key or "/" in key:
        return False
    if kind == "area":
        return area_view(ctx, scope, key) is not None
    if kind == "building":
        return building_view(ctx, scope, key) is not None
    if kind == "incident":
        return incident_view(ctx, scope, key) is not None
    return False


#: Half the side of the map around an incident or a building, degrees (about 250 m).
AROUND_DEG = 0.0025


@dataclasses.dataclass(frozen=True)
class MapTarget:
    """Where a page's map looks: ``bounds`` (WGS84 degrees) shown whole, the ``area`` code
    it outlines and drills down from, the building or incident it marks (``focus``) at
    ``point`` (``[lon, lat]``)."""

    bounds: list[float]
    area: str
    focus: str = ""
    point: list[float] | None = None


def around(lon: float, lat: float) -> list[float]:
    """Bounds of :data:`AROUND_DEG` around a point."""
    return [lon - AROUND_DEG, lat - AROUND_DEG, lon + AROUND_DEG, lat + AROUND_DEG]


def map_target(ctx: AppContext, scope: Scope, path: str) -> MapTarget | None:
    """Where the map of the page at ``path`` (``/``, ``/area/…``, ``/building/…``,
    ``/incident/…``) looks for the caller; ``None`` for what the caller may not see."""
    kind, _slash, key = path.strip("/").partition("/")
    if kind == "":
        kind, key = "area", own_area_code(ctx, scope)
    if kind == "area":
        area = area_view(ctx, scope, key)
        return None if area is None else MapTarget(area.bounds, area.code)
    if kind == "building":
        row = building_view(ctx, scope, key)
        if row is None:
            return None
        area = row.get("grid_code") or own_area_code(ctx, scope)
        point = [row["lon"], row["lat"]]
        return MapTarget(around(*point), area, row["building_id"], point)
    if kind == "incident":
        row = incident_view(ctx, scope, key)
        if row is None:
            return None
        area = (
            row.get("grid_code")
            or row.get("community_code")
            or row.get("street_code")
            or own_area_code(ctx, scope)
        )
        if row.get("lon") is not None and row["lon"] == row["lon"]:
            point = [float(row["lon"]), float(row["lat"])]
            return MapTarget(around(*point), area, row["incident_id"], point)
        place = ctx.store.area_row(area)
        bounds = place["bounds"] if place else ctx.area_bounds(scope)
        return MapTarget(bounds, area, row["incident_id"])
    return None
