"""Tests of gridmap.layers.geojson: coverage simplification, quantisation, compact output."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridmap.layers.geojson import area_geojson, feature_collection, label_points


def _geometries(data: bytes) -> np.ndarray:
    collection = json.loads(data)
    return shapely.from_geojson([json.dumps(f["geometry"]) for f in collection["features"]])


def test_output_is_a_compact_feature_collection_with_ids(streets):
    data = area_geojson(streets)
    collection = json.loads(data)
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == list(streets["code"])
    assert [f["properties"] for f in collection["features"]] == [
        {"code": c, "name": n} for c, n in zip(streets["code"], streets["name"], strict=True)
    ]
    assert b", " not in data and b'": ' not in data
    assert "猛追湾街道".encode() in data  # UTF-8, not \u escapes
    assert shapely.is_valid(_geometries(data)).all()


def test_dense_shared_edge_is_simplified_and_stays_shared(dense_pair):
    full = area_geojson(dense_pair, tolerance_m=0)
    simple = area_geojson(dense_pair, tolerance_m=3.0)
    assert len(simple) < 0.2 * len(full)
    geoms = gpd.GeoSeries(_geometries(simple), crs="EPSG:4326").to_crs("EPSG:4544").to_numpy()
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(_geometries(simple))
    # no gap, no overlap: the union is the sum of the parts
    assert shapely.union_all(geoms).area == pytest.approx(shapely.area(geoms).sum(), rel=1e-9)
    # the shared edge is still one line of ~1 km, common to both
    shared = shapely.intersection(geoms[0].boundary, geoms[1].boundary)
    assert shared.length == pytest.approx(1000.0, abs=1.0)
    assert shapely.area(geoms).sum() == pytest.approx(2_000_000.0, rel=1e-3)


def test_an_unmatched_coverage_is_cleaned_first():
    # the right square has no vertex where the left one's T-junction is: not edge-matched
    left_top = shapely.Polygon([(0, 0), (100, 0), (100, 50), (100, 100), (0, 100)])
    right = shapely.box(100, 0, 200, 100)
    frame = gpd.GeoDataFrame(
        {"code": ["1", "2"], "name": ["甲", "乙"]},
        geometry=gpd.GeoSeries([left_top, right], crs="EPSG:4544").to_crs("EPSG:4326"),
    )
    frame["geometry"] = frame.geometry.translate(104.0 - frame.total_bounds[0], 0)
    assert not shapely.coverage_is_valid(frame.to_crs("EPSG:4544").geometry.to_numpy())
    assert shapely.coverage_is_valid(_geometries(area_geojson(frame, precision=9)))


@pytest.mark.parametrize("precision", [4, 6])
def test_coordinates_are_quantised(dense_pair, precision):
    text = area_geojson(dense_pair, tolerance_m=0, precision=precision).decode()
    numbers = re.findall(r"-?\d+\.(\d+)", text.split('"coordinates"', 1)[1])
    assert numbers and max(len(n) for n in numbers) <= precision


def test_any_crs_goes_out_as_wgs84_lonlat(dense_pair):
    minx, miny, maxx, maxy = shapely.total_bounds(_geometries(area_geojson(dense_pair)))
    assert 103 < minx < maxx < 106 and 30 < miny < maxy < 31


def test_missing_geometry_is_kept_as_null(streets):
    streets.loc[1, "geometry"] = None
    collection = json.loads(area_geojson(streets))
    assert collection["features"][1]["geometry"] is None
    assert collection["features"][1]["id"] == "510108002"


def test_properties_become_json_values(streets):
    data = area_geojson(streets, properties=("code", "open", "on_time_rate"))
    props = [f["properties"] for f in json.loads(data)["features"]]
    assert props == [
        {"code": "510108001", "open": 3, "on_time_rate": 0.9},
        {"code": "510108002", "open": 10, "on_time_rate": None},
    ]


def test_errors_name_what_is_wrong(streets):
    with pytest.raises(ValueError, match="no CRS: is the data in WGS84"):
        area_geojson(streets.set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match=r"column\(s\) \['area'\] not in the layer"):
        area_geojson(streets, properties=("area",))
    points = streets.set_geometry(streets.representative_point())
    with pytest.raises(ValueError, match=r"\['Point'\], not polygons; allowed"):
        area_geojson(points)
    with pytest.raises(ValueError, match="tolerance_m must be >= 0"):
        area_geojson(streets, tolerance_m=-1)


def test_label_points_lie_inside_even_for_awkward_shapes():
    crescent = shapely.box(0, 0, 300, 300).difference(shapely.box(50, 50, 300, 250))
    multi = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(100, 0, 400, 300)])
    frame = gpd.GeoDataFrame(
        {"name": ["月牙社区", "飞地社区"]},
        geometry=gpd.GeoSeries([crescent, multi], crs="EPSG:4544", index=[7, 9]),
        index=[7, 9],
    )
    assert not crescent.contains(crescent.centroid)
    points = label_points(frame)
    assert points.crs == frame.crs and list(points.index) == [7, 9]
    assert list(points["name"]) == ["月牙社区", "飞地社区"]
    assert shapely.contains(frame.geometry.to_numpy(), points.geometry.to_numpy()).all()
    assert multi.geoms[1].contains(points.geometry.iloc[1])  # in the largest part


def test_label_points_of_wgs84_squares_are_central(streets):
    points = label_points(streets)
    assert points.geometry.x.tolist() == pytest.approx([104.105, 104.115], abs=1e-4)
    assert shapely.contains(streets.geometry.to_numpy(), points.geometry.to_numpy()).all()


def test_feature_collection_of_points():
    records = pd.DataFrame(
        {
            "incident_id": ["E1", "E2"],
            "lon": [104.123456789, np.nan],
            "lat": [30.6, 30.7],
            "category": ["市容环境", "街面秩序"],
        }
    )
    data = feature_collection(records, properties=["category"], id_field="incident_id")
    features = json.loads(data)["features"]
    assert [f["id"] for f in features] == ["E1", "E2"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [104.123457, 30.6]}
    assert features[1]["geometry"] is None  # kept, not dropped
    assert "市容环境".encode() in data
    rows = [{"lon": 104.1, "lat": 30.6, "name": "甲"}]
    assert json.loads(feature_collection(rows, properties=["name"]))["features"][0][
        "properties"
    ] == {"name": "甲"}
    with pytest.raises(ValueError, match=r"column\(s\) \['x'\] not in the layer"):
        feature_collection(records, lon="x")
