import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AddKeyResponse, ApiErrorBody, KeysResponse, KeyTestResponse, ProvidersResponse, UpdateKeyResponse } from '../../../relay/admin/dto.js';
import { adminCaller, freePort } from '../../helpers/admin-call.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

const GOOD = 'sk-good-key-0123456789abcdef';
const BAD = 'sk-bad-key-0123456789abcdef';
const OPEN = 'sk-open-key-0123456789abcdef';
const GONE = 'sk-gone-key-0123456789abcdef';

describe('PATCH /admin/keys/:provider/:key, POST .../test, rate limits and new keys', () => {
  /** Checks keys on every request, like a hosted provider. */
  let strict: FakeUpstream;
  /** Accepts any key; its chat answers are set per test. */
  let open: FakeUpstream;
  let relay: TestRelay;
  let seen: string[];
  const call = adminCaller(() => relay.url, () => relay.relay.adminToken);

  async function admin<T>(method: string, path: string, body?: unknown) {
    const answer = await call<T>(method, path, body === undefined ? {} : { body });
    seen.push(answer.text);
    return answer;
  }

  beforeAll(async () => {
    strict = await startFakeUpstream({ requireKey: GOOD });
    open = await startFakeUpstream({});
  });
  afterAll(async () => {
    await strict?.close();
    await open?.close();
  });

  beforeEach(async () => {
    seen = [];
    const gonePort = await freePort();
    relay = await startTestRelay({
      config: endpointsConfig(
        [
          { id: 'strict', baseUrl: strict.url, keys: [{ id: 'strict-good', label: 'good' }, { id: 'strict-bad', label: 'bad' }], models: ['fake-small'] },
          { id: 'open', baseUrl: open.url, keys: [{ id: 'open-one', label: 'one' }], models: ['fake-small'] },
          { id: 'gone', baseUrl: `http://127.0.0.1:${gonePort}/v1`, keys: [{ id: 'gone-one', label: 'one' }], models: ['fake-small'] },
        ],
        // Groq points at the strict fake: no key leaves the machine.
        { providers: { groq: { baseUrl: strict.url }, openai: { baseUrl: strict.url, discovery: false, enabled: false } } },
      ),
      secrets: { 'strict-good': GOOD, 'strict-bad': BAD, 'open-one': OPEN, 'gone-one': GONE },
      env: { OPENAI_API_KEY: GOOD },
    });
  });
  afterEach(async () => {
    await relay?.close();
    strict.reset();
    open.reset();
    open.setBehavior({});
    const leaked = seen.filter((text) => [GOOD, BAD, OPEN, GONE].some((secret) => text.includes(secret)));
    expect(leaked).toEqual([]);
  });

  async function keyState(provider: string, label: string) {
    const keys = (await admin<KeysResponse>('GET', `/keys/${provider}`)).body.keys;
    return keys.find((key) => key.label === label);
  }

  describe('key test', () => {
    it('lists models with the key and measures one tiny streamed request with it', async () => {
      const { status, body } = await admin<KeyTestResponse>('POST', '/keys/strict/good/test', {});
      expect(status).toBe(200);
      expect(body).toMatchObject({ provider: 'strict', ok: true, outcome: 'ok', status: 200, models: 2, probe: { model: 'fake-small' } });
      expect(body.key).toMatchObject({ id: 'strict-good', label: 'good', masked: '…cdef', source: 'stored' });
      expect(body.probe?.ttftMs).toBeTypeOf('number');
      expect(body.durationMs).toBeTypeOf('number');
      expect(body.message).toContain('works');
      // Exactly that key went to exactly the configured base URL.
      expect(strict.requests.map((request) => [request.method, request.path, request.apiKey])).toEqual([
        ['GET', '/v1/models', GOOD],
        ['POST', '/v1/chat/completions', GOOD],
      ]);
      expect(strict.chatRequests()[0]?.body.stream).toBe(true);
    });

    it('reports a rejected key with the provider message and disables it like live traffic would', async () => {
      const { status, body } = await admin<KeyTestResponse>('POST', '/keys/strict/strict-bad/test', {});
      expect(status).toBe(200);
      expect(body).toMatchObject({ ok: false, outcome: 'rejected', status: 401 });
      expect(body.message).toContain('Incorrect API key provided');
      expect(body.key.state).toMatchObject({ status: 'disabled' });
      expect(strict.chatRequests()).toHaveLength(0);
      const state = await keyState('strict', 'bad');
      expect(state?.state?.status).toBe('disabled');
      // The good key of the same provider is untouched.
      expect((await keyState('strict', 'good'))?.state?.status).toBe('ok');
    });

    it('re-enables a disabled key that works again', async () => {
      open.setBehavior({ status: 401 });
      const rejected = await admin<KeyTestResponse>('POST', '/keys/open/one/test', {});
      expect(rejected.body).toMatchObject({ ok: false, outcome: 'rejected', status: 401, models: 2 });
      expect((await keyState('open', 'one'))?.state?.status).toBe('disabled');

      open.setBehavior({});
      const fixed = await admin<KeyTestResponse>('POST', '/keys/open/one/test', {});
      expect(fixed.body).toMatchObject({ ok: true, outcome: 'ok' });
      expect((await keyState('open', 'one'))?.state?.status).toBe('ok');
    });

    it('tells an empty balance and a rate limit apart', async () => {
      open.setBehavior({ status: 402 });
      const broke = await admin<KeyTestResponse>('POST', '/keys/open/one/test', {});
      expect(broke.body).toMatchObject({ ok: false, outcome: 'no-credit', status: 402 });
      expect(broke.body.message).toContain('Insufficient credits');

      open.setBehavior({ status: 429, headers: { 'retry-after': '30' } });
      const limited = await admin<KeyTestResponse>('POST', '/keys/open/one/test', {});
      expect(limited.body).toMatchObject({ ok: false, outcome: 'rate-limited', status: 429 });
      expect((await keyState('open', 'one'))?.state?.status).toBe('cooling');
    });

    it('reports an endpoint nobody answers at as unreachable', async () => {
      const { body } = await admin<KeyTestResponse>('POST', '/keys/gone/one/test', {});
      expect(body).toMatchObject({ ok: false, outcome: 'unreachable' });
      expect(body.message).toMatch(/connection refused/i);
    });

    it('tests environment keys too, and answers 404 for unknown keys', async () => {
      const env = await admin<KeyTestResponse>('POST', `/keys/openai/${encodeURIComponent('env:OPENAI_API_KEY')}/test`, {});
      expect(env.status).toBe(200);
      // OpenAI is turned off here, so it has no chat model to try: the model list is the test.
      expect(env.body).toMatchObject({ ok: true, outcome: 'ok', models: 2, key: { source: 'env', label: 'OPENAI_API_KEY' } });
      expect(env.body.probe).toBeUndefined();
      const unknown = await admin<ApiErrorBody>('POST', '/keys/strict/nope/test', {});
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('unknown_key');
    });
  });

  describe('PATCH a key', () => {
    it('changes the label and the model patterns of a stored key', async () => {
      const renamed = await admin<UpdateKeyResponse>('PATCH', '/keys/strict/bad', { label: 'backup', models: ['fake-*', ' fake-small '] });
      expect(renamed.status).toBe(200);
      expect(renamed.body.key).toMatchObject({ id: 'strict-bad', label: 'backup', models: ['fake-*', 'fake-small'], masked: '…cdef' });
      const listed = (await admin<KeysResponse>('GET', '/keys/strict')).body.keys.find((key) => key.id === 'strict-bad');
      expect(listed).toMatchObject({ label: 'backup', models: ['fake-*', 'fake-small'] });

      const everything = await admin<UpdateKeyResponse>('PATCH', '/keys/strict/strict-bad', { models: null });
      expect(everything.body.key.models).toBeUndefined();
      expect(everything.body.key.label).toBe('backup');
    });

    it('refuses bad input, taken labels, unknown keys and environment keys', async () => {
      const cases: Array<[string, unknown, number, string]> = [
        ['/keys/strict/good', { models: 'fake-*' }, 400, 'invalid_models'],
        ['/keys/strict/good', { models: [1] }, 400, 'invalid_models'],
        ['/keys/strict/good', { label: '' }, 400, 'invalid_label'],
        ['/keys/strict/good', { label: 'env:X' }, 400, 'invalid_label'],
        ['/keys/strict/good', { key: 'sk-new' }, 400, 'invalid_request'],
        ['/keys/strict/good', { label: 'BAD' }, 409, 'duplicate_label'],
        ['/keys/strict/nope', { label: 'x' }, 404, 'unknown_key'],
        [`/keys/openai/${encodeURIComponent('env:OPENAI_API_KEY')}`, { label: 'x' }, 409, 'env_key_read_only'],
        ['/keys/nowhere/good', { label: 'x' }, 404, 'unknown_provider'],
      ];
      for (const [path, body, status, code] of cases) {
        const answer = await admin<ApiErrorBody>('PATCH', path, body);
        expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(status);
        expect(answer.body.error.code).toBe(code);
      }
      const env = await admin<ApiErrorBody>('PATCH', `/keys/openai/${encodeURIComponent('env:OPENAI_API_KEY')}`, { label: 'x' });
      expect(env.body.error.message).toContain('environment');
    });
  });

  it('shows the rate limit the provider last reported for a key', async () => {
    open.setBehavior({ rateLimitHeaders: { 'x-ratelimit-limit-requests': '1000', 'x-ratelimit-remaining-requests': '998', 'x-ratelimit-reset-requests': '1m0s', 'x-ratelimit-remaining-tokens': '5000' } });
    const before = await admin<KeysResponse>('GET', '/keys/open');
    expect(before.body.keys[0]?.rateLimit).toBeUndefined();
    const answer = await fetch(`${relay.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'open/fake-small', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.status).toBe(200);
    await answer.text();
    const keys = (await admin<KeysResponse>('GET', '/keys')).body.keys;
    const rateLimit = keys.find((key) => key.id === 'open-one')?.rateLimit;
    expect(rateLimit).toMatchObject({ limitRequests: 1000, remainingRequests: 998, remainingTokens: 5000 });
    expect(Date.parse(rateLimit?.resetAt ?? '') - Date.parse(rateLimit?.observedAt ?? '')).toBe(60_000);
    const providers = (await admin<ProvidersResponse>('GET', '/providers')).body.providers;
    expect(providers.find((provider) => provider.id === 'open')?.keys[0]?.rateLimit).toEqual(rateLimit);
    // Keys that served nothing show none.
    expect(keys.find((key) => key.id === 'strict-good')?.rateLimit).toBeUndefined();
  });

  it('asks the provider for its models as soon as a key is added', async () => {
    const before = (await admin<ProvidersResponse>('GET', '/providers')).body.providers.find((provider) => provider.id === 'groq');
    expect(before).toMatchObject({ status: 'needs-key' });
    const configs: unknown[] = [];
    relay.relay.events.on('config', (config) => configs.push(config));
    const added = await admin<AddKeyResponse>('POST', '/keys/groq', { key: GOOD });
    expect(added.status).toBe(201);
    const groq = (await admin<ProvidersResponse>('GET', '/providers')).body.providers.find((provider) => provider.id === 'groq');
    expect(groq).toMatchObject({ status: 'ready', modelCount: 2 });
    expect(groq?.discoveredAt).toBeTypeOf('string');
    expect(strict.requests.filter((request) => request.path === '/v1/models' && request.apiKey === GOOD).length).toBeGreaterThanOrEqual(1);
    // Once for the settings change, once more when the model list came in.
    expect(configs.length).toBeGreaterThanOrEqual(2);
    // Its new routes are unmeasured, so the prober takes them within its next rounds.
    const measured = () => relay.relay.routing.views().filter((view) => view.provider === 'groq' && view.qos.samples > 0).length;
    for (let round = 0; round < 5 && measured() < 2; round++) await relay.relay.routing.runProbes();
    expect(measured()).toBe(2);
  });
});
