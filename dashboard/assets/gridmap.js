/* Clientside callbacks of the wall screen (the map's live layers are in live-map.js, the
   once-a-second tick in wall-tick.js). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  gridmap: {
    /* Auto-tour: each tick shows the next street whole, then the whole area again. */
    tour: function (_n, tour) {
      const live = window.gridmapLive;
      if (!tour || !tour.stops || !tour.stops.length || !live || !live.map) {
        return window.dash_clientside.no_update;
      }
      const next = tour.i + 1 > tour.stops.length ? 0 : tour.i + 1;
      const home = next === tour.stops.length;
      const stop = home ? tour.home : tour.stops[next];
      live.touring = !home;
      live.show(stop.bounds);
      live.highlight(home ? null : stop.code);
      /* the title names the street shown (the district's own name kept in data-area) */
      const title = document.querySelector('.wall-district');
      if (title) {
        title.dataset.area = title.dataset.area || title.textContent;
        title.textContent = home ? title.dataset.area : title.dataset.area + ' · ' + stop.name;
      }
      return Object.assign({}, tour, {i: next});
    }
  }
});

/* The wall's clock and "data as of" line, outside Dash: Beijing time whatever the display
   machine's zone; a warning colour once no update has arrived for 8 s. Drawn once a second by
   the wall's tick (wall-tick.js, with the map's update of the same tick). */
(function () {
  const formats = new Map();  /* made once: a formatter is costly to make */
  const fmt = (d, en, opts) => {
    const key = (en ? 'en' : 'zh') + JSON.stringify(opts);
    if (!formats.has(key)) {
      formats.set(key, new Intl.DateTimeFormat(en ? 'en-GB' : 'zh-CN',
                                               Object.assign({timeZone: 'Asia/Shanghai'}, opts)));
    }
    return formats.get(key).format(d);
  };
  const hms = {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false};
  const day = {year: 'numeric', month: 'long', day: 'numeric', weekday: 'long'};
  const draw = () => {
    const wall = document.querySelector('.wall');
    const clock = document.getElementById('wall-clock');
    const asOfEl = document.getElementById('wall-asof');
    if (!wall || !clock || !asOfEl) { return; }
    if (window.gridmapLive) { window.gridmapLive.ensure('wall-map'); }
    const en = wall.lang === 'en';
    const now = new Date();
    const date = fmt(now, en, day);
    clock.textContent = `${date} ${fmt(now, en, hms)}`;
    const asOf = window.gridmapAsOf ? new Date(window.gridmapAsOf) : null;
    const stale = !asOf || (now - asOf) / 1000 > 8;
    const words = en ? ['Data as of ', ' · connection lost, retrying', 'Waiting for data']
                     : ['数据更新于 ', ' · 连接中断，正在重试', '等待数据'];
    asOfEl.textContent = asOf ? words[0] + fmt(asOf, en, hms) + (stale ? words[1] : '')
                              : words[2];
    asOfEl.className = asOf && stale ? 'wall-asof stale' : 'wall-asof';
    /* said across the room too: a banner over the map while the picture is not live */
    let banner = document.getElementById('wall-stale-banner');
    if (asOf && stale) {
      if (!banner) {
        banner = document.createElement('div');
        banner.id = 'wall-stale-banner';
        banner.className = 'wall-stale-banner';
        banner.setAttribute('role', 'alert');
        document.body.appendChild(banner);
      }
      const text = en ? `⚠ Connection lost · the screen shows ${fmt(asOf, en, hms)} · retrying`
                      : `⚠ 连接中断 · 画面停在 ${fmt(asOf, en, hms)} · 正在重试`;
      if (banner.textContent !== text) { banner.textContent = text; }
      banner.hidden = false;
    } else if (banner && !banner.hidden) {
      banner.hidden = true;
    }
  };
  window.gridmapClock = draw;
})();
