"""Tests of gridmap.geo.validate: duplicate ids and the grid/community hierarchy."""

from __future__ import annotations

import json
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridmap.geo.validate import (
    DuplicateIdIssue,
    HierarchyIssue,
    check_hierarchy,
    find_duplicate_ids,
)

UNIT = 1 / 1024  # degree; fixtures are drawn on this lattice near Chengdu
ORIGIN = (104.0625, 30.65625)
METRIC = "EPSG:4544"


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A lon/lat rectangle given in lattice units from ORIGIN."""
    lon, lat = ORIGIN
    return shapely.box(lon + x0 * UNIT, lat + y0 * UNIT, lon + x1 * UNIT, lat + y1 * UNIT)


def area_m2(geom: shapely.Geometry) -> float:
    """Expected area, computed independently of the code under test (geopandas)."""
    return float(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC).area.iloc[0])


# --------------------------------------------------------------------- duplicate ids


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["a", "b", "a", "c", "a"], [("a", 0, (2, 4))]),
        (["b", "a", "b", "a"], [("b", 0, (2,)), ("a", 1, (3,))]),
        (pd.Series([7, 8, 7], index=["x", "y", "z"]), [(7, "x", ("z",))]),
        (["a", "b", "c"], []),
        (["a", None, None, float("nan"), np.nan], []),
        ([], []),
    ],
    ids=["three-uses", "two-ids-in-first-use-order", "series-labels", "none", "nulls", "empty"],
)
def test_find_duplicate_ids(ids, expected):
    issues = find_duplicate_ids(ids)
    assert [(i.id, i.first_index, i.duplicate_indices) for i in issues] == expected
    assert all(isinstance(i, DuplicateIdIssue) for i in issues)


def test_duplicate_id_issue_is_json():
    (issue,) = find_duplicate_ids(pd.Series(np.array([5, 5], dtype=np.int64)))
    assert json.loads(json.dumps(issue.to_dict())) == {
        "kind": "duplicate_id",
        "id": 5,
        "first_index": 0,
        "duplicate_indices": [1],
    }


# ------------------------------------------------------------------------- hierarchy

# Community P1 is the 4x4 square at the origin, P2 the 4x4 square east of it.
PARENTS = {"P1": box(0, 0, 4, 4), "P2": box(4, 0, 8, 4)}

# Grids of P1: A (left half) overlaps B (bottom right) on [1.5, 2] x [0, 2]; C sticks
# out of P1 into P2 on [4, 5] x [2, 3]; nothing covers [2, 4] x [3, 4] (a gap).
# P2 is tiled exactly by F and G. D names an unknown community, E names none.
CHILDREN = [
    ("A", "P1", box(0, 0, 2, 4)),
    ("B", "P1", box(1.5, 0, 4, 2)),
    ("C", "P1", box(2, 2, 5, 3)),
    ("D", "P9", box(10, 0, 11, 1)),
    ("E", None, box(12, 0, 13, 1)),
    ("F", "P2", box(4, 0, 6, 4)),
    ("G", "P2", box(6, 0, 8, 4)),
]


@pytest.fixture(scope="module")
def parents() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": list(PARENTS), "name": ["一社区", "二社区"]},
        geometry=list(PARENTS.values()),
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def children() -> gpd.GeoDataFrame:
    ids, codes, geoms = zip(*CHILDREN, strict=True)
    return gpd.GeoDataFrame(
        {"grid_code": ids, "community_code": codes}, geometry=list(geoms), crs="EPSG:4326"
    )


@pytest.fixture(scope="module")
def issues(children, parents) -> list[HierarchyIssue]:
    return check_hierarchy(
        children,
        parents,
        child_parent_column="community_code",
        parent_id_column="code",
        child_id_column="grid_code",
    )


def _of_kind(issues: list[HierarchyIssue], kind: str) -> list[HierarchyIssue]:
    return [i for i in issues if i.kind == kind]


@pytest.mark.parametrize(
    ("kind", "child", "other", "parent", "where"),
    [
        ("outside_parent", "C", None, "P1", box(4, 2, 5, 3)),
        ("overlap", "A", "B", "P1", box(1.5, 0, 2, 2)),
        ("gap", None, None, "P1", box(2, 3, 4, 4)),
    ],
    ids=["outside", "overlap", "gap"],
)
def test_geometric_issue_has_right_area_and_place(issues, kind, child, other, parent, where):
    (issue,) = _of_kind(issues, kind)
    assert (issue.child_id, issue.other_child_id, issue.parent_id) == (child, other, parent)
    assert issue.area_m2 == pytest.approx(area_m2(where), rel=1e-6)
    assert where.contains(shapely.Point(issue.lon, issue.lat))


def test_unknown_parents_are_reported(issues):
    unknown = _of_kind(issues, "unknown_parent")
    assert [(i.child_id, i.parent_id) for i in unknown] == [("D", "P9"), ("E", None)]
    assert unknown[0].message == "D names unknown parent P9"
    assert unknown[1].message == "E names no parent"


def test_clean_parent_and_neighbours_raise_nothing(issues):
    # P2 is tiled exactly; C overlaps F but they are not siblings (C is outside_parent)
    assert not [i for i in issues if i.parent_id == "P2"]
    assert len(issues) == 5
    assert [i.kind for i in issues] == [
        "unknown_parent",
        "unknown_parent",
        "outside_parent",
        "overlap",
        "gap",
    ]


def test_issues_are_json(issues):
    data = json.loads(json.dumps([i.to_dict() for i in issues]))
    assert data[3]["kind"] == "overlap"
    assert {data[3]["child_id"], data[3]["other_child_id"]} == {"A", "B"}
    assert set(data[0]) == {
        "kind",
        "parent_id",
        "child_id",
        "other_child_id",
        "area_m2",
        "lon",
        "lat",
        "message",
    }


@pytest.mark.parametrize(
    ("tolerance", "expected"),
    [(1.0, {"unknown_parent", "outside_parent", "overlap", "gap"}), (1e9, {"unknown_parent"})],
)
def test_tolerance_hides_small_areas(children, parents, tolerance, expected):
    issues = check_hierarchy(
        children,
        parents,
        child_parent_column="community_code",
        parent_id_column="code",
        tolerance_m2=tolerance,
    )
    assert {i.kind for i in issues} == expected


def test_child_ids_default_to_index_labels(children, parents):
    issues = check_hierarchy(
        children.set_index("grid_code"),
        parents,
        child_parent_column="community_code",
        parent_id_column="code",
    )
    (overlap,) = _of_kind(issues, "overlap")
    assert (overlap.child_id, overlap.other_child_id) == ("A", "B")


def test_codes_are_compared_as_text():
    parents = gpd.GeoDataFrame({"code": [510108001]}, geometry=[box(0, 0, 2, 2)], crs=4326)
    children = gpd.GeoDataFrame(
        {"parent": [" 510108001", 510108001.0]},
        geometry=[box(0, 0, 1, 2), box(1, 0, 2, 2)],
        crs=4326,
    )
    assert (
        check_hierarchy(children, parents, child_parent_column="parent", parent_id_column="code")
        == []
    )


def test_childless_parent_is_one_big_gap():
    parents = gpd.GeoDataFrame({"code": ["P"]}, geometry=[box(0, 0, 2, 2)], crs=4326)
    children = gpd.GeoDataFrame({"parent": []}, geometry=[], crs=4326)
    (gap,) = check_hierarchy(
        children, parents, child_parent_column="parent", parent_id_column="code"
    )
    assert gap.kind == "gap"
    assert gap.area_m2 == pytest.approx(area_m2(box(0, 0, 2, 2)), rel=1e-6)


def _voronoi_community(n: int, seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A community cut into ``n`` Voronoi grids (float coordinates, shared edges)."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(104.07, 30.62, 104.17, 30.70)
    points = shapely.multipoints(
        np.c_[rng.uniform(104.07, 104.17, n), rng.uniform(30.62, 30.70, n)]
    )
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(points, extend_to=frame)), frame
    )
    children = gpd.GeoDataFrame({"parent": ["510108004006"] * len(cells)}, geometry=cells, crs=4326)
    parents = gpd.GeoDataFrame({"code": ["510108004006"]}, geometry=[frame], crs=4326)
    return children, parents


def test_exact_tiling_with_float_coordinates_has_no_issues():
    children, parents = _voronoi_community(300, seed=1)
    assert (
        check_hierarchy(children, parents, child_parent_column="parent", parent_id_column="code")
        == []
    )


def test_twenty_thousand_grids_are_checked_quickly():
    # 200 communities of 10 x 10 grids; grid edges have 5 vertices each side
    grids, codes, communities = [], [], []
    for k in range(200):
        x0, y0 = 10 * (k % 20), 10 * (k // 20)
        communities.append(box(x0, y0, x0 + 10, y0 + 10))
        codes += [f"C{k:03d}"] * 100
        grids += [box(x0 + a, y0 + b, x0 + a + 1, y0 + b + 1) for a in range(10) for b in range(10)]
    grids = shapely.segmentize(np.array(grids), UNIT / 4)
    # plant three overlaps: shift three grids half a cell east into their neighbours
    for i in (15, 5_555, 19_980):
        grids[i] = shapely.transform(grids[i], lambda xy: xy + np.array([UNIT / 2, 0]))
    children = gpd.GeoDataFrame({"parent": codes}, geometry=grids, crs=4326)
    parents = gpd.GeoDataFrame(
        {"code": [f"C{k:03d}" for k in range(200)]}, geometry=communities, crs=4326
    )

    start = time.perf_counter()
    issues = check_hierarchy(
        children, parents, child_parent_column="parent", parent_id_column="code"
    )
    elapsed = time.perf_counter() - start

    assert elapsed < 30
    overlaps = _of_kind(issues, "overlap")
    assert sorted(i.child_id for i in overlaps) == [15, 5_555, 19_980]
    assert len(_of_kind(issues, "gap")) == 3  # the strip each shifted grid left behind
