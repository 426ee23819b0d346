"""Routing: which unit an incident is dispatched to, by category and area.

Like FixMyStreet's body + category contacts: a table of (category prefix, unit kind). Units are
either district departments (区级部门) or the street office (街道办) / community workstation
(社区工作站) of the incident's own area. Subcategory rows win over category rows.
"""

from __future__ import annotations

#: (category or subcategory code) → (unit kind, unit name). ``street``/``community`` kinds are
#: resolved to the incident's own street office / community workstation.
ROUTES: dict[str, tuple[str, str]] = {
    "SR": ("department", "区城市管理和综合执法局"),
    "XC": ("department", "区城市管理和综合执法局"),
    "SG": ("department", "区住房和城乡建设局"),
    "JM": ("street", "街道综合执法中队"),
    "TF": ("department", "区应急管理局"),
    "SS": ("department", "区市政设施管理所"),
    "SS02": ("department", "区城市照明管理所"),
    "MD": ("street", "街道综治中心"),
    "AQ": ("department", "区消防救援大队"),
    "AQ03": ("department", "区燃气安全监管站"),
    "MS": ("community", "社区工作站"),
    "MS01": ("department", "区水务局"),
}


def route(subcategory: str, street_name: str | None = None, community_name: str | None = None):
    """The responsible unit's name for an incident.

    Parameters
    ----------
    subcategory
        Open311 service code, e.g. ``"SS02"``.
    street_name, community_name
        Names of the incident's street and community (for units of kind street / community).

    Returns
    -------
    str
        e.g. ``"区城市照明管理所"`` or ``"双桥子街道综治中心"``.

    Raises
    ------
    KeyError
        For a code with no route; the message names the routed codes.
    """
    kind, unit = ROUTES.get(subcategory) or ROUTES.get(subcategory[:2]) or (None, None)
    if kind is None:
        raise KeyError(f"no route for {subcategory!r}; routed: {sorted(ROUTES)}")
    if kind == "street" and street_name:
        return street_name + unit.removeprefix("街道")
    if kind == "community" and community_name:
        return community_name + unit.removeprefix("社区")
    return unit


#: The street office itself (街道办事处), a unit of every street beside those of the table.
STREET_OFFICE = "街道办事处"


def units_of(
    street_name: str | None, community_names: list[str] | tuple[str, ...] = ()
) -> list[str]:
    """The units an incident of a street may be dispatched to: the district's departments,
    the street's own units (its office and those of the routing table), then the
    workstations of its communities (each list sorted).

    Parameters
    ----------
    street_name
        The street's name, e.g. ``"双桥子街道"`` (``None``: departments only).
    community_names
        Names of the communities whose workstations are offered (the incident's own first).
    """
    departments = sorted({unit for kind, unit in ROUTES.values() if kind == "department"})
    if not street_name:
        return departments
    street = sorted(
        {
            street_name + unit.removeprefix("街道")
            for kind, unit in ROUTES.values()
            if kind == "street"
        }
        | {street_name + STREET_OFFICE.removeprefix("街道")}
    )
    workstation = next(unit for kind, unit in ROUTES.values() if kind == "community")
    communities = [name + workstation.removeprefix("社区") for name in community_names]
    return departments + street + list(dict.fromkeys(communities))


def unit_area(
    unit: str | None,
    street: tuple[str, str] | None,
    community: tuple[str, str] | None = None,
) -> str | None:
    """The code of the area whose unit ``unit`` is, for an incident of ``street`` and
    ``community`` (each ``(code, name)``): the community's for its workstation, the street's
    for the street's own units, ``None`` for a district department (or no unit)."""
    if not unit:
        return None
    for place in (community, street):
        if place and place[1] and unit.startswith(place[1]):
            return place[0]
    return None
