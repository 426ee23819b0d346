"""Exports of layer snapshots: GIS files, a standalone HTML map and a PNG image.

``GET /export/<layer>.<format>`` with ``at`` (ISO time; default now), ``category`` and
``status`` (comma lists, as the desk's filters). ``layer`` is ``incidents`` (points with their
state at that time) or ``grids`` (grid polygons with their figures); ``map.html`` and
``map.png`` draw both. Every export holds only the caller's area (its scope, decided on the
server) and personal data as the caller's role may read it.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pandas as pd
from flask import Flask, Response, request

from gridmap.dashboard.desk.snapshot import SnapshotError, SnapshotQuery, areas_at, incidents_at
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.inputs import refusal
from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE
from gridmap.domain.privacy import mask_personal
from gridmap.domain.workflow import STATES
from gridmap.layers.files import export_layer
from gridmap.layers.folium_export import folium_map, standalone_html
from gridmap.layers.image import figure_png, snapshot_figure
from gridmap.layers.spec import CATALOGUE

#: File formats of the GIS exports: URL suffix → (file suffix, MIME type).
GIS_FORMATS = {
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "geojson": (".geojson", "application/geo+json"),
    "shp.zip": (".shp", "application/zip"),
    "parquet": (".parquet", "application/vnd.apache.parquet"),
    "csv": (".csv", "text/csv; charset=utf-8"),
}
LAYERS = ("incidents", "grids")
#: Exports made at once per server process, and per user. One more is refused at once with a
#: 503 and ``Retry-After`` (never queued: a waiting request would hold one of the server's
#: threads, and a few of them would stall every wall and desk).
MAX_CONCURRENT_EXPORTS = 2
MAX_EXPORTS_PER_USER = 1
EXPORT_RETRY_S = 10


class ExportQueue:
    """Slots for exports being made: :data:`MAX_CONCURRENT_EXPORTS` in all,
    :data:`MAX_EXPORTS_PER_USER` per user."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[str, int] = {}

    def enter(self, user: str) -> str | None:
        """Take a slot for ``user``: ``None``, or why there is none (the 503's message)."""
        with self._lock:
            if self._by_user.get(user, 0) >= MAX_EXPORTS_PER_USER:
                return f"your last export is still being made; try again in {EXPORT_RETRY_S} s"
            if sum(self._by_user.values()) >= MAX_CONCURRENT_EXPORTS:
                return (
                    f"{MAX_CONCURRENT_EXPORTS} exports are being made; "
                    f"try again in {EXPORT_RETRY_S} s"
                )
            self._by_user[user] = self._by_user.get(user, 0) + 1
            return None

    def leave(self, user: str) -> None:
        """Give ``user``'s slot back."""
        with self._lock:
            left = self._by_user.get(user, 0) - 1
            if left > 0:
                self._by_user[user] = left
            else:
                self._by_user.pop(user, None)


_QUEUE = ExportQueue()


def install_export_routes(server: Flask) -> None:
    """Register ``/export/...`` on ``server``."""

    @server.get("/export/<path:name>")
    def export(name: str):
        ctx = get_context()
        scope = current_scope()
        try:
            query = SnapshotQuery.from_args(request.args, ctx.now())
        except SnapshotError as exc:
            return refusal(400, exc.field, exc.message)
        layer, _, fmt = name.partition(".")
        if name not in ("map.html", "map.png") and (layer not in LAYERS or fmt not in GIS_FORMATS):
            allowed = [f"{la}.{f}" for la in LAYERS for f in GIS_FORMATS]
            return refusal(
                404,
                "path",
                f"unknown export {name[:60]!r}; allowed: {[*allowed, 'map.html', 'map.png']}",
            )
        slot = _QUEUE.enter(scope.user)
        if slot is not None:
            response = refusal(503, "path", slot)
            response.headers["Retry-After"] = str(EXPORT_RETRY_S)
            return response
        try:
            return _export(ctx, scope, query, name)
        except SnapshotError as exc:
            return refusal(400, exc.field, exc.message)
        finally:
            _QUEUE.leave(scope.user)

    def _export(ctx, scope: Scope, query: SnapshotQuery, name: str) -> Response:
        stamp = f"{query.at:%Y%m%d-%H%M}"
        if name in ("map.html", "map.png"):
            layers = snapshot_layers(ctx.store, scope, query, ctx.names())
            if name == "map.html":
                data = map_html(layers, scope, query, ctx.names())
                return _download(data, f"gridmap-map-{stamp}.html", "text/html; charset=utf-8")
            try:
                data = map_png(layers, query, ctx.area_view(scope)[2])
            except RuntimeError as exc:  # no Chromium for kaleido on this machine
                return refusal(503, "path", f"cannot draw the image: {exc}")
            return _download(data, f"gridmap-map-{stamp}.png", "image/png")
        layer, _, fmt = name.partition(".")
        frame = (
            incidents_at(ctx.store, scope, query, ctx.names(), request.host_url + "photos/")
            if layer == "incidents"
            else areas_at(ctx.store, scope, "grid", query)
        )
        suffix, mime = GIS_FORMATS[fmt]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"gridmap-{layer}-{stamp}{suffix}"
            written = export_layer(frame, path, layer_name=layer)
            data = written.read_bytes()
            filename = written.name
        return _download(data, filename, mime)


def snapshot_layers(store, scope: Scope, query: SnapshotQuery, names) -> dict:
    """The layers of a map export, by the ``data_id`` of :data:`gridmap.layers.spec.CATALOGUE`."""
    incidents = incidents_at(store, scope, query, names)
    layers = {
        "grids": areas_at(store, scope, "grid", query),
        "communities": areas_at(store, scope, "community", query),
        "streets": areas_at(store, scope, "street", query),
        "incidents_open": incidents,
    }
    if not scope.area_code:
        layers["districts"] = areas_at(store, scope, "district", query)
    layers["incidents_24h"] = reports_before(store, scope, query)
    return layers


def reports_before(store, scope: Scope, query: SnapshotQuery, hours: int = 24) -> pd.DataFrame:
    """``lon``, ``lat`` (WGS84) of every incident of the scope and categories reported in the
    ``hours`` before the snapshot's moment, whatever its state since (the heat layer)."""
    end = int(query.at.value // 1_000_000)
    points = store.report_points(
        end - hours * 3_600_000, end, area_code=scope.area_code, categories=query.categories
    )
    return points[["lon", "lat"]]


def map_html(layers: dict, scope: Scope, query: SnapshotQuery, names) -> bytes:
    """A standalone HTML map of the snapshot (Leaflet inlined, nothing fetched)."""

    specs = [s for s in CATALOGUE if s.kind == "basemap" or s.data_id in layers]
    title = f"网格化管理 · 一张图 · {query.at:%Y-%m-%d %H:%M}"
    m = folium_map(layers, specs, title=title, mask=None if scope.personal_data else mask_personal)
    return standalone_html(m).encode()


def map_png(layers: dict, query: SnapshotQuery, area_name: str) -> bytes:
    """A PNG of the snapshot: grids by open incidents, outlines, incidents, street names."""

    incidents = layers["incidents_open"]
    outlines = [(layers["communities"], "#8aa9cf", 0.8), (layers["streets"], "#1d4e89", 1.8)]
    if "districts" in layers:
        outlines.append((layers["districts"], "#0b2545", 3.0))
    filters = "、".join(CATEGORY_BY_CODE[c].name for c in query.categories) or "全部类别"
    fig = snapshot_figure(
        layers["grids"],
        figure="open",
        outlines=outlines,
        points=incidents[["lon", "lat", "status", "due"]].dropna(subset=["lon"]),
        labels=layers["streets"],
        state_names={code: state.name for code, state in STATES.items()},
        title=f"{area_name} · 网格在办事件",
        subtitle=f"截至 {query.at:%Y-%m-%d %H:%M} · {filters} · 事件 {len(incidents):,} 件",
    )
    return figure_png(fig)


def _download(data: bytes, filename: str, mime: str) -> Response:
    response = Response(data, mimetype=mime.split(";")[0])
    if "charset" in mime:
        response.headers["Content-Type"] = mime
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
