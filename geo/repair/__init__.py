"""Repair messy boundary polygons (网格, 社区, 街道) before anything else uses them.

Boundary files from district, street and community offices are rarely clean:
self-intersecting rings (bow-ties), clockwise exterior rings, repeated points, spikes
(zero-width excursions), collapsed slivers, coordinates rounded to 1/1024 degree,
geometry collections, null and empty geometries. :func:`repair_polygons` turns every
feature into a valid ``Polygon`` / ``MultiPolygon`` oriented per RFC 7946 (exterior
rings counter-clockwise, holes clockwise) or rejects it with a reason, and writes down
what it did to each feature in a :class:`RepairReport`. Nothing disappears silently.

Coordinates stay in the input's geographic CRS (WGS84 / CGCS2000 lon/lat, degrees);
every area is measured in a metric CRS (default ``EPSG:4544``, CGCS2000 / 3-degree
Gauss-Kruger CM 105E) and reported in square metres.

Repairs use :func:`shapely.make_valid` with ``method="structure"``: exterior rings add
area and holes remove it, so a bow-tie keeps both triangles, a ring that loops over
itself keeps the whole covered footprint (``"linework"`` applies an even-odd rule and
punches the doubly covered part out as a hole), overlapping parts of a multipolygon
are unioned (``"linework"`` cuts their overlap out) and a hole that touches its shell
along a line stays a hole. ``keep_collapsed=True`` keeps parts that collapsed to lines
or points so they can be counted in the report before they are dropped.

The package, one job a module: :mod:`~gridmap.geo.repair.pipeline` (:func:`repair_polygons`,
the order of the steps and the output), :mod:`~gridmap.geo.repair.steps` (the repair steps on
the per-feature working state), :mod:`~gridmap.geo.repair.parts` (taking geometries apart and
putting polygons back together), :mod:`~gridmap.geo.repair.spikes` (finding and cutting
spikes), :mod:`~gridmap.geo.repair.measure` (areas in square metres in the metric CRS) and
:mod:`~gridmap.geo.repair.report` (:class:`RepairRecord` and :class:`RepairReport`).
"""

from __future__ import annotations

from gridmap.geo.repair.pipeline import repair_polygons
from gridmap.geo.repair.report import RepairRecord, RepairReport

__all__ = ["RepairRecord", "RepairReport", "repair_polygons"]
