"""The desk's own route: the classes of an area choropleth coloured by a figure, one GeoJSON
file per colour (``/geo/choropleth/<layer>/<k>.geojson?figure=``), of the caller's area."""

from __future__ import annotations

from flask import Flask, request

from gridmap.dashboard.desk.layers import choropleth_classes, desk_specs
from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.context import get_context
from gridmap.dashboard.shared.georoutes import area_outlines, respond_geojson, unknown_part
from gridmap.dashboard.shared.inputs import refusal
from gridmap.layers.plotly_map import AREA_LEVELS


def install_desk_routes(server: Flask) -> None:
    """Register ``/geo/choropleth/...`` on ``server``."""

    @server.get("/geo/choropleth/<spec_id>/<int:k>.geojson")
    def choropleth_layer(spec_id: str, k: int):
        """Class ``k`` of a desk choropleth (``?figure=open|overdue|on_time_rate``): figures
        are incident data, so only the caller's area; rebuilt at most every minute."""
        ctx = get_context()
        cache = ctx.geo_cache
        scope = current_scope()
        figure = request.args.get("figure", "open")
        spec = next((s for s in desk_specs() if s.id == spec_id), None)
        if spec is None or spec.kind != "area_choropleth":
            known = [s.id for s in desk_specs() if s.kind == "area_choropleth"]
            return unknown_part("layer", spec_id, known)
        level = AREA_LEVELS[spec.data_id]

        def build() -> list[bytes]:
            whole = area_outlines(cache, level, scope)
            return choropleth_classes(ctx.store, whole, spec_id, figure, scope, ctx.now())

        try:
            with cache.building:  # the classes come together: one build for all requests
                classes = cache.get(
                    f"choropleth:{spec_id}:{figure}:{scope.area_code or ''}", build, ttl=60.0
                )
        except KeyError as exc:
            return refusal(400, "figure", str(exc.args[0]))
        if not 0 <= k < len(classes):
            return unknown_part("class", str(k), [str(i) for i in range(len(classes))])
        return respond_geojson(classes[k], max_age=60)
