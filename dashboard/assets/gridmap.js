/* Clientside callbacks of the wall screen (the map's live layers are in live-map.js, the
   once-a-second tick in wall-tick.js). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  gridmap: {
    /* Fit the map and its type to the wall: MapLibre zooms in pixels, so a 3840-px wall needs
       one zoom level more than a 1920-px one, and labels twice the size. */
    fit: function (_n, scale, fig) {
      const NO = window.dash_clientside.no_update;
      const s = Math.max(0.5, Math.min(4, window.innerWidth / 1920));
      if (!fig || !fig.layout || !fig.layout.map || (scale && scale.scale === s)) {
        return [NO, NO];
      }
      const P = new window.dash_clientside.Patch();
      P.assign(['layout', 'map', 'zoom'], scale.zoom + Math.log2(s));
      const before = (scale && scale.scale) || 1;  /* label sizes are at this scale now */
      (fig.layout.map.layers || []).forEach((layer, i) => {
        const font = layer.type === 'symbol' && layer.symbol && layer.symbol.textfont;
        if (font && font.size) {
          P.assign(['layout', 'map', 'layers', i, 'symbol', 'textfont', 'size'],
                   Math.round(font.size * s / before));
        }
      });
      if (window.gridmapLive) {
        window.gridmapLive.setScale(s);
      }
      return [P.build(), Object.assign({}, scale, {scale: s})];
    },

    /* Auto-tour: each tick moves to the next street, then back to the whole district. */
    tour: function (_n, tour) {
      if (!tour || !tour.stops || !tour.stops.length) {
        return [window.dash_clientside.no_update, window.dash_clientside.no_update];
      }
      const next = tour.i + 1 > tour.stops.length ? 0 : tour.i + 1;
      const stop = next === tour.stops.length ? tour.home : tour.stops[next];
      const P = new window.dash_clientside.Patch();
      P.assign(['layout', 'map', 'center'], stop.center);
      P.assign(['layout', 'map', 'zoom'], stop.zoom);
      return [P.build(), Object.assign({}, tour, {i: next})];
    }
  }
});

/* The wall's clock and "data as of" line, once a second, outside Dash: Beijing time whatever
   the display machine's zone; a warning colour once no update has arrived for 8 s. */
(function () {
  const fmt = (d, en, opts) => d.toLocaleString(en ? 'en-GB' : 'zh-CN',
    Object.assign({timeZone: 'Asia/Shanghai'}, opts));
  const hms = {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false};
  const tick = () => {
    const wall = document.querySelector('.wall');
    const clock = document.getElementById('wall-clock');
    const asOfEl = document.getElementById('wall-asof');
    if (!wall || !clock || !asOfEl) { return; }
    if (window.gridmapLive) { window.gridmapLive.ensure('wall-map'); }
    const en = wall.lang === 'en';
    const now = new Date();
    const date = fmt(now, en, {year: 'numeric', month: 'long', day: 'numeric',
                              weekday: 'long'});
    clock.textContent = `${date} ${fmt(now, en, hms)}`;
    const asOf = window.gridmapAsOf ? new Date(window.gridmapAsOf) : null;
    const stale = !asOf || (now - asOf) / 1000 > 8;
    const words = en ? ['Data as of ', ' · connection lost, retrying', 'Waiting for data']
                     : ['数据更新于 ', ' · 连接中断，正在重试', '等待数据'];
    asOfEl.textContent = asOf ? words[0] + fmt(asOf, en, hms) + (stale ? words[1] : '')
                              : words[2];
    asOfEl.className = asOf && stale ? 'wall-asof stale' : 'wall-asof';
  };
  setInterval(tick, 1000);
})();
