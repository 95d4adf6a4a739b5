// Writes the placeholder tray and app icons in resources/ (solid discs, one colour per state) with zlib only:
// tray PNGs, the 512 px app PNG, and the packaging icons icon.icns (macOS) and icon.ico (Windows), both of
// which hold PNG-compressed images (ICNS types icp4..ic10; ICO entries with PNG data, read since Vista).
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

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
function disc(size, [r, g, b]) {
  const rows = [];
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const inside = Math.hypot(x - c, y - c) <= size * 0.42;
      row.set(inside ? [r, g, b, 255] : [0, 0, 0, 0], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}
const colours = { ok: [46, 160, 67], degraded: [219, 154, 4], down: [207, 34, 46], paused: [110, 118, 129] };
mkdirSync('resources/tray', { recursive: true });
mkdirSync('resources/app', { recursive: true });
for (const [state, colour] of Object.entries(colours)) {
  writeFileSync(`resources/tray/tray-${state}.png`, disc(16, colour));
  writeFileSync(`resources/tray/tray-${state}@2x.png`, disc(32, colour));
}
const appColour = [37, 99, 235];
writeFileSync('resources/app/icon.png', disc(512, appColour));

// ICNS: 'icns' + total length, then (type, length including the 8-byte header, PNG bytes) per image.
function icns(entries) {
  const parts = entries.map(([type, size]) => {
    const png = disc(size, appColour);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}
writeFileSync('resources/app/icon.icns', icns([['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]]));

// ICO: ICONDIR (reserved 0, type 1, count), one 16-byte ICONDIRENTRY per image (width/height 0 means 256), then PNGs.
function ico(sizes) {
  const pngs = sizes.map((size) => disc(size, appColour));
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((size, i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at);
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt8(0, at + 3);
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(pngs[i].length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += pngs[i].length;
  });
  return Buffer.concat([header, ...pngs]);
}
writeFileSync('resources/app/icon.ico', ico([16, 24, 32, 48, 64, 128, 256]));
