import { access, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRelay, type RelayLogger, type RelayOptions } from '../../relay/index.js';
import { MemorySecretStore } from '../../relay/keys/secret-store.js';
import { app, BrowserWindow, FakeMenu, FakeWebContents, Notification, resetElectronMock, Tray } from '../mocks/electron.js';
import { startDesktopApp, type DesktopApp } from '../../electron/desktop-app.js';
import { ElectronConfigStore } from '../../electron/config-store.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { pollUntil } from '../helpers/http.js';
import { endpointsConfig } from '../helpers/start-relay.js';
import { tempHome, type TempHome } from '../relay/integrations/temp-home.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const quiet: RelayLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let home: TempHome;
let configDir: string;
let harness: Harness;
let desktop: DesktopApp | undefined;
let relayOptions: RelayOptions[];

beforeEach(async () => {
  resetElectronMock();
  home = await tempHome();
  configDir = await mkdtemp(join(tmpdir(), 'switchboard-desktop-'));
  harness = createHarness();
  relayOptions = [];
  desktop = undefined;
});

afterEach(async () => {
  await desktop?.close();
  await harness.closeAll();
  await rm(configDir, { recursive: true, force: true });
  await home.cleanup();
});

/** The desktop app over a real relay: temporary config directory and HOME, in-memory keys, no probing. */
async function start(
  options: { platform?: NodeJS.Platform; argv?: string[]; config?: Record<string, unknown>; secrets?: Record<string, string>; portFromSettings?: boolean } = {},
): Promise<DesktopApp> {
  if (options.config) await writeFile(join(configDir, 'config.json'), JSON.stringify(options.config), { mode: 0o600 });
  desktop = await startDesktopApp({
    configDir,
    platform: options.platform ?? 'linux',
    env: { HOME: home.home, PATH: home.bin },
    argv: options.argv ?? [],
    execPath: '/opt/Switchboard/switchboard',
    secretStore: new MemorySecretStore(options.secrets ?? {}),
    // Port 0 pins an OS-chosen port, as a --port flag would; portFromSettings leaves it to config.json.
    relay: { detectLocal: false, probe: false, dashboardDir: null, ...(options.portFromSettings ? {} : { port: 0 }) },
    host: {
      healthIntervalMs: 0,
      createRelay: (relay) => {
        relayOptions.push(relay);
        return createRelay(relay);
      },
    },
    logger: quiet,
    refreshIntervalMs: 60_000,
    integrationsIntervalMs: 60_000,
  });
  return desktop;
}

function menu(): MenuItemConstructorOptions[] {
  return (Tray.created[0]!.menu as FakeMenu).template as MenuItemConstructorOptions[];
}

function findItem(id: string): MenuItemConstructorOptions | undefined {
  for (const entry of menu()) {
    if (entry.id === id) return entry;
    const found = Array.isArray(entry.submenu) ? entry.submenu.find((child) => child.id === id) : undefined;
    if (found) return found;
  }
  return undefined;
}

function menuItem(id: string): MenuItemConstructorOptions {
  const found = findItem(id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

function click(id: string): void {
  (menuItem(id).click as () => void)();
}

/** The dashboard window once it has loaded the relay's page. */
function loadedWindow(): Promise<BrowserWindow> {
  return pollUntil(
    () => {
      const window = BrowserWindow.created[0];
      return window?.loadedUrl ? window : undefined;
    },
    { what: 'the dashboard' },
  );
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('the desktop app (fake electron, real relay)', () => {
  it('starts the relay, opens its dashboard with the admin cookie, and shows the tray', async () => {
    const { host, state } = await start();
    const origin = host.origin!;
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const window = await loadedWindow();
    expect(window.log).toEqual([`cookie ${origin}/`, `load ${origin}/`]);
    expect(window.webContents.session.cookies.jar[0]).toMatchObject({ name: 'switchboard_admin', value: host.relay!.adminToken, httpOnly: true, sameSite: 'strict' });
    expect(window.loadedUrl).not.toContain(host.relay!.adminToken);
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(state()).toMatchObject({ relay: 'running', baseUrl: `${origin}/v1`, startAtLogin: false });
    expect(Tray.created).toHaveLength(1);
    expect(Tray.created[0]!.image).toMatch(/tray-(ok|degraded|down)\.png$/);
    // Linux: no dock to touch.
    expect(app.dock.show).not.toHaveBeenCalled();
    expect(app.dock.hide).not.toHaveBeenCalled();
  });

  it('locks every web contents to the running relay origin', async () => {
    const { host } = await start({ argv: ['--hidden'] });
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    const navigate = (url: string) => {
      let prevented = false;
      contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate(`${host.origin}/#/settings`)).toBe(false);
    expect(navigate('http://127.0.0.1:1/')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: `${host.origin}/` })).toEqual({ action: 'deny' });
  });

  it('started --hidden stays in the tray until asked; a second launch opens the dashboard', async () => {
    await start({ argv: ['--hidden'] });
    expect(BrowserWindow.created).toHaveLength(0);
    app.emit('second-instance');
    await pollUntil(() => BrowserWindow.created[0]?.loadedUrl, { what: 'the dashboard' });
  });

  it('on macOS shows the dock icon while the dashboard is open and hides it when the window closes', async () => {
    await start({ platform: 'darwin' });
    const window = await loadedWindow();
    // Hidden at launch, shown with the window.
    expect(app.dock.hide.mock.invocationCallOrder[0]).toBeLessThan(app.dock.show.mock.invocationCallOrder[0]!);
    expect(app.dock.show).toHaveBeenCalledTimes(1);
    window.emit('ready-to-show');
    expect(window.userClose()).toBe(false);
    expect(app.dock.hide).toHaveBeenCalledTimes(2);
    app.emit('activate');
    await pollUntil(() => window.visible, { what: 'the window to show again' });
    expect(app.dock.show).toHaveBeenCalledTimes(2);
  });

  it('"Configure OpenCode" in the tray applies through the admin API and notifies the result', async () => {
    await start({ argv: ['--hidden'] });
    await pollUntil(() => menuItem('configure:opencode').checked === false && menu().some((entry) => entry.id === 'configure:aider'), { what: 'the integration states' });
    click('configure:opencode');
    const notification = await pollUntil(() => Notification.shown[0], { what: 'the notification' });
    expect(notification.options.title).toBe('OpenCode now uses Switchboard');
    const file = join(home.home, '.config', 'opencode', 'opencode.json');
    expect(notification.options.body).toBe(`Wrote ${file}.`);
    expect(await exists(file)).toBe(true);
    await pollUntil(() => menuItem('configure:opencode').checked === true, { what: 'the item to be checked' });
    // Clicking the notification opens the dashboard.
    notification.emit('click');
    await pollUntil(() => BrowserWindow.created[0]?.loadedUrl, { what: 'the dashboard' });
  });

  it('Start at Login goes through autostart (temporary HOME), and the capability handed to the relay moves the checkbox', async () => {
    await start({ argv: ['--hidden'] });
    const entry = join(home.home, '.config', 'autostart', 'switchboard.desktop');
    click('start-at-login');
    await pollUntil(() => menuItem('start-at-login').checked === true, { what: 'the checkbox' });
    expect(await readFile(entry, 'utf8')).toContain('Exec=/opt/Switchboard/switchboard --hidden');
    const capabilities = relayOptions[0]?.desktop;
    expect(await capabilities?.startAtLogin?.get()).toBe(true);
    await capabilities?.startAtLogin?.set(false);
    expect(menuItem('start-at-login').checked).toBe(false);
    expect(await exists(entry)).toBe(false);
  });

  it("the dashboard's Settings read and toggle start at login through the capability the app injected", async () => {
    const { host } = await start({ argv: ['--hidden'] });
    const settings = (method: string, body?: unknown) =>
      fetch(`${host.origin}/admin/settings`, {
        method,
        headers: { authorization: `Bearer ${host.relay!.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { settings?: { desktop: unknown } } }));
    expect((await settings('GET')).body.settings?.desktop).toEqual({ startAtLogin: false, notifications: false });
    const patched = await settings('PATCH', { desktop: { startAtLogin: true, notifications: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.settings?.desktop).toEqual({ startAtLogin: true, notifications: true });
    expect(await exists(join(home.home, '.config', 'autostart', 'switchboard.desktop'))).toBe(true);
    expect(menuItem('start-at-login').checked).toBe(true);
  });

  it("follows a port change made in the dashboard's Settings: the window reloads at the new origin with its cookie", async () => {
    const [first, port] = [await freePort(), await freePort()];
    const { host } = await start({ config: { version: 1, server: { port: first } }, portFromSettings: true });
    const window = await loadedWindow();
    const before = host.origin!;
    expect(before).toBe(`http://127.0.0.1:${first}`);
    const response = await fetch(`${before}/admin/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${host.relay!.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ server: { port } }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { movedTo?: string }).movedTo).toBe(`http://127.0.0.1:${port}`);
    await pollUntil(() => host.origin === `http://127.0.0.1:${port}`, { what: 'the host to follow' });
    await pollUntil(() => window.loadedUrl === `http://127.0.0.1:${port}/`, { what: 'the window to follow' });
    expect(window.log.slice(-2)).toEqual([`cookie http://127.0.0.1:${port}/`, `load http://127.0.0.1:${port}/`]);
    expect(desktop!.state().baseUrl).toBe(`http://127.0.0.1:${port}/v1`);
  });

  it('provider toggles and the pin reach the relay settings', async () => {
    const { host } = await start({ argv: ['--hidden'], config: { version: 1, providers: { groq: { enabled: true } } } });
    expect(menuItem('provider:groq').checked).toBe(true);
    click('provider:groq');
    await pollUntil(() => host.relay!.configSource.get().providers.groq?.enabled === false, { what: 'the provider to be off' });
    await pollUntil(() => menuItem('provider:groq').checked === false, { what: 'the menu to follow' });
    // The relay reports no servable model here, so pin from the settings and check the menu shows it.
    await host.relay!.configSource.update((draft) => {
      draft.routing.pin = { kind: 'group', target: 'llama-3.3-70b', aliases: false };
    });
    await pollUntil(() => findItem('pin:llama-3.3-70b')?.checked === true, { what: 'the pinned model in the menu' });
    expect(menuItem('pin:auto').checked).toBe(false);
    click('pin:auto');
    await pollUntil(() => host.relay!.configSource.get().routing.pin === null, { what: 'the unpin' });
  });

  it('keeps the settings in config.json through electron-store, one store across relay restarts', async () => {
    const { host } = await start({ argv: ['--hidden'], config: { version: 1, providers: { groq: { enabled: true } } } });
    const store = relayOptions[0]?.configSource;
    expect(store).toBeInstanceOf(ElectronConfigStore);
    expect((store as ElectronConfigStore).file).toBe(join(configDir, 'config.json'));
    click('provider:groq');
    await pollUntil(() => host.relay!.configSource.get().providers.groq?.enabled === false, { what: 'the provider to be off' });
    const file = join(configDir, 'config.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, providers: { groq: { enabled: false } } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    click('pause');
    await pollUntil(() => host.status === 'paused', { what: 'the pause' });
    click('pause');
    await pollUntil(() => host.status === 'running', { what: 'the resume' });
    expect(relayOptions).toHaveLength(2);
    expect(relayOptions[1]?.configSource).toBe(store);
    expect(host.relay!.configSource).toBe(store);
  });

  it("falls back to the relay's own file store when electron-store cannot open the settings", async () => {
    const errors: string[] = [];
    const open = vi.spyOn(ElectronConfigStore, 'open').mockRejectedValueOnce(new Error('EACCES: permission denied'));
    try {
      desktop = await startDesktopApp({
        configDir,
        platform: 'linux',
        env: { HOME: home.home, PATH: home.bin },
        argv: ['--hidden'],
        secretStore: new MemorySecretStore({}),
        relay: { detectLocal: false, probe: false, dashboardDir: null, port: 0 },
        host: { healthIntervalMs: 0 },
        logger: { ...quiet, error: (message) => void errors.push(message) },
        refreshIntervalMs: 60_000,
        integrationsIntervalMs: 60_000,
      });
    } finally {
      open.mockRestore();
    }
    expect(errors).toEqual([expect.stringContaining("using the relay's own file store")]);
    expect(desktop.host.status).toBe('running');
    expect(desktop.host.relay!.configSource).not.toBeInstanceOf(ElectronConfigStore);
    expect(JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('Pause and Resume in the tray stop the relay and bring it back on the same port; the icon follows', async () => {
    const { host } = await start({ argv: ['--hidden'] });
    const origin = host.origin;
    click('pause');
    await pollUntil(() => host.status === 'paused', { what: 'the pause' });
    expect(Tray.created[0]!.image).toMatch(/tray-paused\.png$/);
    expect(menuItem('pause').label).toBe('Resume Relay');
    click('pause');
    await pollUntil(() => host.status === 'running', { what: 'the resume' });
    expect(host.origin).toBe(origin);
    expect(Tray.created[0]!.image).not.toMatch(/tray-paused\.png$/);
  });

  it('with notifications on, a refused key (and so every provider down) is notified once', async () => {
    const upstream = await harness.upstream({ requireKey: 'the-right-key' });
    const config = endpointsConfig([{ id: 'fake', baseUrl: upstream.url, keys: [{ id: 'fake-key', label: 'main' }], models: ['fake-small'] }], { desktop: { notifications: true } });
    const { host } = await start({ argv: ['--hidden'], config, secrets: { 'fake-key': 'a-wrong-key' } });
    const ask = () => fetch(`${host.origin}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] }) });
    expect((await ask()).status).toBeGreaterThanOrEqual(400);
    await pollUntil(() => Notification.shown.length >= 2, { what: 'the notifications' });
    expect(Notification.shown.map((notification) => notification.options.title)).toEqual(['No provider is answering', 'fake: a key was refused']);
    await ask();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Notification.shown).toHaveLength(2);
  });

  it('with notifications off (the default) says nothing', async () => {
    const upstream = await harness.upstream({ requireKey: 'the-right-key' });
    const config = endpointsConfig([{ id: 'fake', baseUrl: upstream.url, keys: [{ id: 'fake-key', label: 'main' }], models: ['fake-small'] }]);
    const { host } = await start({ argv: ['--hidden'], config, secrets: { 'fake-key': 'a-wrong-key' } });
    const records: unknown[] = [];
    host.on('relay', (name, payload) => name === 'request' && records.push(payload));
    await fetch(`${host.origin}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] }) });
    await pollUntil(() => records.length > 0, { what: 'the request record' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Notification.shown).toHaveLength(0);
  });

  it('quitting stops the relay before the app exits', async () => {
    const { host } = await start({ argv: ['--hidden'] });
    const origin = host.origin!;
    const event = { preventDefault: vi.fn() };
    app.emit('before-quit');
    app.emit('will-quit', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    await pollUntil(() => app.quit.mock.calls.length > 0, { what: 'the quit' });
    expect(host.status).toBe('paused');
    expect(Tray.created[0]!.destroyed).toBe(true);
    expect(await fetch(`${origin}/`, { method: 'HEAD' }).then(() => true, () => false)).toBe(false);
    // The second will-quit (from app.quit) goes through.
    const again = { preventDefault: vi.fn() };
    app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });
});
