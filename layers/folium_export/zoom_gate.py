"""Zoom ranges in the page: :class:`_ZoomGate` adds a script that shows each gated layer
only while ``min_zoom <= zoom < max_zoom`` (web-map zoom levels, MapLibre's rule), so the
folium map hides layers outside their range as the MapLibre dashboard does.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.template import Template


class _ZoomGate(MacroElement):
    """Show each gated layer only at ``min_zoom <= zoom < max_zoom`` (MapLibre's rule)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var gates = [
            {%- for layer, low, high in this.gates %}
                {layer: {{ layer.get_name() }}, low: {{ low|tojson }},
                 high: {{ high|tojson }}, hidden: false},
            {%- endfor %}
            ];
            function apply() {
                var z = map.getZoom();
                gates.forEach(function (g) {
                    var inside = (g.low === null || z >= g.low) && (g.high === null || z < g.high);
                    if (!inside && map.hasLayer(g.layer)) {
                        map.removeLayer(g.layer);
                        g.hidden = true;
                    } else if (inside && g.hidden) {
                        map.addLayer(g.layer);
                        g.hidden = false;
                    }
                });
            }
            map.on("zoomend", apply);
            apply();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, gates: list[tuple[folium.FeatureGroup, float | None, float | None]]):
        super().__init__()
        self._name = "ZoomGate"
        self.gates = gates
