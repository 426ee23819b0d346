"""Reading a CRS declaration: :func:`parse_crs` turns an EPSG code (int or string), a name
(WGS84, CGCS2000, GCJ-02, BD-09 and their spellings), a WKT or PROJ string or a
:class:`pyproj.CRS` into a :class:`~gridmap.geo.crs.base.SourceCRS`, or raises a
:class:`~gridmap.geo.crs.base.CRSError` listing the accepted forms.
"""

from __future__ import annotations

import re

import numpy as np
import pyproj
import pyproj.exceptions

from gridmap.geo.crs.base import BD09, GCJ02, CRSError, CRSSpec, SourceCRS, _pyproj_label

_ALLOWED_FORMS = (
    "use an EPSG code (4490, '4490', 'EPSG:4544'), a name ('WGS84', 'CGCS2000', "
    "'GCJ-02'/'gcj02'/'mars', 'BD-09'/'bd09'/'baidu'), a WKT or PROJ string, or a pyproj.CRS"
)
_NAMED_EPSG = {"wgs84": 4326, "cgcs2000": 4490}
_GCJ02_NAMES = frozenset({"gcj02", "gcj", "mars"})
_BD09_NAMES = frozenset({"bd09", "bd09ll", "baidu"})
_EPSG_PATTERN = re.compile(r"^(?:epsg:?)?(\d+)$")


def _short(spec: object, limit: int = 80) -> str:
    """``repr(spec)`` for messages, cut short (a WKT string can be kilobytes)."""
    text = repr(spec)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _from_pyproj(crs: pyproj.CRS, spec: object) -> SourceCRS:
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(
            f"CRS {_short(spec)} ({crs.name}) is neither geographic nor projected, so 2-D map "
            f"coordinates cannot be in it; {_ALLOWED_FORMS}"
        )
    return SourceCRS("pyproj", crs, _pyproj_label(crs))


def _from_epsg(code: int, spec: object) -> SourceCRS:
    try:
        crs = pyproj.CRS.from_epsg(code)
    except pyproj.exceptions.CRSError:
        raise CRSError(
            f"unknown EPSG code {code} in CRS {_short(spec)}; {_ALLOWED_FORMS}"
        ) from None
    return _from_pyproj(crs, spec)


def _from_string(spec: str) -> SourceCRS:
    key = re.sub(r"[\s_\-]", "", spec.lower())
    if not key:
        raise CRSError(f"empty CRS {_short(spec)}; {_ALLOWED_FORMS}")
    if key in _GCJ02_NAMES:
        return GCJ02
    if key in _BD09_NAMES:
        return BD09
    if key in _NAMED_EPSG:
        return _from_epsg(_NAMED_EPSG[key], spec)
    match = _EPSG_PATTERN.match(key)
    if match:
        return _from_epsg(int(match.group(1)), spec)
    try:
        crs = pyproj.CRS.from_user_input(spec)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"unknown CRS {_short(spec)}; {_ALLOWED_FORMS}") from exc
    return _from_pyproj(crs, spec)


def parse_crs(spec: CRSSpec) -> SourceCRS | None:
    """Interpret a CRS declaration.

    Parameters
    ----------
    spec
        None (nothing declared); an EPSG code as int (``4490``) or string (``"4490"``,
        ``"EPSG:4544"``); a name: ``"WGS84"``, ``"CGCS2000"``, ``"GCJ-02"``/``"gcj02"``/
        ``"mars"``, ``"BD-09"``/``"bd09"``/``"baidu"`` (case, spaces, ``-`` and ``_`` are
        ignored); a WKT or PROJ string; a :class:`pyproj.CRS`; or a :class:`SourceCRS`
        (returned as is).

    Returns
    -------
    SourceCRS or None
        None exactly when ``spec`` is None.

    Raises
    ------
    CRSError
        If the spec is not understood; the message lists the accepted forms.
    """
    if spec is None or isinstance(spec, SourceCRS):
        return spec
    if isinstance(spec, pyproj.CRS):
        return _from_pyproj(spec, spec)
    if isinstance(spec, bool | np.bool_) or not isinstance(spec, int | np.integer | str):
        raise CRSError(
            f"cannot use {_short(spec)} ({type(spec).__name__}) as a CRS; {_ALLOWED_FORMS}"
        )
    if not isinstance(spec, str):
        return _from_epsg(int(spec), spec)
    return _from_string(spec)
