/* The desk's map: MapLibre GL JS's own, the same library as the wall's, made in the page's
 * map element:
 *   data-style   the style's URL (offline unless a basemap is configured)
 *   data-layers  the catalogue's layers as the desk draws them, rendered by the server
 *                (desk/layers.desk_map_layers: sources by URL, style layers, each naming its
 *                spec and tooltip fields in its metadata)
 *   data-bounds  the page's area (or around its building or incident), shown whole
 *   data-area    the page's area code: outlined, and what a click goes one level down from
 *   data-focus, data-focus-point  the building or incident the page is about, marked
 *   data-words   names of states, categories and fields in the page's language
 * Switches, category and status filters and the choropleths' figure are applied here, in the
 * browser (Dash hands the values to ``apply`` from a clientside callback): visibility, filter
 * expressions, feature-state. Only a new time window fetches again (the reports of that
 * window), and the open incidents when the area has too many to draw unfiltered. Geometry is
 * fetched once. A click on an incident goes to Dash by ``dash_clientside.set_props``; on an
 * area one level down or a building, to its page (Dash's navigation): the map is made once and
 * moved into each new page's element. The open incidents follow the store (``live``: the
 * wall's one-second delta). Only public APIs (MapLibre's, Dash's) are used.
 */
(function () {
  const FONTS = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif";
  const OPEN_SPEC = 'dispatch_status', HEAT_SPEC = 'incident_heat';
  /* a live tick not answered after this long is given up (the next second asks again) */
  const LIVE_TIMEOUT_MS = 8000;
  /* new reports the map does not hold bring the open incidents again at most this often
     (ms): at once in a quiet hour, every few seconds when 20 events a second flow */
  const RELOAD_EVERY_MS = 5000;
  /* where a map made before its page waits: unseen, at the size it will have (desk.css) */
  const waiting = path => 'desk-map-waiting' + (/^\/(building|incident)\//.test(path) ? ' whole' : '');
  /* the spec of a style layer, and the fields its tooltip shows */
  const specOf = l => (l.metadata || {})['gridmap:spec'];
  const tipOf = l => (l.metadata || {})['gridmap:tooltip'] || [];

  /* ``url``'s JSON; given up after ``timeoutMs`` if given (a live tick that never answers
     must not stop the page's updates) */
  function getJSON(url, timeoutMs) {
    const abort = timeoutMs ? new AbortController() : null;
    const timer = abort ? setTimeout(() => abort.abort(), timeoutMs) : null;
    return fetch(url, {cache: 'no-store', credentials: 'same-origin',
                       signal: abort ? abort.signal : undefined})
      .then(r => {
        if (!r.ok) { throw new Error(url + ' answered ' + r.status); }
        return r.json();
      })
      .finally(() => clearTimeout(timer));
  }

  /* ['all', a, b, ...] of the expressions given (null ones left out; none: null) */
  function all(parts) {
    const some = parts.filter(p => p);
    return some.length === 0 ? null : some.length === 1 ? some[0] : ['all'].concat(some);
  }

  /* A change of filter or figure is drawn in one frame when it changes only feature-state
     (a new filter or a new data-driven paint makes MapLibre lay out the source's tiles again
     in its workers, and draw a frame as each comes back: several frames, each a full redraw
     in software GL). So a choropleth takes its colour from the feature-state ``c`` its
     figure sets, and an incident the filters leave out is drawn clear (feature-state
     ``out``). Applied to the server's layers before they are added. */
  const CLEAR = 'rgba(0,0,0,0)';
  /* the page's own area, outlined */
  const HERE = 'gridmap-here';
  const NOTHING = {type: 'FeatureCollection', features: []};
  const OUT = ['boolean', ['feature-state', 'out'], false];
  function shownByState(l) {
    if (l.type === 'fill' && l.paint && Array.isArray(l.paint['fill-color'])) {
      l.paint['fill-color'] = ['to-color', ['coalesce', ['feature-state', 'c'], CLEAR]];
    }
    if (specOf(l) === OPEN_SPEC) {
      for (const key of ['circle-opacity', 'circle-stroke-opacity']) {
        const given = l.paint[key] === undefined ? 1 : l.paint[key];
        l.paint[key] = ['case', OUT, 0, given];
      }
    }
  }

  /* a feature drawn, not one the filters leave out */
  const drawn = f => !(f.state && f.state.out);

  function escapeText(value) {
    const span = document.createElement('span');
    span.textContent = String(value);
    return span.innerHTML;
  }

  const desk = {
    map: null,
    el: null,
    ready: false,
    rendered: null,
    words: {states: {}, categories: {}, fields: {}, figures: {}},
    view: {layers: null, categories: [], statuses: [], hours: 24, figure: 'open'},
    hours: null,         /* the window the heat's source holds (null: none yet) */
    figures: {},         /* choropleth layer id -> figure its feature-state shows */
    capped: false,       /* the open incidents were too many: filters fetch them again */
    reloadedAt: -Infinity, /* when new reports last brought the open incidents again */
    openQuery: '',
    popup: null,
    appliedAt: null,     /* when the last change was handed over (ms, performance.now) */
    shownAt: null,       /* when the map had drawn it (the first idle after) */
    loading: 0,          /* figures asked for and not yet drawn */
    painted: null,       /* when the first full picture was drawn */

    /* Make the map in the page's element, or, when Dash drew another page on the same
       frame (a click one level down, back, a link), move the map already made into the new
       element and show the new page's area: nothing is fetched again. */
    mount: function () {
      const el = document.getElementById('desk-map');
      if (!el || !el.dataset.style || !window.maplibregl) { return; }
      if (this.map && this.el === el) { return; }
      const b = JSON.parse(el.dataset.bounds);
      if (!(this.map && this.holder && this.layersText === el.dataset.layers &&
            this.styleUrl === el.dataset.style)) {
        this.create({style: el.dataset.style, layers: el.dataset.layers, bounds: b,
                     area: el.dataset.area || '', focus: el.dataset.focus || '',
                     point: el.dataset.focusPoint ? JSON.parse(el.dataset.focusPoint) : null,
                     words: JSON.parse(el.dataset.words || '{}')});
      }
      const first = !this.mounted;
      this.el = el;
      this.holder.className = 'desk-map-holder';  /* the page's element gives it its size */
      el.appendChild(this.holder);
      this.mounted = true;
      this.words = JSON.parse(el.dataset.words || '{}');
      this.fitSize();
      this.target = {bounds: b, area: el.dataset.area || '', focus: el.dataset.focus || '',
                     point: el.dataset.focusPoint ? JSON.parse(el.dataset.focusPoint) : null};
      if (this.ready) {
        this.show(b, this.target.area, this.target.focus, this.target.point);
      }
      if (first) { this.watchFirstPaint(this.map); }
    },

    /* The map's canvas to the holder's size, when that is a size and a new one. */
    fitSize: function () {
      const map = this.map, h = this.holder;
      if (!map || !h || !h.isConnected || !h.clientWidth || !h.clientHeight) { return; }
      const c = map.getCanvas();
      if (c.clientWidth === h.clientWidth && c.clientHeight === h.clientHeight) { return; }
      map.resize();
    },

    /* Make the map from ``config`` (the map element's data, or ``/desk/map.json`` asked as
       the page's scripts start: then it waits unseen until Dash has drawn the page). */
    create: function (config) {
      if (this.map) { this.map.remove(); this.sizer.disconnect(); }
      this.ready = false;
      this.mounted = false;
      this.painted = null;
      this.hours = null;
      this.figures = {};
      this.out = null;
      this.numbers = new Map();
      this.layersText = config.layers;
      this.styleUrl = config.style;
      this.rendered = JSON.parse(config.layers);
      this.words = config.words || {};
      this.area = config.area || '';
      this.target = {bounds: config.bounds, area: this.area, focus: config.focus || '',
                     point: config.point || null};
      const b = config.bounds;
      /* the map lives in a holder of its own, which moves from page to page */
      this.holder = document.createElement('div');
      this.holder.className = waiting(window.location.pathname);
      document.body.appendChild(this.holder);
      const map = new window.maplibregl.Map({
        container: this.holder, style: config.style,
        bounds: [[b[0], b[1]], [b[2], b[3]]],
        fitBoundsOptions: {padding: 24}, attributionControl: false, fadeDuration: 0,
        maxPitch: 0, dragRotate: false, pitchWithRotate: false, trackResize: false,
        localIdeographFontFamily: FONTS});
      /* MapLibre's own size tracking takes a detached holder for 400 × 300 px: when Dash
         drops the old page, the canvas would be made small and drawn, then made big again
         in the new page (each a new drawing buffer, ~0.2 s in software GL). The size is
         followed here instead, only while the holder is in the page and has one. */
      this.sizer = new ResizeObserver(() => this.fitSize());
      this.sizer.observe(this.holder);
      map.touchZoomRotate.disableRotation();
      map.addControl(new window.maplibregl.NavigationControl({showCompass: false}), 'top-left');
      map.addControl(new window.maplibregl.ScaleControl({unit: 'metric'}), 'bottom-left');
      map.gridmapBounds = b;
      /* the area stays whole as the page settles or the window changes size, until the user
         moves the map */
      this.moved = false;
      map.on('movestart', e => { if (e.originalEvent) { this.moved = true; } });
      map.on('resize', () => { if (!this.moved) { this.fit(); } });
      /* a lost and restored GL context (a driver reset) sets the style again without any
         feature-state: the figures and the filters are drawn again */
      map.on('webglcontextrestored', () => map.once('idle', () => {
        if (map !== this.map || !this.view) { return; }
        this.figures = {};
        this.out = null;
        this.apply(this.view);
      }));
      this.map = map;
      performance.mark('gridmap-desk-mount');
      map.on('load', () => {
        performance.mark('gridmap-desk-style');
        if (this.map === map) {
          this.build(map);
          const t = this.target;
          this.show(t.bounds, t.area, t.focus, t.point);
        }
      });
    },

    /* As the page's scripts start: ask for the map of this page and make it unseen, so that
       its style, geometry and data load while Dash draws the page. */
    early: function () {
      const lang = new URLSearchParams(window.location.search).get('lang') || 'zh';
      getJSON('/desk/map.json?path=' + encodeURIComponent(window.location.pathname) +
              '&lang=' + encodeURIComponent(lang))
        .then(config => {
          const make = () => {
            if (this.map) { return; }  /* the page was there first */
            if (!window.maplibregl) { setTimeout(make, 20); return; }
            this.create(config);
          };
          make();
        })
        .catch(() => {});  /* the page's element makes it then */
    },

    /* Show a page's area: fitted whole, its outline drawn, and its building or incident
       marked. ``arrived`` is when the map stood still there. The map jumps: a flight is a
       dozen frames, each a full redraw, which software GL (a PC without a GPU) draws at a
       few a second. */
    show: function (bounds, area, focus, point) {
      const map = this.map;
      this.area = area;
      this.focus = focus;
      map.gridmapBounds = bounds;
      this.moved = false;
      this.arrived = null;
      this.outline(area);
      if (this.marker) { this.marker.remove(); this.marker = null; }
      if (point) {
        const dot = document.createElement('div');
        dot.className = 'desk-focus';
        this.marker = new window.maplibregl.Marker({element: dot}).setLngLat(point).addTo(map);
      }
      /* a click down already moved the map about there: no second picture for a few pixels */
      const box = [[bounds[0], bounds[1]], [bounds[2], bounds[3]]];
      const camera = map.cameraForBounds(box, {padding: 24});
      if (camera && Math.abs(camera.zoom - map.getZoom()) < 0.1) {
        const a = map.project(camera.center), b = map.project(map.getCenter());
        if (Math.hypot(a.x - b.x, a.y - b.y) < 12) {
          this.arrived = performance.now();
          return;
        }
      }
      map.once('moveend', () => { this.arrived = performance.now(); });
      map.fitBounds(box, {padding: 24, animate: false});
    },

    /* The page's area outlined: its own outline in a small source of its own
       (``/geo/area/<code>.geojson``). A filter on the level's layers would lay all their
       tiles out again; a line over every area drawn clear but one costs every frame. */
    outline: function (area) {
      const source = this.map.getSource(HERE);
      if (!source || area === this.here) { return; }
      this.here = area;
      source.setData(area ? new URL('/geo/area/' + encodeURIComponent(area) + '.geojson',
                                    window.location.href).href : NOTHING);
    },

    build: function (map) {
      const r = this.rendered;
      this.later = {};
      for (const [id, given] of Object.entries(r.sources)) {
        /* tile URLs are fetched by MapLibre's workers: they must be absolute */
        const source = given.tiles ? Object.assign({}, given, {tiles: given.tiles.map(
          t => new URL(t, window.location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}'))})
          : given;
        /* a source drawn only from a closer zoom (buildings: a city's worth of them) is
           fetched when the map gets near that zoom, not with the first picture */
        const from = Math.min(...r.layers.filter(l => l.source === id)
                                         .map(l => l.minzoom || 0));
        if (from - 1 > map.getZoom()) {
          this.later[id] = {source: source, from: from};
          continue;
        }
        const isOpen = r.layers.some(l => l.source === id && specOf(l) === OPEN_SPEC);
        const isHeat = r.layers.some(l => l.source === id && specOf(l) === HEAT_SPEC);
        /* the open incidents are fetched here (the answer may say they were too many); the
           reports for the heat once it is shown (``apply``): off at first, they took the
           one worker of a two-core PC ahead of the geometry of the first picture */
        map.addSource(id, isOpen || isHeat ? Object.assign({}, source, {data: NOTHING})
                                           : source);
        if (isOpen) { this.openSource = id; this.openUrl = source.data; }
        if (isHeat) { this.heatSource = id; }
      }
      for (const l of r.layers) {
        shownByState(l);
        if (!this.later[l.source]) { map.addLayer(l); }
      }
      /* the source of each area level (and the buildings'), to find a place by its code */
      this.levelSources = {};
      for (const [id, given] of Object.entries(r.sources)) {
        const level = typeof given.data === 'string' && /^\/geo\/(\w+)\.geojson/.exec(given.data);
        if (level) { this.levelSources[level[1]] = id; }
        if (given.tiles && given.tiles.some(t => t.indexOf('/tiles/buildings/') >= 0)) {
          this.levelSources.buildings = id;
        }
      }
      /* the page's own area outlined above the colours, under the incidents */
      this.here = null;
      const firstDots = r.layers.find(l => specOf(l) === OPEN_SPEC);
      map.addSource(HERE, {type: 'geojson', data: NOTHING});
      map.addLayer({id: HERE, type: 'line', source: HERE,
                    paint: {'line-color': '#e8590c', 'line-width': 3}},
                   firstDots && map.getLayer(firstDots.id) ? firstDots.id : undefined);
      map.on('zoom', () => this.addLater(map));
      this.ready = true;
      this.watchFirstPaint(map);
      this.loadOpen('');
      this.hook(map);
      if (this.view.layers) { this.apply(this.view); }
    },

    /* Add the sources left for a closer zoom once the map is near it (``now``: all of
       them, once the first picture is drawn, so that a click down finds them loaded), each
       layer in its place in the draw order. Their layers draw from their own zoom only. */
    addLater: function (map, now) {
      for (const [id, item] of Object.entries(this.later)) {
        if (!now && item.from - 1 > map.getZoom()) { continue; }
        delete this.later[id];
        map.addSource(id, item.source);
        const layers = this.rendered.layers;
        layers.forEach((l, i) => {
          if (l.source !== id) { return; }
          const above = layers.slice(i + 1).find(n => map.getLayer(n.id));
          map.addLayer(l, above && above.id);
        });
        if (this.view.layers) { this.apply(this.view); }
      }
    },

    /* The open incidents (with ``query``, only those the filters keep) into their source. */
    loadOpen: function (query) {
      const map = this.map;
      this.openQuery = query;
      return getJSON(this.openUrl + (query ? '?' + query : ''))
        .then(data => {
          if (map !== this.map || this.openQuery !== query) { return; }
          this.capped = Boolean(data.hidden) || (this.capped && query !== '');
          this.openData = data;
          /* each incident a number of its own for feature-state (MapLibre's GeoJSON tiles
             carry feature ids as integers), the same for the whole visit */
          for (const f of data.features) {
            const iid = f.properties.incident_id;
            if (!this.numbers.has(iid)) { this.numbers.set(iid, this.numbers.size + 1); }
            f.id = this.numbers.get(iid);
          }
          this.openById = new Map(data.features.map(f => [f.properties.incident_id, f]));
          this.cursor = typeof data.cursor === 'number' ? data.cursor : null;
          map.getSource(this.openSource).setData(data);
          this.restate();
        })
        .catch(err => console.warn('gridmap desk incidents:', err));
    },

    /* The open incidents follow the store as the wall's do: every second the events
       since the data's cursor (``/live/tick.json``, the caller's area, decided on the
       server) change the dots' states and due rings or take closed ones away; an incident
       the map does not hold yet (a new report) brings the open incidents again (at most
       every RELOAD_EVERY_MS). */
    live: function () {
      const map = this.map;
      if (!this.ready || this.cursor === null || this.cursor === undefined || this.capped ||
          this.liveBusy || document.hidden) { return; }
      this.liveBusy = true;
      const since = this.liveSince || Date.now();
      getJSON('/live/tick.json?cursor=' + this.cursor + '&since=' + since, LIVE_TIMEOUT_MS)
        .then(tick => {
          if (map !== this.map || !this.openData) { return; }
          const order = (this.words.order || {}), delta = tick.delta || {};
          const changed = new Map(), gone = [];
          let missing = false;
          for (const c of delta.changes || []) {
            const f = this.openById.get(c.id);
            if (!c.open) {
              if (f) { this.openById.delete(c.id); changed.delete(c.id); gone.push(f.id); }
            } else if (f) {
              f.properties.status = (order.states || [])[c.s] || f.properties.status;
              f.properties.due = (order.due || [])[c.due] || '';
              if (c.lon !== null) { f.geometry.coordinates = [c.lon, c.lat]; }
              changed.set(c.id, f);
            } else if (c.lon !== null) {
              missing = true;
            }
          }
          this.liveSince = tick.now;
          const now = performance.now();
          if (missing && now - this.reloadedAt >= RELOAD_EVERY_MS) {
            this.reloadedAt = now;
            this.loadOpen(this.openQuery);  /* with its own, newer cursor */
          } else {
            /* a new report the map does not hold comes with the next reload (the cursor
               stays, so its changes come again meanwhile) */
            if (!missing) { this.cursor = delta.cursor; }
            if (changed.size || gone.length) {
              this.openData = Object.assign({}, this.openData,
                                            {features: Array.from(this.openById.values())});
              /* only what changed goes to MapLibre's worker (the whole set each second was
                 a megabyte copied to it and re-tiled, on a district's desk) */
              map.getSource(this.openSource).updateData({add: Array.from(changed.values()),
                                                          remove: gone});
              this.restate();
            }
          }
          this.liveAt = performance.now();
        })
        .catch(err => console.warn('gridmap desk live:', err))
        .finally(() => { this.liveBusy = false; });
    },

    /* Clicks and tooltips. */
    hook: function (map) {
      const layers = this.rendered.layers.filter(l => tipOf(l).length).map(l => l.id);
      this.popup = new window.maplibregl.Popup({closeButton: false, closeOnClick: false,
                                                className: 'desk-tip', maxWidth: '280px'});
      map.on('mousemove', e => {
        const hits = map.queryRenderedFeatures(e.point, {layers: layers.filter(id =>
          map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none')}).filter(drawn);
        if (!hits.length) { this.popup.remove(); map.getCanvas().style.cursor = ''; return; }
        const f = hits[0];
        map.getCanvas().style.cursor = specOf(f.layer) === OPEN_SPEC ? 'pointer' : '';
        this.popup.setLngLat(e.lngLat).setHTML(this.tip(f)).addTo(map);
      });
      map.getCanvas().addEventListener('mouseleave', () => this.popup.remove());
      /* a click on an incident shows it beside the map; on a building, or on an area one
         level below the page's, goes to its page */
      map.on('click', e => {
        if (!window.dash_clientside || !window.dash_clientside.set_props) { return; }
        const visible = l => map.getLayer(l.id) &&
          map.getLayoutProperty(l.id, 'visibility') !== 'none';
        const of = test => this.rendered.layers.filter(l => test(l) && visible(l))
                                               .map(l => l.id);
        const dots = map.queryRenderedFeatures(e.point, {layers: of(l => specOf(l) === OPEN_SPEC)})
          .filter(drawn);
        if (dots.length) {
          window.dash_clientside.set_props('desk-clicked',
                                           {data: {incident_id: dots[0].properties.incident_id}});
          return;
        }
        const buildings = map.queryRenderedFeatures(e.point, {layers: of(
          l => specOf(l) === 'buildings')});
        if (buildings.length && buildings[0].properties.building_id) {
          this.go('/building/' + encodeURIComponent(buildings[0].properties.building_id));
          return;
        }
        const areas = map.queryRenderedFeatures(e.point, {layers: of(l => l.type === 'fill')})
          .map(f => String((f.properties || {}).code || ''))
          .filter(code => code.length > this.area.length && code.startsWith(
            this.area.length > 6 ? this.area : ''))
          .sort((a, b) => a.length - b.length);
        /* one level down: a grid clicked on a street's page opens its community */
        const down = {6: 9, 9: 12}[this.area.length];
        if (areas.length) { this.go('/area/' + (down ? areas[0].slice(0, down) : areas[0])); }
      });
    },

    /* Go to a page of the app (Dash's own navigation: no reload; back returns). The map
       moves to an area's or a building's place at once, while Dash fetches the page. */
    go: function (href) {
      this.leftAt = performance.now();
      const b = this.boundsOf(href);
      if (b) { this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: 24, animate: false}); }
      window.dash_clientside.set_props('desk-nav', {href: href});
    },

    /* ``[minx, miny, maxx, maxy]`` of the area or building a path names, from the map's own
       sources (``null`` if the map does not hold it). */
    boundsOf: function (href) {
      const m = /^\/(area)\/([^/?#]+)/.exec(href);  /* a building's page shows around it */
      if (!m || !this.map) { return null; }
      const key = decodeURIComponent(m[2]);
      const level = m[1] === 'building' ? 'buildings'
        : {6: 'district', 9: 'street', 12: 'community'}[key.length] || 'grid';
      const source = (this.levelSources || {})[level];
      if (!source || !this.map.getSource(source)) { return null; }
      const field = m[1] === 'building' ? 'building_id' : 'code';
      const options = {filter: ['==', ['get', field], key]};
      if (m[1] === 'building') { options.sourceLayer = 'buildings'; }
      const b = [180, 90, -180, -90];
      const walk = c => {
        if (typeof c[0] === 'number') {
          b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
          b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
        } else { c.forEach(walk); }
      };
      this.map.querySourceFeatures(source, options).forEach(f => walk(f.geometry.coordinates));
      return b[0] <= b[2] ? b : null;
    },

    /* A feature's tooltip: its name (or id), then the fields its layer lists, in words. */
    tip: function (f) {
      const w = this.words, p = f.properties || {};
      const fields = tipOf(f.layer);
      /* named areas and buildings by name, a grid by its code, an incident by its id */
      const title = p.name || p.incident_id || p.code || '';
      const rows = [];
      for (const key of fields) {
        if (key === 'name' || key === 'incident_id' || key === 'reported_at') { continue; }
        if (key === 'code' && !p.name) { continue; }
        let value = p[key];
        if (key === 'status') { value = (w.states || {})[value] || value; }
        if (key === 'category') { value = (w.categories || {})[value] || value; }
        if (key === 'subcategory') { value = (w.subcategories || {})[value] || value; }
        if (key === 'due') { value = (w.due || {})[value] || ''; }
        if (value === undefined || value === null || value === '') {
          /* a choropleth's figure is its feature-state */
          const state = f.state || {};
          if (key === this.view.figure && state.v !== undefined) { value = state.v; }
        }
        if (value === undefined || value === null || value === '') { continue; }
        const label = (w.fields || {})[key] || (w.figures || {})[key] || key;
        rows.push('<div><span>' + escapeText(label) + '</span> ' + escapeText(value) + '</div>');
      }
      return '<b>' + escapeText(title) + '</b>' + rows.join('');
    },

    /* Whether the map shows the last view handed over (for tests and the benchmark). */
    shown: function () {
      return this.loading === 0 && this.shownAt !== null && this.shownAt >= this.appliedAt;
    },

    /* Show the switches, filters and figure of ``view`` (from the page's controls). */
    apply: function (view) {
      this.view = view;
      const map = this.map;
      if (!this.ready || !map) { return; }
      this.appliedAt = performance.now();
      const cats = view.categories.length
        ? ['in', ['get', 'category'], ['literal', view.categories]] : null;
      let heatOn = false;
      for (const l of this.rendered.layers) {
        if (!map.getLayer(l.id)) { continue; }  /* left for a closer zoom */
        const spec = specOf(l);
        const on = view.layers.indexOf(spec) >= 0;
        heatOn = heatOn || (on && spec === HEAT_SPEC);
        /* only a change: MapLibre lays out every tile of a layer's source again in its
           workers when a layout property changes, and a layer without a visibility counts
           as changed when set 'visible'; at the first view that was every source, a second
           round of tiles and frames before the first picture */
        const visibility = on ? 'visible' : 'none';
        if ((map.getLayoutProperty(l.id, 'visibility') || 'visible') !== visibility) {
          map.setLayoutProperty(l.id, 'visibility', visibility);
        }
        if (spec === HEAT_SPEC) {
          /* the heat has no feature-state: filtered, and only while it is shown */
          if (on) { map.setFilter(l.id, all([l.filter, cats])); }
        } else if (l.type === 'fill' && l.paint && Array.isArray(l.paint['fill-color']) &&
                   on && this.figures[l.id] !== view.figure) {
          this.loadFigure(map, l, view.figure);
        }
      }
      this.restate();
      /* the reports of another window, fetched when the heat is shown */
      if (this.heatSource && heatOn && view.hours !== this.hours) {
        this.hours = view.hours;
        map.getSource(this.heatSource).setData('/desk/reports.geojson?hours=' + view.hours);
      }
      if (this.capped) {  /* too many to draw unfiltered: ask for the filtered ones */
        const q = new URLSearchParams();
        if (view.categories.length) { q.set('category', view.categories.join(',')); }
        if (view.statuses.length) { q.set('status', view.statuses.join(',')); }
        if (q.toString() !== this.openQuery) { this.loadOpen(q.toString()); }
      }
      /* a figure on its way draws (and says it is shown) when it comes: a frame now would
         draw the old picture again, in the way of the new one on a PC drawing in software */
      if (!this.loading) {
        map.once('idle', () => { this.shownAt = performance.now(); });
        map.triggerRepaint();
      }
    },

    /* The open incidents the view's categories and states leave out, drawn clear (their
       feature-state ``out``, changed only where it changes). */
    restate: function () {
      const map = this.map, source = this.openSource, view = this.view;
      if (!map || !source || !this.openById || !map.getSource(source)) { return; }
      const cats = view.categories.length ? new Set(view.categories) : null;
      const states = view.statuses.length ? new Set(view.statuses) : null;
      const out = new Set();
      for (const f of this.openById.values()) {
        const p = f.properties;
        if ((cats && !cats.has(p.category)) || (states && !states.has(p.status))) { out.add(f.id); }
      }
      const was = this.out || new Set();
      for (const id of was) {
        if (!out.has(id)) { map.setFeatureState({source: source, id: id}, {out: false}); }
      }
      for (const id of out) {
        if (!was.has(id)) { map.setFeatureState({source: source, id: id}, {out: true}); }
      }
      this.out = out;
    },

    /* Colour a choropleth by ``figure``: each area's class, figure and colour as
       feature-state. */
    loadFigure: function (map, layer, figure) {
      this.figures[layer.id] = figure;
      this.loading += 1;
      const spec = specOf(layer);
      getJSON('/desk/figures/' + encodeURIComponent(spec) + '.json?figure=' +
              encodeURIComponent(figure))
        .then(data => {
          if (map !== this.map || this.figures[layer.id] !== figure) { return; }
          map.removeFeatureState({source: layer.source});
          data.codes.forEach((code, i) => {
            map.setFeatureState({source: layer.source, id: code},
                                {k: data.k[i], v: data.values[i], c: data.colours[data.k[i]]});
          });
        })
        .catch(err => {
          delete this.figures[layer.id];
          console.warn('gridmap desk figure:', err);
        })
        .finally(() => {
          this.loading -= 1;
          this.appliedAt = performance.now();
          map.once('idle', () => { this.shownAt = performance.now(); });
          map.triggerRepaint();
        });
    },

    /* ``window.gridmapDesk.painted``: the first frame drawn with every visible source in. */
    watchFirstPaint: function (map) {
      if (!this.mounted || !this.ready || this.painted) { return; }  /* seen, and built */
      map.once('idle', () => {
        if (!this.painted) { this.painted = performance.now(); }
        if (map === this.map) { this.addLater(map, true); }
      });
      map.triggerRepaint();
    },

    /* Show the area whole again. */
    fit: function () {
      const b = this.map && this.map.gridmapBounds;
      if (b) { this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: 24, animate: false}); }
    }
  };
  window.gridmapDesk = desk;
  /* Dash draws the page after this script runs, and draws each new page of the drill-down
     in its place: the map goes into a new map element as soon as it is in the document
     (before the browser paints it), looked for on each change of the page's elements. */
  if (window.location.pathname.replace(/\/+$/, '') !== '/wall') {
    desk.early();
    let looking = false;
    new MutationObserver(() => {
      if (looking) { return; }
      looking = true;
      queueMicrotask(() => {
        looking = false;
        const el = document.getElementById('desk-map');
        if (el && el !== desk.el) { desk.mount(); }
      });
    }).observe(document.body, {childList: true, subtree: true});
    setInterval(() => desk.mount(), 250);  /* a map element whose data came later */
    setInterval(() => desk.live(), 1000);
  }
})();
