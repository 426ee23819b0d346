"""Dash pages: they register and lay out; callbacks live in :mod:`gridmap.dashboard.callbacks`."""
