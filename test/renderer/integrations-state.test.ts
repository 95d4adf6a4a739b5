import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfigImportPreview, IntegrationApplyResponse, IntegrationView } from '../../relay/admin/dto.js';
import { configToken } from '../../renderer/lib/state/config-token.svelte.js';
import { integrations } from '../../renderer/lib/state/integrations.svelte.js';

interface Call {
  method: string;
  path: string;
  body: unknown;
}

function view(id: string, fields: Partial<IntegrationView> = {}): IntegrationView {
  return {
    id,
    name: id,
    installed: true,
    binary: null,
    configPath: `/home/u/.${id}.json`,
    configExists: false,
    state: 'not-configured',
    baseUrl: null,
    port: null,
    models: [],
    defaultModel: null,
    usesRelayByDefault: false,
    drift: [],
    problem: null,
    undoAvailable: false,
    ...fields,
  };
}

const emptyPreview: ConfigImportPreview = {
  mode: 'merge',
  applied: false,
  includesKeys: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  changes: true,
  baseUrls: [],
  providers: { enabled: [], disabled: [], changed: [] },
  endpoints: { added: ['lab'], removed: [], changed: [] },
  routing: [],
  settings: [],
  keys: { add: [], skipped: [], removed: [] },
  warnings: [],
};

describe('integration and config token state', () => {
  let calls: Call[];
  let answers: Array<{ status: number; body: unknown }>;

  beforeEach(() => {
    calls = [];
    answers = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      calls.push({ method: init.method ?? 'GET', path: url, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
      const answer = answers.shift() ?? { status: 500, body: { error: { message: 'no answer queued', type: 'x', code: 'x' } } };
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('loads the clients, and an apply or undo replaces only that client', async () => {
    answers.push({ status: 200, body: { integrations: [view('opencode'), view('openclaw')], target: { baseUrl: 'http://127.0.0.1:4747/v1', tokenSet: false, models: [] } } });
    await integrations.load();
    expect(integrations.loaded).toBe(true);
    const openclaw = integrations.list[1];

    const applied: IntegrationApplyResponse = { id: 'opencode', configPath: '/home/u/.opencode.json', changed: true, diff: '', backupPath: null, integration: view('opencode', { state: 'configured', port: 4747 }) };
    answers.push({ status: 200, body: applied });
    await integrations.apply('opencode', true);
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/admin/integrations/opencode/apply', body: { setDefault: true } });
    expect(integrations.list.map((item) => item.state)).toEqual(['configured', 'not-configured']);
    expect(integrations.list[1]).toBe(openclaw);

    answers.push({ status: 200, body: { id: 'opencode', configPath: '/home/u/.opencode.json', outcome: 'removed', diff: '', integration: view('opencode') } });
    await integrations.undo('opencode');
    expect(integrations.list[0]?.state).toBe('not-configured');
  });

  it('asks for revealed snippets only when told to', async () => {
    answers.push({ status: 200, body: { baseUrl: 'x', tokenSet: true, revealed: false, snippets: [] } }, { status: 200, body: { baseUrl: 'x', tokenSet: true, revealed: true, snippets: [] } });
    await integrations.loadSnippets();
    await integrations.loadSnippets(true);
    expect(calls.map((call) => call.path)).toEqual(['/admin/integrations/snippets', '/admin/integrations/snippets?reveal=true']);
    expect(integrations.snippets?.revealed).toBe(true);
  });

  it('a refused import preview leaves no preview behind; apply sends the same request with apply: true', async () => {
    answers.push({ status: 200, body: emptyPreview });
    await configToken.previewImport({ token: 'sbcfg1.plain.e30', mode: 'merge' });
    expect(configToken.preview).toEqual(emptyPreview);
    expect(calls.at(-1)?.body).toEqual({ token: 'sbcfg1.plain.e30', mode: 'merge', apply: false });

    answers.push({ status: 400, body: { error: { message: 'The token is damaged.', type: 'invalid_request_error', code: 'invalid_token' } } });
    await expect(configToken.previewImport({ token: 'sbcfg1.plain.e3', mode: 'merge' })).rejects.toThrow('The token is damaged.');
    expect(configToken.preview).toBeNull();

    answers.push({ status: 200, body: { ...emptyPreview, applied: true } });
    await configToken.applyImport({ token: 'sbcfg1.sealed.AAAA', passphrase: 'a long passphrase', mode: 'replace' });
    expect(calls.at(-1)?.body).toEqual({ token: 'sbcfg1.sealed.AAAA', passphrase: 'a long passphrase', mode: 'replace', apply: true });
    expect(configToken.imported?.applied).toBe(true);
    expect(configToken.preview).toBeNull();
  });

  it('exports, and a failed export shows no stale token', async () => {
    answers.push({ status: 200, body: { token: 'sbcfg1.plain.e30', includesKeys: false, keyCount: 0, warnings: [] } });
    await configToken.exportSettings({ includeKeys: false });
    expect(configToken.exported?.token).toBe('sbcfg1.plain.e30');
    answers.push({ status: 400, body: { error: { message: 'Exporting keys needs a passphrase.', type: 'invalid_request_error', code: 'passphrase_required' } } });
    await expect(configToken.exportSettings({ includeKeys: true })).rejects.toThrow('passphrase');
    expect(configToken.exported).toBeNull();
  });
});
