"""A shareable map as one standalone HTML file that works with no network at all.

:func:`folium_map` draws layer specs (:mod:`gridmap.layers.spec`) with folium/Leaflet;
:func:`standalone_html` renders it with every script and stylesheet inlined, so the file can be
mailed or copied onto the intranet and opened anywhere.

folium's pages load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. This page needs only
Leaflet (no popups, no icon markers: jQuery, Bootstrap and the icon fonts are left out); a copy
of Leaflet 1.9.4 ships in ``layers/vendor/leaflet`` (BSD-2-Clause, from the npm package).
Plugin scripts that folium itself ships (``folium/templates/*.js``) are inlined from the
installed package. branca's ``embedded=True`` is not used: it was seen writing a Python bytes
literal into the page.

Personal data: only the columns a layer's tooltip names are written into the page, and text
that can hold names or phone numbers (``description``, ``worker_phone``, ...) goes through a
mask first (:func:`gridmap.domain.privacy.mask_personal` by default).

Coordinates: every layer is reprojected to WGS84 lon/lat (EPSG:4326) at the boundary; areas
are simplified as a coverage in metres (see :func:`gridmap.layers.geojson.area_geojson`).

The package, one job a module: :mod:`~gridmap.layers.folium_export.build`
(:func:`folium_map`: the map, its basemap and view), :mod:`~gridmap.layers.folium_export.renderers`
(one folium layer per layer kind), :mod:`~gridmap.layers.folium_export.tooltips` (tooltip
columns, masked and as display text), :mod:`~gridmap.layers.folium_export.zoom_gate` (layers
shown only in their zoom range), :mod:`~gridmap.layers.folium_export.page` (title bar, style
and legend) and :mod:`~gridmap.layers.folium_export.standalone` (:func:`standalone_html`:
the vendored Leaflet and every script inlined).
"""

from __future__ import annotations

from gridmap.layers.folium_export.build import folium_map
from gridmap.layers.folium_export.standalone import LEAFLET_VERSION, standalone_html

__all__ = ["LEAFLET_VERSION", "folium_map", "standalone_html"]
