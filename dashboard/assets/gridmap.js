/* Clientside callbacks of the wall screen. Traces: 0 heat, 1 halo, 2 incidents, 3 flash. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  gridmap: {
    /* Apply a server delta to the map as a Patch: only the incident traces change. */
    applyDelta: function (delta, fig, applied) {
      const NO = window.dash_clientside.no_update;
      if (!delta || !fig || !fig.data || fig.data.length < 4) {
        return [NO, NO];
      }
      applied = applied || {};
      const heatCursor = applied.heat_cursor !== undefined ? applied.heat_cursor
                                                            : (applied.cursor || 0);
      /* heat points are additive: take them only if they start where our heat stands */
      const hasHeat = (delta.heat || []).length > 0 && delta.heat_from === heatCursor;
      const done = {
        cursor: Math.max(applied.cursor || 0, delta.cursor || 0),
        heat_cursor: hasHeat ? delta.heat_to : heatCursor,
      };
      const flashing = (fig.data[3].ids || []).length > 0;
      const hasChanges = (delta.changes || []).length > 0;
      if (!hasChanges && !hasHeat && !flashing) {
        return [NO, done];  /* nothing to draw */
      }
      const P = new window.dash_clientside.Patch();
      const pts = fig.data[2], halo = fig.data[1];
      const ids = (pts.ids || []).slice(), lat = (pts.lat || []).slice(),
            lon = (pts.lon || []).slice();
      let color = pts.marker && pts.marker.color;
      color = Array.isArray(color) ? color.slice() : ids.map(() => color || '#22c3c9');
      const hIds = (halo.ids || []).slice(), hLat = (halo.lat || []).slice(),
            hLon = (halo.lon || []).slice();
      let hCol = halo.marker && halo.marker.color;
      hCol = Array.isArray(hCol) ? hCol.slice() : hIds.map(() => hCol || '#ff4d4f');
      const index = new Map(ids.map((id, i) => [id, i]));
      const hIndex = new Map(hIds.map((id, i) => [id, i]));
      const drop = new Set(), hDrop = new Set();
      for (const c of delta.changes || []) {
        const i = index.get(c.id);
        if (c.open && c.lat !== null) {
          if (i === undefined) {
            index.set(c.id, ids.length);
            ids.push(c.id); lat.push(c.lat); lon.push(c.lon); color.push(c.color);
          } else {
            lat[i] = c.lat; lon[i] = c.lon; color[i] = c.color; drop.delete(i);
          }
        } else if (i !== undefined) {
          drop.add(i);
        }
        const h = hIndex.get(c.id);
        if (c.open && c.due) {
          if (h === undefined) {
            hIndex.set(c.id, hIds.length);
            hIds.push(c.id); hLat.push(c.lat); hLon.push(c.lon); hCol.push(c.due_color);
          } else {
            hCol[h] = c.due_color; hDrop.delete(h);
          }
        } else if (h !== undefined) {
          hDrop.add(h);
        }
      }
      const keep = (arr, gone) => arr.filter((_v, k) => !gone.has(k));
      if (hasChanges) {
      P.assign(['data', 2, 'ids'], keep(ids, drop));
      P.assign(['data', 2, 'customdata'], keep(ids, drop));
      P.assign(['data', 2, 'lat'], keep(lat, drop));
      P.assign(['data', 2, 'lon'], keep(lon, drop));
      P.assign(['data', 2, 'marker', 'color'], keep(color, drop));
      P.assign(['data', 1, 'ids'], keep(hIds, hDrop));
      P.assign(['data', 1, 'lat'], keep(hLat, hDrop));
      P.assign(['data', 1, 'lon'], keep(hLon, hDrop));
      P.assign(['data', 1, 'marker', 'color'], keep(hCol, hDrop));
      }
      if (hasHeat) {
        P.extend(['data', 0, 'lon'], delta.heat.map(p => p[0]));
        P.extend(['data', 0, 'lat'], delta.heat.map(p => p[1]));
      }
      /* flash: new urgent and newly overdue incidents, for one tick */
      const flash = new Set(delta.flash || []);
      const fl = (delta.changes || []).filter(c => flash.has(c.id) && c.lat !== null);
      if (fl.length || flashing) {
        P.assign(['data', 3, 'ids'], fl.map(c => c.id));
        P.assign(['data', 3, 'lat'], fl.map(c => c.lat));
        P.assign(['data', 3, 'lon'], fl.map(c => c.lon));
      }
      return [P.build(), done];
    },

    /* The live clock and the "data as of" line, warning when updates have stopped. */
    clock: function (_n, state) {
      /* Beijing time, whatever the display machine's own time zone */
      const now = new Date();
      const part = (d, opts) => d.toLocaleString('zh-CN',
        Object.assign({timeZone: 'Asia/Shanghai'}, opts));
      const fmt = d => part(d, {hour: '2-digit', minute: '2-digit', second: '2-digit',
                                hour12: false});
      const date = part(now, {year: 'numeric', month: 'long', day: 'numeric',
                              weekday: 'long'});
      const asOf = state && state.as_of ? new Date(state.as_of) : null;
      const age = asOf ? (now - asOf) / 1000 : Infinity;
      const stale = age > 8;
      const text = asOf ? `数据更新于 ${fmt(asOf)}` + (stale ? ' · 连接中断，正在重试' : '')
                        : '等待数据';
      return [`${date} ${fmt(now)}`, text, stale ? 'wall-asof stale' : 'wall-asof'];
    },

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
      (fig.layout.map.layers || []).forEach((layer, i) => {
        if (layer.type === 'symbol') {
          P.assign(['layout', 'map', 'layers', i, 'symbol', 'textfont', 'size'],
                   Math.round(15 * s));
        }
      });
      [1, 2, 3].forEach(t => {
        const size = fig.data[t].marker && fig.data[t].marker.size;
        if (typeof size === 'number') {
          P.assign(['data', t, 'marker', 'size'], Math.round(size * s / (scale.scale || 1)));
        }
      });
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
