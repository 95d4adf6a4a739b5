import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IntegrationApplyResponse, IntegrationView } from '../../relay/admin/dto.js';
import { AdminRequestError, DesktopAdminClient } from '../../electron/admin-client.js';
import { applyNotice, KNOWN_INTEGRATIONS, TrayIntegrations, type ApplyNotice } from '../../electron/tray-integrations.js';
import { startTestRelay, type TestRelay } from '../helpers/start-relay.js';
import { tempHome, type TempHome } from '../relay/integrations/temp-home.js';

describe('tray integrations over the admin API (real relay, temporary HOME)', () => {
  let relay: TestRelay;
  let home: TempHome;
  let notices: ApplyNotice[];
  let changes: number;
  let token: string;

  function controller(connection: () => { origin: string; token: string } | undefined = () => ({ origin: relay.url, token })) {
    return new TrayIntegrations({ client: new DesktopAdminClient(connection), notify: (notice) => notices.push(notice), onChange: () => changes++ });
  }

  beforeEach(async () => {
    home = await tempHome();
    // Client config paths resolve in the relay's environment: this HOME, never the real one.
    relay = await startTestRelay({ env: { HOME: home.home, PATH: home.bin } });
    token = relay.relay.adminToken;
    notices = [];
    changes = 0;
  });
  afterEach(async () => {
    await relay.close();
    await home.cleanup();
  });

  it('lists every client the relay can configure, with its state, and falls back to the known list', async () => {
    const tray = controller();
    expect(tray.items).toEqual(KNOWN_INTEGRATIONS);
    await tray.refresh();
    expect(tray.items).toEqual(KNOWN_INTEGRATIONS.map((item) => ({ ...item, state: 'not-configured' })));
    expect(changes).toBe(1);
  });

  it('"Configure OpenCode" applies through the admin API, writes the config in HOME, says so and checks the item', async () => {
    const tray = controller();
    const notice = await tray.configure('opencode');
    const file = join(home.home, '.config', 'opencode', 'opencode.json');
    expect(notice).toEqual({ ok: true, title: 'OpenCode now uses Switchboard', body: `Wrote ${file}.` });
    expect(notices).toEqual([notice]);
    expect(await readFile(file, 'utf8')).toContain(`${relay.url}/v1`);
    expect(tray.items.find((item) => item.id === 'opencode')?.state).toBe('configured');
    expect(tray.items.find((item) => item.id === 'openclaw')?.state).toBe('not-configured');

    expect(await tray.configure('opencode')).toMatchObject({ ok: true, title: 'OpenCode already uses Switchboard' });
  });

  it('marks a client whose entry drifted as needing repair, and configuring it again repairs it', async () => {
    const tray = controller();
    await tray.configure('openclaw');
    const file = (await new DesktopAdminClient(() => ({ origin: relay.url, token })).integrations()).find((item) => item.id === 'openclaw')!.configPath;
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll(`${relay.url}/v1`, 'http://127.0.0.1:1/v1'));
    await tray.refresh();
    expect(tray.items.find((item) => item.id === 'openclaw')).toEqual({ id: 'openclaw', label: 'OpenClaw', state: 'needs-repair' });
    expect((await tray.configure('openclaw')).ok).toBe(true);
    expect(tray.items.find((item) => item.id === 'openclaw')?.state).toBe('configured');
  });

  it('tells the user when the relay refuses or is not running, and keeps the last known states', async () => {
    token = 'not-the-admin-token-0123456789abcdef';
    const refused = controller();
    expect(await refused.configure('opencode')).toEqual({ ok: false, title: 'Could not configure OpenCode', body: 'The admin API needs the admin token.' });
    expect(refused.items).toEqual(KNOWN_INTEGRATIONS);

    const stopped = controller(() => undefined);
    expect(await stopped.configure('aider')).toEqual({ ok: false, title: 'Could not configure Aider', body: 'The relay is not running.' });
    expect(notices.map((notice) => notice.ok)).toEqual([false, false]);
  });

  it('reports an unknown client with the relay\'s own message', async () => {
    token = relay.relay.adminToken;
    const error = await new DesktopAdminClient(() => ({ origin: relay.url, token })).applyIntegration('nope').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminRequestError);
    expect(error).toMatchObject({ status: 404, code: 'unknown_integration' });
  });
});

describe('applyNotice', () => {
  const view = (overrides: Partial<IntegrationView> = {}): IntegrationView => ({
    id: 'opencode',
    name: 'OpenCode',
    installed: true,
    binary: null,
    configPath: '/home/u/.config/opencode/opencode.json',
    configExists: true,
    state: 'configured',
    baseUrl: 'http://127.0.0.1:4747/v1',
    port: 4747,
    models: [],
    defaultModel: null,
    usesRelayByDefault: false,
    drift: [],
    problem: null,
    undoAvailable: true,
    ...overrides,
  });
  const result = (overrides: Partial<IntegrationApplyResponse> = {}): IntegrationApplyResponse => ({
    id: 'opencode',
    configPath: '/home/u/.config/opencode/opencode.json',
    changed: true,
    diff: '',
    backupPath: null,
    integration: view(),
    ...overrides,
  });

  it('names the file written and the backup kept', () => {
    expect(applyNotice('OpenCode', { result: result({ backupPath: '/home/u/.config/opencode/opencode.json.switchboard-backup' }) })).toEqual({
      ok: true,
      title: 'OpenCode now uses Switchboard',
      body: 'Wrote /home/u/.config/opencode/opencode.json. The previous file was saved as /home/u/.config/opencode/opencode.json.switchboard-backup.',
    });
  });

  it('says when the client still needs attention after applying', () => {
    expect(applyNotice('OpenCode', { result: result({ integration: view({ state: 'invalid', problem: 'not valid JSON' }) }) })).toMatchObject({
      ok: false,
      title: 'OpenCode still needs attention',
      body: expect.stringContaining('not valid JSON'),
    });
  });

  it('carries an error message', () => {
    expect(applyNotice('Codex CLI', { error: new Error('boom') })).toEqual({ ok: false, title: 'Could not configure Codex CLI', body: 'boom' });
  });
});
