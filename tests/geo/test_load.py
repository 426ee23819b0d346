"""Tests of gridmap.geo.load: every format, Chinese encodings and names, clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridmap.geo.load import LoadError, read_layer

NAMES = ["新鸿社区第1网格", "双桥子社区第2网格", "猛追湾社区第3网格"]


@pytest.fixture
def grids() -> gpd.GeoDataFrame:
    boxes = [shapely.box(104.10 + i * 0.01, 30.66, 104.11 + i * 0.01, 30.67) for i in range(3)]
    return gpd.GeoDataFrame(
        {"网格编码": ["510108004006001", "510108004006002", "510108004006003"], "网格名称": NAMES},
        geometry=boxes,
        crs="EPSG:4326",
    )


def _shapefile_gbk_without_cpg(frame: gpd.GeoDataFrame, folder: Path) -> Path:
    path = folder / "grids.shp"
    frame.to_file(path, engine="pyogrio", encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # no language driver id either: what many desktop tools write
    dbf.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet"])
def test_vector_formats_round_trip(grids, tmp_path, suffix):
    path = tmp_path / f"grids{suffix}"
    if suffix == ".parquet":
        grids.to_parquet(path)
    else:
        grids.to_file(path, engine="pyogrio")
    loaded = read_layer(path)
    assert loaded.frame["网格名称"].tolist() == NAMES
    assert loaded.frame.crs.to_epsg() == 4326
    assert shapely.equals_exact(loaded.frame.geometry.values, grids.geometry.values, 1e-9).all()


def test_gbk_shapefile_without_cpg_is_detected(grids, tmp_path):
    path = _shapefile_gbk_without_cpg(grids, tmp_path)
    loaded = read_layer(path)
    assert loaded.frame["网格名称"].tolist() == NAMES
    assert any("GBK" in n for n in loaded.notes)


def test_zipped_gbk_shapefile(grids, tmp_path):
    shp = _shapefile_gbk_without_cpg(grids, tmp_path)
    archive = tmp_path / "grids.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("grids.*"):
            if part.suffix != ".zip":
                zf.write(part, f"边界/{part.name}")
    loaded = read_layer(archive)
    assert loaded.frame["网格名称"].tolist() == NAMES
    assert len(loaded.frame) == 3
    assert shp.exists()


def test_gbk_csv_with_chinese_coordinate_columns(tmp_path):
    path = tmp_path / "事件.csv"
    table = (
        "编号,经度,纬度,描述\n"
        "A1,104.1,30.66,井盖缺失\nA2,abc,30.67,路灯不亮\nA3,104.12,30.68,占道经营\n"
    )
    path.write_bytes(table.encode("gbk"))
    loaded = read_layer(path)
    assert loaded.frame["描述"].tolist() == ["井盖缺失", "占道经营"]
    assert loaded.encoding == "gb18030"
    # the bad row is kept in `rejected`, with its spreadsheet row number and reason
    assert loaded.rejected["row"].tolist() == [3]
    assert "经度" in loaded.rejected["reason"].iloc[0]
    assert any("rows 3" in n for n in loaded.notes)


def test_xlsx_with_named_fields(tmp_path):
    path = tmp_path / "points.xlsx"
    pd.DataFrame(
        {"id": ["1", "2"], "X坐标": ["104.1", "104.2"], "Y坐标": ["30.6", "30.7"]}
    ).to_excel(path, index=False)
    loaded = read_layer(path, lon_field="X坐标", lat_field="Y坐标")
    assert shapely.get_x(loaded.frame.geometry.values).tolist() == [104.1, 104.2]
    with pytest.raises(LoadError, match="X坐标"):
        read_layer(path)  # not a recognised name: the error lists the columns


def test_wkt_column(tmp_path):
    path = tmp_path / "wkt.csv"
    path.write_text('id,wkt\n1,"POLYGON((104 30,104.1 30,104.1 30.1,104 30))"\n2,garbage\n')
    loaded = read_layer(path)
    assert len(loaded.frame) == 1
    assert loaded.rejected["row"].tolist() == [3]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.geojson", b'{"type": "FeatureCollection", "features": [', "cannot be read"),
        ("bad.zip", b"PK not really", "not a valid zip"),
        ("grids.dwg", b"x", "unsupported file type"),
        ("empty.zip", None, "no vector file"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "nothing")
    else:
        path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as err:
        read_layer(path)
    assert name in str(err.value)


def test_missing_file():
    with pytest.raises(LoadError, match="no such file"):
        read_layer("/nonexistent/grids.shp")


def test_gpkg_with_several_layers_needs_a_choice(grids, tmp_path):
    path = tmp_path / "base.gpkg"
    grids.to_file(path, layer="grids", engine="pyogrio")
    grids.to_file(path, layer="communities", engine="pyogrio")
    with pytest.raises(LoadError, match="choose one"):
        read_layer(path)
    assert len(read_layer(path, layer="communities").frame) == 3
