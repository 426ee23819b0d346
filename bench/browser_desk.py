"""The desk in the browser benchmarks: time and bytes to its first map paint, and the time from
a change of its filters to the map showing it.

A change goes the way a user's does after the click: the control's value is set through Dash's
public ``dash_clientside.set_props``, the page's clientside callback hands the new view to
``assets/desk-map.js``, and the time is taken when MapLibre is idle again with it drawn
(``gridmapDesk.shown()``: no figure still loading, and idle after the last change).
"""

from __future__ import annotations

from typing import Any

from gridmap.bench.browser_page import PageRun

#: The desk's probe: the first frame with every source of the first view in.
DESK_PROBE = "window.gridmapDesk && window.gridmapDesk.painted"
#: Control changes timed on one page, in order (component id, value): states, categories,
#: the figure, a layer switch and the heat's window, each set and then cleared.
CHANGES: tuple[tuple[str, Any], ...] = (
    ("desk-status", ["in_progress"]),
    ("desk-status", []),
    ("desk-category", ["SR"]),
    ("desk-category", ["SR", "TF"]),
    ("desk-category", []),
    ("desk-status", ["reported", "accepted"]),
    ("desk-status", []),
    ("desk-figure", "overdue"),
    ("desk-figure", "on_time_rate"),
    ("desk-figure", "open"),
    ("desk-window", 168),
    ("desk-window", 24),
)
#: Times one change is waited for before it counts as not shown, ms.
SHOW_TIMEOUT_MS = 20_000

_TIME_CHANGE = """
async ([id, value, timeout]) => {
  const desk = window.gridmapDesk;
  const t0 = performance.now();
  window.dash_clientside.set_props(id, {value: value});
  while (performance.now() - t0 < timeout) {
    await new Promise(r => setTimeout(r, 5));
    if (desk.appliedAt >= t0 && desk.shown()) { return desk.shownAt - t0; }
  }
  return null;
}
"""


def desk_run(browser, url: str, timeout_s: float, loads: int) -> dict[str, Any]:
    """``loads`` cold loads of the desk at ``url`` (seconds and bytes to the first paint),
    then the :data:`CHANGES` timed on the last one (ms each, ``None`` if never shown)."""
    out: dict[str, Any] = {"loads": [], "change_ms": [], "offhost": []}
    for i in range(max(loads, 1)):
        run = PageRun.open(browser, url)
        try:
            paint = _wait(run, timeout_s)
            loaded = run.loaded_by(paint)
            out["loads"].append(
                {
                    "painted": paint is not None,
                    "paint_s": paint,
                    "bytes": sum(size for _u, size in loaded) if paint is not None else None,
                }
            )
            if i == loads - 1 and paint is not None:
                run.page.wait_for_timeout(1000)  # the page's first callbacks settle
                for component, value in CHANGES:
                    ms = run.page.evaluate(_TIME_CHANGE, [component, value, SHOW_TIMEOUT_MS])
                    out["change_ms"].append(ms)
            out["offhost"] += run.traffic.offhost
        finally:
            run.close()
    return out


def _wait(run: PageRun, timeout_s: float) -> float | None:
    """Seconds from navigation start to the desk's first paint, or ``None`` on time-out."""
    try:
        run.page.wait_for_function(
            f"() => typeof ({DESK_PROBE}) === 'number'", timeout=timeout_s * 1000, polling=200
        )
    except Exception as exc:  # playwright's TimeoutError, or the page died
        if "Timeout" not in type(exc).__name__:
            raise
        return None
    return run.page.evaluate(f"() => {DESK_PROBE}") / 1000


#: A step of the drill-down is drawn when the page's URL is the new one, Dash has drawn the
#: new page's breadcrumbs (or a building's ledger), and the map, moved into the new page,
#: stands still over its area with everything in view loaded.
_TIME_STEP = """
async ([path, label, timeout, back]) => {
  const desk = window.gridmapDesk;
  const t0 = performance.now();
  if (back) { history.back(); } else { desk.go(path); }
  while (performance.now() - t0 < timeout) {
    await new Promise(r => setTimeout(r, 5));
    const here = document.querySelector('.crumb-here');
    if (location.pathname === path && here && here.innerText.includes(label) &&
        desk.el === document.getElementById('desk-map') && desk.arrived &&
        desk.map.loaded() && desk.map.areTilesLoaded()) {
      return performance.now() - t0;
    }
  }
  return null;
}
"""


def drill_run(
    browser, url: str, steps: list[tuple[str, str]], timeout_s: float, rounds: int = 1
) -> dict:
    """From the district's page at ``url``, down ``steps`` (path, the label its breadcrumbs
    end with) the way a click on the map goes (``gridmapDesk.go``: Dash's navigation), then
    back up with the browser's back, ``rounds`` times (the first of them with each area's
    page cold on the server): ms for each to be drawn (``None``: never)."""
    run = PageRun.open(browser, url + "/")
    out: dict[str, Any] = {"down_ms": [], "back_ms": [], "offhost": []}
    try:
        if _wait(run, timeout_s) is None:
            return out
        run.page.wait_for_timeout(1000)
        for i in range(max(rounds, 1)):
            if i:  # the district's page again, untimed
                run.page.evaluate("() => window.gridmapDesk.go('/')")
                run.page.wait_for_function(
                    "() => location.pathname === '/' && window.gridmapDesk.arrived && "
                    "window.gridmapDesk.el === document.getElementById('desk-map') && "
                    "window.gridmapDesk.map.loaded()",
                    timeout=SHOW_TIMEOUT_MS,
                )
                run.page.wait_for_timeout(500)
            for path, label in steps:
                ms = run.page.evaluate(_TIME_STEP, [path, label, SHOW_TIMEOUT_MS, False])
                out["down_ms"].append(ms)
                run.page.wait_for_timeout(300)
            for path, label in reversed(steps[:-1]):
                ms = run.page.evaluate(_TIME_STEP, [path, label, SHOW_TIMEOUT_MS, True])
                out["back_ms"].append(ms)
                run.page.wait_for_timeout(300)
        out["offhost"] = run.traffic.offhost
    finally:
        run.close()
    return out


#: On the login page: the moment the form is sent (the press of "sign in"), on the page's
#: clock (ms since the epoch), kept for the next page of the tab.
_NOTE_SUBMIT = """
() => document.addEventListener("submit", () => sessionStorage.setItem(
  "gmSubmitAt", String(performance.timeOrigin + performance.now())), true)
"""
#: On the desk: seconds from the press to the first paint, both on the page's clock (the
#: tab's two documents share it: ``timeOrigin`` is on the epoch's scale); ``null`` if the
#: press was not seen.
_SINCE_SUBMIT = """
() => {
  const pressed = sessionStorage.getItem("gmSubmitAt");
  if (pressed === null) return null;
  return (performance.timeOrigin + window.gridmapDesk.painted - Number(pressed)) / 1000;
}
"""


def login_run(browser, url: str, user: str, password: str, timeout_s: float, loads: int) -> dict:
    """Seconds from pressing "sign in" to the desk's first map paint, ``loads`` times.

    Both moments are the page's own (the form's ``submit`` event, the desk's first frame with
    every source in), as every paint of the bench is: the time until the harness hears of it
    (``harness_s``, beside) adds the page's next long task (its table's first rows come right
    after the map's picture) and the polling.
    """
    import time

    out: dict[str, Any] = {"login_s": [], "harness_s": []}
    for _ in range(max(loads, 1)):
        run = PageRun.open(browser, url + "/login")
        try:
            run.page.wait_for_selector("input[name=username]", timeout=timeout_s * 1000)
            run.page.evaluate(_NOTE_SUBMIT)
            run.page.fill("input[name=username]", user)
            run.page.fill("input[name=password]", password)
            started = time.perf_counter()
            run.page.click("button[type=submit]")
            try:
                run.page.wait_for_function(
                    f"() => typeof ({DESK_PROBE}) === 'number'",
                    timeout=timeout_s * 1000,
                    polling=50,
                )
                out["harness_s"].append(round(time.perf_counter() - started, 3))
                since = run.page.evaluate(_SINCE_SUBMIT)
                out["login_s"].append(round(since, 3) if since is not None else None)
            except Exception as exc:
                if "Timeout" not in type(exc).__name__:
                    raise
                out["login_s"].append(None)
                out["harness_s"].append(None)
        finally:
            run.close()
    return out
