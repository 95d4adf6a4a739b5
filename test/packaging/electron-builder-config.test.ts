import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { Configuration } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * electron-builder.yml checked against electron-builder's own JSON schema (app-builder-lib ships it as
 * scheme.json) and against the security settings STYLE.md asks for (checklist item 15: fuses; asar; what
 * goes into the app).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const configPath = join(root, 'electron-builder.yml');
const raw: unknown = parse(readFileSync(configPath, 'utf8'));
const config = raw as Configuration;
const schemaPath = join(dirname(createRequire(import.meta.url).resolve('app-builder-lib/package.json')), 'scheme.json');

type TargetList = Array<string | { target: string; arch?: string | string[] }>;
const targetsOf = (value: unknown): TargetList => (Array.isArray(value) ? value : value == null ? [] : [value]) as TargetList;
const targetNames = (value: unknown): string[] => targetsOf(value).map((t) => (typeof t === 'string' ? t : t.target));
const globs = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).flatMap((entry: unknown) =>
    typeof entry === 'string' ? [entry] : entry && typeof entry === 'object' && 'from' in entry ? [String((entry as { from: unknown }).from)] : [],
  );

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s JSON schema (scheme.json, ajv, no type coercion)', () => {
    expect(existsSync(schemaPath)).toBe(true);
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const ok = validate(raw);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is what electron-builder itself loads from the project directory and accepts', async () => {
    const loaded = await getConfig(root, null, null);
    expect(loaded.appId).toBe('dev.switchboard.app');
    const quiet = { isEnabled: false, add: () => undefined } as unknown as Parameters<typeof validateConfiguration>[1];
    await expect(validateConfiguration(loaded, quiet)).resolves.toBeUndefined();
  });

  it('rejects a misspelt option, so the schema check has teeth', () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } })).toBe(false);
    expect(validate({ ...config, asar: 'yes' })).toBe(false);
  });

  it('flips every fuse in STYLE.md checklist item 15', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the compiled app into an asar with no tests, bench or sources, and publishes nothing', () => {
    expect(config.asar).toBe(true);
    const files = globs(config.files);
    expect(files).toEqual(expect.arrayContaining(['dist/relay/**', 'dist/electron/**', 'package.json']));
    for (const glob of files.filter((g) => !g.startsWith('!'))) {
      expect(glob).not.toMatch(/(^|\/)(test|bench|node_modules)(\/|$)/);
      expect(glob).not.toMatch(/^(dist\/)?\*\*|^dist\/?$|^(relay|electron|renderer)\//);
    }
    expect(config.publish).toBeNull();
    expect(config.directories?.output).toBe('release');
  });

  it('puts resources/ beside app.asar, where electron/paths.ts looks when packaged', () => {
    expect(config.extraResources).toEqual([{ from: 'resources', to: '.', filter: ['**/*'] }]);
    expect(existsSync(join(root, 'resources/tray/tray-ok.png'))).toBe(true);
  });

  it('builds dmg (x64, arm64), nsis (per user, one click), AppImage and deb', () => {
    const dmg = targetsOf(config.mac?.target).find((t) => typeof t !== 'string' && t.target === 'dmg');
    expect(dmg).toMatchObject({ arch: ['x64', 'arm64'] });
    expect(config.mac?.category).toBe('public.app-category.developer-tools');
    expect(config.mac?.extendInfo).toMatchObject({ LSUIElement: true });
    expect(targetNames(config.win?.target)).toEqual(['nsis']);
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false });
    expect(targetNames(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Development');
  });

  it('points at icons that exist: a 512 px PNG, an icns with a 512 px image, an ico with a 256 px image', () => {
    const png = readFileSync(join(root, String(config.linux?.icon)));
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);

    const icns = readFileSync(join(root, String(config.mac?.icon)));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const icnsTypes: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) icnsTypes.push(icns.subarray(at, at + 4).toString('ascii'));
    expect(icnsTypes).toEqual(expect.arrayContaining(['ic08', 'ic09', 'ic10']));

    const ico = readFileSync(join(root, String(config.win?.icon)));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const widths = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + 16 * i) || 256);
    expect(widths).toContain(256);
    for (let i = 0; i < count; i++) {
      const size = ico.readUInt32LE(6 + 16 * i + 8);
      const offset = ico.readUInt32LE(6 + 16 * i + 12);
      expect(offset + size).toBeLessThanOrEqual(ico.length);
      expect(ico.subarray(offset + 1, offset + 4).toString('ascii')).toBe('PNG');
    }
  });

  it('is run by npm run dist:desktop, and no install script downloads from outside the registry', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      allowScripts: Record<string, boolean>;
    };
    expect(pkg.scripts['dist:desktop']).toBe('npm run build && electron-builder');
    expect(pkg.allowScripts).toMatchObject({ electron: false, 'electron-winstaller': false });
  });
});
