"""Geo pipeline: load files, convert coordinates, validate and repair, assign, aggregate.

Never imports ``gridmap.layers``, ``gridmap.dashboard`` or ``gridmap.feed``.
"""
