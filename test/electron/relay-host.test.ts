import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRelay, type Relay, type RelayLogger, type RelayOptions } from '../../relay/index.js';
import { MemorySecretStore } from '../../relay/keys/secret-store.js';
import type { DesktopCapabilities } from '../../electron/desktop-capabilities.js';
import { RelayHost, type RelayHostOptions } from '../../electron/relay-host.js';
import { pollUntil } from '../helpers/http.js';

const quiet: RelayLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let configDir: string;
let hosts: RelayHost[];

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'switchboard-host-'));
  hosts = [];
});

afterEach(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  await rm(configDir, { recursive: true, force: true });
});

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function writeConfig(config: Record<string, unknown>): Promise<void> {
  await writeFile(join(configDir, 'config.json'), JSON.stringify({ version: 1, ...config }), { mode: 0o600 });
}

/** A host over real relays (temporary config directory, in-memory keys, no probing), recording each one it creates. */
function hostFor(options: Partial<Omit<RelayHostOptions, 'relay'>> = {}, relay: Partial<RelayOptions> = {}) {
  const created: Relay[] = [];
  const seen: RelayOptions[] = [];
  const host = new RelayHost({
    relay: { configDir, secretStore: new MemorySecretStore(), env: {}, detectLocal: false, probe: false, dashboardDir: null, logger: quiet, ...relay },
    createRelay: async (relayOptions) => {
      seen.push(relayOptions);
      const instance = await createRelay(relayOptions);
      created.push(instance);
      return instance;
    },
    healthIntervalMs: 30,
    restartDelayMs: 5,
    logger: quiet,
    ...options,
  });
  hosts.push(host);
  return { host, created, seen };
}

async function answers(origin: string): Promise<boolean> {
  return fetch(`${origin}/`, { method: 'HEAD' }).then(
    (response) => response.ok,
    () => false,
  );
}

describe('RelayHost', () => {
  it('starts the relay on the port of the settings and exposes its loopback origin', async () => {
    const port = await freePort();
    await writeConfig({ server: { port } });
    const { host } = hostFor();
    const changes: string[] = [];
    host.on('change', () => changes.push(host.status));
    await host.start();
    expect(host.status).toBe('running');
    expect(host.origin).toBe(`http://127.0.0.1:${port}`);
    expect(host.relay?.adminToken).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(await answers(host.origin!)).toBe(true);
    expect(changes).toEqual(['starting', 'running']);
  });

  it('restarts a relay that stopped answering, on the same port, and passes on the new relay\'s events', async () => {
    const port = await freePort();
    await writeConfig({ server: { port } });
    const { host, created } = hostFor();
    await host.start();
    const statuses: string[] = [];
    host.on('change', () => statuses.push(host.status));
    // The crash: the relay's server goes away behind the host's back.
    await created[0]!.close();
    await pollUntil(() => created.length === 2 && host.status === 'running', { what: 'the restart' });
    expect(host.origin).toBe(`http://127.0.0.1:${port}`);
    expect(await answers(host.origin!)).toBe(true);
    expect(statuses).toEqual(['starting', 'running']);

    const events: string[] = [];
    host.on('relay', (name) => events.push(name));
    await host.relay!.configSource.update((draft) => {
      draft.desktop.notifications = true;
    });
    await pollUntil(() => events.includes('config'), { what: 'the config event' });
  });

  it('with port 0 comes back on the port the OS picked, after a crash and after pause and resume', async () => {
    const { host, created, seen } = hostFor({}, { port: 0 });
    await host.start();
    const origin = host.origin!;
    await created[0]!.close();
    await pollUntil(() => created.length === 2 && host.status === 'running', { what: 'the restart' });
    expect(host.origin).toBe(origin);
    await host.pause();
    expect(host.status).toBe('paused');
    expect(host.origin).toBeUndefined();
    expect(await answers(origin)).toBe(false);
    await host.start();
    expect(host.origin).toBe(origin);
    expect(seen.map((options) => options.port)).toEqual([0, Number(new URL(origin).port), Number(new URL(origin).port)]);
  });

  it('retries a failed start and gives up after a bounded number of restarts, saying why', async () => {
    let calls = 0;
    const { host } = hostFor({
      maxRestarts: 3,
      createRelay: async () => {
        calls++;
        throw new Error('settings unreadable');
      },
    });
    await host.start();
    await pollUntil(() => host.status === 'error', { what: 'giving up' });
    expect(calls).toBe(4);
    expect(host.error).toBe('settings unreadable (gave up after 3 restarts)');
    expect(host.origin).toBeUndefined();
    // Resume from the tray tries again from scratch.
    await host.start();
    expect(calls).toBe(5);
  });

  it('comes up after a start that failed once', async () => {
    let calls = 0;
    const { host } = hostFor({
      createRelay: async (options) => {
        if (++calls === 1) throw new Error('port busy for a moment');
        return createRelay(options);
      },
    }, { port: 0 });
    await host.start();
    expect(host.status).toBe('starting');
    expect(host.error).toBe('port busy for a moment');
    await pollUntil(() => host.status === 'running', { what: 'the retry' });
    expect(host.error).toBeUndefined();
  });

  it('moves the relay to a new port when the settings change it (a hand edit), without restarting it', async () => {
    const [first, second] = [await freePort(), await freePort()];
    await writeConfig({ server: { port: first } });
    const { host, created } = hostFor();
    await host.start();
    const changes: string[] = [];
    host.on('change', () => changes.push(host.origin ?? 'none'));
    await host.relay!.configSource.update((draft) => {
      draft.server.port = second;
    });
    await pollUntil(() => host.origin === `http://127.0.0.1:${second}`, { what: 'the move' });
    expect(created).toHaveLength(1);
    expect(changes).toEqual([`http://127.0.0.1:${second}`]);
    expect(await answers(`http://127.0.0.1:${second}`)).toBe(true);
    // The old socket stops accepting at once; a kept-alive connection may serve one last request.
    await pollUntil(async () => !(await answers(`http://127.0.0.1:${first}`)), { what: 'the old port to close' });
  });

  it('follows a relay that moved itself (as PATCH /admin/settings does: rebind, then save)', async () => {
    const [first, second] = [await freePort(), await freePort()];
    await writeConfig({ server: { port: first } });
    // No health checks: between the move and the save the host cannot know where the relay went.
    const { host } = hostFor({ healthIntervalMs: 0 });
    await host.start();
    await host.relay!.rebind('127.0.0.1', second);
    await host.relay!.configSource.update((draft) => {
      draft.server.port = second;
    });
    await pollUntil(() => host.origin === `http://127.0.0.1:${second}`, { what: 'the host to follow' });
    expect(await answers(`http://127.0.0.1:${second}`)).toBe(true);
    // Later restarts come back on the new port.
    await host.pause();
    await host.start();
    expect(host.origin).toBe(`http://127.0.0.1:${second}`);
  });

  it('a pause cancels a pending restart', async () => {
    const { host, created } = hostFor({ restartDelayMs: 200 }, { port: 0 });
    await host.start();
    await created[0]!.close();
    await pollUntil(() => host.status === 'starting', { what: 'the crash to be noticed' });
    await host.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(created).toHaveLength(1);
    expect(host.status).toBe('paused');
  });

  it('hands the desktop capabilities to createRelay', async () => {
    const desktop: DesktopCapabilities = { startAtLogin: { get: () => false, set: () => undefined } };
    const { host, seen } = hostFor({}, { port: 0, desktop });
    await host.start();
    expect(seen[0]?.desktop).toBe(desktop);
  });
});
