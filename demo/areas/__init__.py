"""Deterministic base layers (一本账): districts, streets, communities, grids, buildings.

Two scale tiers share one generator:

``"district"``
    Chenghua 成华区 (510108): its real outline (108 km², ``data/chengdu-districts.geojson``),
    its 11 real streets and 83 real communities (names and codes from
    ``data/chengdu_admin_divisions.csv``), about 1,200 grids and 25,000 buildings.
``"city"``
    Chengdu: its 20 districts in their real outlines, 261 streets, 3,047 communities, about
    20,000 grids and 600,000 buildings. Chenghua is the very same subtree as in the
    district tier.

Below the districts the areas are a strict hierarchy of partitions built with Voronoi
cells clipped to their parent (district -> street -> community -> grid), so each street is
exactly the union of its communities and each community the union of its grids. Buildings
lie inside their grid and do not overlap. Geometry is built in EPSG:4544 (CGCS2000 /
3-degree Gauss-Kruger CM 105E, metres) and returned in EPSG:4326 (WGS84 longitude/latitude,
degrees).

All randomness comes from :func:`numpy.random.default_rng` streams derived from ``seed``
and a fixed stream name, so the same seed always gives identical output.

The package, one job a module: :mod:`~gridmap.demo.areas.generate` (:func:`make_areas`),
:mod:`~gridmap.demo.areas.write` (:func:`write_areas`), :mod:`~gridmap.demo.areas.tiers`
(the Chenghua and rest-of-city subtrees), :mod:`~gridmap.demo.areas.divisions` (the division
table and attribute frames), :mod:`~gridmap.demo.areas.real` (the real district
outlines), :mod:`~gridmap.demo.areas.seeds` (where Chenghua's streets start),
:mod:`~gridmap.demo.areas.density` (where people live), :mod:`~gridmap.demo.areas.partition`
(splitting a parent into cells), :mod:`~gridmap.demo.areas.grids` (grids and their workers),
:mod:`~gridmap.demo.areas.lattice` (building footprints), :mod:`~gridmap.demo.areas.buildings`
(building addresses and residents), :mod:`~gridmap.demo.areas.weights` (incident weights
per grid) and :mod:`~gridmap.demo.areas.base` (CRSs, codes, tiers, random streams).
"""

from __future__ import annotations

from gridmap.demo.areas.base import (
    CHENGDU_BBOX,
    CHENGHUA_BBOX,
    DEFAULT_REFERENCE_CSV,
    LAYERS,
    METRIC_CRS,
)
from gridmap.demo.areas.generate import make_areas
from gridmap.demo.areas.write import write_areas

__all__ = [
    "CHENGDU_BBOX",
    "CHENGHUA_BBOX",
    "DEFAULT_REFERENCE_CSV",
    "LAYERS",
    "METRIC_CRS",
    "make_areas",
    "write_areas",
]
