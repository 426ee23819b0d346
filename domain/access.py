"""Who may see what: roles, and the area a caller is confined to (its scope).

Every data path — dashboard callbacks, live routes, exports and API reads — asks for the
caller's :class:`Scope` on the server and filters with it; the UI never decides alone.

Roles (docs/ARCHITECTURE.md, "Who uses it"):

========== ================= ============ ========================================
role       who               area         personal data in descriptions
========== ================= ============ ========================================
centre     区大联动中心       the district masked (a shared screen)
street     街道分中心         one street   shown (they handle the incidents)
community  社区工作站         one community shown
planner    规划分析           the district masked (exports leave the building)
========== ================= ============ ========================================
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gridmap.domain.areas import CODE_LENGTHS, area_condition, incident_column, level_of, lies_in
from gridmap.domain.privacy import column_mask, mask_personal


class AccessError(PermissionError):
    """A caller asked for something outside its area (HTTP 403); ``field`` names what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class Role:
    """A role: its name, its label, the level of area it is tied to, whether it may read
    personal data unmasked."""

    name: str
    label: str
    level: str  # "district", "street" or "community"
    personal_data: bool


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("centre", "区大联动中心", "district", False),
        Role("street", "街道分中心", "street", True),
        Role("community", "社区工作站", "community", True),
        Role("planner", "规划分析", "district", False),
    )
}


def role_of_area(area_code: str) -> str:
    """The role of a caller confined to ``area_code`` (a street's or a community's)."""
    return "street" if level_of(area_code) == "street" else "community"


def check_role_area(role: str, area_code: str | None) -> str | None:
    """Validate a role and its area code; returns the area code (``None`` for district roles).

    Raises
    ------
    ValueError
        Naming the allowed roles, or the code length the role needs.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; allowed: {sorted(ROLES)}")
    level = ROLES[role].level
    if level == "district":
        return None
    if not area_code or not area_code.isdigit() or len(area_code) != CODE_LENGTHS[level]:
        raise ValueError(
            f"role {role!r} needs the {CODE_LENGTHS[level]}-digit code of its {level} "
            f"(e.g. 510108004{'006' if level == 'community' else ''}), got {area_code!r}"
        )
    return area_code


@dataclasses.dataclass(frozen=True)
class Scope:
    """What one caller may see.

    Parameters
    ----------
    user
        Login name (or API client name).
    role
        A key of :data:`ROLES`.
    area_code
        The street (9 digits) or community (12 digits) the caller is confined to; ``None``
        for the whole district.
    """

    user: str
    role: str
    area_code: str | None = None

    @classmethod
    def district(cls, user: str = "centre") -> Scope:
        """The district centre's scope (everything, personal data masked)."""
        return cls(user, "centre", None)

    @property
    def personal_data(self) -> bool:
        return ROLES[self.role].personal_data

    @property
    def column(self) -> str | None:
        """The incidents column the area is matched on (``None``: no restriction)."""
        return incident_column(self.area_code)

    def where(self, alias: str = "") -> tuple[str, list[Any]]:
        """An SQL condition on the incidents table (``alias.`` prefixed) and its parameters;
        ``("1=1", [])`` for the whole district."""
        return area_condition(self.area_code, alias)

    def contains_code(self, code: str | None) -> bool:
        """Whether the area ``code`` (street, community, grid; codes extend their parent's)
        lies in the scope."""
        return lies_in(code, self.area_code)

    def shows_outline(self, code: str | None) -> bool:
        """Whether the outline of area ``code`` may be drawn for this caller: its own area,
        what lies in it, and the areas it lies in (for orientation)."""
        if not self.area_code:
            return True
        return isinstance(code, str) and (
            lies_in(code, self.area_code) or lies_in(self.area_code, code)
        )

    def allows(self, incident: dict[str, Any]) -> bool:
        """Whether an incident row (with its area codes) lies in the scope."""
        column = self.column
        return column is None or incident.get(column) == self.area_code

    def text(self, description: str | None) -> str | None:
        """A description as this caller may read it (masked unless the role allows)."""
        return description if self.personal_data else mask_personal(description)

    def field(self, column: str, value: Any) -> Any:
        """A personal field (a grid worker's or watcher's name or phone, a description) as
        this caller may read it: as it is, or masked the way the column's kind is masked."""
        mask = None if self.personal_data else column_mask(column)
        return mask(str(value)) if mask is not None and value not in (None, "") else value
