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

#: Each page's own word that it painted, reported beside the measure (:data:`SETTLE_PROBE`):
#: the naive page by plotly's public events (the first ``plotly_afterplot`` of a graph whose
#: figure has data: plotly resolves a map's plot once MapLibre has its style and the traces'
#: sources were handed over, before they are drawn), which also counts its redraws; our wall
#: and the plain page say it themselves (``gridmapPainted``, ``plainPainted``: the first frame
#: once every source of the style and the live sources had loaded).
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

#: Pixels between two samples of a frame, across and down (pixels of the drawing buffer).
SETTLE_STEP_PX = 16
#: A sample differs from another when a channel differs by more than this (of 255):
#: antialiasing and dithering move a channel by a few.
SETTLE_NOISE = 24
#: A frame shows the final picture when at most this share of its samples differ from the
#: final frame's: the fade of a layer's last paint transition, not a layer of its own.
SETTLE_TOLERANCE = 0.005
#: A page is taken as having drawn what it draws once it has said it painted (its own word,
#: :data:`PROBES`) and, since then, no frame has changed its picture by more than
#: :data:`SETTLE_TOLERANCE` for :data:`SETTLE_QUIET_S`, or for :data:`SETTLE_QUIET_SHARE` of
#: the time since navigation if longer (a slow page may draw its background, then parse its
#: data for seconds before drawing again).
SETTLE_QUIET_S = 1.5
SETTLE_QUIET_SHARE = 0.5

#: The first paint of every page, measured the same way whatever draws it (plotly's map, our
#: MapLibre map, the plain page's): the moment the map's canvas first shows its final picture.
#: Each frame a WebGL 2 canvas of at least 200,000 pixels draws into its drawing buffer is
#: sampled, a row of pixels every :data:`SETTLE_STEP_PX` and a pixel of each row every as
#: many, read into a pixel buffer right after the task that drew it and fetched once a fence
#: says the GPU is done, so the page never waits on the GPU for it (a synchronous read cost
#: 0.1–0.2 s a frame here). The bindings and pack settings the read uses are put back as they
#: were. Frames are kept per canvas; the largest canvas is the map. Per canvas,
#: ``lastChange``: the time of the last frame that differed from the one of the change before
#: it by more than the tolerance. (A page drawing with WebGL 1 is not sampled: it never
#: settles, and is reported as not painted.)
SETTLE_PROBE = (
    """
(() => {
  const STEP = @STEP@, NOISE = @NOISE@, TOLERANCE = @TOLERANCE@;
  const probe = (window.__gmSettle = {canvases: [], pending: []});
  const differs = (a, b) => {
    if (a.length !== b.length) return 1;  // another size: another picture
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = b[i];
      const red = Math.abs((x >> 16) - (y >> 16));
      const green = Math.abs(((x >> 8) & 255) - ((y >> 8) & 255));
      if (Math.max(red, green, Math.abs((x & 255) - (y & 255))) > NOISE) n++;
    }
    return n / a.length;
  };
  probe.differs = differs;
  const canvasOf = (gl) => {
    let c = probe.canvases.find((x) => x.gl === gl);
    if (!c) probe.canvases.push((c = {gl, frames: [], changed: null, lastChange: null}));
    return c;
  };
  // the canvas with the largest drawing buffer: the map
  probe.map = () => probe.canvases.reduce((a, b) => (!a || b.size > a.size ? b : a), null);
  const fetchDone = () => {
    const waiting = [];
    for (const read of probe.pending) {
      const gl = read.gl, state = gl.clientWaitSync(read.sync, 0, 0);
      if (state === gl.TIMEOUT_EXPIRED) {
        waiting.push(read);
        continue;
      }
      gl.deleteSync(read.sync);
      if (state === gl.WAIT_FAILED || gl.isContextLost()) continue;  // nothing was read
      const bound = gl.getParameter(gl.PIXEL_PACK_BUFFER_BINDING);
      const rows = new Uint8Array(read.rows * read.width * 4);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, read.buffer);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, rows);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, bound);
      gl.deleteBuffer(read.buffer);
      const samples = new Uint32Array(read.rows * Math.ceil((read.width - (STEP >> 1)) / STEP));
      let n = 0;
      for (let r = 0; r < read.rows; r++)
        for (let x = STEP >> 1; x < read.width; x += STEP) {
          const i = (r * read.width + x) * 4;
          samples[n++] = (rows[i] << 16) | (rows[i + 1] << 8) | rows[i + 2];
        }
      const canvas = canvasOf(gl);
      canvas.size = read.width * read.height;
      if (!canvas.changed || differs(samples, canvas.changed) > TOLERANCE) {
        canvas.changed = samples;
        canvas.lastChange = read.t;
      }
      canvas.frames.push({t: read.t, samples});
    }
    probe.pending = waiting;
    if (waiting.length) setTimeout(fetchDone, 10);
  };
  const sample = (gl) => {
    const width = gl.drawingBufferWidth, height = gl.drawingBufferHeight;
    if (width * height < 200000 || gl.isContextLost()) return;  // not a map
    const t = performance.now(), rows = Math.floor(height / STEP);
    const kept = [gl.PIXEL_PACK_BUFFER_BINDING, gl.READ_FRAMEBUFFER_BINDING, gl.PACK_ALIGNMENT,
                  gl.PACK_ROW_LENGTH, gl.PACK_SKIP_PIXELS, gl.PACK_SKIP_ROWS]
      .map((name) => gl.getParameter(name));
    const buffer = gl.createBuffer();
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
    gl.bufferData(gl.PIXEL_PACK_BUFFER, rows * width * 4, gl.STREAM_READ);
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);  // what is shown
    gl.pixelStorei(gl.PACK_ALIGNMENT, 4);
    gl.pixelStorei(gl.PACK_ROW_LENGTH, 0);
    gl.pixelStorei(gl.PACK_SKIP_PIXELS, 0);
    gl.pixelStorei(gl.PACK_SKIP_ROWS, 0);
    for (let r = 0; r < rows; r++)
      gl.readPixels(0, r * STEP + (STEP >> 1), width, 1, gl.RGBA, gl.UNSIGNED_BYTE, r * width * 4);
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, kept[1]);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, kept[0]);
    gl.pixelStorei(gl.PACK_ALIGNMENT, kept[2]);
    gl.pixelStorei(gl.PACK_ROW_LENGTH, kept[3]);
    gl.pixelStorei(gl.PACK_SKIP_PIXELS, kept[4]);
    gl.pixelStorei(gl.PACK_SKIP_ROWS, kept[5]);
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    probe.pending.push({gl, buffer, sync, t, width, height, rows});
    if (probe.pending.length === 1) setTimeout(fetchDone, 10);
  };
  // one sample per canvas per task that draws into its drawing buffer, once the task's draws
  // are all issued (a draw into a framebuffer of the page's own is no frame)
  const queued = new Set();
  const proto = WebGL2RenderingContext.prototype;
  const draws = ["drawElements", "drawArrays", "drawElementsInstanced", "drawArraysInstanced"];
  for (const name of draws) {
    const draw = proto[name];
    proto[name] = function (...args) {
      const out = draw.apply(this, args);
      if (!queued.has(this) && this.getParameter(this.DRAW_FRAMEBUFFER_BINDING) === null) {
        queued.add(this);
        queueMicrotask(() => { queued.delete(this); sample(this); });
      }
      return out;
    };
  }
})();
""".replace("@STEP@", str(SETTLE_STEP_PX))
    .replace("@NOISE@", str(SETTLE_NOISE))
    .replace("@TOLERANCE@", str(SETTLE_TOLERANCE))
)
#: Whether the page has settled (:meth:`PageRun.wait_for_settled`): its map has frames, none
#: is still being read, it said it painted, and no frame since has changed the picture for
#: long enough.
SETTLED_YET = """
([said, quietMs, share]) => {
  const probe = window.__gmSettle, map = probe && probe.map(), now = performance.now();
  if (typeof said !== "number" || !map || map.lastChange === null || probe.pending.length) {
    return false;
  }
  return now - Math.max(map.lastChange, said) >= Math.max(quietMs, share * now);
}
"""
#: The time of the first frame of the map from which every frame shows the final picture.
SETTLED = """
(tolerance) => {
  const probe = window.__gmSettle, map = probe.map();
  if (!map || !map.frames.length) return null;
  const frames = map.frames, last = frames[frames.length - 1].samples;
  let k = frames.length - 1;
  while (k > 0 && probe.differs(frames[k - 1].samples, last) <= tolerance) k--;
  return frames[k].t;
}
"""


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
    def open(cls, browser, url: str, settle: bool = False) -> PageRun:
        """Open ``url`` in a new context; ``settle``: its frames sampled (:data:`SETTLE_PROBE`,
        for :meth:`wait_for_settled`)."""
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        traffic = Traffic()
        cdp = context.new_cdp_session(page)
        traffic.attach(context, cdp)
        cdp.send("Network.enable")
        cdp.send("Performance.enable")
        page.add_init_script(GENERIC_PROBE)
        if settle:
            page.add_init_script(SETTLE_PROBE)
        page.goto(url, wait_until="commit")
        return cls(page, cdp, traffic)

    def close(self) -> None:
        self.page.context.close()

    def _wait_until(self, predicate: str, timeout_s: float) -> bool:
        """Whether the JavaScript ``predicate`` held within ``timeout_s`` (polled)."""
        try:
            self.page.wait_for_function(predicate, timeout=timeout_s * 1000, polling=200)
        except Exception as exc:  # playwright's TimeoutError, or the page died
            if "Timeout" not in type(exc).__name__:
                raise
            return False
        return True

    def wait_for_paint(self, probe: str, timeout_s: float) -> float | None:
        """Seconds from navigation start to the first map paint, or ``None`` on time-out."""
        if not self._wait_until(f"() => typeof ({PROBES[probe]}) === 'number'", timeout_s):
            return None
        return self.signal(probe)

    def signal(self, probe: str) -> float | None:
        """Seconds from navigation start to the page's own word that it painted, if said."""
        value = self.page.evaluate(f"() => {PROBES[probe]}")
        return value / 1000 if isinstance(value, int | float) else None

    def wait_for_settled(self, probe: str, timeout_s: float) -> float | None:
        """Seconds from navigation start to the first frame from which the map's canvas shows
        its final picture (:data:`SETTLE_PROBE`), once the page has said it painted (``probe``
        of :data:`PROBES`) and no frame has changed the picture for a while since
        (:data:`SETTLE_QUIET_S`); ``None`` if that has not come by ``timeout_s``."""
        settled = f"""() => ({SETTLED_YET})([{PROBES[probe]}, {SETTLE_QUIET_S * 1000},
                                            {SETTLE_QUIET_SHARE}])"""
        if not self._wait_until(settled, timeout_s):
            return None
        return self.settled_at(SETTLE_TOLERANCE)

    def settled_at(self, tolerance: float) -> float | None:
        """Seconds from navigation start to the first frame from which every frame differs
        from the last one in at most ``tolerance`` of the samples (``0``: in none)."""
        value = self.page.evaluate(SETTLED, tolerance)
        return value / 1000 if isinstance(value, int | float) else None

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
