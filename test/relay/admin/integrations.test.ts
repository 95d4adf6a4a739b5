import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, IntegrationApplyResponse, IntegrationPreviewResponse, IntegrationSnippetsResponse, IntegrationsResponse, IntegrationUndoResponse } from '../../../relay/admin/dto.js';
import { createHarness, type Harness } from '../../helpers/harness.js';
import type { TestRelay } from '../../helpers/start-relay.js';
import { tempHome, type TempHome } from '../integrations/temp-home.js';

const PROVIDER_CANARY = 'sk-canary-provider-key-0123456789';
const RELAY_TOKEN = 'relay-token-admin-tests-abcdef987';

describe('admin API: client integrations', () => {
  let harness: Harness;
  let home: TempHome;
  let relay: TestRelay;
  let seen: string[];
  let opencodeFile: string;

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${relay.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${relay.relay.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    seen.push(text);
    return { status: response.status, body: JSON.parse(text) as T };
  }

  beforeEach(async () => {
    seen = [];
    harness = createHarness();
    home = await tempHome();
    opencodeFile = join(home.home, '.config', 'opencode', 'opencode.json');
    const upstream = await harness.upstream({ models: [{ id: 'fake-small', contextWindow: 32_768 }] });
    // The relay resolves client paths in its own environment: a temporary HOME, never the real one.
    relay = await harness.relayFor([{ id: 'fake', upstream, keys: [{ id: 'fake-key', label: 'one' }] }], {
      secrets: { 'fake-key': PROVIDER_CANARY },
      env: { HOME: home.home, PATH: home.bin },
    });
  });
  afterEach(async () => {
    await harness.closeAll();
    await home.cleanup();
    expect(seen.filter((text) => text.includes(PROVIDER_CANARY) || text.includes(RELAY_TOKEN))).toEqual([]);
  });

  it('lists the clients and what apply would point them at', async () => {
    const { status, body } = await call<IntegrationsResponse>('GET', '/integrations');
    expect(status).toBe(200);
    expect(body.integrations.map((item) => [item.id, item.state, item.installed])).toEqual([
      ['opencode', 'not-configured', false],
      ['openclaw', 'not-configured', false],
      ['claude', 'not-configured', false],
      ['codex', 'not-configured', false],
      ['continue', 'not-configured', false],
      ['aider', 'not-configured', false],
    ]);
    expect(body.integrations[0]?.configPath).toBe(opencodeFile);
    expect(body.target.baseUrl).toBe(`${relay.url}/v1`);
    expect(body.target.tokenSet).toBe(false);
    expect(body.target.models.map((model) => model.id)).toEqual(['auto-fastest', 'fast', 'coding', 'vision', 'long-context', 'free', 'fake-small']);
  });

  it('previews, applies (relay token in the file, masked in answers), repeats as a no-op and undoes', async () => {
    const preview = await call<IntegrationPreviewResponse>('POST', '/integrations/opencode/preview', {});
    expect(preview.status).toBe(200);
    expect(preview.body.changed).toBe(true);
    expect(preview.body.diff).toContain('+      "npm": "@ai-sdk/openai-compatible",');
    await expect(access(opencodeFile)).rejects.toThrow();

    expect((await call('PUT', '/token', { token: RELAY_TOKEN })).status).toBe(200);
    const applied = await call<IntegrationApplyResponse>('POST', '/integrations/opencode/apply', { setDefault: true });
    expect(applied.status).toBe(200);
    expect(applied.body.changed).toBe(true);
    expect(applied.body.diff).toContain('"apiKey": "…f987"');
    expect(applied.body.integration).toMatchObject({ state: 'configured', port: relay.port, usesRelayByDefault: true, undoAvailable: true });
    const text = await readFile(opencodeFile, 'utf8');
    expect(text).toContain(`"apiKey": "${RELAY_TOKEN}"`);
    expect(text).not.toContain(PROVIDER_CANARY);

    const again = await call<IntegrationApplyResponse>('POST', '/integrations/opencode/apply', { setDefault: true });
    expect(again.body.changed).toBe(false);
    expect(await readFile(opencodeFile, 'utf8')).toBe(text);

    // Someone moves our entry to another port: the dashboard sees drift.
    await writeFile(opencodeFile, text.replace(`${relay.url}/v1`, 'http://127.0.0.1:1/v1'));
    const listed = await call<IntegrationsResponse>('GET', '/integrations');
    expect(listed.body.integrations[0]).toMatchObject({ state: 'drift', port: 1 });
    expect(listed.body.target.tokenSet).toBe(true);

    const undone = await call<IntegrationUndoResponse>('POST', '/integrations/opencode/undo', {});
    expect(undone.body.outcome).toBe('removed');
    expect(undone.body.integration.state).toBe('not-configured');
    await expect(access(opencodeFile)).rejects.toThrow();
  });

  it('answers errors in the admin shape: unknown client, bad body, symlinked config', async () => {
    const unknown = await call<ApiErrorBody>('POST', '/integrations/vim/apply', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_integration');
    const bad = await call<ApiErrorBody>('POST', '/integrations/opencode/apply', { setDefault: 'yes' });
    expect(bad.status).toBe(400);

    const canary = join(home.home, 'canary.json');
    await writeFile(canary, '{}\n');
    await mkdir(join(home.home, '.openclaw'), { recursive: true });
    await symlink(canary, join(home.home, '.openclaw', 'openclaw.json'));
    const refused = await call<ApiErrorBody>('POST', '/integrations/openclaw/apply', {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('symlink_refused');
    expect(await readFile(canary, 'utf8')).toBe('{}\n');
    const listed = await call<IntegrationsResponse>('GET', '/integrations');
    expect(listed.body.integrations[1]).toMatchObject({ state: 'invalid', installed: true });
  });

  it('GET /integrations/snippets: per-wire base URLs, the token masked unless revealed, never a provider key', async () => {
    const plain = await call<IntegrationSnippetsResponse>('GET', '/integrations/snippets');
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ baseUrl: `${relay.url}/v1`, tokenSet: false, revealed: false });
    for (const snippet of plain.body.snippets) {
      expect(snippet.baseUrl).toBe(snippet.wire === 'openai' ? `${relay.url}/v1` : relay.url);
      expect(snippet.text).toContain(snippet.baseUrl);
    }
    expect((await call('PUT', '/token', { token: RELAY_TOKEN })).status).toBe(200);
    const masked = await call<IntegrationSnippetsResponse>('GET', '/integrations/snippets?client=curl');
    expect(masked.body.snippets.map((snippet) => snippet.id)).toEqual(['curl-openai', 'curl-anthropic', 'curl-ollama']);
    expect(masked.body.tokenSet).toBe(true);
    expect(masked.body.snippets[0]?.text).toContain('Bearer …f987');
    const revealed = await call<IntegrationSnippetsResponse>('GET', '/integrations/snippets?client=openai-js&reveal=true');
    expect(revealed.body.revealed).toBe(true);
    expect(revealed.body.snippets[0]?.text).toContain(RELAY_TOKEN);
    // The one answer that asked for the token: the afterEach check covers every other answer.
    seen = seen.filter((text) => !text.includes('"revealed":true'));
    const unknown = await call<ApiErrorBody>('GET', '/integrations/snippets?client=emacs');
    expect(unknown.status).toBe(404);
  });
});
