/* The wall's live tick, outside Dash's callback machinery.
 *
 * Once a second: ask /live/tick.json for what changed since the cursor the map last applied,
 * hand the map's part to window.gridmapLive (live-map.js) and put new ticker lines on top,
 * with the clock (gridmap.js): one frame drawn for all of it.
 * A Dash callback a second (request, store updates, React renders) cost the page's main
 * thread more than drawing the map; this is one fetch and a few DOM nodes.
 *
 * The cursor moves only once the map has taken a delta, so a delta it could not take (its
 * layers still loading) is asked for again. A failed fetch keeps the last picture: the clock
 * (gridmap.js) turns "data as of" to the warning colour after 8 s and it recovers by itself.
 * Ticker text is set with textContent, never parsed as HTML.
 */
(function () {
  const TICK_TIMEOUT_MS = 8000;
  /* a new line is lit this long (ms); the tick after takes the light away, in the same
     frame as its own changes (nothing on the wall animates: see wall.css) */
  const FRESH_MS = 3000;
  /* the ticker's length and the tick come from the page (the server's TICKER_LENGTH, TICK_MS) */
  const state = {root: null, cursor: 0, since: 0, lang: 'zh', keys: [], busy: false,
                 timer: null, tickMs: 1000, length: 12};

  /* (Re)start from the page's data attributes when a wall page is (re)rendered. */
  function attach() {
    const root = document.querySelector('.wall[data-cursor]');
    if (!root) { state.root = null; return false; }
    if (root === state.root) { return true; }
    state.root = root;
    state.cursor = Number(root.dataset.cursor);
    state.since = Number(root.dataset.since);
    state.lang = root.lang || 'zh';
    state.keys = [];
    state.length = Number(root.dataset.tickerLength) || state.length;
    const list = document.getElementById('wall-ticker');
    if (list) { list.textContent = ''; }
    addLines(JSON.parse(root.dataset.ticker || '[]'), false);
    state.tickMs = Number(root.dataset.tickMs) || 1000;
    return true;
  }

  /* Tick just after each whole second (of the page's tick), so that the clock, drawn with the
     tick's answer, shows each second once. */
  function schedule() {
    const ms = state.tickMs;
    state.timer = setTimeout(() => { tick(); schedule(); }, ms - (Date.now() % ms) + 20);
  }

  /* The clock and "data as of" line (gridmap.js), once a tick. */
  function drawClock() {
    if (window.gridmapClock) { window.gridmapClock(); }
  }

  function span(text, className) {
    const el = document.createElement('span');
    el.className = className;
    el.textContent = text;
    return el;
  }

  /* New lines (newest first) on top of the ticker; ones already shown are skipped. */
  function addLines(lines, fresh) {
    const list = document.getElementById('wall-ticker');
    if (!list) { return; }
    const now = Date.now();
    for (const li of list.querySelectorAll('.tick-fresh')) {
      if (Number(li.dataset.litUntil) <= now) { li.classList.remove('tick-fresh'); }
    }
    const items = [];
    for (const line of lines) {
      if (state.keys.includes(line.key)) { continue; }
      state.keys.push(line.key);
      const li = document.createElement('li');
      li.className = 'tick' + (line.urgent ? ' tick-urgent' : '') + (fresh ? ' tick-fresh' : '');
      if (fresh) { li.dataset.litUntil = String(now + FRESH_MS); }
      li.append(span(line.time, 'tick-time'), span(line.category, 'tick-cat'),
                span(line.street, 'tick-street'),
                span(line.state, 'tick-state state-' + line.state_code));
      items.push(li);
    }
    if (!items.length) { return; }
    list.prepend(...items);
    while (list.children.length > state.length) { list.lastElementChild.remove(); }
    state.keys = state.keys.slice(-4 * state.length);
  }

  function tick() {
    if (!attach()) { return; }
    if (state.busy) { drawClock(); return; }
    state.busy = true;
    const root = state.root;
    const url = '/live/tick.json?cursor=' + state.cursor + '&since=' + state.since +
                '&lang=' + encodeURIComponent(state.lang);
    /* a request that never answers (a proxy holding it, a server stuck) must not stop the
       wall: it is given up after TICK_TIMEOUT_MS and the next tick asks again */
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TICK_TIMEOUT_MS);
    fetch(url, {cache: 'no-store', signal: abort.signal})
      .then(r => {
        if (r.status === 401) {  /* signed out (logins on): the page itself goes to /login */
          window.location.reload();
        }
        if (!r.ok) { throw new Error('tick answered ' + r.status); }
        return r.json();
      })
      .then(body => {
        if (root !== state.root) { return; }  /* the page changed meanwhile */
        window.gridmapAsOf = Date.now();  /* the server answered: the data is as of now */
        const live = window.gridmapLive;
        if (live && live.apply(body.delta)) {
          let cursor = Math.max(state.cursor, body.delta.cursor || 0);
          if (live.replayFrom !== null) {  /* the layers' data is older than this cursor */
            cursor = Math.min(cursor, live.replayFrom);
            live.replayFrom = null;
          }
          state.cursor = cursor;
          state.since = body.now;
        }
        /* in the same task as the map's update: the browser draws both in one frame (each
           frame is the whole screen composed again, in software on a PC without a GPU) */
        addLines(body.ticker || [], true);
        drawClock();
      })
      .catch(() => drawClock())  /* keep the last picture; the clock shows the data's age */
      .finally(() => { clearTimeout(timer); state.busy = false; });
  }

  schedule();
  window.gridmapTick = state;  /* for tests and the benchmark */
})();
