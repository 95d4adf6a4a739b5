import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, KeysResponse, ModelsResponse, ProvidersResponse, RequestsResponse, StatusResponse } from '../../../relay/admin/dto.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

const CANARY = 'sk-canary-0123456789abcdef';

interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

describe('admin API', () => {
  let upstream: FakeUpstream;
  let relay: TestRelay;
  /** Every admin response body seen, to search for the canary key. */
  let seen: string[];

  async function call<T = unknown>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? relay.relay.adminToken : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${relay.url}/admin${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    seen.push(text);
    return { status: response.status, text, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  beforeAll(async () => {
    // The fake upstream echoes the key it was given in its 401 message, like OpenAI's does.
    upstream = await startFakeUpstream({
      behavior: (request) =>
        request.apiKey === CANARY ? { text: 'ok' } : { status: 401, errorBody: { error: { message: `Incorrect API key provided: ${request.apiKey ?? ''}`, type: 'invalid_request_error' } } },
    });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  beforeEach(async () => {
    seen = [];
    relay = await startTestRelay({
      // Keyed providers point at the fake upstream: no key ever leaves the machine in tests.
      config: { version: 1, providers: { groq: { discovery: false, baseUrl: upstream.url }, openai: { discovery: false, baseUrl: upstream.url } } },
      env: { OPENAI_API_KEY: 'sk-openai-env-key-9999' },
    });
  });
  afterEach(async () => {
    await relay?.close();
    const leaked = seen.filter((text) => text.includes(CANARY) || text.includes('sk-openai-env-key-9999'));
    expect(leaked).toEqual([]);
  });

  describe('authentication', () => {
    it('refuses requests without the admin token or with a wrong one', async () => {
      const missing = await call<ApiErrorBody>('GET', '/status', { token: null });
      expect(missing.status).toBe(401);
      expect(missing.body.error).toMatchObject({ type: 'authentication_error', code: 'admin_auth_required' });
      const wrong = await call('GET', '/status', { token: 'x'.repeat(43) });
      expect(wrong.status).toBe(401);
      const keys = await call('POST', '/keys/groq', { token: null, body: { key: CANARY } });
      expect(keys.status).toBe(401);
      expect(await relay.secrets.list()).toEqual([]);
    });

    it('accepts the admin cookie', async () => {
      const answer = await call<StatusResponse>('GET', '/status', { token: null, headers: { cookie: `theme=dark; switchboard_admin=${relay.relay.adminToken}` } });
      expect(answer.status).toBe(200);
      const wrong = await call('GET', '/status', { token: null, headers: { cookie: 'switchboard_admin=nope' } });
      expect(wrong.status).toBe(401);
    });

    it('refuses a foreign Origin before anything else, even with the token', async () => {
      const answer = await call<ApiErrorBody>('POST', '/keys/groq', { body: { key: CANARY }, headers: { origin: 'https://evil.example' } });
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('origin_not_allowed');
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(await relay.secrets.list()).toEqual([]);
    });

    it('refuses origins allowed for the relay endpoints on the admin API', async () => {
      await relay.close();
      relay = await startTestRelay({ config: { version: 1, server: { allowedOrigins: ['https://chat.example'] } } });
      const admin = await call<ApiErrorBody>('GET', '/keys', { headers: { origin: 'https://chat.example' } });
      expect(admin.status).toBe(403);
      expect(admin.body.error).toMatchObject({ type: 'permission_error', code: 'origin_not_allowed' });
      const own = await call('GET', '/status', { headers: { origin: relay.url } });
      expect(own.status).toBe(200);
    });

    it('takes JSON only', async () => {
      const text = await call<ApiErrorBody>('POST', '/keys/groq', { body: CANARY, headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(415);
      expect(text.body.error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_media_type' });
      const form = await call('POST', '/endpoints', { body: 'name=x&baseUrl=http://127.0.0.1:1/v1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(415);
      const patch = await call('PATCH', '/providers/groq', { body: '{"enabled":false}', headers: { 'content-type': 'text/plain' } });
      expect(patch.status).toBe(415);
      const malformed = await call<ApiErrorBody>('POST', '/keys/groq', { body: `{"key":"${CANARY}" x}` });
      expect(malformed.status).toBeGreaterThanOrEqual(400);
      expect(malformed.body.error.message).toBeTypeOf('string');
      expect(relay.logs.join('\n')).not.toContain(CANARY);
      expect(await relay.secrets.list()).toEqual([]);
    });

    it('answers malformed JSON with 400', async () => {
      const malformed = await call('POST', '/keys/groq', { body: '{"key":' });
      expect(malformed.status).toBe(400);
    });
  });

  it('counts uptime from when the relay started, not from the first admin request', async () => {
    let clock = 1_000_000;
    const timed = await startTestRelay({ now: () => clock });
    try {
      clock += 90_000;
      const response = await fetch(`${timed.url}/admin/status`, { headers: { authorization: `Bearer ${timed.relay.adminToken}` } });
      const body = (await response.json()) as StatusResponse;
      expect(body.uptimeMs).toBe(90_000);
      expect(body.startedAt).toBe(new Date(1_000_000).toISOString());
    } finally {
      await timed.close();
    }
  });

  it('reports status', async () => {
    const { status, body, headers } = await call<StatusResponse>('GET', '/status');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ version: '0.1.0', url: relay.url, baseUrl: `${relay.url}/v1`, configDir: relay.configDir, problem: null, secretProtection: 'memory' });
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(body.providers.ready).toBe(1);
    expect(body.readyProviders).toEqual(['openai']);
    expect(body.providers['needs-key']).toBeGreaterThan(5);
    expect(body.routes).toBeGreaterThan(0);
  });

  it('adds, lists and removes keys without ever returning one', async () => {
    const added = await call<{ key: { id: string; label: string; masked: string; state?: unknown } }>('POST', '/keys/groq', { body: { key: CANARY, label: 'canary' } });
    expect(added.status).toBe(201);
    expect(added.body.key).toMatchObject({ label: 'canary', masked: '…cdef', source: 'stored', state: { status: 'ok' } });
    expect(await relay.secrets.get(added.body.key.id)).toBe(CANARY);

    // The change is applied before the answer: the provider is ready at once.
    const providers = await call<ProvidersResponse>('GET', '/providers');
    const groq = providers.body.providers.find((provider) => provider.id === 'groq');
    expect(groq).toMatchObject({ status: 'ready', keyCount: 1, signupUrl: 'https://console.groq.com/keys', baseUrl: upstream.url, defaultBaseUrl: 'https://api.groq.com/openai/v1' });
    expect(groq?.keys[0]).toMatchObject({ label: 'canary', masked: '…cdef', state: { status: 'ok' } });
    const models = await call<ModelsResponse>('GET', '/models');
    expect(models.body.models).toContainEqual(expect.objectContaining({ id: 'groq/llama-3.1-8b-instant', provider: 'groq', model: 'llama-3.1-8b-instant', contextWindow: 131_072, free: true }));

    const all = await call<KeysResponse>('GET', '/keys');
    expect(all.body.keys.map((key) => `${key.provider}:${key.label}:${key.source}`)).toEqual(['groq:canary:stored', 'openai:OPENAI_API_KEY:env']);
    const duplicate = await call<ApiErrorBody>('POST', '/keys', { body: { provider: 'groq', key: CANARY } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('duplicate_key');

    const envRemoval = await call<ApiErrorBody>('DELETE', '/keys/openai/OPENAI_API_KEY');
    expect(envRemoval.status).toBe(400);
    expect(envRemoval.body.error.message).toContain('unset the variable OPENAI_API_KEY');

    const removed = await call('DELETE', '/keys/groq/canary');
    expect(removed.status).toBe(200);
    expect(await relay.secrets.list()).toEqual([]);
    const after = await call<KeysResponse>('GET', '/keys/groq');
    expect(after.body.keys).toEqual([]);
  });

  it('answers errors as {error:{message,type,code}} with the right status', async () => {
    const unknown = await call<ApiErrorBody>('POST', '/keys/nope', { body: { key: CANARY } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { message: expect.stringContaining("Unknown provider 'nope'") as unknown, type: 'not_found_error', code: 'unknown_provider' } });
    const empty = await call<ApiErrorBody>('POST', '/keys/groq', { body: { key: ' ' } });
    expect(empty.status).toBe(400);
    const missing = await call<ApiErrorBody>('POST', '/keys/groq', { body: {} });
    expect(missing.body.error.code).toBe('missing_key');
    const path = await call<ApiErrorBody>('GET', '/nothing-here');
    expect(path.status).toBe(404);
    expect(path.body.error.code).toBe('unknown_url');
  });

  it('needs confirmKeys to move a provider that has keys', async () => {
    await call('POST', '/keys/groq', { body: { key: CANARY } });
    const elsewhere = `${upstream.origin}/elsewhere/v1`;
    const refused = await call<ApiErrorBody>('PATCH', '/providers/groq', { body: { baseUrl: elsewhere } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('confirm_keys_required');
    const unchanged = await call<ProvidersResponse>('GET', '/providers');
    expect(unchanged.body.providers.find((provider) => provider.id === 'groq')?.baseUrl).toBe(upstream.url);
    const moved = await call<{ provider: { baseUrl: string; defaultBaseUrl: string } }>('PATCH', '/providers/groq', { body: { baseUrl: elsewhere, confirmKeys: true } });
    expect(moved.status).toBe(200);
    expect(moved.body.provider).toMatchObject({ baseUrl: elsewhere, defaultBaseUrl: 'https://api.groq.com/openai/v1' });
    const disabled = await call<{ provider: { status: string; enabled: boolean } }>('PATCH', '/providers/groq', { body: { enabled: false } });
    expect(disabled.body.provider).toMatchObject({ status: 'disabled', enabled: false });
  });

  it('adds and removes custom endpoints with their key, and logs requests without bodies or keys', async () => {
    const added = await call<{ endpoint: { id: string; keys: Array<{ masked: string }> }; warnings: string[] }>('POST', '/endpoints', {
      body: { name: 'fake', baseUrl: upstream.url, key: CANARY, discovery: false, models: ['fake-small'], free: true },
    });
    expect(added.status).toBe(201);
    expect(added.body.endpoint.keys).toEqual([expect.objectContaining({ masked: '…cdef' })]);
    const listed = await call<{ endpoints: Array<{ id: string }> }>('GET', '/endpoints');
    expect(listed.body.endpoints.map((endpoint) => endpoint.id)).toEqual(['fake']);

    const chat = await fetch(`${relay.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/fake-small', messages: [{ role: 'user', content: 'secret prompt text' }] }),
    });
    expect(chat.status).toBe(200);
    expect(upstream.chatRequests().at(-1)?.apiKey).toBe(CANARY);

    // A second key the upstream refuses: its 401 message echoes the key, which must not come back.
    await call('POST', '/keys/fake', { body: { key: 'sk-canary-0123456789abcdef-wrong', label: 'wrong' } });
    await call('DELETE', '/keys/fake/key-1');
    await fetch(`${relay.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/fake-small', messages: [{ role: 'user', content: 'secret prompt text' }] }),
    });
    const requests = await call<RequestsResponse>('GET', '/requests?limit=10');
    expect(requests.status).toBe(200);
    expect(requests.body.requests.length).toBeGreaterThanOrEqual(2);
    expect(requests.body.requests[0]).toMatchObject({ askedModel: 'fake/fake-small', outcome: 'ok', route: { provider: 'fake', model: 'fake-small' } });
    expect(requests.text).not.toContain('secret prompt text');
    expect(requests.text).not.toContain('sk-canary-0123456789abcdef-wrong');

    const removed = await call<{ deletedKeys: number }>('DELETE', '/endpoints/fake');
    expect(removed.body.deletedKeys).toBe(1);
    expect(await relay.secrets.list()).toEqual([]);
  });
});
