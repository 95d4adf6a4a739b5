import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The icons electron/tools/make-icons.mjs writes: every file there with the right PNG size, the packaging
 * icons holding every size they list, and the committed files being exactly what the generator draws.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const generator = join(root, 'electron/tools/make-icons.mjs');

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** The inflated image data (filter byte + RGBA per row). */
  pixels: Buffer;
}

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** Reads the IHDR and the image data of a PNG, checking its signature and chunk layout. */
function readPng(bytes: Buffer): Png {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  const idat: Buffer[] = [];
  let at = 8;
  let type = '';
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    type = bytes.subarray(at + 4, at + 8).toString('ascii');
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  expect(at).toBe(bytes.length);
  expect(type).toBe('IEND');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), bitDepth: bytes[24]!, colourType: bytes[25]!, pixels: inflateSync(Buffer.concat(idat)) };
}

/** The images in an .icns file: type → PNG bytes. */
function icnsEntries(bytes: Buffer): Map<string, Buffer> {
  expect(bytes.subarray(0, 4).toString('ascii')).toBe('icns');
  expect(bytes.readUInt32BE(4)).toBe(bytes.length);
  const entries = new Map<string, Buffer>();
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at + 4);
    expect(length).toBeGreaterThan(8);
    entries.set(bytes.subarray(at, at + 4).toString('ascii'), bytes.subarray(at + 8, at + length));
    at += length;
  }
  return entries;
}

/** The images in an .ico file: the directory's width, height and bit depth, and the PNG bytes. */
function icoEntries(bytes: Buffer): Array<{ width: number; height: number; bpp: number; png: Buffer }> {
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]);
  return Array.from({ length: bytes.readUInt16LE(4) }, (_, i) => {
    const at = 6 + 16 * i;
    const size = bytes.readUInt32LE(at + 8);
    const offset = bytes.readUInt32LE(at + 12);
    expect(offset + size).toBeLessThanOrEqual(bytes.length);
    return { width: bytes[at]! || 256, height: bytes[at + 1]! || 256, bpp: bytes.readUInt16LE(at + 6), png: bytes.subarray(offset, offset + size) };
  });
}

const STATES = ['ok', 'degraded', 'down', 'paused'] as const;

/** Every PNG the generator writes, with its size in pixels. */
const PNGS: Record<string, number> = {
  'resources/app/icon.png': 512,
  'renderer/favicon.png': 64,
  ...Object.fromEntries(
    STATES.flatMap((state) => {
      const template = state === 'ok' ? 'trayTemplate' : `tray-${state}Template`;
      return [
        [`resources/tray/tray-${state}.png`, 16],
        [`resources/tray/tray-${state}@1.5x.png`, 24],
        [`resources/tray/tray-${state}@2x.png`, 32],
        [`resources/tray/tray-${state}@3x.png`, 48],
        [`resources/tray/${template}.png`, 22],
        [`resources/tray/${template}@2x.png`, 44],
      ];
    }),
  ),
};

const ICNS_TYPES: Record<string, number> = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024 };
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

/** The decoded images of a generated file (one PNG, or each image in an .icns or .ico), as hex digests of their pixels. */
function imagesOf(path: string, bytes: Buffer): string[] {
  const pngs = path.endsWith('.icns') ? [...icnsEntries(bytes).values()] : path.endsWith('.ico') ? icoEntries(bytes).map((entry) => entry.png) : [bytes];
  return pngs.map((png) => createHash('sha256').update(readPng(png).pixels).digest('hex'));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)).replace(/\\/g, '/'));
}

describe('icons (electron/tools/make-icons.mjs)', () => {
  it('writes every tray, app and favicon PNG at its size, as 8-bit RGBA', () => {
    for (const [path, size] of Object.entries(PNGS)) {
      const png = readPng(readFileSync(join(root, path)));
      expect({ path, width: png.width, height: png.height, bitDepth: png.bitDepth, colourType: png.colourType }).toEqual({ path, width: size, height: size, bitDepth: 8, colourType: 6 });
      expect(png.pixels.length).toBe(size * (1 + size * 4));
    }
  });

  it('draws macOS template images in black with alpha only, and coloured tray icons in colour', () => {
    for (const [path] of Object.entries(PNGS).filter(([path]) => path.startsWith('resources/tray/'))) {
      const png = readPng(readFileSync(join(root, path)));
      const row = 1 + png.width * 4;
      let opaque = 0;
      let coloured = 0;
      for (let y = 0; y < png.height; y++) {
        for (let x = 0; x < png.width; x++) {
          const [r, g, b, a] = png.pixels.subarray(y * row + 1 + x * 4, y * row + 5 + x * 4);
          if (a! > 0 && path.includes('Template')) expect([r, g, b], path).toEqual([0, 0, 0]);
          if (a! > 0) opaque++;
          if (a! > 128 && (r !== g || g !== b)) coloured++;
        }
      }
      // The mark covers a good part of the canvas, and the top-right corner stays transparent.
      expect(opaque / (png.width * png.height), path).toBeGreaterThan(0.2);
      expect(png.pixels[1 + (png.width - 1) * 4 + 3], path).toBe(0);
      // Windows and Linux icons carry a coloured status dot (paused is grey).
      if (!path.includes('Template') && !path.includes('paused')) expect(coloured, path).toBeGreaterThan(0);
    }
  });

  it('puts 16 to 1024 px in icon.icns and 16 to 256 px in icon.ico, each a PNG of its listed size', () => {
    const icns = icnsEntries(readFileSync(join(root, 'resources/app/icon.icns')));
    expect([...icns.keys()]).toEqual(Object.keys(ICNS_TYPES));
    for (const [type, size] of Object.entries(ICNS_TYPES)) {
      const png = readPng(icns.get(type)!);
      expect({ type, width: png.width, height: png.height }).toEqual({ type, width: size, height: size });
    }

    const ico = icoEntries(readFileSync(join(root, 'resources/app/icon.ico')));
    expect(ico.map((entry) => entry.width)).toEqual(ICO_SIZES);
    for (const entry of ico) {
      const png = readPng(entry.png);
      expect([png.width, png.height, entry.height, entry.bpp]).toEqual([entry.width, entry.width, entry.width, 32]);
    }
  });

  it('is what electron-builder.yml points at', () => {
    const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<'mac' | 'win' | 'linux', { icon?: string }>;
    expect([config.mac.icon, config.win.icon, config.linux.icon]).toEqual(['resources/app/icon.icns', 'resources/app/icon.ico', 'resources/app/icon.png']);
    for (const icon of [config.mac.icon, config.win.icon, config.linux.icon]) expect(existsSync(join(root, icon!)), icon).toBe(true);
  });

  it('links the favicon from the dashboard page, where Vite emits it under /assets', () => {
    const html = readFileSync(join(root, 'renderer/index.html'), 'utf8');
    expect(html).toContain('<link rel="icon" type="image/png" href="/favicon.png" />');
    // Not in renderer/public: the relay serves only /, /index.html and /assets/*.
    expect(existsSync(join(root, 'renderer/public/favicon.png'))).toBe(false);
  });

  it('writes the same bytes on every run, and the committed icons are what it draws', async () => {
    const dirs = await Promise.all([mkdtemp(join(tmpdir(), 'switchboard-icons-')), mkdtemp(join(tmpdir(), 'switchboard-icons-'))]);
    try {
      await Promise.all(dirs.map((dir) => promisify(execFile)(process.execPath, [generator, dir])));
      const [first, second] = dirs as [string, string];
      const written = (await filesUnder(first)).sort();
      expect(written).toEqual((await filesUnder(second)).sort());
      expect(written.filter((path) => path.endsWith('.png'))).toEqual(expect.arrayContaining(Object.keys(PNGS)));
      expect(written).toEqual(expect.arrayContaining(['resources/app/icon.icns', 'resources/app/icon.ico']));
      // resources/tray holds only what the generator writes: no stale icon is left beside them.
      expect((await filesUnder(join(root, 'resources/tray'))).map((path) => `resources/tray/${path}`).sort()).toEqual(written.filter((path) => path.startsWith('resources/tray/')));
      for (const path of written) {
        const [a, b, committed] = await Promise.all([readFile(join(first, path)), readFile(join(second, path)), readFile(join(root, path))]);
        expect(a.equals(b), path).toBe(true);
        // Pixels rather than bytes for the committed copy: another zlib may compress the same pixels differently.
        expect(imagesOf(path, committed), path).toEqual(imagesOf(path, a));
      }
    } finally {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  }, 60_000);
});
