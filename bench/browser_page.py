"""Driving one page in headless Chromium for the browser benchmarks: time and bytes to the
first map paint, and what each live update costs the wire, the server and the main thread.

Chromium is Debian's (``/usr/bin/chromium``), driven by playwright, headless, with every host
name but loopback unresolvable, so a request off the machine fails and is listed.
Network figures come from the Chrome DevTools Protocol (CDP): ``encodedDataLength`` of
``Network.loadingFinished`` (bytes on the wire, headers included) and the ``timing`` of
``Network.responseReceived``; the main thread's work from ``Performance.getMetrics``.
A CDP session on the page does not see what its web workers fetch (MapLibre loads GeoJSON
sources given by URL in a worker), so bytes to the first paint are summed over playwright's
``requestfinished`` events instead (all targets), from ``Request.sizes()`` — the same
``encodedDataLength``, split into headers and body — and ``Request.timing``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
#: Chromium flags: headless, no background traffic, and no name resolves but loopback.
#: GL is SwiftShader (software) as on any machine without a GPU, but composited the way a
#: wall PC with a GPU composites (``--disable-gpu`` would read every WebGL frame back to the
#: page's main thread, ~0.5 s a frame here, which no wall PC does).
FLAGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
VIEWPORT = {"width": 1920, "height": 1080}
#: Paths of live updates: our wall's tick (plain fetch) and Dash callbacks (the naive page's
#: figure, our panels).
TICK_PATH = "/live/tick.json"
UPDATE_PATHS = ("/_dash-update-component", TICK_PATH)

#: The paint probe of a page with a plotly map (the naive page), by plotly's public events
#: only: the first ``plotly_afterplot`` of a graph whose figure has data (plotly resolves a
#: map's plot once MapLibre has loaded its style and the traces' sources). It also counts the
#: redraws. Our wall, MapLibre's own map, says itself when it painted (``gridmapPainted``:
#: the first frame once every source of its style and its live sources had loaded).
GENERIC_PROBE = """
(() => {
  const probe = (window.__benchPaint = {painted: null, renders: 0});
  const seen = new WeakSet();
  const hasData = (gd) => (gd.data || []).some((t) => (t.lat || t.locations || []).length > 0);
  const watch = () => {
    for (const gd of document.querySelectorAll(".js-plotly-plot")) {
      if (seen.has(gd) || typeof gd.on !== "function") continue;
      seen.add(gd);
      gd.on("plotly_afterplot", () => {
        probe.renders++;
        if (probe.painted === null && hasData(gd)) probe.painted = performance.now();
      });
    }
    // until a plotly map has painted; a page that says so itself (ours, the plain page)
    // is not polled on while its updates are measured
    if (probe.painted === null && !window.gridmapPainted && !window.plainPainted) {
      setTimeout(watch, 50);
    }
  };
  watch();
})();
"""
PROBES = {
    "generic": "window.__benchPaint && window.__benchPaint.painted",
    "gridmapPainted": "window.gridmapPainted",
    "plainPainted": "window.plainPainted",  # the plain MapLibre page (bench/plain_app.py)
}


def server_timing(headers: dict[str, str], metric: str = "app") -> float | None:
    """Milliseconds of ``metric`` (``app``: by the clock, ``cpu``: the thread's CPU) in a
    ``Server-Timing`` response header, if present."""
    for name, value in headers.items():
        if name.lower() == "server-timing":
            for part in value.split(","):
                name_, _, params = part.strip().partition(";")
                if name_ == metric and "dur=" in params:
                    return float(params.split("dur=", 1)[1].split(";", 1)[0])
    return None


@dataclasses.dataclass
class Traffic:
    """One page's requests: the page's own by CDP request id, and every finished one
    (workers' too) as playwright reports them."""

    requests: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    finished: list[Any] = dataclasses.field(default_factory=list)
    offhost: list[str] = dataclasses.field(default_factory=list)
    #: The number of the window being watched (0: none); requests note the one they were
    #: sent and finished in.
    window: int = 0
    windows: int = 0

    def attach(self, context, cdp) -> None:
        context.on("request", lambda r: self.note_url(r.url))
        context.on("requestfinished", lambda r: self.finished.append(r))
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        request = event["request"]
        self.requests[event["requestId"]] = {
            "url": request["url"],
            "post": request.get("postData", ""),
            "sent_in": self.window,
        }

    def _received(self, event: dict) -> None:
        item = self.requests.get(event["requestId"])
        if item is None:
            return
        # the server's own account (Server-Timing: app;dur=…, both apps send it), else the
        # time to the first byte of the answer
        headers_in = event["response"].get("headers") or {}
        server = server_timing(headers_in)
        cpu = server_timing(headers_in, "cpu")
        if cpu is not None:
            item["server_cpu_ms"] = cpu
        timing = event["response"].get("timing")
        if server is not None:
            item["server_ms"] = server
        elif timing:
            headers = timing.get("receiveHeadersStart", -1)
            if headers is None or headers < 0:
                headers = timing["receiveHeadersEnd"]
            item["server_ms"] = headers - timing["sendEnd"]

    def _finished(self, event: dict) -> None:
        item = self.requests.get(event["requestId"])
        if item is not None:
            item["bytes"] = event["encodedDataLength"]
            item["finished_in"] = self.window

    def note_url(self, url: str) -> None:
        parts = urlsplit(url)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if not local and parts.scheme not in ("data", "blob") and url not in self.offhost:
            self.offhost.append(url)

    def finished_by(self, epoch_ms: float) -> list[tuple[str, int]]:
        """(URL, bytes on the wire) of every request that finished by ``epoch_ms``."""
        out = []
        for request in list(self.finished):
            timing = request.timing
            if timing["responseEnd"] < 0 or timing["startTime"] + timing["responseEnd"] > epoch_ms:
                continue
            sizes = request.sizes()
            size = max(sizes["responseHeadersSize"], 0) + max(sizes["responseBodySize"], 0)
            out.append((request.url, size))
        return out

    def updates(self) -> list[dict[str, Any]]:
        """The page's finished update requests, ticks and Dash callbacks (``url``, ``post``,
        ``bytes``, ``server_ms``)."""
        return [
            r
            for r in self.requests.values()
            if "bytes" in r and urlsplit(r["url"]).path in UPDATE_PATHS
        ]


@dataclasses.dataclass
class PageRun:
    """One page open in a browser context of its own: a cold cache, used as a browser would
    (a URL asked twice, e.g. by two map layers, may come from the cache the second time)."""

    page: Any
    cdp: Any
    traffic: Traffic

    @classmethod
    def open(cls, browser, url: str) -> PageRun:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        traffic = Traffic()
        cdp = context.new_cdp_session(page)
        traffic.attach(context, cdp)
        cdp.send("Network.enable")
        cdp.send("Performance.enable")
        page.add_init_script(GENERIC_PROBE)
        page.goto(url, wait_until="commit")
        return cls(page, cdp, traffic)

    def close(self) -> None:
        self.page.context.close()

    def wait_for_paint(self, probe: str, timeout_s: float) -> float | None:
        """Seconds from navigation start to the first map paint, or ``None`` on time-out."""
        expression = PROBES[probe]
        try:
            self.page.wait_for_function(
                f"() => typeof ({expression}) === 'number'",
                timeout=timeout_s * 1000,
                polling=200,
            )
        except Exception as exc:  # playwright's TimeoutError, or the page died
            if "Timeout" not in type(exc).__name__:
                raise
            return None
        return self.page.evaluate(f"() => {expression}") / 1000

    def loaded_by(self, paint_s: float | None) -> list[tuple[str, int]]:
        """(URL, bytes) of the requests finished from navigation start until ``paint_s``
        (all so far if ``None``)."""
        origin = self.page.evaluate("() => performance.timeOrigin")
        return self.traffic.finished_by(origin + (paint_s * 1000 if paint_s is not None else 1e12))

    def metrics(self) -> dict[str, float]:
        """``Performance.getMetrics`` (``TaskDuration``: seconds the main thread spent in
        tasks, waits on the GPU process included; ``ThreadTime``: its CPU seconds;
        ``Timestamp``), and ``renders``: frames the page's maps have drawn so far."""
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        out = {m["name"]: m["value"] for m in metrics}
        out["renders"] = self.page.evaluate(
            "() => window.__benchPaint.renders + (window.gridmapRenders || 0)"
        )
        return out

    def update_window(self, seconds: float, grace_s: float = 5.0) -> dict[str, Any]:
        """Watch the page for ``seconds`` while updates flow.

        Returns
        -------
        dict
            ``updates``: update requests that finished in the window (or, sent in it,
            within ``grace_s`` after); ``unfinished``: how many sent in it never finished;
            ``other``: the page's other requests sent in the window; ``busy_share`` and
            ``cpu_share`` of the main thread; ``renders_per_s`` of the maps.
        """
        before = self.metrics()
        self.traffic.windows += 1
        number = self.traffic.window = self.traffic.windows
        self.page.wait_for_timeout(seconds * 1000)  # (events are dispatched while waiting)
        self.traffic.window = 0  # between windows: belongs to none
        after = self.metrics()
        elapsed = max(after["Timestamp"] - before["Timestamp"], 1e-9)
        sent = [r for r in self.traffic.requests.values() if r["sent_in"] == number]
        deadline = time.monotonic() + grace_s
        while any("bytes" not in r for r in sent) and time.monotonic() < deadline:
            self.page.wait_for_timeout(200)
        is_update = [urlsplit(r["url"]).path in UPDATE_PATHS for r in sent]
        return {
            "updates": [
                r
                for r in self.traffic.updates()
                if r["sent_in"] == number or r.get("finished_in") == number
            ],
            "unfinished": sum(u and "bytes" not in r for r, u in zip(sent, is_update, strict=True)),
            "other": [r for r, u in zip(sent, is_update, strict=True) if not u],
            "busy_share": (after["TaskDuration"] - before["TaskDuration"]) / elapsed,
            "cpu_share": (after["ThreadTime"] - before["ThreadTime"]) / elapsed,
            "renders_per_s": (after["renders"] - before["renders"]) / elapsed,
        }
