"""What a source CRS is: :class:`SourceCRS` (a pyproj CRS, or the GCJ-02 / BD-09 web-map
systems in longitude/latitude degrees), the :data:`WGS84` (EPSG:4326) target and the
:data:`GCJ02` and :data:`BD09` constants, and the two errors every step raises:
:class:`CRSError` (an unusable declaration) and :class:`CoordinateError` (coordinates that
cannot be right).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from typing import Literal

import pyproj
import pyproj.exceptions


class CRSError(ValueError):
    """A CRS declaration that cannot be understood or used."""


class CoordinateError(ValueError):
    """Coordinates that cannot be right (swapped, outside China, projected without a CRS).

    Parameters
    ----------
    problem
        What is wrong and where.
    hint
        What to do about it.
    rows
        Labels of the first offending rows/features (empty if not row-specific).
    """

    def __init__(self, problem: str, *, hint: str = "", rows: Sequence[Hashable] = ()) -> None:
        self.problem = problem
        self.hint = hint
        self.rows = tuple(rows)
        super().__init__(f"{problem}; {hint}" if hint else problem)


@dataclasses.dataclass(frozen=True)
class SourceCRS:
    """The coordinate system input data are in.

    Attributes
    ----------
    kind
        ``"pyproj"`` for anything pyproj understands, ``"gcj02"`` or ``"bd09"`` for the
        Chinese web-map systems (longitude/latitude in degrees).
    crs
        The pyproj CRS for ``kind == "pyproj"``, else None.
    label
        Human-readable name for messages, e.g. ``"EPSG:4490 (China Geodetic ...)"``.
    """

    kind: Literal["pyproj", "gcj02", "bd09"]
    crs: pyproj.CRS | None
    label: str

    def __str__(self) -> str:
        return self.label


CRSSpec = SourceCRS | pyproj.CRS | int | str | None

GCJ02 = SourceCRS("gcj02", None, "GCJ-02 (Mars coordinates, AMap/Tencent)")
BD09 = SourceCRS("bd09", None, "BD-09 (Baidu coordinates)")


def _pyproj_label(crs: pyproj.CRS) -> str:
    name = crs.name if crs.name and crs.name != "unknown" else crs.srs
    code = crs.to_epsg()
    return f"EPSG:{code} ({name})" if code is not None else name


#: WGS84 longitude/latitude, the CRS everything is converted to.
WGS84 = SourceCRS("pyproj", pyproj.CRS.from_epsg(4326), _pyproj_label(pyproj.CRS.from_epsg(4326)))
