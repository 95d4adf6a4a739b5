import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore, formatConfigIssues, serializeConfig } from '../../../relay/config/config-store.js';
import type { ConfigSource } from '../../../relay/config/config-store.js';
import { defaultConfig } from '../../../relay/config/schema.js';
import type { Config } from '../../../relay/config/schema.js';

const posixOnly = process.platform === 'win32' ? it.skip : it;

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Saves like an editor that writes a new file and renames it over the old one. */
async function editorSave(file: string, text: string): Promise<void> {
  const temp = `${file}.editor-tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

describe('ConfigStore', () => {
  let root: string;
  let dir: string;
  let file: string;
  let warnings: string[];
  const logger = { warn: (message: string) => void warnings.push(message) };
  const stores: ConfigStore[] = [];

  async function open(options: { watch?: boolean; debounceMs?: number } = {}): Promise<ConfigStore> {
    const store = await ConfigStore.open(dir, { logger, ...options });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-config-'));
    dir = join(root, 'nested', 'switchboard');
    file = join(dir, 'config.json');
    warnings = [];
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await rm(root, { recursive: true, force: true });
  });

  it('is usable through the ConfigSource interface', async () => {
    const source: ConfigSource = await open();
    expect(source.get()).toEqual(defaultConfig());
    expect(source.problem).toBeUndefined();
  });

  describe('opening', () => {
    posixOnly('writes the defaults to a missing file with mode 0600 in a 0700 directory', async () => {
      const store = await open();
      expect(store.get()).toEqual(defaultConfig());
      expect(store.problem).toBeUndefined();
      const text = await readFile(file, 'utf8');
      expect(text).toBe(serializeConfig(defaultConfig()));
      expect(text.endsWith('}\n')).toBe(true);
      expect(text).toContain('\n  "server": {');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect(await readdir(dir)).toEqual(['config.json']);
    });

    it('loads a valid file, fills in defaults and leaves the file as written', async () => {
      await open(); // creates the directory
      const text = JSON.stringify({ server: { port: 5000 }, providers: { groq: { keys: [{ id: 'k1', label: 'main' }] } } });
      await writeFile(file, text);
      const store = await open();
      expect(store.problem).toBeUndefined();
      expect(store.get().server.port).toBe(5000);
      expect(store.get().server.host).toBe('127.0.0.1');
      expect(store.get().providers.groq).toEqual({ enabled: true, keys: [{ id: 'k1', label: 'main' }] });
      expect(await readFile(file, 'utf8')).toBe(text);
    });

    it('keeps an invalid JSON file byte for byte, reports it and refuses updates', async () => {
      await open();
      const broken = '{ "server": { "port": 5000, }\n';
      await writeFile(file, broken);
      const store = await open();
      expect(store.problem).toContain(file);
      expect(store.problem).toMatch(/not valid JSON/);
      expect(warnings.some((warning) => warning.includes(file))).toBe(true);
      expect(store.get()).toEqual(defaultConfig());
      await expect(
        store.update((draft) => {
          draft.server.port = 6000;
        }),
      ).rejects.toThrow(/not saved.*not valid JSON/s);
      expect(await readFile(file, 'utf8')).toBe(broken);
      expect(store.get().server.port).toBe(4747);
    });

    it('names the path of each schema issue', async () => {
      await open();
      const text = JSON.stringify({ server: { port: 70000 }, providers: { groq: { baseUrl: 'ftp://example.com' } } }, null, 2);
      await writeFile(file, text);
      const store = await open();
      expect(store.problem).toContain(file);
      expect(store.problem).toContain('providers.groq.baseUrl: must be an http:// or https:// URL');
      expect(store.problem).toMatch(/server\.port: /);
      expect(await readFile(file, 'utf8')).toBe(text);
    });

    it('refuses a file from a newer Switchboard without touching it', async () => {
      await open();
      const text = '{"version": 99, "somethingNew": true}\n';
      await writeFile(file, text);
      const store = await open();
      expect(store.problem).toMatch(/newer Switchboard/);
      await expect(store.update(() => undefined)).rejects.toThrow(/newer Switchboard/);
      expect(await readFile(file, 'utf8')).toBe(text);
    });
  });

  describe('formatConfigIssues', () => {
    it('formats paths with indices and limits the number of issues', () => {
      const issues = Array.from({ length: 7 }, (_, i) => ({ path: ['endpoints', i, 'baseUrl'], message: 'bad' }));
      expect(formatConfigIssues(issues)).toBe(
        'endpoints[0].baseUrl: bad; endpoints[1].baseUrl: bad; endpoints[2].baseUrl: bad; endpoints[3].baseUrl: bad; endpoints[4].baseUrl: bad; and 2 more',
      );
      expect(formatConfigIssues([{ path: [], message: 'Invalid input' }])).toBe('(top level): Invalid input');
    });
  });

  describe('update', () => {
    it('saves pretty JSON atomically, notifies subscribers and returns the new config', async () => {
      const store = await open();
      const seen: Config[] = [];
      store.subscribe((config) => seen.push(config));
      const result = await store.update((draft) => {
        draft.server.port = 5555;
        draft.providers.groq = { enabled: true, keys: [{ id: 'groq-1', label: 'main' }] };
      });
      expect(result.server.port).toBe(5555);
      expect(store.get()).toBe(result);
      expect(seen).toEqual([result]);
      const text = await readFile(file, 'utf8');
      expect(text).toBe(`${JSON.stringify(result, null, 2)}\n`);
      expect(await readdir(dir)).toEqual(['config.json']);
      if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('accepts a mutator that returns a new config', async () => {
      const store = await open();
      const result = await store.update((draft) => ({ ...draft, routing: { ...draft.routing, policy: 'any' } }));
      expect(result.routing.policy).toBe('any');
      expect(JSON.parse(await readFile(file, 'utf8')).routing.policy).toBe('any');
    });

    it('never mutates a config previously returned by get(), which is frozen', async () => {
      const store = await open();
      const before = store.get();
      const snapshot = structuredClone(before);
      await store.update((draft) => {
        draft.server.port = 5001;
        draft.routing.priority.push('groq');
      });
      expect(before).toEqual(snapshot);
      expect(store.get()).not.toBe(before);
      expect(Object.isFrozen(before)).toBe(true);
      expect(Object.isFrozen(store.get().server)).toBe(true);
      expect(() => {
        (store.get().routing.priority as string[]).push('x');
      }).toThrow(TypeError);
    });

    it('rejects an invalid result and keeps the file and memory unchanged', async () => {
      const store = await open();
      const before = await readFile(file, 'utf8');
      let notified = 0;
      store.subscribe(() => notified++);
      await expect(
        store.update((draft) => {
          draft.server.port = 70_000;
        }),
      ).rejects.toThrow(/server\.port/);
      expect(await readFile(file, 'utf8')).toBe(before);
      expect(store.get().server.port).toBe(4747);
      expect(notified).toBe(0);
      // The chain keeps working after a failure.
      await expect(store.update((draft) => void (draft.server.port = 4800))).resolves.toMatchObject({ server: { port: 4800 } });
    });

    it('serializes concurrent updates', async () => {
      const store = await open();
      const updates = Array.from({ length: 10 }, (_, i) =>
        store.update((draft) => {
          draft.routing.priority.push(`p${i}`);
        }),
      );
      const results = await Promise.all(updates);
      const expected = Array.from({ length: 10 }, (_, i) => `p${i}`);
      expect(results.map((config) => config.routing.priority.length)).toEqual(expected.map((_, i) => i + 1));
      expect(store.get().routing.priority).toEqual(expected);
      expect(JSON.parse(await readFile(file, 'utf8')).routing.priority).toEqual(expected);
    });

    it('adopts a hand edit made while not watching instead of overwriting it', async () => {
      const store = await open();
      await writeFile(file, JSON.stringify({ server: { port: 4900 } }));
      const result = await store.update((draft) => {
        draft.routing.policy = 'any';
      });
      expect(result.server.port).toBe(4900);
      expect(result.routing.policy).toBe('any');
    });

    it('refuses to save over a file that became invalid on disk, even when not watching', async () => {
      const store = await open();
      await writeFile(file, 'not json');
      await expect(store.update(() => undefined)).rejects.toThrow(/not valid JSON/);
      expect(await readFile(file, 'utf8')).toBe('not json');
      expect(store.problem).toMatch(/not valid JSON/);
    });

    it('stops notifying after unsubscribe', async () => {
      const store = await open();
      let calls = 0;
      const unsubscribe = store.subscribe(() => calls++);
      await store.update((draft) => void (draft.server.port = 4001));
      unsubscribe();
      await store.update((draft) => void (draft.server.port = 4002));
      expect(calls).toBe(1);
    });
  });

  describe('watching hand edits', () => {
    it('reports an invalid edit, keeps the last good config, and recovers when it is fixed', async () => {
      const store = await open({ watch: true, debounceMs: 20 });
      await store.update((draft) => void (draft.server.port = 4800));
      const seen: Config[] = [];
      store.subscribe((config) => seen.push(config));

      const broken = '{ "server": { "port": "nope" } }\n';
      await editorSave(file, broken);
      await waitFor(() => store.problem !== undefined);
      expect(store.problem).toContain('server.port');
      expect(store.get().server.port).toBe(4800);
      expect(seen).toEqual([]);
      await expect(store.update(() => undefined)).rejects.toThrow(/not saved/);
      expect(await readFile(file, 'utf8')).toBe(broken);

      await editorSave(file, '{ "server": { "port": 4900 } }\n');
      await waitFor(() => store.problem === undefined);
      await waitFor(() => seen.length > 0);
      expect(store.get().server.port).toBe(4900);
      expect(seen.at(-1)?.server.port).toBe(4900);
    });

    it('picks up an in-place edit', async () => {
      const store = await open({ watch: true, debounceMs: 20 });
      const seen: Config[] = [];
      store.subscribe((config) => seen.push(config));
      await writeFile(file, JSON.stringify({ routing: { policy: 'free-only' } }));
      await waitFor(() => store.get().routing.policy === 'free-only');
      expect(seen.at(-1)?.routing.policy).toBe('free-only');
    });

    it('does not notify twice for its own writes', async () => {
      const debounceMs = 20;
      const store = await open({ watch: true, debounceMs });
      let calls = 0;
      store.subscribe(() => calls++);
      await store.update((draft) => void (draft.server.port = 4321));
      expect(calls).toBe(1);
      // Let the watcher see the write, then force a re-read as well: neither may notify again.
      await sleep(debounceMs * 5);
      await store.reload();
      expect(calls).toBe(1);
      expect(store.problem).toBeUndefined();
    });

    it('stops watching on close', async () => {
      const store = await open({ watch: true, debounceMs: 10 });
      await store.close();
      await writeFile(file, JSON.stringify({ server: { port: 4999 } }));
      await sleep(60);
      expect(store.get().server.port).toBe(4747);
    });
  });
});
