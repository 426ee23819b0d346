"""Reading the server's own timing from response headers, the windows requests belong to, and
the paint probe every page is measured by (in Chromium)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gridmap.bench.browser_page import CHROMIUM, server_timing


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


#: A page that draws four frames with WebGL 2 on a 800×600 canvas (the map): red; red with a
#: small blue square; all blue (the final picture, said at once as the plain page says it);
#: blue with a speck of green (under the tolerance). A smaller canvas beside it (500×400)
#: changes colour later, a picture of its own. The map's read framebuffer is one of its own,
#: to check the probe puts it back.
SETTLING_PAGE = """<!doctype html><html><body style="margin:0">
<canvas id="c" width="800" height="600"></canvas><canvas id="d" width="500" height="400">
</canvas><script>
const context = (id) => {
  const gl = document.getElementById(id).getContext('webgl2');
  const shader = (type, text) => { const s = gl.createShader(type); gl.shaderSource(s, text);
    gl.compileShader(s); return s; };
  const program = gl.createProgram();
  gl.attachShader(program, shader(gl.VERTEX_SHADER, `#version 300 es
    void main() { vec2 p[3] = vec2[3](vec2(-1,-1), vec2(3,-1), vec2(-1,3));
    gl_Position = vec4(p[gl_VertexID], 0, 1); }`));
  gl.attachShader(program, shader(gl.FRAGMENT_SHADER, `#version 300 es
    precision mediump float; uniform vec4 colour; out vec4 o; void main() { o = colour; }`));
  gl.linkProgram(program); gl.useProgram(program);
  const colour = gl.getUniformLocation(program, 'colour');
  return (rgba, box) => {
    if (box) { gl.enable(gl.SCISSOR_TEST); gl.scissor(...box); } else gl.disable(gl.SCISSOR_TEST);
    gl.uniform4fv(colour, rgba); gl.drawArrays(gl.TRIANGLES, 0, 3);
  };
};
const fill = context('c'), other = context('d');
const gl = document.getElementById('c').getContext('webgl2');
gl.bindFramebuffer(gl.READ_FRAMEBUFFER, gl.createFramebuffer());
const RED = [1, 0, 0, 1], BLUE = [0, 0, 1, 1], GREEN = [0, 1, 0, 1];
window.frameTimes = [];
const frames = [
  () => { fill(RED); other(RED); },
  () => { fill(RED); fill(BLUE, [0, 0, 120, 120]); },
  () => { fill(BLUE); window.plainPainted = performance.now(); },
  () => { fill(BLUE); fill(GREEN, [400, 300, 16, 16]); },
  () => other(GREEN),
];
frames.forEach((draw, i) => setTimeout(() => requestAnimationFrame(() => {
  window.frameTimes.push(performance.now()); draw();
}), 300 * (i + 1)));
</script></body></html>"""


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_the_settle_probe_finds_the_first_frame_of_the_final_picture():
    from playwright.sync_api import sync_playwright

    from gridmap.bench.browser_page import FLAGS, SETTLE_QUIET_S, PageRun

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = SETTLING_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            run = PageRun.open(browser, f"http://127.0.0.1:{server.server_port}/", settle=True)
            settled = run.wait_for_settled("plainPainted", timeout_s=20)
            times = run.page.evaluate("() => window.frameTimes")
            kept = run.page.evaluate(
                "() => { const gl = document.getElementById('c').getContext('webgl2');"
                " return gl.getParameter(gl.READ_FRAMEBUFFER_BINDING) !== null"
                " && gl.getParameter(gl.PIXEL_PACK_BUFFER_BINDING) === null; }"
            )
            waited = run.page.evaluate("() => performance.now()") / 1000
            run.close()
            browser.close()
    finally:
        server.shutdown()
    assert len(times) == 5
    # the third frame (all blue) is the first of the final picture: the small square before
    # it is not, the green speck after it is within the tolerance, and the other canvas's
    # later change is not the map's
    assert times[2] / 1000 <= settled < times[3] / 1000
    assert waited >= times[2] / 1000 + SETTLE_QUIET_S  # quiet long enough since it settled
    assert kept  # the page's own read framebuffer and pack buffer binding as they were
