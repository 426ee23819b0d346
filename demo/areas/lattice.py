"""Building footprints (EPSG:4544 metres): rotated rectangles on a jittered lattice inside
each grid, inset from its edge and kept apart by a gap, with the building kind (low-rise,
old slab, tower) drawn from the grid's character, laid out again with a smaller step where
a grid comes out short of its share.
"""

from __future__ import annotations

import dataclasses
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from gridmap.demo.areas.base import Floats, Geoms, Ints, _rank_in_group
from gridmap.demo.areas.density import _density
from gridmap.demo.areas.grids import _allocate

_MIN_SPACING_M: Final = 24.0  # smallest building lattice step
_GAP_M: Final = 5.0  # least distance between two buildings
_INSET_M: Final = 1.5  # least distance of a building from its grid's edge


#: Footprint ranges per building kind, metres: (length min, max, width min, max). Kinds are
#: 0 low-rise (shops, village houses), 1 old 6-7 storey slab, 2 high-rise tower.
_KIND_SIZE: Final = np.array(
    [[15.0, 25.0, 10.0, 14.0], [30.0, 60.0, 10.0, 14.0], [18.0, 35.0, 15.0, 25.0]]
)
#: Probability of each kind in a grid that is rural, an old quarter, a new estate or mixed.
_KIND_MIX: Final = np.array(
    [[0.88, 0.12, 0.00], [0.15, 0.75, 0.10], [0.12, 0.13, 0.75], [0.25, 0.40, 0.35]]
)
_ASPECT: Final = 1.3  # lattice cells are _ASPECT**2 times longer than wide
_PASSES: Final = 4  # lattice layouts tried per grid


@dataclasses.dataclass(frozen=True)
class _Candidates:
    """Building candidates: grid index, lattice slot, kind, size (m) and footprint."""

    grid: Ints
    slot: Ints
    kind: Ints
    length: Floats
    width: Floats
    footprint: Geoms

    def take(self, mask: npt.NDArray[np.bool_] | Ints) -> _Candidates:
        """The candidates selected by a boolean mask or an index array."""
        return _Candidates(
            self.grid[mask],
            self.slot[mask],
            self.kind[mask],
            self.length[mask],
            self.width[mask],
            self.footprint[mask],
        )

    @staticmethod
    def concat(parts: list[_Candidates]) -> _Candidates:
        """All candidates of several batches, in order."""
        return _Candidates(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("grid", "slot", "kind", "length", "width", "footprint")
            )
        )


def _choose_rows(p: Floats, rng: np.random.Generator) -> Ints:
    """One category per row of (unnormalised) probabilities ``p``."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(len(p)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), p.shape[1] - 1)


def _grid_character(dens: Floats, rng: np.random.Generator) -> Ints:
    """Character of each grid from its density: 0 rural, 1 old quarter, 2 new estate, 3 mixed."""
    rural = np.clip((0.10 - dens) / 0.07, 0.0, 1.0)
    old = np.clip(dens / 1.2, 0.1, 0.7)
    urban = 1.0 - rural
    p = np.column_stack([rural, urban * old, urban * (1 - old) * 0.55, urban * (1 - old) * 0.45])
    return _choose_rows(p, rng)


def _lattice_buildings(
    inner: Geoms, theta: Floats, spacing: Floats, character: Ints, rng: np.random.Generator
) -> _Candidates:
    """Rotated rectangles on a jittered lattice inside each polygon of ``inner`` (EPSG:4544).

    The lattice of polygon ``i`` is turned by ``theta[i]`` radians and has cells of
    ``spacing[i] * 1.3`` by ``spacing[i] / 1.3`` metres. Every building keeps to its own
    cell with a margin, so buildings never overlap; only those wholly inside ``inner[i]``
    are returned.
    """
    n = len(inner)
    coords, gi = shapely.get_coordinates(inner, return_index=True)
    centre = shapely.centroid(inner)
    ox, oy = shapely.get_x(centre), shapely.get_y(centre)
    cos, sin = np.cos(theta), np.sin(theta)
    dx, dy = coords[:, 0] - ox[gi], coords[:, 1] - oy[gi]
    u, v = dx * cos[gi] + dy * sin[gi], -dx * sin[gi] + dy * cos[gi]
    umin, vmin = np.full(n, np.inf), np.full(n, np.inf)
    umax, vmax = np.full(n, -np.inf), np.full(n, -np.inf)
    np.minimum.at(umin, gi, u)
    np.minimum.at(vmin, gi, v)
    np.maximum.at(umax, gi, u)
    np.maximum.at(vmax, gi, v)
    has = np.isfinite(umin)
    sx, sy = spacing * _ASPECT, spacing / _ASPECT
    nx = np.where(has, np.floor(np.where(has, umax - umin, 0) / sx) + 1, 0).astype(np.int64)
    ny = np.where(has, np.floor(np.where(has, vmax - vmin, 0) / sy) + 1, 0).astype(np.int64)
    phase_u, phase_v = rng.random(n), rng.random(n)
    g = np.repeat(np.arange(n), nx * ny)
    slot = _rank_in_group(g)
    lu = umin[g] + (slot % nx[g] + phase_u[g]) * sx[g]
    lv = vmin[g] + (slot // nx[g] + phase_v[g]) * sy[g]
    inside = shapely.contains_xy(
        inner[g], ox[g] + lu * cos[g] - lv * sin[g], oy[g] + lu * sin[g] + lv * cos[g]
    )
    g, slot, lu, lv = g[inside], slot[inside], lu[inside], lv[inside]
    m = len(g)
    kind = _choose_rows(_KIND_MIX[character[g]], rng)
    size = _KIND_SIZE[kind]
    length = np.minimum(size[:, 0] + rng.random(m) * (size[:, 1] - size[:, 0]), sx[g] - _GAP_M)
    width = np.minimum(size[:, 2] + rng.random(m) * (size[:, 3] - size[:, 2]), sy[g] - _GAP_M)
    lu = lu + (2 * rng.random(m) - 1) * (sx[g] - _GAP_M - length) / 2
    lv = lv + (2 * rng.random(m) - 1) * (sy[g] - _GAP_M - width) / 2
    corner_u = lu[:, None] + np.array([-1, 1, 1, -1, -1]) * length[:, None] / 2
    corner_v = lv[:, None] + np.array([-1, -1, 1, 1, -1]) * width[:, None] / 2
    c, s = cos[g][:, None], sin[g][:, None]
    x0, y0 = ox[g][:, None], oy[g][:, None]
    rings = np.stack([x0 + corner_u * c - corner_v * s, y0 + corner_u * s + corner_v * c], axis=-1)
    footprint = shapely.polygons(rings)
    ok = shapely.contains(inner[g], footprint)
    return _Candidates(g, slot, kind, length, width, footprint).take(ok)


def _place_buildings(grids: gpd.GeoDataFrame, target: int, rng: np.random.Generator) -> _Candidates:
    """About ``target`` buildings spread over the grids by area and density (EPSG:4544).

    Each grid gets a share of ``target`` and a lattice step to match. Grids that come out
    short (their lattice loses too many cells at the edges) are laid out again with a
    smaller step, up to ``_PASSES`` times; grids with too many candidates keep a random
    subset. Returns the buildings sorted by grid and lattice slot.
    """
    geoms = grids.geometry.to_numpy()
    n = len(geoms)
    inner = shapely.buffer(geoms, -_INSET_M)
    shapely.prepare(inner)
    area = shapely.area(inner)
    rep = shapely.point_on_surface(geoms)
    dens = _density(shapely.get_x(rep), shapely.get_y(rep))
    cap = np.floor(area * 0.6 / _MIN_SPACING_M**2).astype(np.int64)
    want = _allocate(target, area * dens**1.1 * rng.lognormal(0.0, 0.35, n), 0, cap)
    character = _grid_character(dens, rng)
    community = pd.factorize(grids["community_code"])[0]
    theta = rng.uniform(0, np.pi / 2, community.max() + 1)[community] + rng.normal(0, 0.06, n)
    spacing = np.maximum(np.sqrt(area / np.maximum(want, 1)) * 0.95, _MIN_SPACING_M)
    pending = np.flatnonzero(want > 0)
    picked: list[_Candidates] = []
    for attempt in range(_PASSES):
        cand = _lattice_buildings(
            inner[pending], theta[pending], spacing[pending], character[pending], rng
        )
        cand = dataclasses.replace(cand, grid=pending[cand.grid])
        got = np.bincount(cand.grid, minlength=n)
        last = attempt == _PASSES - 1
        done = (got >= want) | (spacing <= _MIN_SPACING_M * 1.001) | last
        final = cand.take(done[cand.grid])
        priority = rng.random(len(final.grid))
        order = np.lexsort((priority, final.grid))
        keep = np.zeros(len(order), bool)
        keep[order] = _rank_in_group(final.grid[order]) < want[final.grid[order]]
        picked.append(final.take(keep))
        retry = pending[~done[pending]]
        shrink = np.sqrt(np.maximum(got[retry], 1) / want[retry]) * 0.95
        spacing[retry] = np.maximum(spacing[retry] * np.minimum(shrink, 0.95), _MIN_SPACING_M)
        pending = retry
        if len(pending) == 0:
            break
    out = _Candidates.concat(picked)
    return out.take(np.lexsort((out.slot, out.grid)))
