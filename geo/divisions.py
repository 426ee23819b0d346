"""Area codes checked against the national division table (GB/T 2260 and the statistical
division codes of streets and communities) kept in ``data/chengdu_admin_divisions.csv``.

Boundary files from outside often carry codes that have since changed (郫县 510124 became
郫都区 510117 in 2016; 新津县 510132 became 新津区 510118 in 2020). Incidents are filed
under today's codes, so an area with an old code would never match its incidents. The import
keeps the file's codes and reports each mismatch with the code the table has for that name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

#: The division table: one row per community, with its street and district.
DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "chengdu_admin_divisions.csv"

#: Table columns holding the code and the name of each level.
_COLUMNS = {
    "district": ("district_code", "district_name"),
    "street": ("street_code", "street_name"),
    "community": ("community_code", "community_name"),
}
#: Suffixes a name may carry in one source and not in another.
_SUFFIXES = ("居民委员会", "居委会", "村民委员会", "村委会")


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    return pd.read_csv(DIVISIONS_CSV, dtype=str)


def _plain_name(name: str) -> str:
    name = str(name).strip()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _stem(name: str) -> str:
    """A district's name without 区/县/市, which changes when a county becomes a district."""
    return name[:-1] if len(name) > 2 and name[-1] in "区县市" else name


def reference(level: str) -> dict[str, str]:
    """Code → name of every area of ``level`` (district, street, community) in the table."""
    code_col, name_col = _COLUMNS[level]
    rows = _table().drop_duplicates(code_col)
    return dict(zip(rows[code_col], rows[name_col].map(_plain_name), strict=True))


def check_codes(codes: pd.Series, names: pd.Series, level: str) -> list[dict[str, str]]:
    """Areas whose code the division table does not hold, or holds under another name.

    Only codes inside the table's coverage are judged (those that start with a district
    code of the table's city); areas of other cities are not reported.

    Parameters
    ----------
    codes, names
        The imported areas' codes and names, aligned.
    level
        ``district``, ``street`` or ``community``; other levels (grids) are not in the table.

    Returns
    -------
    list of dict
        ``code``, ``name``, ``problem`` (``unknown_code`` or ``other_name``), ``suggested``
        (the table's code for that name at that level, or ``""``) and ``message``.
    """
    if level not in _COLUMNS:
        return []
    known = reference(level)
    by_name: dict[str, list[str]] = {}
    for code, name in known.items():
        by_name.setdefault(name, []).append(code)
    by_stem: dict[str, list[str]] = {}
    for code, name in known.items():
        by_stem.setdefault(_stem(name), []).append(code)
    city_prefixes = {code[:4] for code in reference("district")}
    issues = []
    for code, name in zip(codes.astype(str), names.fillna("").astype(str), strict=True):
        plain = _plain_name(name)
        if code[:4] not in city_prefixes:
            continue
        if code in known:
            if plain and known[code] != plain:
                issues.append(
                    {
                        "code": code,
                        "name": name,
                        "problem": "other_name",
                        "suggested": "",
                        "message": f"{code} {name}: the division table names this code "
                        f"{known[code]}",
                    }
                )
            continue
        matches = by_name.get(plain) or by_stem.get(_stem(plain), [])
        suggested = matches[0] if len(matches) == 1 else ""
        hint = f"; the table has {known[suggested]} as {suggested}" if suggested else ""
        issues.append(
            {
                "code": code,
                "name": name,
                "problem": "unknown_code",
                "suggested": suggested,
                "message": f"{code} {name}: code not in the division table (an old code?)"
                f"{hint}. Incidents are filed under the table's codes.",
            }
        )
    return issues
