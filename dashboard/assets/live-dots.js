/* The wall's open incidents as dots: a MapLibre custom layer (its public CustomLayerInterface),
 * used by live-map.js.
 *
 * Why not a GeoJSON source: each update of one re-tiles all of its points in a worker, and
 * MapLibre draws a frame for the new data, then one or two more as the tiles it touched come
 * back. Each frame is the whole map drawn again, in software on a PC without a GPU: measured
 * on the district (4,900 open, ~20 changes a second) the wall's main thread was busy
 * 0.046–0.053 of the time, 0.020 with one frame per update. Here an update writes the changed
 * dots into one buffer and asks for one frame: the work grows with what changed.
 *
 * Each dot holds a slot of the buffer: its place (Web Mercator, 0..1), its fill colour (its
 * state), its ring colour (near-due or overdue; clear otherwise) and whether it needs eyes
 * from across the room (drawn at every zoom; the rest from ``allZoom()`` on). Three passes of
 * one GL program draw the rings, then the dots, then the flashes (new urgent and newly overdue
 * incidents, ringed for a few seconds), as MapLibre's circle layers would: radius and stroke
 * in CSS pixels, times the wall's scale.
 */
(function () {
  const VERTEX = `
    attribute vec2 a_pos;
    attribute vec4 a_fill;
    attribute vec4 a_ring;
    attribute float a_eyes;
    uniform mat4 u_matrix;
    uniform float u_size;
    uniform float u_pass;
    uniform float u_all;
    varying vec4 v_fill;
    varying vec4 v_ring;
    void main() {
      bool hidden = (u_pass == 0.0 && a_ring.a == 0.0) ||
                    (u_pass == 1.0 && (a_fill.a == 0.0 || (a_eyes == 0.0 && u_all == 0.0)));
      gl_Position = hidden ? vec4(2.0, 2.0, 2.0, 1.0) : u_matrix * vec4(a_pos, 0.0, 1.0);
      gl_PointSize = hidden ? 0.0 : u_size;
      v_fill = a_fill;
      v_ring = a_ring;
    }`;
  /* colours are premultiplied (MapLibre blends so); a uniform colour with a < 0 stands for
     the dot's own */
  const FRAGMENT = `
    precision highp float;
    uniform float u_size;
    uniform float u_radius;
    uniform float u_stroke;
    uniform vec4 u_fill;
    uniform vec4 u_ring;
    varying vec4 v_fill;
    varying vec4 v_ring;
    void main() {
      float d = length(gl_PointCoord - 0.5) * u_size;
      float outer = clamp(u_radius + u_stroke - d + 0.5, 0.0, 1.0);
      if (outer <= 0.0) { discard; }
      float inner = clamp(u_radius - d + 0.5, 0.0, 1.0);
      vec4 fill = u_fill.a < 0.0 ? v_fill : u_fill;
      vec4 ring = u_ring.a < 0.0 ? v_ring : u_ring;
      gl_FragColor = mix(ring, fill, inner) * outer;
    }`;
  /* a slot: x, y (float32), fill rgba, ring rgba (bytes), eyes (a byte; 3 unused) */
  const STRIDE = 20;
  const PASS_RINGS = 0, PASS_DOTS = 1, PASS_FLASH = 2;
  const OWN = [0, 0, 0, -1];
  const CLEAR = [0, 0, 0, 0];

  /* A CSS colour (#rgb, #rrggbb, rgb(), rgba()) as premultiplied bytes, times ``opacity``. */
  function rgba(css, opacity) {
    let r = 0, g = 0, b = 0, a = 1;
    const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(css || '');
    const fn = /^rgba?\(([^)]+)\)$/.exec(css || '');
    if (hex) {
      const h = hex[1].length === 3 ? hex[1].replace(/./g, c => c + c) : hex[1];
      [r, g, b] = [0, 2, 4].map(i => parseInt(h.slice(i, i + 2), 16));
    } else if (fn) {
      const p = fn[1].split(',').map(Number);
      [r, g, b] = p;
      a = p.length > 3 ? p[3] : 1;
    }
    a *= opacity;
    return [Math.round(r * a), Math.round(g * a), Math.round(b * a), Math.round(255 * a)];
  }

  function compile(gl, type, source) {
    const shader = gl.createShader(type);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
      throw new Error('gridmap dots: ' + gl.getShaderInfoLog(shader));
    }
    return shader;
  }

  /**
   * A custom layer of dots.
   *
   * options: id; stateColours (CSS, by state number); dueColours (CSS, by due code: 1
   * near-due, 2 overdue); flash, flashRing (CSS); needsEyes({s, due}) -> bool; allZoom() ->
   * the zoom from which every dot is drawn; minzoom (nothing is drawn below it); scale.
   */
  function DotsLayer(options) {
    this.id = options.id;
    this.type = 'custom';
    this.renderingMode = '2d';
    this.needsEyes = options.needsEyes;
    this.allZoom = options.allZoom;
    this.minzoom = options.minzoom || 0;
    this.scale = options.scale || 1;
    this.fills = options.stateColours.map(c => rgba(c, 0.9));
    this.rings = [CLEAR, rgba(options.dueColours[1], 0.9), rgba(options.dueColours[2], 0.9)];
    this.flashFill = rgba(options.flash, 0.55).map(v => v / 255);
    this.flashRing = rgba(options.flashRing, 1).map(v => v / 255);
    this.slots = new Map();    /* key -> slot */
    this.items = [];           /* slot -> {key, lon, lat, s, due} or null */
    this.free = [];
    this.flashes = new Map();  /* flash id -> [lon, lat] */
    this.flashData = new Float32Array(0);
    this.bytes = new ArrayBuffer(STRIDE * 1024);
    this.dirtyFrom = Infinity;
    this.dirtyTo = -1;
    this.whole = true;         /* the buffer is to be sent whole (new or grown) */
    this.map = null;
  }

  DotsLayer.prototype = {
    onAdd: function (map, gl) {
      this.map = map;
      const program = gl.createProgram();
      gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX));
      gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
      gl.linkProgram(program);
      if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
        throw new Error('gridmap dots: ' + gl.getProgramInfoLog(program));
      }
      this.program = program;
      this.loc = {};
      for (const a of ['a_pos', 'a_fill', 'a_ring', 'a_eyes']) {
        this.loc[a] = gl.getAttribLocation(program, a);
      }
      for (const u of ['u_matrix', 'u_size', 'u_pass', 'u_all', 'u_radius', 'u_stroke',
                       'u_fill', 'u_ring']) {
        this.loc[u] = gl.getUniformLocation(program, u);
      }
      this.buffer = gl.createBuffer();
      this.flashBuffer = gl.createBuffer();
      this.whole = true;
      this.flashDirty = true;
    },

    onRemove: function (_map, gl) {
      gl.deleteBuffer(this.buffer);
      gl.deleteBuffer(this.flashBuffer);
      gl.deleteProgram(this.program);
      this.map = null;
    },

    /* Every dot anew: ``dots`` is [{key, lon, lat, s, due}]. */
    reset: function (dots) {
      this.slots.clear();
      this.items = [];
      this.free = [];
      this.bytes = new ArrayBuffer(STRIDE * Math.max(1024, dots.length * 2));
      for (const d of dots) { this.put(d); }
      this.whole = true;
      this.repaint();
    },

    /* Add dot ``d`` ({key, lon, lat, s, due}), or change it where it is. */
    put: function (d) {
      let slot = this.slots.get(d.key);
      if (slot === undefined) {
        slot = this.free.length ? this.free.pop() : this.items.length;
        if ((slot + 1) * STRIDE > this.bytes.byteLength) {
          const bigger = new ArrayBuffer(this.bytes.byteLength * 2);
          new Uint8Array(bigger).set(new Uint8Array(this.bytes));
          this.bytes = bigger;
          this.whole = true;
        }
        this.slots.set(d.key, slot);
      }
      this.items[slot] = d;
      const m = window.maplibregl.MercatorCoordinate.fromLngLat([d.lon, d.lat]);
      const view = new DataView(this.bytes, slot * STRIDE, STRIDE);
      view.setFloat32(0, m.x, true);
      view.setFloat32(4, m.y, true);
      const fill = this.fills[d.s] || CLEAR, ring = this.rings[d.due] || CLEAR;
      for (let i = 0; i < 4; i++) {
        view.setUint8(8 + i, fill[i]);
        view.setUint8(12 + i, ring[i]);
      }
      view.setUint8(16, this.needsEyes(d) ? 1 : 0);
      this.touch(slot);
    },

    /* Take dot ``key`` away (its slot is drawn clear, and used again). */
    remove: function (key) {
      const slot = this.slots.get(key);
      if (slot === undefined) { return; }
      this.slots.delete(key);
      this.items[slot] = null;
      new Uint8Array(this.bytes, slot * STRIDE, STRIDE).fill(0);
      this.free.push(slot);
      this.touch(slot);
    },

    touch: function (slot) {
      this.dirtyFrom = Math.min(this.dirtyFrom, slot);
      this.dirtyTo = Math.max(this.dirtyTo, slot);
    },

    /* Flashes: ``add`` {id: [lon, lat]}, ``remove`` [id]. */
    setFlashes: function (add, remove) {
      for (const id of remove) { this.flashes.delete(id); }
      for (const [id, at] of add) { this.flashes.set(id, at); }
      const data = new Float32Array(this.flashes.size * 2);
      let i = 0;
      for (const [lon, lat] of this.flashes.values()) {
        const m = window.maplibregl.MercatorCoordinate.fromLngLat([lon, lat]);
        data[i++] = m.x;
        data[i++] = m.y;
      }
      this.flashData = data;
      this.flashDirty = true;
    },

    has: function (key) { return this.slots.has(key); },
    count: function () { return this.slots.size; },
    flashCount: function () { return this.flashes.size; },
    get: function (key) {
      const slot = this.slots.get(key);
      return slot === undefined ? undefined : this.items[slot];
    },

    /* Whether every dot is drawn at the map's zoom (else only those that need eyes). */
    showsAll: function () { return this.map.getZoom() >= this.allZoom(); },

    /* The dots drawn now: on screen, at this zoom ([{key, lon, lat, s, due}]). */
    drawn: function () {
      if (!this.map || this.map.getZoom() < this.minzoom) { return []; }
      const all = this.showsAll(), bounds = this.map.getBounds();
      return this.items.filter(d => d && (all || this.needsEyes(d)) &&
                                    bounds.contains([d.lon, d.lat]));
    },

    repaint: function () { if (this.map) { this.map.triggerRepaint(); } },

    /* Send what changed to the GPU (the whole buffer when it is new or has grown). */
    upload: function (gl) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
      if (this.whole) {
        gl.bufferData(gl.ARRAY_BUFFER, this.bytes, gl.DYNAMIC_DRAW);
        this.whole = false;
      } else if (this.dirtyTo >= this.dirtyFrom) {
        const from = this.dirtyFrom * STRIDE, to = (this.dirtyTo + 1) * STRIDE;
        gl.bufferSubData(gl.ARRAY_BUFFER, from, new Uint8Array(this.bytes, from, to - from));
      }
      this.dirtyFrom = Infinity;
      this.dirtyTo = -1;
      if (this.flashDirty) {
        gl.bindBuffer(gl.ARRAY_BUFFER, this.flashBuffer);
        gl.bufferData(gl.ARRAY_BUFFER, this.flashData, gl.DYNAMIC_DRAW);
        this.flashDirty = false;
      }
    },

    render: function (gl, args) {
      if (!this.map || this.map.getZoom() < this.minzoom) { return; }
      this.upload(gl);
      const loc = this.loc, ratio = this.map.getPixelRatio(), s = this.scale * ratio;
      gl.useProgram(this.program);
      gl.uniformMatrix4fv(loc.u_matrix, false, args.defaultProjectionData.mainMatrix);
      gl.uniform1f(loc.u_all, this.showsAll() ? 1 : 0);
      const slots = this.items.length;
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
      gl.enableVertexAttribArray(loc.a_pos);
      gl.vertexAttribPointer(loc.a_pos, 2, gl.FLOAT, false, STRIDE, 0);
      gl.enableVertexAttribArray(loc.a_fill);
      gl.vertexAttribPointer(loc.a_fill, 4, gl.UNSIGNED_BYTE, true, STRIDE, 8);
      gl.enableVertexAttribArray(loc.a_ring);
      gl.vertexAttribPointer(loc.a_ring, 4, gl.UNSIGNED_BYTE, true, STRIDE, 12);
      gl.enableVertexAttribArray(loc.a_eyes);
      gl.vertexAttribPointer(loc.a_eyes, 1, gl.UNSIGNED_BYTE, false, STRIDE, 16);
      if (slots) {
        /* rings: clear inside, the dot's ring colour round it (as the circle layers had) */
        this.pass(gl, PASS_RINGS, 7 * s, 2 * s, CLEAR, OWN, slots);
        this.pass(gl, PASS_DOTS, 2.6 * s, 0, OWN, OWN, slots);
      }
      if (this.flashes.size) {
        gl.bindBuffer(gl.ARRAY_BUFFER, this.flashBuffer);
        gl.vertexAttribPointer(loc.a_pos, 2, gl.FLOAT, false, 8, 0);
        for (const a of [loc.a_fill, loc.a_ring, loc.a_eyes]) {
          gl.disableVertexAttribArray(a);
        }
        this.pass(gl, PASS_FLASH, 16 * s, 2 * s, this.flashFill, this.flashRing,
                  this.flashes.size);
      }
      for (const a of [loc.a_pos, loc.a_fill, loc.a_ring, loc.a_eyes]) {
        gl.disableVertexAttribArray(a);
      }
    },

    pass: function (gl, pass, radius, stroke, fill, ring, count) {
      const loc = this.loc;
      gl.uniform1f(loc.u_pass, pass);
      gl.uniform1f(loc.u_radius, radius);
      gl.uniform1f(loc.u_stroke, stroke);
      gl.uniform1f(loc.u_size, Math.ceil(2 * (radius + stroke) + 2));
      gl.uniform4fv(loc.u_fill, fill);
      gl.uniform4fv(loc.u_ring, ring);
      gl.drawArrays(gl.POINTS, 0, count);
    }
  };

  window.GridmapDots = DotsLayer;
})();
