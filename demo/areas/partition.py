"""Splitting parents into cells (EPSG:4544 metres): seed points sampled inside each parent
(crowding where people live), Voronoi cells clipped to their parent, stray fragments given
to a neighbouring sibling, and the straight edges between siblings gently curved, so each
parent stays exactly the union of its cells.
"""

from __future__ import annotations

import numpy as np
import shapely

from gridmap.demo.areas.base import Floats, Geoms, Ints, _rank_in_group
from gridmap.demo.areas.density import _density


def _sample_points(
    parents: Geoms, counts: Ints, rng: np.random.Generator, gamma: float
) -> tuple[Floats, Floats, Ints]:
    """Draw ``counts[i]`` random points inside each ``parents[i]`` (EPSG:4544).

    Points are uniform when ``gamma == 0``; otherwise a candidate is kept with probability
    ``(density / max density in its parent) ** gamma`` so that seeds crowd where people
    live. Returns ``x, y, parent index`` sorted by parent index.
    """
    shapely.prepare(parents)
    bounds = shapely.bounds(parents)
    width, height = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
    fill = np.clip(shapely.area(parents) / np.maximum(width * height, 1e-9), 0.05, 1.0)
    need = counts.astype(np.int64).copy()
    xs, ys, ps = [], [], []
    factor = 2.0 if gamma == 0 else 4.0
    for _ in range(40):
        if not need.any():
            break
        todo = np.flatnonzero(need > 0)
        tries = np.ceil(need[todo] * factor / fill[todo]).astype(np.int64) + 8
        pid = np.repeat(todo, tries)
        x = bounds[pid, 0] + rng.random(len(pid)) * width[pid]
        y = bounds[pid, 1] + rng.random(len(pid)) * height[pid]
        keep = shapely.contains_xy(parents[pid], x, y)
        if gamma > 0:
            dens = _density(x, y)
            top = np.zeros(len(parents))
            np.maximum.at(top, pid[keep], dens[keep])
            keep &= rng.random(len(pid)) < (dens / np.maximum(top[pid], 1e-12)) ** gamma
        kx, ky, kp = x[keep], y[keep], pid[keep]
        take = _rank_in_group(kp) < need[kp]
        xs.append(kx[take])
        ys.append(ky[take])
        ps.append(kp[take])
        need -= np.bincount(kp[take], minlength=len(parents))
        factor *= 2.0
    else:
        raise RuntimeError("could not place seed points (a parent has no area?)")
    x, y, p = np.concatenate(xs), np.concatenate(ys), np.concatenate(ps)
    order = np.argsort(p, kind="stable")
    return x[order], y[order], p[order]


def _voronoi_cells(parents: Geoms, xy: Floats, pidx: Ints) -> Geoms:
    """Voronoi cells of the seeds ``xy`` of each parent, clipped to that parent.

    ``pidx`` (sorted) gives each seed's parent; the cells come back in seed order, all
    Polygon or MultiPolygon, and exactly cover their parents.
    """
    counts = np.bincount(pidx, minlength=len(parents))
    cells = np.empty(len(pidx), dtype=object)
    single = counts[pidx] == 1
    cells[single] = parents[pidx[single]]
    multi = ~single
    if multi.any():
        multi_parents = np.flatnonzero(counts >= 2)
        dense = np.searchsorted(multi_parents, pidx[multi])
        points = shapely.points(xy[multi])
        seeds = shapely.multipoints(points, indices=dense)
        diagram = shapely.voronoi_polygons(seeds, extend_to=parents[multi_parents], ordered=True)
        parts, owner = shapely.get_parts(diagram, return_index=True)
        if not np.array_equal(owner, dense):
            raise RuntimeError("Voronoi diagram lost a seed (duplicate seed points?)")
        cells[multi] = shapely.intersection(parts, parents[pidx[multi]])
    return _polygonal(cells)


def _polygonal(geoms: Geoms) -> Geoms:
    """Keep only the polygonal parts of each geometry: Polygon, or MultiPolygon if several."""
    geoms = np.asarray(geoms, dtype=object).copy()
    types = shapely.get_type_id(geoms)
    odd = np.flatnonzero(~np.isin(types, (3, 6)))
    if len(odd) == 0:
        return geoms
    parts, idx = shapely.get_parts(geoms[odd], return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)
    idx = idx[sub]
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    for i, g in enumerate(odd):
        mine = parts[keep & (idx == i)]
        geoms[g] = mine[0] if len(mine) == 1 else shapely.MultiPolygon(list(mine))
    return geoms


def _absorb_fragments(cells: Geoms, pidx: Ints) -> Geoms:
    """Give the smaller parts of multi-part cells to the sibling they share most edge with.

    A convex Voronoi cell clipped to a concave parent can fall apart; the stray parts are
    merged into the neighbouring cell of the same parent, which keeps the partition exact.
    A part with no such neighbour stays where it is.
    """
    parts, owner = shapely.get_parts(cells, return_index=True)
    if len(parts) == len(cells):
        return cells
    area = shapely.area(parts)
    order = np.lexsort((-area, owner))
    is_main = np.zeros(len(parts), bool)
    is_main[order[_rank_in_group(owner[order]) == 0]] = True
    main = np.flatnonzero(is_main)
    frag = np.flatnonzero(~is_main)
    probe = shapely.buffer(parts[frag], 0.5)
    fi, ti = shapely.STRtree(parts[main]).query(probe, predicate="intersects")
    to_cell = owner[main[ti]]
    ok = (pidx[to_cell] == pidx[owner[frag[fi]]]) & (to_cell != owner[frag[fi]])
    fi, to_cell = fi[ok], to_cell[ok]
    shared = shapely.area(shapely.intersection(probe[fi], parts[main[ti[ok]]]))
    dest = owner.copy()
    best = np.lexsort((-shared, fi))
    first = best[_rank_in_group(fi[best]) == 0]
    dest[frag[fi[first]]] = to_cell[first]
    out = cells.copy()
    changed = np.unique(np.r_[owner[dest != owner], dest[dest != owner]])
    for c in changed:
        mine = parts[dest == c]
        out[c] = mine[0] if len(mine) == 1 else shapely.union_all(mine)
    return _polygonal(out)


def _bend(cells: Geoms, pidx: Ints, parents: Geoms, rng: np.random.Generator) -> Geoms:
    """Curve the straight edges between sibling cells, keeping every parent boundary fixed.

    Vertices move by a smooth field ``D`` (a few plane waves whose wavelength and
    amplitude scale with the parent's mean cell size ``s``), faded to zero within ``s / 2``
    of the parent's boundary. The Lipschitz constant of ``D`` stays below 1, so the map
    ``p -> p + D(p)`` is one-to-one: cells stay valid and still tile their parent exactly.
    Edges are first split, the same way from either side, so shared edges stay shared.
    A cell left invalid beside a pinch of its parent's outline is repaired
    (``shapely.make_valid``).
    """
    counts = np.bincount(pidx, minlength=len(parents))
    size = np.sqrt(shapely.area(parents) / np.maximum(counts, 1))
    waves = 3
    k = 2 * np.pi / rng.uniform(1.0, 2.5, waves)  # radians per cell size
    angle = rng.uniform(0, 2 * np.pi, waves)
    direction = np.column_stack([np.cos(angle), np.sin(angle)])
    phase = rng.uniform(0, 2 * np.pi, waves)
    # Per unit cell size. Lipschitz bound: 3 waves * sqrt(2) * 0.09 = 0.38 for the waves,
    # plus max|D| / s * max|fade'| * s <= 3 * sqrt(2) * 0.09 * 2.5 / (2 pi) * 3 = 0.46.
    amp = (0.09 / k)[:, None] * rng.choice([-1.0, 1.0], (waves, 2))

    parts, part_cell = shapely.get_parts(cells, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    owner = pidx[part_cell[ring_part[ring_of]]]
    coords, ring_of, owner = _split_edges(coords, ring_of, owner, size[owner] / 8)
    s = size[owner]
    edges = shapely.boundary(parents)
    dist = shapely.distance(shapely.points(coords), edges[owner])
    t = np.clip(dist / (0.5 * s), 0.0, 1.0)
    fade = t * t * (3 - 2 * t)
    arg = (coords @ direction.T) / s[:, None] * k + phase
    coords = coords + (fade * s)[:, None] * (np.sin(arg) @ amp)

    new_rings = shapely.linearrings(coords, indices=ring_of)
    first = np.r_[True, np.diff(ring_part) != 0]
    new_parts = np.empty(len(parts), dtype=object)
    simple = np.bincount(ring_part, minlength=len(parts)) == 1
    new_parts[simple] = shapely.polygons(new_rings[first][simple])
    for i in np.flatnonzero(~simple):
        mine = new_rings[ring_part == i]
        new_parts[i] = shapely.Polygon(mine[0], holes=list(mine[1:]))
    out = cells.copy()
    single = np.bincount(part_cell, minlength=len(cells)) == 1
    out[single] = new_parts[np.r_[True, np.diff(part_cell) != 0]][single]
    for i in np.flatnonzero(~single):
        out[i] = shapely.MultiPolygon(list(new_parts[part_cell == i]))
    # A real outline can pinch (a hole touching its shell): a vertex beside the pinch may
    # cross it by a fraction of a metre. Repair those few cells; the area is unchanged.
    invalid = np.flatnonzero(~shapely.is_valid(out))
    out[invalid] = _polygonal(shapely.make_valid(out[invalid]))
    return out


def _split_edges(
    coords: Floats, ring_of: Ints, owner: Ints, max_len: Floats
) -> tuple[Floats, Ints, Ints]:
    """Split ring edges longer than ``max_len`` into equal pieces.

    The new points are interpolated from the lexicographically smaller end, so an edge
    shared by two rings (walked in opposite directions) gets bit-identical points.
    """
    same = ring_of[1:] == ring_of[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    lim = max_len[:-1][same]
    pieces = np.maximum(np.ceil(np.hypot(*(b - a).T) / lim), 1).astype(np.int64)
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo, hi = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    edge = np.repeat(np.arange(len(a)), pieces)
    step = _rank_in_group(edge)
    j = np.where(swap[edge], pieces[edge] - step, step)
    pts = lo[edge] + (j / pieces[edge])[:, None] * (hi[edge] - lo[edge])
    pts[step == 0] = a[edge[step == 0]]  # original vertices stay exactly as they were
    starts = np.flatnonzero(same)
    ring_new = ring_of[starts][edge]
    owner_new = owner[starts][edge]
    # Close every ring with its own first point.
    last = np.flatnonzero(np.r_[ring_new[1:] != ring_new[:-1], True])
    out = np.insert(pts, last + 1, pts[np.r_[0, last[:-1] + 1]], axis=0)
    return (
        out,
        np.insert(ring_new, last + 1, ring_new[last]),
        np.insert(owner_new, last + 1, owner_new[last]),
    )


def _partition(
    parents: Geoms,
    counts: Ints,
    rng: np.random.Generator,
    *,
    gamma: float,
    lloyd_rounds: int,
    relax: float,
) -> tuple[Geoms, Ints]:
    """Split each ``parents[i]`` into ``counts[i]`` cells (EPSG:4544).

    Seeds are sampled inside each parent (crowding where density is high when
    ``gamma > 0``), relaxed ``lloyd_rounds`` times by the fraction ``relax`` towards their
    cell centroids, and their Voronoi cells clipped to the parent. Returns the cells and
    their parent index, grouped by parent in seed order. Finally the edges between
    siblings are gently curved (see :func:`_bend`).
    """
    x, y, pidx = _sample_points(parents, counts, rng, gamma)
    xy = np.column_stack([x, y])
    cells = _voronoi_cells(parents, xy, pidx)
    for _ in range(lloyd_rounds):
        c = shapely.centroid(cells)
        cx, cy = shapely.get_x(c), shapely.get_y(c)
        moved = np.column_stack([x + relax * (cx - x), y + relax * (cy - y)])
        ok = shapely.contains_xy(parents[pidx], moved[:, 0], moved[:, 1])
        xy = np.where(ok[:, None], moved, xy)
        x, y = xy[:, 0], xy[:, 1]
        cells = _voronoi_cells(parents, xy, pidx)
    cells = _absorb_fragments(cells, pidx)
    return _bend(cells, pidx, parents, rng), pidx
