"""GIS file export of a layer: GeoPackage, GeoJSON, zipped Shapefile, GeoParquet, CSV.

Every file is written in WGS84 lon/lat (EPSG:4326) and UTF-8, so Chinese names survive in
QGIS, ArcGIS and Excel alike. Files are written under a temporary name beside the target and
moved into place, so a reader never sees half a file; an existing file is replaced.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

__all__ = ["EXTENSIONS", "export_layer"]

WGS84 = "EPSG:4326"

#: File extensions :func:`export_layer` writes (``.shp`` and ``.zip`` both give a zipped
#: Shapefile).
EXTENSIONS: tuple[str, ...] = (".csv", ".geojson", ".gpkg", ".parquet", ".shp", ".zip")


def export_layer(
    frame: gpd.GeoDataFrame, path: str | os.PathLike[str], *, layer_name: str | None = None
) -> Path:
    """Write one layer to a GIS file chosen by the extension of ``path``.

    Parameters
    ----------
    frame
        The layer, in any CRS (it must have one); reprojected to EPSG:4326.
    path
        Target file. By extension (case-insensitive):

        ``.gpkg``
            GeoPackage with one layer, ``layer_name`` (default: the file's stem).
        ``.geojson``
            RFC 7946 GeoJSON (lon/lat, 7 decimals).
        ``.shp`` or ``.zip``
            A zipped Shapefile, ``<stem>.zip`` holding ``<stem>.shp/.shx/.dbf/.prj`` and a
            ``.cpg`` that says ``UTF-8``. The format's limits apply: field names of at most
            10 bytes (longer ones are truncated by GDAL), one geometry type, times as text.
        ``.parquet``
            GeoParquet (WKB geometry, CRS in the metadata).
        ``.csv``
            UTF-8 with a byte-order mark (Excel reads the Chinese correctly), text that a
            spreadsheet would run as a formula written as text (a leading ``'``), the attributes
            plus ``lon``/``lat`` (the point itself, or a point inside a line or polygon,
            WGS84 degrees) and ``wkt`` (the full geometry).
    layer_name
        Layer name inside a GeoPackage (also the Shapefile's base name inside the zip).

    Returns
    -------
    pathlib.Path
        The file written (``<stem>.zip`` for a Shapefile).

    Raises
    ------
    ValueError
        On an extension not in :data:`EXTENSIONS` (the message names them) or a frame
        without a CRS.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in _WRITERS:
        raise ValueError(
            f"cannot export to {path.name!r}: extension {ext or '(none)'!r} unknown; "
            f"allowed: {list(EXTENSIONS)}"
        )
    layer = _prepared(frame)
    target = path.with_suffix(".zip") if ext == ".shp" else path
    name = layer_name or path.stem
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target, lambda tmp: _WRITERS[ext](layer, tmp, name))
    return target


# --------------------------------------------------------------------------- steps


def _prepared(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in EPSG:4326 with a plain index (a named index becomes a column)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"expected a GeoDataFrame, got {type(frame).__name__}")
    if frame.crs is None:
        raise ValueError(
            "the layer has no CRS: is the data in WGS84? set it with frame.set_crs('EPSG:4326')"
        )
    named = any(name is not None for name in frame.index.names)
    return frame.to_crs(WGS84).reset_index(drop=not named)


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary path beside ``target``, then move it into place."""
    fd, tmp_name = tempfile.mkstemp(
        suffix=target.suffix, prefix=f".{target.stem}-", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # the drivers create the file themselves
    try:
        write(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _times_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns as ISO 8601 text (for formats without a date-time type)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(lambda t: None if pd.isna(t) else t.isoformat())
    return out


def _write_gpkg(layer: gpd.GeoDataFrame, tmp: Path, name: str) -> None:
    layer.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")


def _write_geojson(layer: gpd.GeoDataFrame, tmp: Path, name: str) -> None:
    layer.to_file(
        tmp, layer=name, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "YES"}
    )


def _write_shapefile_zip(layer: gpd.GeoDataFrame, tmp: Path, name: str) -> None:
    with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".shp-") as folder:
        shp = Path(folder) / f"{name}.shp"
        _times_as_text(layer).to_file(
            shp, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8"
        )
        shp.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(folder).iterdir()):
                archive.write(part, arcname=part.name)


def _write_parquet(layer: gpd.GeoDataFrame, tmp: Path, name: str) -> None:
    layer.to_parquet(tmp, index=False)


def _write_csv(layer: gpd.GeoDataFrame, tmp: Path, name: str) -> None:
    geoms = layer.geometry.to_numpy()
    anchor = shapely.point_on_surface(geoms)  # a point is its own anchor
    table = pd.DataFrame(
        layer.drop(columns=[layer.geometry.name, "lon", "lat", "wkt"], errors="ignore")
    )
    table["lon"] = shapely.get_x(anchor).round(7)  # 7 decimals ≈ 1 cm
    table["lat"] = shapely.get_y(anchor).round(7)
    table["wkt"] = shapely.to_wkt(geoms, rounding_precision=7, trim=True)
    _formulas_as_text(_times_as_text(table)).to_csv(tmp, index=False, encoding="utf-8-sig")


#: A text cell beginning with one of these is a formula to Excel and WPS.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formulas_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (``=HYPERLINK(…)``, ``+cmd|…``,
    ``-2+3``, ``@SUM(…)``) written as text: a leading apostrophe, as OWASP advises. Numbers
    stay numbers."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype != object and not pd.api.types.is_string_dtype(out[column]):
            continue
        out[column] = out[column].map(
            lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
        )
    return out


_WRITERS: dict[str, Callable[[gpd.GeoDataFrame, Path, str], None]] = {
    ".csv": _write_csv,
    ".geojson": _write_geojson,
    ".gpkg": _write_gpkg,
    ".parquet": _write_parquet,
    ".shp": _write_shapefile_zip,
    ".zip": _write_shapefile_zip,
}
