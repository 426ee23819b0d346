"""Tests of gridmap.layers.view: the centre and zoom that show an area whole."""

from __future__ import annotations

import pytest

from gridmap.layers.view import view_of_bounds


def test_a_district_fills_the_panel_and_zoom_halves_with_the_span():
    centre, zoom = view_of_bounds((104.07, 30.62, 104.24, 30.75))  # Chenghua
    assert centre == pytest.approx({"lat": 30.685, "lon": 104.155})
    assert 11.0 < zoom < 12.0
    _, wider = view_of_bounds((104.07, 30.62, 104.41, 30.88))  # twice as wide and tall
    assert wider == pytest.approx(zoom - 1)


def test_the_zoom_is_held_to_its_range():
    assert view_of_bounds((102.99, 30.09, 104.90, 31.44), min_zoom=10)[1] == 10  # Chengdu
    assert view_of_bounds((104.1, 30.6, 104.1001, 30.6001), max_zoom=15.5)[1] == 15.5
