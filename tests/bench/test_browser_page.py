"""Reading the server's own timing from response headers (no browser here)."""

from __future__ import annotations

import pytest

from gridmap.bench.browser_page import server_timing


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"Server-Timing": "app;dur=12.5"}, 12.5),
        ({"server-timing": 'db;dur=3, app;dur=7.25;desc="x"'}, 7.25),
        ({"Server-Timing": "db;dur=3"}, None),
        ({"Content-Type": "application/json"}, None),
    ],
)
def test_server_timing(headers, expected):
    assert server_timing(headers) == expected
