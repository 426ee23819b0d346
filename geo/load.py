"""Read vector layers from the files offices actually send, through pyogrio.

GeoJSON, GeoPackage, Shapefile (also zipped), GeoParquet, and CSV/XLSX tables with lon/lat
(or WKT) columns. Text encodings are detected where the file does not say: a Shapefile with no
``.cpg`` and no code page in its DBF header, or a CSV saved by Excel on a Chinese Windows, is
usually GBK. Coordinates come back as they are in the file, with the file's CRS if it declares
one; converting them is :mod:`gridmap.geo.crs`'s job.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

#: File suffixes read as vector files by pyogrio.
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb", ".kml", ".gml"}
#: File suffixes read as tables with coordinate columns.
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
SUPPORTED_SUFFIXES = sorted(VECTOR_SUFFIXES | TABLE_SUFFIXES | PARQUET_SUFFIXES | {".zip"})

#: Column names (lower case) recognised as longitude / latitude / WKT, in order of preference.
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "经度坐标", "jd")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "纬度坐标", "wd")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何")

#: DBF language-driver ids that name a Chinese code page (cp936 = GBK).
_DBF_LDID_ENCODINGS = {0x4D: "GB18030", 0x7A: "GB18030"}


class LoadError(ValueError):
    """A file that cannot be read as a layer; the message says what and where."""


@dataclasses.dataclass
class LoadedLayer:
    """A layer as read from a file.

    Attributes
    ----------
    frame
        The features, geometry in the file's own coordinates; ``frame.crs`` is the CRS the file
        declares, or ``None``.
    source
        What was read (path and layer).
    encoding
        Text encoding used, when it had to be chosen (``None``: the file said).
    notes
        Things the user should know (encoding guessed, rows without coordinates, ...).
    rejected
        Rows that could not become a feature, with a ``reason`` column and ``row`` (their
        number as :meth:`row_number` gives it); never dropped silently.
    lines
        Rows are lines of a spreadsheet (CSV, XLSX): numbered as Excel and WPS show them, the
        header being line 1. Otherwise features, numbered from 1.
    """

    frame: gpd.GeoDataFrame
    source: str
    encoding: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    rejected: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    lines: bool = False

    def row_number(self, position: int) -> int:
        """The number a user finds row ``position`` (0-based, in file order) under."""
        return int(position) + (2 if self.lines else 1)

    def row_label(self, position: int) -> str:
        """``line 7`` (a spreadsheet) or ``feature 6`` (a GIS file), for messages."""
        return f"{'line' if self.lines else 'feature'} {self.row_number(position)}"


def read_layer(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    lon_field: str | None = None,
    lat_field: str | None = None,
) -> LoadedLayer:
    """Read one layer from a file.

    Parameters
    ----------
    path
        A GeoJSON, GeoPackage, Shapefile, zipped Shapefile, GeoParquet, CSV or XLSX file.
    layer
        Layer name, for files with several (GeoPackage, a zip with several shapefiles).
    encoding
        Text encoding, when the detection gets it wrong (e.g. ``"GBK"``).
    lon_field, lat_field
        Coordinate columns of a table (detected from common English and Chinese names if not
        given: ``lon``/``lng``/``经度``, ``lat``/``纬度``).

    Raises
    ------
    LoadError
        Missing file, unsupported format, unreadable content, no geometry.
    """
    path = Path(path)
    if not path.exists():
        raise LoadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, layer=layer, encoding=encoding)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path, lon_field=lon_field, lat_field=lat_field)
    if suffix in TABLE_SUFFIXES:
        table, used = _read_table(path, encoding)
        loaded = table_to_points(
            table, source=str(path), lon_field=lon_field, lat_field=lat_field, lines=True
        )
        loaded.encoding = used
        if used and used != "utf-8":
            loaded.notes.append(f"read as {used} text")
        return loaded
    if suffix in VECTOR_SUFFIXES:
        chosen = encoding
        notes: list[str] = []
        if suffix == ".shp" and encoding is None:
            chosen, note = _shapefile_encoding(path.with_suffix(".cpg"), path.with_suffix(".dbf"))
            notes += [note] if note else []
        return _read_vector(str(path), str(path), layer=layer, encoding=chosen, notes=notes)
    raise LoadError(f"{path}: unsupported file type {suffix!r}; supported: {SUPPORTED_SUFFIXES}")


def _read_vector(
    target: str, label: str, *, layer: str | None, encoding: str | None, notes: list[str]
) -> LoadedLayer:
    try:
        layers = pyogrio.list_layers(target)
    except Exception as exc:  # pyogrio raises its own DataSourceError, and OSError
        raise LoadError(f"{label}: cannot be read as a vector file ({_first_line(exc)})") from exc
    names = [str(n) for n in layers[:, 0]]
    if layer is None and len(names) > 1:
        raise LoadError(f"{label}: has {len(names)} layers {names}; choose one with --layer")
    if layer is not None and layer not in names:
        raise LoadError(f"{label}: no layer {layer!r}; layers: {names}")
    try:
        frame = pyogrio.read_dataframe(target, layer=layer, encoding=encoding)
    except Exception as exc:
        raise LoadError(f"{label}: cannot be read ({_first_line(exc)})") from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise LoadError(f"{label}: has no geometry column")
    source = f"{label}:{layer}" if layer else label
    return LoadedLayer(frame=frame, source=source, encoding=encoding, notes=notes)


def _read_zip(path: Path, *, layer: str | None, encoding: str | None) -> LoadedLayer:
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.namelist()
            inner = [m for m in members if Path(m).suffix.lower() in VECTOR_SUFFIXES]
            shps = [m for m in inner if m.lower().endswith(".shp")]
            candidates = shps or inner
            if layer is not None:
                candidates = [m for m in candidates if Path(m).stem == layer] or candidates
            if not candidates:
                raise LoadError(f"{path}: the zip holds no vector file (members: {members[:10]})")
            if len(candidates) > 1:
                stems = [Path(m).stem for m in candidates]
                raise LoadError(
                    f"{path}: the zip holds several layers {stems}; choose with --layer"
                )
            member = candidates[0]
            notes: list[str] = []
            chosen = encoding
            if member.lower().endswith(".shp") and encoding is None:
                stem = member[:-4]
                cpg = next((m for m in members if m.lower() == (stem + ".cpg").lower()), None)
                dbf = next((m for m in members if m.lower() == (stem + ".dbf").lower()), None)
                chosen, note = _shapefile_encoding(
                    zf.read(cpg) if cpg else None, zf.read(dbf) if dbf else None
                )
                notes += [note] if note else []
    except zipfile.BadZipFile as exc:
        raise LoadError(f"{path}: not a valid zip file ({exc})") from exc
    target = f"/vsizip/{path.resolve()}/{member}"
    loaded = _read_vector(target, f"{path}!{member}", layer=None, encoding=chosen, notes=notes)
    return loaded


def _shapefile_encoding(cpg: Path | bytes | None, dbf: Path | bytes | None):
    """Encoding to read a Shapefile's DBF with, and a note if it was guessed.

    The ``.cpg`` file wins; then a Chinese code page in the DBF header; then the record bytes
    decide: valid UTF-8 is read as UTF-8, anything else as GB18030 (a superset of GBK).
    """
    if isinstance(cpg, Path):
        cpg = cpg.read_bytes() if cpg.exists() else None
    if cpg:
        return None, None  # GDAL reads the .cpg itself
    if isinstance(dbf, Path):
        dbf = dbf.read_bytes() if dbf.exists() else None
    if not dbf or len(dbf) < 32:
        return None, None
    ldid = dbf[29]
    if ldid in _DBF_LDID_ENCODINGS:
        return None, None  # GDAL maps the language driver id itself
    header_len = int.from_bytes(dbf[8:10], "little")
    records = dbf[header_len:]
    if max(records, default=0) < 0x80:
        return None, None  # plain ASCII: any encoding reads it
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030", "no .cpg file: text read as GBK/GB18030 (detected)"
    return "UTF-8", "no .cpg file: text read as UTF-8 (detected)"


def _read_parquet(path: Path, *, lon_field: str | None, lat_field: str | None) -> LoadedLayer:
    try:
        frame = gpd.read_parquet(path)
    except ValueError:
        # no GeoParquet metadata: a plain table, maybe with lon/lat columns
        try:
            table = pd.read_parquet(path)
        except Exception as exc:
            raise LoadError(f"{path}: cannot be read as Parquet ({_first_line(exc)})") from exc
        return table_to_points(table, source=str(path), lon_field=lon_field, lat_field=lat_field)
    except Exception as exc:
        raise LoadError(f"{path}: cannot be read as GeoParquet ({_first_line(exc)})") from exc
    return LoadedLayer(frame=frame, source=str(path))


def _read_table(path: Path, encoding: str | None) -> tuple[pd.DataFrame, str | None]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            return pd.read_excel(path, dtype=str, engine="openpyxl"), None
        except Exception as exc:
            raise LoadError(
                f"{path}: cannot be read as an Excel file ({_first_line(exc)})"
            ) from exc
    raw = path.read_bytes()
    chosen = encoding or _text_encoding(raw)
    try:
        text = raw.decode(chosen)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LoadError(f"{path}: cannot be decoded as {chosen} ({exc})") from exc
    try:
        table = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, sep=None, engine="python"
        )
    except Exception as exc:
        raise LoadError(f"{path}: cannot be read as CSV ({_first_line(exc)})") from exc
    return table, chosen


def _text_encoding(raw: bytes) -> str:
    """``utf-8`` (with or without BOM) if the bytes decode as such, else GB18030 (GBK)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"


def find_column(columns: list[str], candidates: tuple[str, ...], given: str | None, what: str):
    """The column to use for ``what``: the given one (must exist) or the first recognised name.

    Raises
    ------
    LoadError
        If ``given`` is not a column; the message lists the columns.
    """
    if given is not None:
        if given not in columns:
            raise LoadError(f"no {what} column {given!r}; columns: {list(columns)}")
        return given
    by_lower = {str(c).strip().lower(): c for c in columns}
    return next((by_lower[c] for c in candidates if c in by_lower), None)


def table_to_points(
    table: pd.DataFrame,
    *,
    source: str,
    lon_field: str | None = None,
    lat_field: str | None = None,
    lines: bool = False,
) -> LoadedLayer:
    """Turn a table with lon/lat (or WKT) columns into a layer; bad rows go to ``rejected``.

    ``lines``: the table is a spreadsheet, whose rows are numbered in messages as Excel and WPS
    show them (the header being line 1); otherwise rows are numbered from 1.
    """
    columns = list(table.columns)
    lon_col = find_column(columns, LON_NAMES, lon_field, "longitude")
    lat_col = find_column(columns, LAT_NAMES, lat_field, "latitude")
    if lon_col is not None and lat_col is not None:
        x = pd.to_numeric(table[lon_col].astype(str).str.strip(), errors="coerce").to_numpy()
        y = pd.to_numeric(table[lat_col].astype(str).str.strip(), errors="coerce").to_numpy()
        bad = ~(np.isfinite(x) & np.isfinite(y))
        geometry = shapely.points(np.where(bad, np.nan, x), np.where(bad, np.nan, y))
        reason = f"no numeric coordinates in columns {lon_col!r}/{lat_col!r}"
        code, params = "no_coordinates", {"columns": f"{lon_col}/{lat_col}"}
    else:
        wkt_col = find_column(columns, WKT_NAMES, None, "WKT")
        if wkt_col is None:
            raise LoadError(
                f"{source}: no coordinate columns found; name them with --lon-field/--lat-field "
                f"(recognised: {LON_NAMES} / {LAT_NAMES}, or a WKT column {WKT_NAMES}); "
                f"columns: {columns}"
            )
        geometry = shapely.from_wkt(table[wkt_col].astype(str).to_numpy(), on_invalid="ignore")
        bad = shapely.is_missing(geometry) | shapely.is_empty(geometry)
        reason = f"column {wkt_col!r} holds no valid WKT"
        code, params = "no_wkt", {"column": wkt_col}
    frame = gpd.GeoDataFrame(table, geometry=np.where(bad, None, geometry), crs=None)
    loaded = LoadedLayer(frame=frame[~bad].copy(), source=source, lines=lines)
    if bad.any():
        rejected = table[bad].copy()
        rejected.insert(0, "row", [loaded.row_number(p) for p in np.flatnonzero(bad)])
        rejected["reason"] = reason
        rejected["code"] = code
        rejected["params"] = [params] * len(rejected)
        loaded.rejected = rejected
        rows = ", ".join(str(r) for r in rejected["row"].head(5))
        more = "…" if bad.sum() > 5 else ""
        loaded.notes.append(f"{int(bad.sum())} row(s) rejected ({reason}): rows {rows}{more}")
    return loaded


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
