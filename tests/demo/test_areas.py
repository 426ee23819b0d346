"""Tests of the demo base layers, district tier (Chenghua, 510108)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridmap.demo.areas import (
    CHENGDU_BBOX,
    CHENGHUA_BBOX,
    DEFAULT_REFERENCE_CSV,
    LAYERS,
    METRIC_CRS,
    make_areas,
    write_areas,
)
from gridmap.demo.areas.partition import _absorb_fragments, _voronoi_cells
from gridmap.demo.areas.real import REAL_DISTRICTS_FILE

AREA_TOL = 1e-4  # relative: 0.01 %


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return make_areas("district", seed=0)


@pytest.fixture(scope="module")
def metric(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    return {key: frame.to_crs(METRIC_CRS) for key, frame in layers.items()}


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    table = pd.read_csv(DEFAULT_REFERENCE_CSV, dtype=str)
    return table[table["district_code"] == "510108"]


def test_layers_and_crs(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert tuple(layers) == LAYERS
    for frame in layers.values():
        assert frame.crs.to_epsg() == 4326


def test_area_columns(layers: dict[str, gpd.GeoDataFrame]) -> None:
    common = ["code", "name", "official_name", "level", "parent_code", "area_km2"]
    expected = {
        "districts": common,
        "streets": [*common, "district_code"],
        "communities": [*common, "district_code", "street_code"],
        "grids": [
            *common,
            "district_code",
            "street_code",
            "community_code",
            "worker",
            "worker_phone",
            "weight",
        ],
    }
    levels = {
        "districts": "district",
        "streets": "street",
        "communities": "community",
        "grids": "grid",
    }
    for key, columns in expected.items():
        frame = layers[key]
        assert set(columns) <= set(frame.columns), key
        assert (frame["level"] == levels[key]).all()
    assert layers["districts"]["parent_code"].tolist() == ["510100"]
    assert (layers["streets"]["parent_code"] == "510108").all()


def test_streets_and_communities_are_the_real_ones(
    layers: dict[str, gpd.GeoDataFrame], reference: pd.DataFrame
) -> None:
    streets = reference.drop_duplicates("street_code").sort_values("street_code")
    assert len(layers["streets"]) == 11
    assert layers["streets"]["code"].tolist() == streets["street_code"].tolist()
    assert layers["streets"]["name"].tolist() == streets["street_name"].tolist()
    communities = reference.sort_values("community_code")
    frame = layers["communities"]
    assert len(frame) == 83
    assert frame["code"].tolist() == communities["community_code"].tolist()
    assert frame["official_name"].tolist() == communities["community_name"].tolist()
    assert frame["parent_code"].tolist() == communities["street_code"].tolist()
    assert "新鸿社区" in frame["name"].tolist()
    assert not frame["name"].str.endswith("委会").any()


def test_outline_area_and_position(
    layers: dict[str, gpd.GeoDataFrame], metric: dict[str, gpd.GeoDataFrame]
) -> None:
    district = metric["districts"]
    assert len(district) == 1
    area = district.area.iloc[0] / 1e6
    assert 108 * 0.97 <= area <= 108 * 1.03
    assert district["area_km2"].iloc[0] == pytest.approx(area, rel=1e-3)
    west, south, east, north = layers["districts"].total_bounds
    assert west >= CHENGHUA_BBOX[0] and south >= CHENGHUA_BBOX[1]
    assert east <= CHENGHUA_BBOX[2] and north <= CHENGHUA_BBOX[3]


def test_the_district_is_chenghua_in_its_real_outline(
    metric: dict[str, gpd.GeoDataFrame],
) -> None:
    """The outline is the published one (repaired as an import would), not a made-up shape:
    it covers the real file's Chenghua and nothing else, and it is far from any ellipse."""
    real = gpd.read_file(REAL_DISTRICTS_FILE).set_index("id").to_crs("EPSG:4544")
    drawn = shapely.make_valid(real.geometry["510108"])
    ours = metric["districts"].geometry.iloc[0]
    assert shapely.symmetric_difference(ours, drawn).area < 1e-4 * drawn.area
    assert shapely.get_num_coordinates(ours) > 500  # the drawn boundary, vertex for vertex
    hull = shapely.convex_hull(ours)
    assert ours.area < 0.9 * hull.area  # concave like the real district, not a blob


def test_communities_partition_the_district(metric: dict[str, gpd.GeoDataFrame]) -> None:
    district = metric["districts"].area.iloc[0]
    communities = metric["communities"].geometry
    union = shapely.union_all(communities.to_numpy()).area
    assert union == pytest.approx(district, rel=AREA_TOL)
    assert communities.area.sum() == pytest.approx(union, rel=AREA_TOL)


def test_streets_are_unions_of_their_communities(metric: dict[str, gpd.GeoDataFrame]) -> None:
    communities = metric["communities"]
    for street in metric["streets"].itertuples():
        parts = communities.loc[communities["street_code"] == street.code, "geometry"]
        union = shapely.union_all(parts.to_numpy())
        assert shapely.symmetric_difference(union, street.geometry).area < AREA_TOL * union.area


def test_grids(layers: dict[str, gpd.GeoDataFrame], metric: dict[str, gpd.GeoDataFrame]) -> None:
    grids = layers["grids"]
    assert 1_100 <= len(grids) <= 1_300
    assert grids["code"].is_unique
    assert grids["code"].str.fullmatch(r"\d{15}").all()
    assert (grids["code"].str[:12] == grids["community_code"]).all()
    assert grids.groupby("community_code").size().min() >= 4
    assert grids["name"].str.fullmatch(r".+(社区|村)第\d+网格").all()
    assert grids["worker_phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert grids["weight"].sum() == pytest.approx(1.0, abs=1e-9)
    assert (grids["weight"] > 0).all()
    m = metric["grids"]
    parent = metric["communities"].set_index("code").geometry.loc[m["community_code"]]
    outside = shapely.area(shapely.difference(m.geometry.to_numpy(), parent.to_numpy()))
    assert outside.max() < 1.0  # m²


def test_buildings(
    layers: dict[str, gpd.GeoDataFrame], metric: dict[str, gpd.GeoDataFrame]
) -> None:
    buildings = layers["buildings"]
    assert 23_000 <= len(buildings) <= 27_000
    assert buildings["building_id"].is_unique
    assert buildings["building_id"].str.fullmatch(r"\d{19}").all()
    assert (buildings["building_id"].str[:15] == buildings["grid_code"]).all()
    assert buildings["floors"].between(2, 33).all()
    assert (buildings["households"] >= 1).all()
    ratio = buildings["population"].sum() / buildings["households"].sum()
    assert 2.4 < ratio < 2.8
    assert buildings["name"].str.contains("号").all()
    m = metric["buildings"]
    grid = metric["grids"].set_index("code").geometry.loc[m["grid_code"]]
    assert shapely.within(m.geometry.to_numpy(), grid.to_numpy()).all()
    sides = np.sort(_rectangle_sides(m.geometry.to_numpy()), axis=1)
    assert sides[:, 0].min() > 9.9 and sides[:, 0].max() < 25.1  # width, m
    assert sides[:, 1].min() > 14.9 and sides[:, 1].max() < 60.1  # length, m


def _rectangle_sides(geoms: np.ndarray) -> np.ndarray:
    coords = shapely.get_coordinates(geoms).reshape(len(geoms), 5, 2)
    return np.hypot(*(coords[:, 1:3] - coords[:, 0:2]).transpose(2, 0, 1))


def test_buildings_do_not_overlap(metric: dict[str, gpd.GeoDataFrame]) -> None:
    buildings = metric["buildings"].geometry.to_numpy()
    sample = np.random.default_rng(7).choice(len(buildings), 3_000, replace=False)
    left, right = shapely.STRtree(buildings).query(buildings[sample], predicate="intersects")
    assert (buildings[sample][left] == buildings[right]).all()  # only itself


def test_all_geometries_valid_polygons(layers: dict[str, gpd.GeoDataFrame]) -> None:
    for key, frame in layers.items():
        geoms = frame.geometry.to_numpy()
        assert shapely.is_valid(geoms).all(), key
        assert np.isin(shapely.get_type_id(geoms), (3, 6)).all(), key
        assert not shapely.is_empty(geoms).any(), key


def test_same_seed_same_output_other_seed_differs(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    again = make_areas("district", seed=0)
    for key in LAYERS:
        pd.testing.assert_frame_equal(
            pd.DataFrame(layers[key].drop(columns="geometry")),
            pd.DataFrame(again[key].drop(columns="geometry")),
        )
        assert shapely.equals_exact(
            layers[key].geometry.to_numpy(), again[key].geometry.to_numpy(), tolerance=0
        ).all()
    other = make_areas("district", seed=1)
    # the district is real whatever the seed; what is cut from it is not
    assert shapely.equals_exact(
        layers["districts"].geometry.to_numpy(), other["districts"].geometry.to_numpy()
    ).all()
    assert not shapely.equals_exact(
        layers["communities"].geometry.to_numpy(), other["communities"].geometry.to_numpy()
    ).all()
    assert (
        len(other["buildings"]) != len(layers["buildings"])
        or not (
            other["buildings"]["name"].to_numpy() == layers["buildings"]["name"].to_numpy()
        ).all()
    )


def test_unknown_scale_and_negative_seed() -> None:
    with pytest.raises(ValueError, match="scale"):
        make_areas("province", 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        make_areas("district", -1)


def test_geopackage_round_trip(layers: dict[str, gpd.GeoDataFrame], tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "areas.gpkg"
    write_areas(layers, path)
    listed = {name for name, _ in pyogrio.list_layers(path)}
    assert listed == set(LAYERS)
    for key in ("districts", "communities", "grids"):
        back = gpd.read_file(path, layer=key, engine="pyogrio")
        assert back.crs.to_epsg() == 4326
        assert list(back.columns) == list(layers[key].columns)
        assert back["name"].tolist() == layers[key]["name"].tolist()
        assert back["code"].tolist() == layers[key]["code"].tolist()
    back = gpd.read_file(path, layer="buildings", engine="pyogrio", max_features=50)
    assert back["building_id"].tolist() == layers["buildings"]["building_id"].head(50).tolist()
    assert back["name"].tolist() == layers["buildings"]["name"].head(50).tolist()
    assert back["floors"].dtype.kind == "i"
    write_areas(layers, path)  # overwriting an existing file works
    assert len(gpd.read_file(path, layer="districts", engine="pyogrio")) == 1


def test_split_voronoi_cells_are_merged_into_a_sibling() -> None:
    # In a U-shaped parent the cell of the seed atop the left arm also reaches the top of
    # the right arm; that stray part must go to the right arm's own cell.
    parent = shapely.Polygon(
        [(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)]
    )
    seeds = np.array([[5.0, 28.0], [5.0, 5.0], [25.0, 5.0]])
    pidx = np.zeros(3, np.int64)
    raw = _voronoi_cells(np.array([parent]), seeds, pidx)
    assert shapely.get_num_geometries(raw).max() > 1
    cells = _absorb_fragments(raw, pidx)
    assert (shapely.get_type_id(cells) == 3).all()
    assert shapely.area(cells).sum() == pytest.approx(parent.area)
    assert shapely.union_all(cells).symmetric_difference(parent).area < 1e-9


def test_city_tier_smoke(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Sizes of the city tier (about 20 s, so only one generation)."""
    city = make_areas("city", seed=0)
    table = pd.read_csv(DEFAULT_REFERENCE_CSV, dtype=str)
    assert sorted(city["districts"]["code"]) == sorted(table["district_code"].unique())
    assert len(city["streets"]) == 261
    assert city["communities"]["code"].tolist() == sorted(table["community_code"])
    assert 19_000 <= len(city["grids"]) <= 21_000
    assert 570_000 <= len(city["buildings"]) <= 630_000
    assert city["grids"]["weight"].sum() == pytest.approx(1.0, abs=1e-9)
    west, south, east, north = city["districts"].total_bounds
    assert west >= CHENGDU_BBOX[0] and south >= CHENGDU_BBOX[1]
    assert east <= CHENGDU_BBOX[2] and north <= CHENGDU_BBOX[3]
    area = city["districts"].set_index("code")["area_km2"]
    central = ["510104", "510105", "510106", "510107", "510108"]
    assert area[central].max() < area.drop(central).min()
    # the 20 real outlines, under today's codes (郫县 510124 is 郫都区 510117 in the table)
    real = gpd.read_file(REAL_DISTRICTS_FILE).to_crs(METRIC_CRS)
    real_km2 = real.set_index("name").geometry.map(lambda g: shapely.make_valid(g).area / 1e6)
    ours = city["districts"].set_index("name")["area_km2"]
    assert ours["郫都区"] == pytest.approx(real_km2["郫都区"], rel=1e-3)
    assert abs(area.sum() - 14_335) / 14_335 < 0.01  # Chengdu's land area, km²
    for key in ("districts", "streets", "communities"):
        geoms = city[key].geometry.to_numpy()
        assert shapely.is_valid(geoms).all(), key
    # Chenghua is the very same subtree as in the district tier.
    for key in ("streets", "communities", "grids"):
        mine = city[key][city[key]["code"].str.startswith("510108")].reset_index(drop=True)
        assert mine["code"].tolist() == layers[key]["code"].tolist()
        assert shapely.equals_exact(
            mine.geometry.to_numpy(), layers[key].geometry.to_numpy(), tolerance=0
        ).all()
