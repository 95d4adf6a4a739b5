import { chmod, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { app, appPaths, ipcMain, resetElectronMock } from '../mocks/electron.js';
import { ElectronConfigStore } from '../../electron/config-store.js';
import { ConfigStore, serializeConfig } from '../../relay/config/config-store.js';
import { defaultConfig, type Config } from '../../relay/config/schema.js';
import { pollUntil } from '../helpers/http.js';

vi.mock('electron', () => import('../mocks/electron.js'));

// electron-store watches by polling on Linux (fs.watchFile, about every 5 s, then a 1 s debounce).
const WATCH_TIMEOUT_MS = 12_000;

let dir: string;
let file: string;
let warnings: string[];
const opened: Array<{ close(): Promise<void> }> = [];

beforeEach(async () => {
  resetElectronMock();
  dir = await mkdtemp(join(tmpdir(), 'switchboard-electron-config-'));
  appPaths.userData = dir;
  file = join(dir, 'config.json');
  warnings = [];
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await rm(dir, { recursive: true, force: true });
});

const logger = { warn: (message: string) => void warnings.push(message) };

async function openDesktop(options: { watch?: boolean } = {}): Promise<ElectronConfigStore> {
  const store = await ElectronConfigStore.open(app.getPath('userData'), { logger, ...options });
  opened.push(store);
  return store;
}

async function openHeadless(): Promise<ConfigStore> {
  const store = await ConfigStore.open(dir, { logger });
  opened.push(store);
  return store;
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Calls made to a subscribed listener, for waiting on. */
function listen(store: ElectronConfigStore): Config[] {
  const seen: Config[] = [];
  store.subscribe((config) => seen.push(config));
  return seen;
}

describe('ElectronConfigStore', () => {
  it('starts from the defaults when there is no file, and writes them as config.json (0600)', async () => {
    const store = await openDesktop();
    expect(store.file).toBe(file);
    expect(store.get()).toEqual(defaultConfig());
    expect(store.problem).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe(serializeConfig(defaultConfig()));
    expect(await modeOf(file)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('writes the defaults the same way when it starts watching a missing file', async () => {
    const store = await openDesktop({ watch: true });
    expect(store.get()).toEqual(defaultConfig());
    expect(await readFile(file, 'utf8')).toBe(serializeConfig(defaultConfig()));
    expect(await modeOf(file)).toBe(0o600);
  });

  it('removes the IPC handler electron-store registers (the app has no renderer-side store)', async () => {
    await openDesktop({ watch: true });
    expect(ipcMain.eventNames()).toEqual([]);
  });

  it('saves atomically with mode 0600: a new file replaces the old one, whatever its mode was', async () => {
    await writeFile(file, '{ "server": { "port": 5000 } }\n');
    await chmod(file, 0o644);
    const before = await stat(file);
    const store = await openDesktop();
    const seen = listen(store);

    const saved = await store.update((draft) => {
      draft.server.port = 5001;
    });

    expect(saved.server.port).toBe(5001);
    expect(store.get()).toBe(saved);
    expect(Object.isFrozen(saved.server)).toBe(true);
    expect(seen).toEqual([saved]);
    const after = await stat(file);
    // Renamed over the old file (a new inode), not rewritten in place; no temp file is left.
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);
    expect(await readFile(file, 'utf8')).toBe(serializeConfig(saved));
  });

  it('rejects an invalid result and keeps the file and memory unchanged', async () => {
    const store = await openDesktop();
    const text = await readFile(file, 'utf8');
    await expect(
      store.update((draft) => {
        draft.server.port = 70_000;
      }),
    ).rejects.toThrow(/Settings not saved, they are invalid: server\.port/);
    expect(store.get()).toEqual(defaultConfig());
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('picks up a hand edit: listeners get the new validated config', async () => {
    const store = await openDesktop({ watch: true });
    const seen = listen(store);
    // Not in the store's own format, and with fields left out for the defaults.
    await writeFile(file, JSON.stringify({ server: { port: 5151 }, desktop: { notifications: true } }));

    const [config] = await pollUntil(() => (seen.length > 0 ? seen : undefined), { timeoutMs: WATCH_TIMEOUT_MS, what: 'the hand edit' });
    expect(config?.server.port).toBe(5151);
    expect(config?.server.host).toBe('127.0.0.1');
    expect(config?.desktop.notifications).toBe(true);
    expect(store.get()).toBe(config);
    expect(store.problem).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('reports an invalid hand edit, keeps the last good settings and never overwrites the file', async () => {
    const store = await openDesktop({ watch: true });
    await store.update((draft) => {
      draft.server.port = 5200;
    });
    const seen = listen(store);
    const broken = '{ "server": { "port": "not a port" } }\n';
    await writeFile(file, broken);

    const problem = await pollUntil(() => store.problem, { timeoutMs: WATCH_TIMEOUT_MS, what: 'the problem' });
    expect(problem).toContain(file);
    expect(problem).toContain('server.port');
    expect(problem).toContain('The last good settings stay in use.');
    expect(warnings).toEqual([problem]);
    expect(seen).toEqual([]);
    expect(store.get().server.port).toBe(5200);

    await expect(
      store.update((draft) => {
        draft.server.port = 5300;
      }),
    ).rejects.toThrow(/must be fixed first, it will not be overwritten/);
    expect(await readFile(file, 'utf8')).toBe(broken);
    expect(await readdir(dir)).toEqual(['config.json']);

    // Fixed by hand: the problem clears and the fixed settings apply.
    await writeFile(file, '{ "server": { "port": 5400 } }\n');
    await store.reload();
    expect(store.problem).toBeUndefined();
    expect(seen.map((config) => config.server.port)).toEqual([5400]);
  });

  it('reports a file that is not JSON at start without touching it', async () => {
    await writeFile(file, '{ "server": ');
    await chmod(file, 0o640);
    const store = await openDesktop({ watch: true });
    expect(store.problem).toMatch(/is not valid JSON/);
    expect(store.get()).toEqual(defaultConfig());
    await expect(store.update(() => undefined)).rejects.toThrow(/will not be overwritten/);
    expect(await readFile(file, 'utf8')).toBe('{ "server": ');
    expect(await modeOf(file)).toBe(0o640);
  });

  it('adopts a hand edit the watcher has not seen yet instead of overwriting it', async () => {
    const store = await openDesktop();
    await writeFile(file, '{ "server": { "port": 5500 } }\n');
    const saved = await store.update((draft) => {
      draft.ui.theme = 'dark';
    });
    expect(saved.server.port).toBe(5500);
    expect(saved.ui.theme).toBe('dark');
  });

  it('does not write through a symbolic link', async () => {
    const target = join(dir, 'elsewhere.json');
    await writeFile(target, serializeConfig(defaultConfig()));
    await symlink(target, file);
    const store = await openDesktop();
    await expect(
      store.update((draft) => {
        draft.server.port = 5600;
      }),
    ).rejects.toThrow(/symbolic link/);
    expect((await stat(target)).isFile()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe(serializeConfig(defaultConfig()));
  });
});

describe('same file as the headless relay', () => {
  it('reads what the relay ConfigStore wrote, byte for byte the same format', async () => {
    const headless = await openHeadless();
    await headless.update((draft) => {
      draft.server.port = 5700;
      draft.providers.groq = { enabled: false, keys: [{ id: 'groq-1', label: 'work' }] };
      draft.routing.bans = ['slow-model'];
    });
    await headless.close();
    const text = await readFile(file, 'utf8');

    const desktop = await openDesktop({ watch: true });
    expect(desktop.problem).toBeUndefined();
    expect(desktop.get()).toEqual(headless.get());
    // Opening does not rewrite the file; saving the same settings writes the same bytes.
    expect(await readFile(file, 'utf8')).toBe(text);
    await desktop.update(() => undefined);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it("writes what the relay ConfigStore reads, and each picks up the other's changes", async () => {
    const desktop = await openDesktop();
    await desktop.update((draft) => {
      draft.server.port = 5800;
      draft.endpoints.push({ id: 'lab', baseUrl: 'http://10.0.0.2:8000/v1', enabled: true, keys: [], discovery: true, models: ['m1'], free: true });
    });

    const headless = await openHeadless();
    expect(headless.problem).toBeUndefined();
    expect(headless.get()).toEqual(desktop.get());

    await headless.update((draft) => {
      draft.requests.keepBodies = true;
    });
    await desktop.reload();
    expect(desktop.get()).toEqual(headless.get());
    expect(desktop.get().requests.keepBodies).toBe(true);
  });

  it('migrates an older document like headless: same settings, same problems, file left as it is', async () => {
    // Format version 1 is the first; a document without `version` is version 1.
    const older = '{\n  "server": { "port": 5900 }\n}\n';
    await writeFile(file, older);
    const headless = await openHeadless();
    const desktop = await openDesktop();
    expect(desktop.get()).toEqual(headless.get());
    expect(desktop.get().version).toBe(1);
    expect(desktop.get().server.port).toBe(5900);
    expect(await readFile(file, 'utf8')).toBe(older);
    // The next save writes the current format.
    await desktop.update(() => undefined);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, server: { port: 5900 } });
  });

  it('refuses a document from a newer Switchboard exactly like headless, without touching it', async () => {
    const newer = '{ "version": 99, "server": { "port": 6000 } }\n';
    await writeFile(file, newer);
    const headless = await openHeadless();
    const desktop = await openDesktop({ watch: true });
    expect(desktop.problem).toMatch(/newer Switchboard/);
    expect(desktop.problem).toBe(headless.problem);
    expect(desktop.get()).toEqual(defaultConfig());
    await expect(desktop.update(() => undefined)).rejects.toThrow(/will not be overwritten/);
    expect(await readFile(file, 'utf8')).toBe(newer);
  });
});
