"""The administrative hierarchy and its codes: district (区) → street (街道) → community (社区)
→ grid (网格).

Codes follow the national statistical division codes: a district has 6 digits, a street 9, a
community 12; a grid code extends its community's (15 digits in the demo). A code therefore
says its level, and every area's code begins with the codes of the areas it lies in.
"""

from __future__ import annotations

from typing import Any

#: Area levels, from the top.
AREA_LEVELS: tuple[str, ...] = ("district", "street", "community", "grid")
#: The level of each area data set, by the plural name the layer catalogue and the demo's
#: GeoPackage give it.
LEVEL_OF_LAYER: dict[str, str] = {
    "districts": "district",
    "streets": "street",
    "communities": "community",
    "grids": "grid",
}
#: Digits of a code by level (a grid's code is longer than its community's).
CODE_LENGTHS: dict[str, int] = {"district": 6, "street": 9, "community": 12}
#: The incident column holding the code of each level an incident is filed under.
INCIDENT_COLUMNS: dict[str, str] = {
    "street": "street_code",
    "community": "community_code",
    "grid": "grid_code",
}


def level_of(code: str) -> str:
    """The level of an area ``code`` by its length.

    Raises
    ------
    ValueError
        For a code that is not digits, or shorter than a district's, or between the lengths.
    """
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        raise ValueError(f"an area code is digits, got {str(code)[:40]!r}")
    for level, length in CODE_LENGTHS.items():
        if len(code) == length:
            return level
    if len(code) > CODE_LENGTHS["community"]:
        return "grid"
    raise ValueError(
        f"area code {code!r} has {len(code)} digits; a district has 6, a street 9, "
        "a community 12, a grid more"
    )


def child_level(code: str | None) -> str | None:
    """The level of the areas an area ``code`` is split into (a street for the whole
    district, ``None``; none below a grid)."""
    if code is None:
        return "street"
    index = AREA_LEVELS.index(level_of(code))
    return AREA_LEVELS[index + 1] if index + 1 < len(AREA_LEVELS) else None


def incident_column(code: str | None) -> str | None:
    """The incident column an area ``code`` is matched on (``None``: no code, or a district:
    the whole store)."""
    if not code:
        return None
    return INCIDENT_COLUMNS.get(level_of(code))


def area_condition(code: str | None, alias: str = "") -> tuple[str, list[Any]]:
    """An SQL condition confining incidents (table ``alias``) to area ``code``, and its
    parameters; ``("1=1", [])`` for the whole store."""
    column = incident_column(code)
    if column is None:
        return "1=1", []
    return f"{alias + '.' if alias else ''}{column} = ?", [code]


def ancestor_code(code: str | None, level: str) -> str | None:
    """The code of the ``level`` area that area ``code`` lies in, read off the code itself
    (codes extend their parents'); ``None`` when the code is too short or not digits."""
    length = CODE_LENGTHS[level]
    if not isinstance(code, str) or not code.isdigit() or len(code) <= length:
        return None
    return code[:length]


def lies_in(code: str | None, area_code: str | None) -> bool:
    """Whether area ``code`` lies in area ``area_code`` (itself included; ``None``: all)."""
    if not area_code:
        return True
    return isinstance(code, str) and code.startswith(area_code)
