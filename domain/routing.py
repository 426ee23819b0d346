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
