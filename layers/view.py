"""Where a map looks: the centre and web-map zoom that show an area whole.

Bounds are WGS84 lon/lat degrees; zoom is the web-map (MapLibre) zoom. The span is taken as
the wider of the width and 1.2 × the height (the map panels are wider than tall), and a span
of 0.6° fills a panel at zoom 9.9.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: Zoom at which a span of :data:`SPAN_AT_BASE` degrees fills a map panel.
BASE_ZOOM = 9.9
SPAN_AT_BASE = 0.6


def view_of_bounds(
    bounds: Sequence[float], *, min_zoom: float = 8.0, max_zoom: float = 16.0
) -> tuple[dict[str, float], float]:
    """``({"lat", "lon"}, zoom)`` showing ``(minx, miny, maxx, maxy)`` whole, the zoom held
    to ``[min_zoom, max_zoom]``."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    span = max(x1 - x0, (y1 - y0) * 1.2, 1e-3)
    zoom = BASE_ZOOM - math.log2(span / SPAN_AT_BASE)
    return {"lat": (y0 + y1) / 2, "lon": (x0 + x1) / 2}, float(max(min_zoom, min(max_zoom, zoom)))
