/* Clientside callbacks of the wall screen. Traces: 0 heat, 1 halo, 2 incidents, 3 flash. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  gridmap: {
    /* Apply a server delta to the map as a Patch: only the incident traces change. */
    applyDelta: function (delta, fig) {
      if (!delta || !fig || !fig.data || fig.data.length < 4) {
        return window.dash_clientside.no_update;
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
      P.assign(['data', 2, 'ids'], keep(ids, drop));
      P.assign(['data', 2, 'customdata'], keep(ids, drop));
      P.assign(['data', 2, 'lat'], keep(lat, drop));
      P.assign(['data', 2, 'lon'], keep(lon, drop));
      P.assign(['data', 2, 'marker', 'color'], keep(color, drop));
      P.assign(['data', 1, 'ids'], keep(hIds, hDrop));
      P.assign(['data', 1, 'lat'], keep(hLat, hDrop));
      P.assign(['data', 1, 'lon'], keep(hLon, hDrop));
      P.assign(['data', 1, 'marker', 'color'], keep(hCol, hDrop));
      if (delta.heat && delta.heat.length) {
        P.extend(['data', 0, 'lon'], delta.heat.map(p => p[0]));
        P.extend(['data', 0, 'lat'], delta.heat.map(p => p[1]));
      }
      /* flash: new urgent and newly overdue incidents, for one tick */
      const flash = new Set(delta.flash || []);
      const fl = (delta.changes || []).filter(c => flash.has(c.id) && c.lat !== null);
      P.assign(['data', 3, 'ids'], fl.map(c => c.id));
      P.assign(['data', 3, 'lat'], fl.map(c => c.lat));
      P.assign(['data', 3, 'lon'], fl.map(c => c.lon));
      return P.build();
    },

    /* The live clock and the "data as of" line, warning when updates have stopped. */
    clock: function (_n, state) {
      const now = new Date();
      const pad = v => String(v).padStart(2, '0');
      const fmt = d => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      const date = `${now.getFullYear()}年${now.getMonth() + 1}月${now.getDate()}日 ` +
        ['日', '一', '二', '三', '四', '五', '六'].map(d => `星期${d}`)[now.getDay()];
      const asOf = state && state.as_of ? new Date(state.as_of) : null;
      const age = asOf ? (now - asOf) / 1000 : Infinity;
      const stale = age > 8;
      const text = asOf ? `数据更新于 ${fmt(asOf)}` + (stale ? ' · 连接中断，正在重试' : '')
                        : '等待数据';
      return [`${date} ${fmt(now)}`, text, stale ? 'wall-asof stale' : 'wall-asof'];
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
