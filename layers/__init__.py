"""Declarative layer specs and their renderers (plotly, folium, files). Never imports dash."""
