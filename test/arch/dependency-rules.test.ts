import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md's dependency rules, checked on every import in the tree rather than remembered.
 * Each relay folder may import only the folders listed for it; `import type` is allowed where
 * the design says "types only".
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface ImportRecord {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out = out.concat(sourceFiles(path));
    else if (/\.(ts|svelte)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const importPattern = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(file: string): ImportRecord[] {
  const text = readFileSync(file, 'utf8');
  const records: ImportRecord[] = [];
  for (const match of text.matchAll(importPattern)) {
    const specifier = match[3] ?? match[4];
    if (!specifier) continue;
    records.push({ file: relative(root, file), specifier, typeOnly: match[2] !== undefined });
  }
  return records;
}

/** The relay folder (`core`, `dispatch`, ..., or `index` for relay/index.ts) a file belongs to. */
function relayLayer(path: string): string | undefined {
  const match = /^relay\/([^/]+)/.exec(path.replace(/\\/g, '/'));
  if (!match?.[1]) return undefined;
  return match[1].replace(/\.ts$/, '');
}

function target(record: ImportRecord): string | undefined {
  if (!record.specifier.startsWith('.')) return undefined;
  return relative(root, resolve(root, dirname(record.file), record.specifier)).replace(/\\/g, '/');
}

/** Which relay folders each relay folder may import at runtime, and which only as types. */
const allowed: Record<string, { runtime: string[]; types?: string[] }> = {
  core: { runtime: ['core'] },
  streams: { runtime: ['streams', 'core'] },
  fs: { runtime: ['fs'] },
  providers: { runtime: ['providers', 'core', 'streams'] },
  protocols: { runtime: ['protocols', 'core', 'streams'] },
  config: { runtime: ['config', 'core', 'fs'] },
  keys: { runtime: ['keys', 'core', 'fs'] },
  routing: { runtime: ['routing', 'core'], types: ['providers', 'config'] },
  dispatch: { runtime: ['dispatch', 'core', 'streams', 'providers', 'routing', 'keys', 'config', 'fs'] },
  admin: { runtime: ['admin', 'core', 'config', 'keys', 'routing', 'dispatch', 'providers', 'integrations'] },
  http: { runtime: ['http', 'core', 'streams', 'providers', 'protocols', 'config', 'keys', 'routing', 'dispatch', 'admin'] },
  usage: { runtime: ['usage', 'core'] },
  integrations: { runtime: ['integrations', 'core', 'config', 'fs'] },
  // Simulated upstreams on node:http; the composition root hands them to the directory.
  demo: { runtime: ['demo'] },
};

function layerViolations(records: readonly ImportRecord[]): string[] {
  const violations: string[] = [];
  for (const record of records) {
    const from = relayLayer(record.file);
    const to = target(record);
    if (!from || !to) continue;
    const toLayer = relayLayer(to);
    if (!toLayer) {
      violations.push(`${record.file} imports outside relay/: ${record.specifier}`);
      continue;
    }
    // relay/index.ts and relay/cli.ts are composition roots.
    if (from === 'index' || from === 'cli') continue;
    const rule = allowed[from];
    if (!rule) {
      violations.push(`${record.file}: relay/${from} has no rule in DESIGN.md's table`);
      continue;
    }
    if (rule.runtime.includes(toLayer)) continue;
    if (record.typeOnly && rule.types?.includes(toLayer)) continue;
    violations.push(`${record.file} imports relay/${toLayer} (${record.specifier})`);
  }
  return violations;
}

const relayFiles = sourceFiles(join(root, 'relay'));
const relayImports = relayFiles.flatMap(importsOf);

describe('dependency rules', () => {
  it('finds the relay sources', () => {
    expect(relayFiles.length).toBeGreaterThan(20);
    expect(relayImports.length).toBeGreaterThan(50);
  });

  it('relay never imports electron, electron/ or renderer/', () => {
    const bad = relayImports.filter((record) => {
      const to = target(record);
      return record.specifier === 'electron' || record.specifier.startsWith('electron/') || (to !== undefined && /^(electron|renderer)\//.test(to));
    });
    expect(bad).toEqual([]);
  });

  it('each relay folder imports only the folders below it', () => {
    expect(layerViolations(relayImports)).toEqual([]);
  });

  it('providers and protocols never import each other', () => {
    const crossing = relayImports.filter((record) => {
      const from = relayLayer(record.file);
      const to = target(record);
      const toLayer = to ? relayLayer(to) : undefined;
      return (from === 'providers' && toLayer === 'protocols') || (from === 'protocols' && toLayer === 'providers');
    });
    expect(crossing).toEqual([]);
  });

  it('only http, protocol routes and admin routes import express', () => {
    const importers = relayImports
      .filter((record) => record.specifier === 'express' && !record.typeOnly)
      .map((record) => record.file.replace(/\\/g, '/'))
      .filter((file) => !/^relay\/http\//.test(file) && !/^relay\/protocols\/[^/]+\/routes\.ts$/.test(file) && !/^relay\/admin\/(routes|auth)\.ts$/.test(file));
    expect(importers).toEqual([]);
  });

  it('relay/core imports nothing outside itself, not even node builtins', () => {
    const bad = relayImports.filter((record) => relayLayer(record.file) === 'core' && !record.specifier.startsWith('./'));
    expect(bad).toEqual([]);
  });

  it('renderer imports no electron, node builtins or relay runtime code', () => {
    const rendererImports = sourceFiles(join(root, 'renderer')).flatMap(importsOf);
    expect(rendererImports.some((record) => record.file.endsWith('.svelte'))).toBe(true);
    expect(rendererImports.some((record) => record.typeOnly && record.specifier.includes('admin/dto'))).toBe(true);
    const bad = rendererImports.filter((record) => {
      const to = target(record);
      if (record.specifier === 'electron' || record.specifier.startsWith('node:')) return true;
      if (to?.startsWith('relay/')) return !(record.typeOnly && /^relay\/admin\/dto(\.js|\.ts)?$/.test(to));
      return false;
    });
    expect(bad).toEqual([]);
  });

  it('electron imports only relay/index.ts at runtime', () => {
    const electronImports = sourceFiles(join(root, 'electron')).flatMap(importsOf);
    const bad = electronImports.filter((record) => {
      const to = target(record);
      if (!to?.startsWith('relay/')) return false;
      if (/^relay\/index(\.js|\.ts)?$/.test(to)) return false;
      return !(record.typeOnly && /^relay\/(admin\/dto|keys\/secret-store)(\.js|\.ts)?$/.test(to));
    });
    expect(bad).toEqual([]);
  });
});

describe('the import scanner', () => {
  it('sees runtime, type-only and dynamic imports', () => {
    const records = importsOf(join(root, 'test/arch/dependency-rules.test.ts'));
    expect(records.some((record) => record.specifier === 'vitest' && !record.typeOnly)).toBe(true);
    expect(relayImports.some((record) => record.typeOnly)).toBe(true);
  });

  it('flags a lower layer importing a higher one, and a runtime import where only types are allowed', () => {
    const violations = layerViolations([
      { file: 'relay/providers/x.ts', specifier: '../protocols/openai/index.js', typeOnly: false },
      { file: 'relay/core/y.ts', specifier: '../dispatch/dispatcher.js', typeOnly: true },
      { file: 'relay/routing/z.ts', specifier: '../providers/provider.js', typeOnly: false },
      { file: 'relay/routing/z.ts', specifier: '../providers/provider.js', typeOnly: true },
    ]);
    expect(violations).toHaveLength(3);
  });
});
