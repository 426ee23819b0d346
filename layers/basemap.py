"""One basemap registry as plain data, with one small adapter per backend.

The district centre's network is a government intranet, so the default basemap,
``"offline"``, fetches nothing: it is a plain background on which the dashboard draws the
project's own vector layers (district, streets, communities, grids, buildings). A tile server
is used only when configured: ``"custom"`` takes any XYZ template from the ``tile_url``
setting (e.g. an intranet mirror); ``"tianditu_vec"``/``"tianditu_img"`` are the national
Tianditu (天地图) vector and imagery services in Web Mercator, which need a key.

Adapters
--------
* :func:`maplibre_style` — a complete MapLibre style (version 8) for plotly's ``map`` subplot
  (``layout.map.style`` takes a style object) or a MapLibre GL JS map.
* :func:`folium_tiles` / :func:`folium_overlays` — keyword arguments for ``folium.Map`` and
  ``folium.TileLayer``.

Tile URLs are XYZ templates in Web Mercator (EPSG:3857) with ``{z}``, ``{x}``, ``{y}``;
Tianditu's WMTS ``TILEMATRIXSET=w`` grid is the same tiling, so its KVP request maps
``TILEMATRIX={z}&TILEROW={y}&TILECOL={x}``.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from typing import Any, Literal

from gridmap.layers.spec import BACKGROUND

__all__ = [
    "BASEMAPS",
    "DEFAULT_GLYPHS_URL",
    "Basemap",
    "basemap_info",
    "default_basemap",
    "folium_overlays",
    "folium_tiles",
    "maplibre_style",
]

#: Where the dashboard serves SDF glyphs (only Latin text needs them: MapLibre draws CJK
#: with the browser's own fonts). A path on our own server: nothing remote.
DEFAULT_GLYPHS_URL = "/assets/glyphs/{fontstack}/{range}.pbf"


@dataclasses.dataclass(frozen=True)
class Basemap:
    """A basemap, the same in every backend.

    Attributes
    ----------
    name
        Registry key (``"offline"``, ``"custom"``, ``"tianditu_vec"``, ``"tianditu_img"``).
    label
        Chinese name for the basemap picker.
    kind
        ``"own"``: no tiles, our vector layers on a background. ``"xyz"``: raster tiles.
    url
        XYZ template (``{z}``, ``{x}``, ``{y}``, and ``{key}`` where a key is needed);
        ``None`` when the URL comes from the ``tile_url`` setting or there are no tiles.
    attribution
        Text shown on the map (required by the tile provider's terms).
    requires_key
        Whether ``url`` has a ``{key}`` that must be filled in.
    label_url
        Optional annotation overlay (place names) drawn over ``url``, same template rules.
    max_zoom
        Highest zoom the server has tiles for.
    setting
        Name of the setting that supplies what this basemap needs (``tile_url`` or the key),
        for error messages; read as ``GRIDMAP_<SETTING>`` from the environment.
    """

    name: str
    label: str
    kind: Literal["own", "xyz"]
    url: str | None
    attribution: str
    requires_key: bool = False
    label_url: str | None = None
    max_zoom: int = 18
    setting: str | None = None


_TIANDITU = (
    "https://t0.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{key}}"
)
_TIANDITU_ATTRIBUTION = "天地图 · 国家地理信息公共服务平台"

#: The basemaps, by name; ``"offline"`` is the default.
BASEMAPS: dict[str, Basemap] = {
    b.name: b
    for b in (
        Basemap("offline", "离线底图 (本地图层)", "own", None, ""),
        Basemap("custom", "自定义瓦片 (内网)", "xyz", None, "", setting="tile_url"),
        Basemap(
            "tianditu_vec",
            "天地图 · 矢量",
            "xyz",
            _TIANDITU.format(layer="vec"),
            _TIANDITU_ATTRIBUTION,
            requires_key=True,
            label_url=_TIANDITU.format(layer="cva"),
            setting="tianditu_key",
        ),
        Basemap(
            "tianditu_img",
            "天地图 · 影像",
            "xyz",
            _TIANDITU.format(layer="img"),
            _TIANDITU_ATTRIBUTION,
            requires_key=True,
            label_url=_TIANDITU.format(layer="cia"),
            setting="tianditu_key",
        ),
    )
}


def basemap_info(name: str) -> Basemap:
    """The registry entry ``name``; an unknown name raises ``ValueError`` naming the known ones."""
    try:
        return BASEMAPS[name]
    except KeyError:
        raise ValueError(f"basemap {name!r} unknown; allowed: {list(BASEMAPS)}") from None


def default_basemap(tile_url: str | None = None) -> str:
    """``"custom"`` when a ``tile_url`` is configured, else ``"offline"``."""
    return "custom" if tile_url else "offline"


@dataclasses.dataclass(frozen=True)
class _Tiles:
    """Resolved tile URLs of an xyz basemap."""

    url: str
    label_url: str | None
    attribution: str
    max_zoom: int


def _resolve(name: str, tile_url: str | None, key: str | None) -> _Tiles | None:
    """The concrete tile URLs of basemap ``name`` (``None`` for one drawn from our layers)."""
    info = basemap_info(name)
    if info.kind == "own":
        return None
    template = info.url or tile_url
    if not template:
        raise ValueError(
            f"basemap {name!r} needs a tile URL: set the {info.setting!r} setting "
            f"(GRIDMAP_{str(info.setting).upper()}), an XYZ template with {{z}}, {{x}}, {{y}}"
        )
    _check_template(template, info)
    fill = _key_filler(info, key)
    return _Tiles(
        url=fill(template),
        label_url=fill(info.label_url) if info.label_url else None,
        attribution=info.attribution or _host(template),
        max_zoom=info.max_zoom,
    )


def _check_template(template: str, info: Basemap) -> None:
    missing = [t for t in ("{z}", "{x}", "{y}") if t not in template]
    if missing:
        raise ValueError(
            f"basemap {info.name!r}: tile URL {template!r} lacks {missing}; an XYZ template "
            f"has {{z}}, {{x}} and {{y}} (setting {info.setting!r})"
        )


def _key_filler(info: Basemap, key: str | None):
    """A function filling ``{key}`` into a template (checks a key is given if needed)."""
    if not info.requires_key:
        return lambda template: template
    if not key:
        raise ValueError(
            f"basemap {info.name!r} needs a key: set the {info.setting!r} setting "
            f"(GRIDMAP_{str(info.setting).upper()}), or choose basemap 'offline'"
        )
    quoted = urllib.parse.quote(key, safe="")
    return lambda template: template.replace("{key}", quoted)


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


# --------------------------------------------------------------------------- MapLibre / plotly


def maplibre_style(
    name: str = "offline",
    *,
    tile_url: str | None = None,
    key: str | None = None,
    background: str = BACKGROUND,
    glyphs_url: str = DEFAULT_GLYPHS_URL,
) -> dict[str, Any]:
    """A complete MapLibre style (version 8) for basemap ``name``.

    Parameters
    ----------
    name
        A key of :data:`BASEMAPS`.
    tile_url
        XYZ template for ``"custom"`` (the ``tile_url`` setting); ignored by the others.
    key
        Key for basemaps that need one (Tianditu: the ``tianditu_key`` setting).
    background
        Colour under everything (the wall screen's navy by default).
    glyphs_url
        Glyph template; the default is a path on our own server.

    Returns
    -------
    dict
        ``{"version": 8, "name", "metadata", "sources", "layers", "glyphs"}``. For
        ``"offline"`` the only layer is the background and there are no sources: nothing is
        fetched from anywhere (our vector layers are added on top by the dashboard). For an
        xyz basemap, a raster source (and an annotation source for Tianditu) on the configured
        host only.

    Raises
    ------
    ValueError
        On an unknown name, a missing ``tile_url`` or key (naming the setting), or a tile URL
        without ``{z}``, ``{x}``, ``{y}``.
    """
    tiles = _resolve(name, tile_url, key)
    sources: dict[str, Any] = {}
    layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": background}}
    ]
    if tiles is not None:
        for source_id, url in (("basemap", tiles.url), ("basemap_labels", tiles.label_url)):
            if url is None:
                continue
            sources[source_id] = _raster_source(url, tiles)
            layers.append({"id": source_id, "type": "raster", "source": source_id})
    return {
        "version": 8,
        "name": f"gridmap-{name}",
        "metadata": {"gridmap:basemap": name},
        "sources": sources,
        "layers": layers,
        "glyphs": glyphs_url,
    }


def _raster_source(url: str, tiles: _Tiles) -> dict[str, Any]:
    return {
        "type": "raster",
        "tiles": [url],
        "tileSize": 256,
        "maxzoom": tiles.max_zoom,
        "attribution": tiles.attribution,
    }


# --------------------------------------------------------------------------- folium


def folium_tiles(
    name: str = "offline", *, tile_url: str | None = None, key: str | None = None
) -> dict[str, Any]:
    """Keyword arguments for ``folium.Map`` (or ``folium.TileLayer``) for basemap ``name``.

    Returns
    -------
    dict
        ``{"tiles": None}`` for ``"offline"`` (no tile layer at all); for an xyz basemap
        ``{"tiles": url, "attr": attribution, "max_zoom": n}``. Annotation overlays are in
        :func:`folium_overlays`.

    Raises
    ------
    ValueError
        As :func:`maplibre_style`.
    """
    tiles = _resolve(name, tile_url, key)
    if tiles is None:
        return {"tiles": None}
    return {"tiles": tiles.url, "attr": tiles.attribution, "max_zoom": tiles.max_zoom}


def folium_overlays(
    name: str = "offline", *, tile_url: str | None = None, key: str | None = None
) -> list[dict[str, Any]]:
    """Keyword arguments of ``folium.TileLayer`` overlays (Tianditu's place names), maybe none."""
    tiles = _resolve(name, tile_url, key)
    if tiles is None or tiles.label_url is None:
        return []
    return [
        {
            "tiles": tiles.label_url,
            "attr": tiles.attribution,
            "max_zoom": tiles.max_zoom,
            "name": f"{basemap_info(name).label} · 注记",
            "overlay": True,
            "control": False,
        }
    ]
