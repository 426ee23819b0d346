"""What every figure shares: the area levels and the incident column holding each level's
code, the open/closed/void states and the near-due share (defaults mirroring
``gridmap.domain.workflow`` and ``gridmap.domain.sla``), and the column-wise steps every figure
is built from: area codes to integer positions, masked ``numpy.bincount`` per area (int64
counts), counts per value of a column, rates as shares in 0–1 (NaN where the denominator is
0) and the ``unassigned``/``unmatched`` counts of incidents left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

#: Area level → the incident column holding its code.
LEVEL_COLUMNS: dict[str, str] = {
    "grid": "grid_code",
    "community": "community_code",
    "street": "street_code",
}
#: States in which an incident still needs work (mirrors ``gridmap.domain.workflow``).
OPEN_STATES: tuple[str, ...] = (
    "reported",
    "accepted",
    "dispatched",
    "in_progress",
    "handled",
    "verified",
)
#: States in which an incident needs no more work.
CLOSED_STATES: tuple[str, ...] = ("closed", "void")
#: Closed states that are not a closure (作废): left out of closure and on-time rates.
VOID_STATES: tuple[str, ...] = ("void",)
#: Share of a stage's time left under which an open incident is near-due (临期).
NEAR_DUE_SHARE = 0.2

Level = Literal["grid", "community", "street"]


def _level_column(level: str) -> str:
    """The code column of an area level."""
    try:
        return LEVEL_COLUMNS[level]
    except KeyError:
        raise ValueError(f"unknown level {level!r}; known: {list(LEVEL_COLUMNS)}") from None


def _area_codes(codes: pd.Series, areas: Iterable[str] | None) -> tuple[np.ndarray, pd.Index]:
    """Integer area position per incident (-1: no code, or a code not in ``areas``)."""
    if areas is None:
        positions, uniques = pd.factorize(codes, sort=True)
        index = pd.Index(uniques, name=codes.name)
    else:
        index = pd.Index(list(areas), name=codes.name)
        if not index.is_unique:
            raise ValueError("areas has duplicate codes")
        positions = index.get_indexer(codes)
    return np.asarray(positions, dtype=np.int64), index


def _lost_counts(codes: pd.Series, positions: np.ndarray, among: np.ndarray) -> dict[str, int]:
    """``unassigned`` (no code) and ``unmatched`` (code not in the areas) among ``among``."""
    missing = codes.isna().to_numpy(dtype=bool)
    return {
        "unassigned": int((among & missing).sum()),
        "unmatched": int((among & ~missing & (positions < 0)).sum()),
    }


def _bincount(positions: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """int64 count per position ``0..n-1`` of the masked rows (negative positions dropped)."""
    use = mask & (positions >= 0)
    return np.bincount(positions[use], minlength=n).astype(np.int64)


def _rate(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` as float, NaN where the denominator is 0 (or NaN)."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _counts_by_value(
    codes: np.ndarray, keep: np.ndarray, values: pd.Series, n: int
) -> dict[str, np.ndarray]:
    """``{value: counts per area}`` for each distinct non-missing value, in sorted order."""
    value_codes, uniques = pd.factorize(values, sort=True)
    keep = keep & (value_codes >= 0)
    k = len(uniques)
    flat = np.bincount(codes[keep] * k + value_codes[keep], minlength=n * k)
    table = flat.reshape(n, k).astype(np.int64)
    return {value: table[:, j] for j, value in enumerate(uniques)}
