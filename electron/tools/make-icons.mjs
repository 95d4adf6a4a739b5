// Draws Switchboard's icons with Node alone (zlib for PNG, nothing else) and writes them:
//
//   resources/tray/tray-{ok,degraded,down,paused}{,@1.5x,@2x,@3x}.png   Windows and Linux: white mark with a
//                                                                         dark outline and a status dot
//   resources/tray/trayTemplate{,@2x}.png                                 macOS (ok): black mark on transparent
//   resources/tray/tray-{degraded,down,paused}Template{,@2x}.png          macOS: the same with a monochrome badge
//   resources/app/icon.png (512), icon.icns (16..1024), icon.ico (16..256)
//   renderer/favicon.png (64)                                             the dashboard's favicon
//
// The mark: three input nodes on the left joined by smooth curves into one output node on the right (a relay).
// Shapes are tested 4×4 times per pixel and averaged (anti-aliasing by supersampling). Everything is plain
// arithmetic and fixed zlib settings, so every run writes the same bytes. `node electron/tools/make-icons.mjs
// [outDir]` writes under outDir (default: the project root), so a test can regenerate into a temporary
// directory and compare.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------------- PNG

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};

/** An 8-bit RGBA PNG (colour type 6, filter 0 on every row) of a canvas. */
function png(canvas) {
  const { size, data } = canvas;
  const raw = Buffer.alloc(size * (1 + size * 4));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 4);
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const a = data[i + 3];
      const at = row + 1 + x * 4;
      if (a <= 0) continue; // fully transparent pixels stay 0,0,0,0
      raw[at] = byte(data[i] / a);
      raw[at + 1] = byte(data[i + 1] / a);
      raw[at + 2] = byte(data[i + 2] / a);
      raw[at + 3] = byte(a);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const idat = deflateSync(raw, { level: 9, memLevel: 9, strategy: 0 });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}
const byte = (v) => Math.max(0, Math.min(255, Math.round(v * 255)));

// ---------------------------------------------------------------------------------------------- raster

/** Samples per pixel along each axis. */
const SS = 4;

/** Premultiplied RGBA in 0..1, row-major. */
const canvasOf = (size) => ({ size, data: new Float32Array(size * size * 4) });

/**
 * Coverage (0..1 per pixel) of `ops` applied in order to an empty mask: `{ add: shape }` sets the samples
 * inside the shape, `{ cut: shape }` clears them. Each pixel is sampled SS×SS times.
 */
function coverage(size, ops) {
  const n = size * SS;
  const bits = new Uint8Array(n * n);
  for (const op of ops) {
    const shape = op.add ?? op.cut;
    const value = op.add ? 1 : 0;
    const [x0, y0, x1, y1] = shape.bounds;
    const sx0 = Math.max(0, Math.floor(x0 * SS));
    const sy0 = Math.max(0, Math.floor(y0 * SS));
    const sx1 = Math.min(n, Math.ceil(x1 * SS));
    const sy1 = Math.min(n, Math.ceil(y1 * SS));
    for (let sy = sy0; sy < sy1; sy++) {
      const y = (sy + 0.5) / SS;
      for (let sx = sx0; sx < sx1; sx++) if (shape.contains((sx + 0.5) / SS, y)) bits[sy * n + sx] = value;
    }
  }
  const cov = new Float32Array(size * size);
  for (let sy = 0; sy < n; sy++) {
    const row = ((sy / SS) | 0) * size;
    for (let sx = 0; sx < n; sx++) if (bits[sy * n + sx]) cov[row + ((sx / SS) | 0)] += 1 / (SS * SS);
  }
  return cov;
}

/** Paints `colour(x, y)` ([r, g, b] in 0..255 and alpha 0..1 at a pixel centre) over the canvas through `cov`. */
function paint(canvas, cov, colour) {
  const { size, data } = canvas;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = cov[y * size + x];
      if (c <= 0) continue;
      const [r, g, b, alpha = 1] = typeof colour === 'function' ? colour(x + 0.5, y + 0.5) : colour;
      const a = Math.min(1, c) * alpha;
      const i = (y * size + x) * 4;
      data[i] = (r / 255) * a + data[i] * (1 - a);
      data[i + 1] = (g / 255) * a + data[i + 1] * (1 - a);
      data[i + 2] = (b / 255) * a + data[i + 2] * (1 - a);
      data[i + 3] = a + data[i + 3] * (1 - a);
    }
  }
}

/** Three passes of a separable box blur (close to a Gaussian with sigma ≈ radius), in place. */
function blur(cov, size, radius) {
  const r = Math.max(1, Math.round(radius));
  const tmp = new Float32Array(cov.length);
  const pass = (src, dst, stride, step) => {
    for (let line = 0; line < size; line++) {
      const base = line * stride;
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += src[base + Math.max(0, Math.min(size - 1, k)) * step];
      for (let i = 0; i < size; i++) {
        dst[base + i * step] = sum / (2 * r + 1);
        sum += src[base + Math.min(size - 1, i + r + 1) * step] - src[base + Math.max(0, i - r) * step];
      }
    }
  };
  for (let k = 0; k < 3; k++) {
    pass(cov, tmp, size, 1);
    pass(tmp, cov, 1, size);
  }
  return cov;
}

/** Moves a coverage mask down by `dy` whole pixels. */
function shiftDown(cov, size, dy) {
  const out = new Float32Array(cov.length);
  out.set(cov.subarray(0, (size - dy) * size), dy * size);
  return out;
}

// ---------------------------------------------------------------------------------------------- shapes
// Each shape: bounds [x0, y0, x1, y1] in pixels, contains(x, y), and grow(d) (the same shape d pixels larger).

function circle(cx, cy, r) {
  return { bounds: [cx - r, cy - r, cx + r, cy + r], contains: (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r, grow: (d) => circle(cx, cy, r + d) };
}

/** The band between radii `inner` and `outer`. */
function ring(cx, cy, outer, inner) {
  return {
    bounds: [cx - outer, cy - outer, cx + outer, cy + outer],
    contains: (x, y) => {
      const d = (x - cx) ** 2 + (y - cy) ** 2;
      return d <= outer * outer && d >= inner * inner;
    },
    grow: (d) => ring(cx, cy, outer + d, Math.max(0, inner - d)),
  };
}

/** The points within r of the segment a–b (a stroke with round caps). */
function capsule(ax, ay, bx, by, r) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy || 1;
  return {
    bounds: [Math.min(ax, bx) - r, Math.min(ay, by) - r, Math.max(ax, bx) + r, Math.max(ay, by) + r],
    contains: (x, y) => {
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
      return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= r * r;
    },
    grow: (d) => capsule(ax, ay, bx, by, r + d),
  };
}

/** A rectangle with corners rounded by r. */
function roundRect(x0, y0, w, h, r) {
  const cx = x0 + w / 2;
  const cy = y0 + h / 2;
  return {
    bounds: [x0, y0, x0 + w, y0 + h],
    contains: (x, y) => roundRectDistance(x - cx, y - cy, w / 2, h / 2, r) <= 0,
    grow: (d) => roundRect(x0 - d, y0 - d, w + 2 * d, h + 2 * d, r + d),
  };
}

/** Signed distance from (px, py), relative to the centre, to a rounded rectangle of half-size hw × hh. */
function roundRectDistance(px, py, hw, hh, r) {
  const qx = Math.abs(px) - hw + r;
  const qy = Math.abs(py) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** A cubic Bézier stroke of half-width r, as round-capped segments (round joins, so the union is exact). */
function cubicStroke([p0, p1, p2, p3], r, steps = 48) {
  const at = (t) => {
    const u = 1 - t;
    return [0, 1].map((k) => u * u * u * p0[k] + 3 * u * u * t * p1[k] + 3 * u * t * t * p2[k] + t * t * t * p3[k]);
  };
  const parts = [];
  let prev = at(0);
  for (let i = 1; i <= steps; i++) {
    const next = at(i / steps);
    parts.push(capsule(prev[0], prev[1], next[0], next[1], r));
    prev = next;
  }
  return parts;
}

// ------------------------------------------------------------------------------------------------ mark

/**
 * The mark: input nodes at (inX, each of inY), one output node at (outX, outY); the middle input runs straight
 * to the output, the others leave horizontally and bend into the trunk at `join` (cubic Bézier with control
 * points at c1 and c2 on the input's and the trunk's line). Units are the layout's own grid.
 */
const REGULAR = { inX: 4.5, inY: [5, 12, 19], inR: 2.35, outX: 19.5, outY: 12, outR: 3.3, half: 1.05, c1: 11, c2: 12.5, join: 16.5 };
/**
 * The same on a 16-unit grid for 16 and 32 px: nodes on pixel centres and 1-px lines on pixel rows at 16 px
 * (whole pixels at 32 px), so the small sizes stay crisp instead of smeared.
 */
const SMALL = { inX: 3.5, inY: [3.5, 7.5, 11.5], inR: 1.6, outX: 10.5, outY: 7.5, outR: 2.3, half: 0.55, c1: 6.2, c2: 7, join: 9.5 };
/** The tray's 16-unit grid: wider and taller than SMALL (no plate around it), leaving the corner for the dot. */
const TRAY = { inX: 2.5, inY: [2.5, 7.5, 12.5], inR: 1.6, outX: 11.5, outY: 7.5, outR: 2.1, half: 0.6, c1: 5.6, c2: 6.6, join: 9.5 };

/**
 * The mark as coverage ops in pixels: layout units times `s`, moved by (ox, oy); `weight` thickens lines and
 * nodes; `jacks` hollows the inputs into sockets (large sizes only).
 */
function markOps(layout, { ox, oy, s, weight = 1, jacks = false }) {
  const P = (x, y) => [ox + x * s, oy + y * s];
  const half = layout.half * weight * s;
  const inR = layout.inR * Math.min(weight, 1.12) * s;
  const outR = layout.outR * Math.min(weight, 1.1) * s;
  const out = P(layout.outX, layout.outY);
  const join = P(layout.join, layout.outY);
  const shapes = [];
  const cutouts = [];
  for (const y of layout.inY) {
    const from = P(layout.inX, y);
    if (y === layout.outY) shapes.push(capsule(...from, ...out, half));
    else shapes.push(...cubicStroke([from, P(layout.c1, y), P(layout.c2, layout.outY), join], half), capsule(...join, ...out, half));
    shapes.push(circle(...from, inR));
    if (jacks) cutouts.push(circle(...from, inR * 0.45));
  }
  shapes.push(circle(...out, outR));
  return [...shapes.map((shape) => ({ add: shape })), ...cutouts.map((shape) => ({ cut: shape }))];
}

/** The same coverage ops made d pixels bolder (an outline around them when painted underneath). */
const grown = (ops, d) => ops.map((op) => (op.add ? { add: op.add.grow(d) } : { cut: op.cut.grow(-d) }));

const adds = (shapes) => shapes.map((shape) => ({ add: shape }));

// -------------------------------------------------------------------------------------------- app icon

const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);
const TOP = [84, 134, 245]; // #5486f5
const BOTTOM = [31, 66, 178]; // #1f42b2, the dashboard's accent (#2f5bd3) sits in between

/**
 * The app icon: the mark in white on a rounded square (22.4% corner radius) with a vertical blue gradient.
 * `margin` is the empty border as a fraction of the size (macOS: 100/1024, with a soft drop shadow in it);
 * 16 to 32 px use a 1/16 border and the pixel-fitted small mark.
 */
function appIcon(size, { margin, shadow }) {
  const canvas = canvasOf(size);
  const small = size <= 32;
  const inset = Math.round(size * (small ? 1 / 16 : margin));
  const body = size - 2 * inset;
  const radius = body * 0.224;
  const plate = roundRect(inset, inset, body, body, radius);
  if (shadow && !small) {
    const soft = blur(shiftDown(coverage(size, [{ add: plate }]), size, Math.round(size * 0.012)), size, size * 0.014);
    paint(canvas, soft, [0, 10, 40, 0.32]);
  }
  paint(canvas, coverage(size, [{ add: plate }]), (x, y) => [...mix(TOP, BOTTOM, Math.max(0, Math.min(1, (y - inset) / body))), 1]);
  // A faint lighter rim along the top edge, as light from above would give.
  const rim = Math.max(1, size / 256);
  paint(canvas, coverage(size, [{ add: plate }, { cut: roundRect(inset, inset + rim, body, body - rim, radius) }]), [255, 255, 255, 0.18]);

  let mark;
  if (size === 16 || size === 32) {
    const k = size / 16;
    mark = markOps(SMALL, { ox: k, oy: 1, s: k });
  } else {
    // 24 px (ico only) has no pixel grid that suits the mark: a larger, heavier regular mark instead.
    const box = body * (size <= 32 ? 0.86 : size <= 64 ? 0.74 : 0.68);
    const weight = size <= 32 ? 1.3 : size <= 64 ? 1.12 : 1;
    mark = markOps(REGULAR, { ox: (size - box) / 2, oy: (size - box) / 2, s: box / 24, weight, jacks: size >= 128 });
  }
  if (!small) {
    const depth = blur(shiftDown(coverage(size, mark), size, Math.max(1, Math.round(size * 0.01))), size, size * 0.012);
    paint(canvas, depth, [8, 20, 70, 0.35]);
  }
  paint(canvas, coverage(size, mark), [255, 255, 255]);
  return canvas;
}

// ---------------------------------------------------------------------------------------- tray icons

const STATUS = { ok: [46, 160, 67], degraded: [227, 160, 8], down: [218, 54, 51], paused: [139, 148, 158] };
const INK = [24, 28, 36];

/**
 * Windows and Linux: the mark in white with a dark outline (legible on light and dark panels), the status dot
 * in the bottom-right corner, cut out of the mark with a small gap. Drawn on a 16-unit grid scaled to `size`.
 */
function colourTray(size, state) {
  const canvas = canvasOf(size);
  const k = size / 16;
  const mark = markOps(TRAY, { ox: 0, oy: 0, s: k });
  const dot = circle(13 * k, 13 * k, 2.7 * k);
  const outline = Math.max(0.7, 0.55 * k);
  const gap = [{ cut: dot.grow(outline + 0.35 * k) }];
  paint(canvas, coverage(size, [...grown(mark, outline), ...gap]), [...INK, 0.85]);
  paint(canvas, coverage(size, [...mark, ...gap]), [255, 255, 255]);
  paint(canvas, coverage(size, [{ add: dot }]), [...INK, 0.85]);
  paint(canvas, coverage(size, [{ add: dot.grow(-outline) }]), STATUS[state]);
  return canvas;
}

/**
 * macOS template images: black on transparent (macOS tints them for the menu bar and inverts them when
 * highlighted). A 22 px canvas with the mark about 16 px wide, centred; states other than ok add a badge in the
 * bottom-right corner cut out of the mark: degraded a ring, down a filled disc, paused two bars (mark dimmed).
 */
function templateTray(size, state) {
  const canvas = canvasOf(size);
  const k = size / 22;
  const mark = markOps(REGULAR, { ox: 1.4 * k, oy: 2 * k, s: 0.75 * k, weight: 1.25 });
  const cx = 18.2 * k;
  const cy = 18.2 * k;
  const r = 3.6 * k;
  const badge =
    state === 'degraded' ? [ring(cx, cy, r, r - 1.3 * k)]
    : state === 'down' ? [circle(cx, cy, r)]
    : state === 'paused' ? [roundRect(cx - 2.6 * k, cy - r + 0.3 * k, 1.9 * k, 2 * r - 0.6 * k, 0.5 * k), roundRect(cx + 0.7 * k, cy - r + 0.3 * k, 1.9 * k, 2 * r - 0.6 * k, 0.5 * k)]
    : [];
  const gap = state === 'ok' ? [] : [{ cut: circle(cx, cy, r + 1.3 * k) }];
  paint(canvas, coverage(size, [...mark, ...gap]), [0, 0, 0, state === 'paused' ? 0.5 : 1]);
  if (badge.length > 0) paint(canvas, coverage(size, adds(badge)), [0, 0, 0]);
  return canvas;
}

// ------------------------------------------------------------------------------------ icns and ico

/** ICNS: 'icns' + total length, then (type, length including the 8-byte header, PNG bytes) per image. */
function icns(entries) {
  const parts = entries.map(([type, image]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + image.length, 4);
    return Buffer.concat([head, image]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

/** ICO: ICONDIR (reserved 0, type 1, count), one 16-byte ICONDIRENTRY per image (0 means 256), then PNGs. */
function ico(entries) {
  const header = Buffer.alloc(6 + 16 * entries.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(entries.length, 4);
  let offset = header.length;
  entries.forEach(([size, image], i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at);
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt8(0, at + 3);
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(image.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += image.length;
  });
  return Buffer.concat([header, ...entries.map(([, image]) => image)]);
}

// ------------------------------------------------------------------------------------------------ write

const outDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const write = (path, bytes) => {
  const full = join(outDir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, bytes);
};

const SCALES = [['', 1], ['@1.5x', 1.5], ['@2x', 2], ['@3x', 3]];
for (const state of Object.keys(STATUS)) {
  for (const [suffix, scale] of SCALES) write(`resources/tray/tray-${state}${suffix}.png`, png(colourTray(16 * scale, state)));
  const name = state === 'ok' ? 'trayTemplate' : `tray-${state}Template`;
  write(`resources/tray/${name}.png`, png(templateTray(22, state)));
  write(`resources/tray/${name}@2x.png`, png(templateTray(44, state)));
}

const mac = { margin: 100 / 1024, shadow: true };
const win = { margin: 1 / 32, shadow: false };
write('resources/app/icon.png', png(appIcon(512, mac)));
const ICNS = [['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]];
write('resources/app/icon.icns', icns(ICNS.map(([type, size]) => [type, png(appIcon(size, mac))])));
write('resources/app/icon.ico', ico([16, 24, 32, 48, 64, 128, 256].map((size) => [size, png(appIcon(size, win))])));
write('renderer/favicon.png', png(appIcon(64, win)));
