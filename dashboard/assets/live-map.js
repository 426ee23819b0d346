/* The wall's map: MapLibre GL JS's own (no plotly.js on the wall). It is made as soon as this
 * script runs, from /live/map.json (the style's URL; the static layers the server rendered
 * from the layer catalogue, see mapview.wall_map_layers; the bounds of the area it shows whole),
 * in a container of its own, while Dash is still drawing the page; the container is moved into
 * the page's map element when that appears (and again if Dash replaces the element). On it,
 * three live layers of our own are loaded once from /live/*.json and from then on changed only
 * by deltas. The browser's work per update grows with what changed, not with the map; one
 * delta is one frame drawn (each frame is the whole map drawn again, in software on a PC
 * without a GPU: nothing animates). Only MapLibre's public API is used.
 *
 *   gm-grids  grid polygons (/geo/grid.geojson), fill colour by feature-state "k"
 *   gm-heat   reports of the last 24 h, a heatmap (GeoJSONSource.updateData, every 15 s);
 *             old ones expire in the browser
 *   gm-dots   open incidents: dots by state, rings when near-due/overdue, and flashes (new
 *             urgent and newly overdue incidents, ringed for a few seconds): a custom layer
 *             (live-dots.js says why). In a dense area (a city: 100,000 of them, 0.7 MB) the
 *             dots are fetched only once zoomed in to streets
 */
(function () {
  const FLASH_MS = 4000;
  /* no delta for this long (the server away): the map's own second flushes (ms) */
  const QUIET_MS = 2500;
  /* an area the server calls dense (more open incidents than its wall_dense_open setting)
     draws them as dots only from zoom DENSE_MINZOOM on, and fetches them only then */
  const DENSE_MINZOOM = 11;
  /* Sizes follow the wall: 1 at 1920 px wide, 2 at 3840 (within 0.5 and 4). */
  const screenScale = () => Math.max(0.5, Math.min(4, window.innerWidth / 1920));
  /* names a quarter larger than the desk's (the catalogue's sizes): read across the room */
  const NAME_SCALE = 1.25;
  /* the heat takes new reports at most this often, ms (a density over 24 h: a few seconds
     late is invisible, and each update re-tiles it in a worker and draws two or three frames) */
  const HEAT_EVERY_MS = 15000;
  const FLASH = '#ff4d4f', FLASH_RING = '#ffd0d0';
  /* Where the map is drawn until the page's element is there: the panel's own place and
     size (``.gm-map-waiting`` in wall.css, from the same measures as the page's grid), so the
     area is on the wall while Dash is still drawing the rest, and moving it into the page
     changes nothing on screen. */
  const WAITING_CLASS = 'gm-map-holder gm-map-waiting';
  /* the legend's height before it is drawn, in vh (the fit leaves it room: measured) */
  const LEGEND_VH = 9.4;
  const MOUNTED = 'position:absolute;inset:0;width:100%;height:100%';
  const HEAT_RAMP = ['interpolate', ['linear'], ['heatmap-density'],
    0, 'rgba(0,0,0,0)', 0.3, 'rgba(34,195,201,0.35)', 0.6, 'rgba(255,196,0,0.55)',
    1, 'rgba(255,64,64,0.8)'];

  /* Dash waits for the wall's map to paint (the server's page says so: GridmapDash's
     MAP_FIRST) and starts at once if the map cannot be made. */
  function startDash() {
    if (window.gridmapStartDash) { window.gridmapStartDash(); }
  }

  function getJSON(url) {
    return fetch(url, {cache: 'no-store'}).then(r => {
      if (!r.ok) { throw new Error(url + ' answered ' + r.status); }
      return r.json();
    });
  }

  /* A GeoJSON point; ``id`` is a number (or undefined where none is needed). */
  function point(id, lon, lat, props) {
    const f = {type: 'Feature', properties: props,
               geometry: {type: 'Point', coordinates: [lon, lat]}};
    if (id !== undefined) { f.id = id; }
    return f;
  }

  const live = {
    map: null,
    ready: false,
    loading: false,
    scale: 1,
    open: new Map(),     /* incident id -> its dot {key, lon, lat, s, due} */
    dots: null,          /* the dots' layer (live-dots.js) */
    flashGone: [],       /* flashes whose time is up, taken away with the next frame */
    nextFlash: 1,
    heatAdd: [],
    heatRemove: [],
    heatSentAt: 0,
    gridStates: new Map(),  /* grid code -> colour class, to set with the dots' next frame */
    appliedAt: 0,           /* when the last delta was applied (ms) */
    heatQueue: [],       /* [reported ms, feature id], oldest first, to expire */
    heatCursor: 0,
    heatHours: 24,
    nextHeatId: 1,
    prefetched: null,    /* the three payloads, asked for as soon as this script runs */
    replayFrom: null,    /* a cursor the server must send changes from again (see build) */
    poller: null,
    config: null,        /* the promise of /live/map.json */
    configured: null,    /* its answer */
    mounted: false,      /* the map's container is in the page's map element */
    sourcesReady: false, /* every source drawn at the first zoom has loaded */
    openLoaded: false,   /* false while a dense area's dots wait for a zoom to streets */
    openLoading: false,
    touring: false,      /* the auto-tour shows a street: a resize keeps it */

    /* Make the map and ask for the live layers' data at once, while Dash is still starting. */
    prefetch: function () {
      this.start();
      this.prefetched = Promise.all([getJSON('/live/grid-classes.json'),
                                     getJSON('/live/open.json?first=1'),
                                     getJSON('/live/heat.json')]);
      this.prefetched.catch(() => { this.prefetched = null; });
      /* look for the page's map element every 100 ms until the map is in it with its layers
         (then the clock's once-a-second check takes over) */
      this.poller = setInterval(() => {
        this.ensure('wall-map');
        if (this.ready && this.mounted) { clearInterval(this.poller); }
      }, 100);
    },

    /* Make the map from /live/map.json, in a container of its own waiting unseen (once; a
       failed ask is asked again on the next call). */
    start: function () {
      if (!this.config) {
        this.config = getJSON('/live/map.json');
        this.config
          .then(config => { this.configured = config; this.create(); })
          .catch(err => {
            this.config = null;
            console.warn('gridmap map:', err);
            startDash();
          });
      }
      this.create();
    },

    /* The map, once its configuration and MapLibre's script are both there (this script
       may run before MapLibre's has loaded). */
    create: function () {
      const config = this.configured;
      if (this.map || !config || !window.maplibregl) { return; }
      this.scale = screenScale();
      const b = config.bounds;
      const holder = document.createElement('div');
      holder.className = WAITING_CLASS;
      document.body.appendChild(holder);
      let map;
      try {
        map = new window.maplibregl.Map({
          container: holder, style: config.style, bounds: [[b[0], b[1]], [b[2], b[3]]],
          fitBoundsOptions: {padding: this.padding()}, interactive: false,
          attributionControl: false, fadeDuration: 0, maxPitch: 0,
          /* CJK drawn with the machine's own fonts: nothing is fetched for it */
          localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif"});
      } catch (err) {  /* no WebGL here: the panels without the map */
        holder.remove();
        console.warn('gridmap map:', err);
        startDash();
        return;
      }
      map.gridmapStatic = config.layers;
      map.gridmapBounds = b;
      /* a screen that changes size shows the area whole again (unless a tour is on a street) */
      map.on('resize', () => { if (!this.touring) { this.fit(); } });
      /* frames drawn, for the benchmarks (a wall that redraws without cause burns its CPU) */
      map.on('render', () => { window.gridmapRenders = (window.gridmapRenders || 0) + 1; });
      this.map = map;
      this.mount('wall-map');
    },

    /* Move the map into the page's element ``id`` when it is there (again if Dash replaced
       it), showing the area whole at the element's size. */
    mount: function (id) {
      const el = document.getElementById(id);
      const map = this.map;
      if (!el || !map) { return; }
      const holder = map.getContainer();
      if (holder.parentNode === el) { return; }
      holder.className = 'gm-map-holder';
      holder.style.cssText = MOUNTED;
      el.appendChild(holder);
      /* the same size as where it waited: nothing to draw again (a new size is a new canvas) */
      const c = map.getCanvas();
      if (c.clientWidth !== holder.clientWidth || c.clientHeight !== holder.clientHeight) {
        map.resize();
      }
      if (!this.touring) { this.fit(); }
      this.mounted = true;
      this.maybePainted();
    },

    /* The map, in the page's element ``id`` once that is there (made first if need be). */
    mapOf: function (id) {
      if (!this.map) { this.start(); }
      this.mount(id);
      return this.map;
    },

    /* Attach the layers to the map once its style is there (called every second: it also
       moves the map into the page's element if Dash replaced it). */
    ensure: function (id) {
      const map = this.mapOf(id);
      if (!map || this.loading) { return; }
      if (this.ready && map.getLayer('gm-dots')) {
        /* the deltas flush what was collected; without them (the server away) this does,
           so that flashes still go */
        if (Date.now() - this.appliedAt > QUIET_MS) { this.flush(); }
        return;
      }
      if (!map.isStyleLoaded()) { return; }
      this.ready = false;
      this.loading = true;
      const data = this.prefetched || Promise.all([getJSON('/live/grid-classes.json'),
                                                   getJSON('/live/open.json?first=1'),
                                                   getJSON('/live/heat.json')]);
      this.prefetched = null;  /* used once: a later re-attach asks again */
      data
        .then(([classes, open, heat]) => {
          if (this.map === map) { this.build(map, classes, open, heat); }
        })
        .catch(err => console.warn('gridmap live layers:', err))  /* retried next second */
        .finally(() => { this.loading = false; });
    },

    build: function (map, classes, open, heat) {
      ['gm-dots', 'gm-heat', 'gm-grid-lines'].forEach(id => {
        if (map.getLayer(id)) { map.removeLayer(id); }
      });
      ['gm-heat', 'gm-grids'].forEach(id => {
        if (map.getLayer(id)) { map.removeLayer(id); }
        if (map.getSource(id)) { map.removeSource(id); }
      });
      const s = this.scale;
      /* the static layers (outlines, names) of the server's layer specs: outlines over the
         grid colours, names over everything */
      const statics = map.gridmapStatic;
      for (const [sid, source] of Object.entries(statics.sources)) {
        if (!map.getSource(sid)) { map.addSource(sid, source); }
      }
      const lines = statics.layers.filter(l => l.type !== 'symbol');
      const names = statics.layers.filter(l => l.type === 'symbol');

      /* grid colours: one source, recoloured by feature-state */
      const match = ['match', ['coalesce', ['feature-state', 'k'], 0]];
      classes.colours.forEach((c, k) => { if (k > 0) { match.push(k, c); } });
      match.push(classes.colours[0]);
      map.addSource('gm-grids', {type: 'geojson', data: '/geo/grid.geojson',
                                 promoteId: 'code'});
      /* no anti-aliased outline: it is a GL program of its own (compiled in software on a
         PC without a GPU: ~0.15 s of the first paint), and the grid lines draw the edges */
      map.addLayer({id: 'gm-grids', type: 'fill', source: 'gm-grids',
                    paint: {'fill-color': match, 'fill-opacity': 0.55,
                            'fill-antialias': false}});
      map.addLayer({id: 'gm-grid-lines', type: 'line', source: 'gm-grids', minzoom: 12.5,
                    paint: {'line-color': classes.line, 'line-width': 0.4}});
      lines.forEach(l => {
        if (!map.getLayer(l.id)) {
          map.addLayer(l.type === 'line' ? Object.assign({}, l, {paint: Object.assign({},
            l.paint, {'line-width': l.paint['line-width'] * s})}) : l);
        }
      });
      classes.codes.forEach((code, i) => {
        map.setFeatureState({source: 'gm-grids', id: code}, {k: classes.k[i]});
      });

      /* heat */
      this.heatHours = heat.hours;
      this.heatCursor = heat.cursor;
      this.heatQueue = [];
      const heatFeatures = heat.lon.map((lon, i) => {
        const id = this.nextHeatId++;
        this.heatQueue.push([heat.t0 + heat.t[i] * 60000, id]);
        return point(id, lon, heat.lat[i], {});
      });
      this.heatQueue.sort((a, b) => a[0] - b[0]);
      map.addSource('gm-heat', {type: 'geojson',
                                data: {type: 'FeatureCollection', features: heatFeatures}});
      map.addLayer({id: 'gm-heat', type: 'heatmap', source: 'gm-heat',
                    paint: {'heatmap-radius': 14 * s, 'heatmap-color': HEAT_RAMP,
                            'heatmap-opacity': 0.85}});

      /* open incidents */
      this.heatAdd = [];
      this.heatRemove = [];
      this.openLoaded = !open.deferred;
      this.legend = {new_states: open.new_states, all_dots_zoom: open.all_dots_zoom};
      this.flashGone = [];
      /* a city's worth of dots is a smear at city zoom: there the grid colours and the heat
         tell the story, and the dots (not even loaded) come in from street zoom */
      this.dots = new window.GridmapDots({
        id: 'gm-dots', stateColours: open.state_colours, dueColours: open.due_colours,
        flash: FLASH, flashRing: FLASH_RING, scale: s,
        minzoom: open.dense ? DENSE_MINZOOM : 0,
        needsEyes: d => this.needsEyes(d),
        /* a screen twice as wide shows the same ground one zoom further in */
        allZoom: () => this.legend.all_dots_zoom + Math.log2(this.scale)});
      map.addLayer(this.dots);
      this.dots.reset(open.deferred ? [] : this.openDots(open));
      names.forEach(l => {
        if (!map.getLayer(l.id)) {
          map.addLayer(Object.assign({}, l, {layout: Object.assign({}, l.layout,
            {'text-size': l.layout['text-size'] * s * NAME_SCALE})}));
        }
      });
      /* the data may be older than the page's cursor (it was asked for first): have the
         server send the changes since the data's own cursor (applying one twice is harmless) */
      this.replayFrom = Math.min(open.cursor, heat.cursor);
      this.ready = true;
      this.watchFirstPaint(map);
      if (!this.openLoaded) {
        if (!map.gridmapZoomHook) {  /* once per map, whatever rebuilds the layers */
          map.gridmapZoomHook = true;
          map.on('zoomend', () => this.loadOpenWhenZoomed(map));
        }
        this.loadOpenWhenZoomed(map);
      }
    },

    /* ``window.gridmapPainted``: the time of the first frame drawn in the page once every
       source drawn at this zoom has loaded (a map under a stream of updates may never be
       "idle"). */
    watchFirstPaint: function (map) {
      /* a source counts only where its layers are drawn at this zoom (a street's community
         names wait for a closer zoom, and their source is never loaded before) */
      const z = map.getZoom();
      const drawn = l => (l.minzoom || 0) <= z && z < (l.maxzoom === undefined ? 99 : l.maxzoom);
      const statics = map.gridmapStatic.layers.filter(drawn).map(l => l.source);
      const ids = ['gm-grids', 'gm-heat', ...new Set(statics)];
      const seen = new Set();
      const onData = e => {
        if (ids.includes(e.sourceId) && map.isSourceLoaded(e.sourceId)) { seen.add(e.sourceId); }
        if (seen.size === ids.length) {
          map.off('sourcedata', onData);
          this.sourcesReady = true;
          this.maybePainted();
        }
      };
      map.on('sourcedata', onData);
    },

    /* The first frame drawn with every source in, in the page's element or at its place
       before the page is there: the map is painted. */
    maybePainted: function () {
      const map = this.map;
      if (!map || !this.sourcesReady || window.gridmapPainted) { return; }
      map.once('render', () => {
        if (!window.gridmapPainted) { window.gridmapPainted = performance.now(); }
        startDash();
      });
      map.triggerRepaint();
    },

    /* The dots of an /live/open.json payload (and this.open filled from it). */
    openDots: function (open) {
      this.open = new Map();
      return open.ids.map((id, i) => {
        const d = {key: id, lon: open.lon[i], lat: open.lat[i], s: open.s[i], due: open.due[i]};
        this.open.set(id, d);
        return d;
      });
    },

    /* Across the room (district zoom) a dot only for what needs eyes: near-due, overdue and
       new reports; every open incident from the server's ``all_dots_zoom`` on, at 1920 px
       wide. */
    needsEyes: function (d) {
      return d.due > 0 || this.legend.new_states.includes(d.s);
    },

    /* A dense area's dots, fetched once the map is zoomed in to where they are drawn; the
       changes the page skipped meanwhile come again from the payload's own cursor. */
    loadOpenWhenZoomed: function (map) {
      if (this.openLoaded || this.openLoading || map !== this.map ||
          map.getZoom() < DENSE_MINZOOM - 0.5) { return; }
      this.openLoading = true;
      getJSON('/live/open.json')
        .then(open => {
          if (map !== this.map || !map.getLayer('gm-dots')) { return; }
          this.dots.reset(this.openDots(open));
          this.openLoaded = true;
          this.replayFrom = this.replayFrom === null ? open.cursor
                                                     : Math.min(this.replayFrom, open.cursor);
        })
        .catch(err => console.warn('gridmap open incidents:', err))  /* next zoom retries */
        .finally(() => { this.openLoading = false; });
    },

    /* Apply one server delta; false if the layers are not there yet (the server then sends
       the same changes again, from the cursor the page last applied). The dots, their
       flashes and the grid colours change in one frame. */
    apply: function (delta) {
      const map = this.map, dots = this.dots;
      if (!this.ready || !map || !dots || !map.getLayer('gm-dots')) { return false; }
      /* a dense area's dots not loaded yet: their changes come again once they are */
      for (const c of this.openLoaded ? delta.changes || [] : []) {
        if (c.open && c.lat !== null) {
          const d = {key: c.id, lon: c.lon, lat: c.lat, s: c.s, due: c.due};
          this.open.set(c.id, d);
          dots.put(d);
        } else if (this.open.has(c.id)) {
          dots.remove(c.id);
          this.open.delete(c.id);  /* closed for good: forgotten (the wall runs for days) */
        }
      }
      this.applyHeat(delta.reports || []);
      for (const code in delta.grids || {}) { this.gridStates.set(code, delta.grids[code]); }
      /* where each changed incident is, for flashes whether or not its dot is loaded */
      const at = new Map();
      for (const c of delta.changes || []) {
        if (c.lat !== null) { at.set(c.id, [c.lon, c.lat]); }
      }
      this.flash(map, delta.flash || [], at);
      this.appliedAt = Date.now();
      this.flush();
      return true;
    },

    /* One frame for what was collected: the dots and flashes, the grid colours; the heat at
       most every HEAT_EVERY_MS. Called on every delta, and every second without them (the
       server away) so that flashes still go. */
    flush: function () {
      const map = this.map, dots = this.dots;
      if (!this.ready || !map || !dots) { return; }
      const changed = dots.dirtyTo >= dots.dirtyFrom || this.gridStates.size ||
                      this.flashGone.length || dots.flashDirty;
      if (this.flashGone.length) {
        dots.setFlashes([], this.flashGone);
        this.flashGone = [];
      }
      this.applyGridStates();
      if (changed) { dots.repaint(); }
      const heat = map.getSource('gm-heat'), now = Date.now();
      if (heat && (this.heatAdd.length || this.heatRemove.length) && heat.loaded() &&
          now - this.heatSentAt >= HEAT_EVERY_MS) {
        heat.updateData({add: this.heatAdd, remove: this.heatRemove});
        this.heatAdd = [];
        this.heatRemove = [];
        this.heatSentAt = now;
      }
    },

    /* Grid colour classes collected from the deltas, set now. */
    applyGridStates: function () {
      const map = this.map;
      if (!map || !this.gridStates.size || !map.getSource('gm-grids')) { return; }
      for (const [code, k] of this.gridStates) {
        map.setFeatureState({source: 'gm-grids', id: code}, {k: k});
      }
      this.gridStates.clear();
    },

    applyHeat: function (reports) {
      const add = this.heatAdd, remove = this.heatRemove;
      let cursor = this.heatCursor;
      for (const r of reports) {  /* [event id, lon, lat, reported ms] */
        if (r[0] <= this.heatCursor) { continue; }  /* already in the first load */
        cursor = Math.max(cursor, r[0]);
        const id = this.nextHeatId++;
        this.heatQueue.push([r[3], id]);
        add.push(point(id, r[1], r[2], {}));
      }
      this.heatCursor = cursor;
      const oldest = Date.now() - this.heatHours * 3600000;
      while (this.heatQueue.length && this.heatQueue[0][0] < oldest) {
        remove.push(this.heatQueue.shift()[1]);
      }
    },

    /* Ring ``ids`` where they are for FLASH_MS (gone with the first frame after: the next
       delta's, or the map's own second when none comes). */
    flash: function (map, ids, at) {
      const where = id => (this.open.has(id) ? [this.open.get(id).lon, this.open.get(id).lat]
                                              : at.get(id));
      const added = ids.filter(id => where(id)).map(id => [this.nextFlash++, where(id)]);
      if (!added.length) { return; }
      this.dots.setFlashes(added, []);
      const dots = this.dots;
      setTimeout(() => {
        if (this.map === map && this.dots === dots) {
          this.flashGone.push(...added.map(([id]) => id));
        }
      }, FLASH_MS);
    },

    /* The tour's street drawn bright over the others (``code``; null: none), under the
       names. Its outline comes from the street outlines' own source: nothing is fetched. */
    highlight: function (code) {
      const map = this.map;
      const streets = map && map.getLayer('gm-street_outlines');
      if (!streets) { return; }
      if (!map.getLayer('gm-tour')) {
        const names = map.gridmapStatic.layers.find(l => l.type === 'symbol' && map.getLayer(l.id));
        map.addLayer({id: 'gm-tour', type: 'line', source: streets.source,
                      filter: ['==', ['get', 'code'], ''],
                      paint: {'line-color': '#ffe27a', 'line-width': 4 * this.scale,
                              'line-opacity': 0.95}}, names && names.id);
      }
      map.setFilter('gm-tour', ['==', ['get', 'code'], code || '']);
      map.setPaintProperty('gm-tour', 'line-width', 4 * this.scale);
    },

    /* Sizes follow the wall's scale (1 at 1920 px wide, 2 at 3840). */
    setScale: function (s) {
      this.scale = s;
      const map = this.map;
      if (!this.ready || !map) { return; }
      map.setPaintProperty('gm-heat', 'heatmap-radius', 14 * s);
      this.dots.scale = s;
      this.dots.repaint();
      for (const l of map.gridmapStatic.layers) {
        if (l.type === 'symbol' && map.getLayer(l.id)) {
          map.setLayoutProperty(l.id, 'text-size', l.layout['text-size'] * s * NAME_SCALE);
        } else if (l.type === 'line' && map.getLayer(l.id)) {
          map.setPaintProperty(l.id, 'line-width', l.paint['line-width'] * s);
        }
      }
    },

    /* Show the area the page is about whole (its data-bounds), at the screen's size. */
    fit: function () {
      this.show(this.map && this.map.gridmapBounds);
    },

    /* Show ``b`` ([minx, miny, maxx, maxy], WGS84) whole, without animation (a wall). */
    show: function (b) {
      const map = this.map;
      if (!map || !b) { return; }
      const box = [[b[0], b[1]], [b[2], b[3]]], padding = this.padding();
      /* shown so already (within a pixel): no new picture */
      const camera = map.cameraForBounds(box, {padding: padding});
      if (camera && Math.abs(camera.zoom - map.getZoom()) < 0.005) {
        const a = map.project(camera.center), here = map.project(map.getCenter());
        if (Math.hypot(a.x - here.x, a.y - here.y) < 1) { return; }
      }
      map.fitBounds(box, {padding: padding, animate: false});
    },

    /* Room around what is shown whole: the legend sits over the map's foot, so what is shown
       is shown above it (from the first paint: the page is drawn before the map is made). */
    padding: function () {
      const pad = 16 * this.scale;
      const legend = document.querySelector('.wall-legend');
      /* before the page is drawn: the legend's usual height (its two rows at 1.45vh) */
      const foot = (legend ? legend.offsetHeight : LEGEND_VH * window.innerHeight / 100) + pad;
      return {top: pad, left: pad, right: pad, bottom: foot};
    },

    /* Ids of the open incidents the map holds (for tests and the benchmark). */
    openIds: function () { return Array.from(this.open.keys()); }
  };
  window.gridmapLive = live;
  /* a screen that changes size: sizes and type follow it, and the area is shown whole */
  window.addEventListener('resize', () => {
    if (!live.map) { return; }
    const s = screenScale();
    if (s !== live.scale) { live.setScale(s); }
    if (!live.touring) { live.fit(); }
  });
  if (window.location.pathname.replace(/\/+$/, '') === '/wall') {
    live.prefetch();
  }
})();
