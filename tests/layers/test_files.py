"""Tests of gridmap.layers.files: every format round-trips Chinese text in WGS84."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridmap.geo.load import read_layer
from gridmap.layers.files import EXTENSIONS, export_layer

from .conftest import STREET_CODES, STREET_NAMES


def _read(path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig", dtype={"code": str})
    return gpd.read_file(path)


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".shp", ".parquet", ".csv"])
@pytest.mark.filterwarnings("ignore:Column names longer than 10")
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_round_trip_keeps_chinese_codes_and_wgs84(streets, tmp_path, ext):
    metric = streets.to_crs("EPSG:4544")  # exported as WGS84 whatever comes in
    written = export_layer(metric, tmp_path / f"街道{ext}")
    assert written.exists()
    back = _read(written)
    assert list(back["name"]) == STREET_NAMES
    assert list(back["code"].astype(str)) == STREET_CODES
    assert list(back["open"]) == [3, 10]
    if ext == ".csv":
        assert back["lon"].tolist() == pytest.approx([104.105, 104.115], abs=1e-6)
        geoms = shapely.from_wkt(back["wkt"].to_numpy())
    else:
        assert back.crs.to_epsg() == 4326
        geoms = back.geometry.to_numpy()
    expected = shapely.normalize(streets.geometry.to_numpy())  # a Shapefile turns rings round
    assert shapely.equals_exact(shapely.normalize(geoms), expected, tolerance=1e-6).all()
    assert [p.name for p in tmp_path.iterdir()] == [written.name]  # no temporary files left


@pytest.mark.filterwarnings("ignore:Column names longer than 10")
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_shapefile_is_zipped_with_a_utf8_cpg(streets, tmp_path):
    written = export_layer(streets, tmp_path / "streets.shp")
    assert written == tmp_path / "streets.zip"
    with zipfile.ZipFile(written) as archive:
        names = sorted(archive.namelist())
        assert names == [f"streets.{e}" for e in ("cpg", "dbf", "prj", "shp", "shx")]
        assert archive.read("streets.cpg").decode("ascii").strip() == "UTF-8"
    # our own importer reads it back, Chinese intact
    assert list(read_layer(written).frame["name"]) == STREET_NAMES


@pytest.mark.filterwarnings("ignore:Non-conformant content")  # GDAL reading a time zone
def test_gpkg_layer_name_and_times(streets, tmp_path):
    streets["checked_at"] = pd.to_datetime(["2025-06-01 09:30", None]).tz_localize("Asia/Shanghai")
    written = export_layer(streets, tmp_path / "out.gpkg", layer_name="街道")
    assert gpd.list_layers(written)["name"].tolist() == ["街道"]
    back = gpd.read_file(written, layer="街道")
    assert back["checked_at"].iloc[0] == pd.Timestamp("2025-06-01 09:30", tz="Asia/Shanghai")
    csv = pd.read_csv(export_layer(streets, tmp_path / "out.csv"), encoding="utf-8-sig")
    assert csv["checked_at"].iloc[0] == "2025-06-01T09:30:00+08:00"


def test_an_existing_file_is_replaced(streets, tmp_path):
    target = tmp_path / "streets.geojson"
    export_layer(streets, target)
    export_layer(streets.iloc[:1], target)
    assert len(gpd.read_file(target)) == 1


def test_points_export_their_own_lonlat(incidents, tmp_path):
    points = gpd.GeoDataFrame(
        incidents.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(incidents["lon"], incidents["lat"]),
        crs="EPSG:4326",
    )
    back = pd.read_csv(export_layer(points, tmp_path / "incidents.csv"), encoding="utf-8-sig")
    assert back["lon"].tolist() == incidents["lon"].tolist()
    assert back["wkt"].iloc[0] == "POINT (104.105 30.605)"
    assert back["category"].iloc[0] == "市容环境"


def test_errors_name_the_allowed_extensions(streets, tmp_path):
    with pytest.raises(ValueError, match=r"'\.kml' unknown; allowed: \['\.csv', '\.geojson'"):
        export_layer(streets, tmp_path / "streets.kml")
    with pytest.raises(ValueError) as info:
        export_layer(streets, tmp_path / "streets")
    assert all(ext in str(info.value) for ext in EXTENSIONS)
    with pytest.raises(ValueError, match="no CRS: is the data in WGS84"):
        export_layer(streets.set_crs(None, allow_override=True), tmp_path / "streets.gpkg")
