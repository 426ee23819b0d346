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


def test_requests_belong_to_the_window_they_were_sent_in():
    from gridmap.bench.browser_page import Traffic

    traffic = Traffic()

    def send(rid: str, path: str) -> None:
        traffic._sent({"requestId": rid, "request": {"url": "http://127.0.0.1:1" + path}})

    send("a", "/live/tick.json?cursor=1")  # before any window
    traffic.windows += 1
    traffic.window = traffic.windows
    send("b", "/live/tick.json?cursor=2")
    traffic._finished({"requestId": "a", "encodedDataLength": 10})
    traffic.window = 0
    send("c", "/_dash-update-component")
    traffic._finished({"requestId": "b", "encodedDataLength": 20})
    traffic._finished({"requestId": "c", "encodedDataLength": 30})
    requests = traffic.requests
    assert [requests[r]["sent_in"] for r in "abc"] == [0, 1, 0]
    assert [requests[r]["finished_in"] for r in "abc"] == [1, 0, 0]
    assert {r["bytes"] for r in traffic.updates()} == {10, 20, 30}  # ticks and Dash callbacks
