import { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, scenarios, sequence, type BehaviorFn, type Scenario } from '../../helpers/fake-upstream.js';
import { createHarness, sdkFor } from '../../helpers/harness.js';
import { expectOpenAiErrorShape, pollUntil, rawPostJson, type RawResponse } from '../../helpers/http.js';
import type { TestRelay } from '../../helpers/start-relay.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const hi = { model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] };

function chat(relay: TestRelay, body: object = hi): Promise<RawResponse> {
  return rawPostJson(relay.port, '/v1/chat/completions', body);
}

/** Two endpoints serving fake-small: the first misbehaves as told, the second answers. */
async function failingThenHealthy(first: Scenario | BehaviorFn) {
  const bad = await h.upstream({ behavior: first });
  const good = await h.upstream({ behavior: scenarios.ok('from the second provider') });
  const relay = await h.relayFor([
    { id: 'bad', upstream: bad },
    { id: 'good', upstream: good },
  ]);
  return { bad, good, relay };
}

describe('failover across providers', () => {
  it('tries candidates in the configured priority order', async () => {
    const order: string[] = [];
    const a = await h.upstream({ behavior: () => (order.push('a'), scenarios.serverError(500)) });
    const b = await h.upstream({ behavior: () => (order.push('b'), scenarios.serverError(503)) });
    const c = await h.upstream({ behavior: () => (order.push('c'), scenarios.ok('from c')) });
    const relay = await h.relayFor(
      [
        { id: 'a', upstream: a },
        { id: 'b', upstream: b },
        { id: 'c', upstream: c },
      ],
      { extra: { routing: { priority: ['b', 'a', 'c'] } } },
    );
    const response = await chat(relay);
    expect(response.status).toBe(200);
    expect(response.json.choices[0].message.content).toBe('from c');
    expect(order).toEqual(['b', 'a', 'c']);
    expect(response.headers['x-switchboard-provider']).toBe('c');
    expect(response.headers['x-switchboard-attempts']).toBe('3');
  });

  it.each([
    ['a 500', scenarios.serverError(500)],
    ['a 503 overloaded', scenarios.serviceUnavailable()],
    ['a 529', scenarios.overloaded()],
    ['an HTML error page', scenarios.html(502)],
    ['a reset before the headers', scenarios.resetBeforeHeaders()],
    ['a 404 for the model', scenarios.modelNotFound()],
    ['a malformed first chunk', { malformedChunk: 0 } satisfies Scenario],
    ['an in-band error before any content', scenarios.midStreamError(0)],
    ['a stream that closes before any content', { resetAfterChunks: 0 } satisfies Scenario],
  ])('moves on to the next provider after %s', async (_name, scenario) => {
    const { bad, good, relay } = await failingThenHealthy(scenario);
    const response = await chat(relay);
    expect(response.status).toBe(200);
    expect(response.json.choices[0].message.content).toBe('from the second provider');
    expect(response.headers['x-switchboard-provider']).toBe('good');
    expect(bad.chatRequests()).toHaveLength(1);
    expect(good.chatRequests()).toHaveLength(1);
    expect(response.text).not.toMatch(/<html|cloudflare/i);
  });

  it('moves on after an upstream that sends no headers, within the first-token timeout', async () => {
    const { bad, relay } = await failingThenHealthy(scenarios.stallBeforeHeaders());
    const started = Date.now();
    const response = await chat(relay);
    expect(response.status).toBe(200);
    expect(response.headers['x-switchboard-provider']).toBe('good');
    expect(Date.now() - started).toBeLessThan(2000);
    // The silent attempt was cancelled, not left hanging.
    await bad.waitForAbort(1, 2000);
  });

  it('moves on after an upstream that sends headers but no first token in time', async () => {
    const { bad, relay } = await failingThenHealthy(scenarios.slow({ ttftMs: 3000 }));
    const response = await chat(relay, { ...hi, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers['x-switchboard-provider']).toBe('good');
    await bad.waitForAbort(1, 2000);
  });

  it('does not follow an upstream redirect: the redirect target receives nothing', async () => {
    const target = await h.upstream();
    const { bad, relay } = await failingThenHealthy(scenarios.redirect(`${target.url}/chat/completions`, 307));
    const response = await chat(relay);
    expect(response.status).toBe(200);
    expect(response.headers['x-switchboard-provider']).toBe('good');
    expect(bad.chatRequests()).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });

  it('answers 502 (not the redirect) when the only upstream redirects', async () => {
    const target = await h.upstream();
    const upstream = await h.upstream({ behavior: scenarios.redirect(`${target.url}/chat/completions`, 302) });
    const relay = await h.relayFor([{ id: 'only', upstream, keys: [{ id: 'k1', label: 'main' }] }], { secrets: { k1: 'sk-redirect-secret' } });
    const response = await chat(relay);
    expect(response.status).toBe(502);
    expect(response.headers.location).toBeUndefined();
    expectOpenAiErrorShape(response.json);
    expect(target.requests).toHaveLength(0);
  });

  it('returns an upstream 400 about the request as is, without failing over', async () => {
    const { bad, good, relay } = await failingThenHealthy(scenarios.contextLengthExceeded());
    const response = await chat(relay);
    expect(response.status).toBe(400);
    const error = expectOpenAiErrorShape(response.json);
    expect(error.code).toBe('context_length_exceeded');
    expect(error.message).toContain('maximum context length is 8192 tokens');
    expect(response.headers['x-should-retry']).toBe('false');
    expect(bad.chatRequests()).toHaveLength(1);
    expect(good.chatRequests()).toHaveLength(0);
  });

  it('relays other upstream 4xx statuses (422) without failover', async () => {
    const { good, relay } = await failingThenHealthy({ status: 422, errorBody: { error: { message: 'Unprocessable tool schema', type: 'invalid_request_error', code: null } } });
    const response = await chat(relay);
    expect(response.status).toBe(422);
    expect(expectOpenAiErrorShape(response.json).message).toContain('Unprocessable tool schema');
    expect(good.chatRequests()).toHaveLength(0);
  });

  it('answers 502 listing every attempt when every provider fails', async () => {
    const a = await h.upstream({ behavior: scenarios.serverError(500) });
    const b = await h.upstream({ behavior: scenarios.html(502) });
    const relay = await h.relayFor([
      { id: 'a', upstream: a },
      { id: 'b', upstream: b },
    ]);
    const client = sdkFor(relay);
    const error = await client.chat.completions.create(hi as never).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(502);
    const message = (error as APIError).message;
    expect(message).toContain('a/fake-small');
    expect(message).toContain('b/fake-small');
    expect(message).not.toMatch(/<html|<title|<center/i);
  });
});

describe('failures before the commit point on a streaming request', () => {
  it('answer with a real HTTP status and a JSON body, not a 200 stream', async () => {
    const a = await h.upstream({ behavior: scenarios.serverError(500) });
    const relay = await h.relayFor([{ id: 'a', upstream: a }]);
    const response = await chat(relay, { ...hi, stream: true });
    expect(response.status).toBe(502);
    expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
    expectOpenAiErrorShape(response.json);
    const sdkError = await sdkFor(relay)
      .chat.completions.create({ ...hi, stream: true } as never)
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(sdkError).toBeInstanceOf(APIError);
    expect((sdkError as APIError).status).toBe(502);
  });
});

describe('key rotation and cooldowns', () => {
  it('tries key B of the same provider after a 429 on key A, before the next provider', async () => {
    const first = await h.upstream({ behavior: (request) => (request.apiKey === 'sk-a' ? scenarios.rateLimited({ retryAfterSeconds: 30 }) : scenarios.ok('served by key B')) });
    const second = await h.upstream();
    const relay = await h.relayFor(
      [
        { id: 'first', upstream: first, keys: [{ id: 'ka', label: 'key-a' }, { id: 'kb', label: 'key-b' }] },
        { id: 'second', upstream: second },
      ],
      { secrets: { ka: 'sk-a', kb: 'sk-b' } },
    );
    const response = await chat(relay);
    expect(response.status).toBe(200);
    expect(response.json.choices[0].message.content).toBe('served by key B');
    expect(response.headers['x-switchboard-provider']).toBe('first');
    expect(response.headers['x-switchboard-key']).toBe('key-b');
    expect(first.chatRequests().map((request) => request.apiKey)).toEqual(['sk-a', 'sk-b']);
    expect(second.chatRequests()).toHaveLength(0);

    // Key A rests for its Retry-After: the next requests go to key B only.
    await chat(relay);
    await chat(relay);
    expect(first.chatRequests().map((request) => request.apiKey)).toEqual(['sk-a', 'sk-b', 'sk-b', 'sk-b']);
  });

  it('spreads load over healthy keys (round-robin)', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'one' }, { id: 'k2', label: 'two' }] }], { secrets: { k1: 'sk-1', k2: 'sk-2' } });
    for (let index = 0; index < 4; index++) expect((await chat(relay)).status).toBe(200);
    expect(upstream.chatRequests().map((request) => request.apiKey)).toEqual(['sk-1', 'sk-2', 'sk-1', 'sk-2']);
  });

  it('answers 429 with an integer Retry-After when every candidate is rate-limited, and lists what was tried', async () => {
    const a = await h.upstream({ behavior: scenarios.rateLimited({ retryAfterSeconds: 7 }) });
    const b = await h.upstream({ behavior: scenarios.rateLimitedResetHeaders({ resetRequests: '2m59.56s' }) });
    const relay = await h.relayFor(
      [
        { id: 'a', upstream: a, keys: [{ id: 'ka', label: 'a-key' }] },
        { id: 'b', upstream: b, keys: [{ id: 'kb', label: 'b-key' }] },
      ],
      { secrets: { ka: 'sk-a', kb: 'sk-b' } },
    );
    const response = await chat(relay);
    expect(response.status).toBe(429);
    const retryAfter = String(response.headers['retry-after']);
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(6);
    expect(Number(retryAfter)).toBeLessThanOrEqual(7);
    const error = expectOpenAiErrorShape(response.json);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain('a/fake-small (key a-key)');
    expect(error.message).toContain('b/fake-small (key b-key)');
    expect(response.headers['x-should-retry']).toBe('true');

    // While both keys rest, the relay answers 429 itself without calling anyone.
    const again = await chat(relay);
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(a.chatRequests()).toHaveLength(1);
    expect(b.chatRequests()).toHaveLength(1);
  });

  it('honours Retry-After: the key rests, then comes back when the cooldown expires', async () => {
    const upstream = await h.upstream({ behavior: sequence(scenarios.rateLimited({ retryAfterSeconds: 1 }), scenarios.ok()) });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'only' }] }], { secrets: { k1: 'sk-only' } });
    const started = Date.now();
    const first = await chat(relay);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');

    const resting = await chat(relay);
    expect(resting.status).toBe(429);
    expect(upstream.chatRequests()).toHaveLength(1);

    const recovered = await pollUntil(
      async () => {
        const response = await chat(relay);
        return response.status === 200 ? response : undefined;
      },
      { timeoutMs: 4000, intervalMs: 100, what: 'the cooled key to come back' },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(recovered.json.choices[0].message.content).toBe(DEFAULT_TEXT);
    // Nothing was sent upstream while the key rested, and no request ever went out keyless.
    expect(upstream.chatRequests().map((request) => request.apiKey)).toEqual(['sk-only', 'sk-only']);
  });

  it('waits for a cooling key when the wait fits routing.maxRetryWaitMs', async () => {
    const upstream = await h.upstream({ behavior: sequence(scenarios.rateLimited({ retryAfterMs: 200 }), scenarios.ok()) });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'only' }] }], {
      secrets: { k1: 'sk-only' },
      extra: { routing: { maxRetryWaitMs: 1000 } },
    });
    const response = await chat(relay);
    expect(response.status).toBe(200);
    expect(response.headers['x-switchboard-attempts']).toBe('2');
    expect(upstream.chatRequests()).toHaveLength(2);
  });

  it.each([
    ['401', 401],
    ['403', 403],
    ['402', 402],
  ])('disables a key after a %s: later requests never send it again', async (_name, status) => {
    const upstream = await h.upstream({ behavior: (request) => (request.apiKey === 'sk-bad' ? { status } : scenarios.ok()) });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'bad', label: 'bad-key' }, { id: 'good', label: 'good-key' }] }], {
      secrets: { bad: 'sk-bad', good: 'sk-good' },
    });
    for (let index = 0; index < 4; index++) {
      const response = await chat(relay);
      expect(response.status).toBe(200);
      expect(response.headers['x-switchboard-key']).toBe('good-key');
    }
    expect(upstream.chatRequests().map((request) => request.apiKey)).toEqual(['sk-bad', 'sk-good', 'sk-good', 'sk-good', 'sk-good']);
  });

  it('treats 429 insufficient_quota as a dead key, not a rate limit', async () => {
    const upstream = await h.upstream({ behavior: (request) => (request.apiKey === 'sk-broke' ? scenarios.insufficientQuota() : scenarios.ok()) });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'broke' }, { id: 'k2', label: 'paid' }] }], {
      secrets: { k1: 'sk-broke', k2: 'sk-paid' },
    });
    expect((await chat(relay)).status).toBe(200);
    expect((await chat(relay)).status).toBe(200);
    expect(upstream.chatRequests().map((request) => request.apiKey)).toEqual(['sk-broke', 'sk-paid', 'sk-paid']);
  });

  it('never shows the client a 401 when every key is rejected: 502 upstream_auth_error, no key fragments', async () => {
    const upstream = await h.upstream({ requireKey: 'sk-the-right-one' });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'first' }, { id: 'k2', label: 'second' }] }], {
      secrets: { k1: 'sk-wrong-aaaa1111', k2: 'sk-wrong-bbbb2222' },
    });
    const client = sdkFor(relay);
    const error = await client.chat.completions.create(hi as never).then(
      () => undefined,
      (thrown: unknown) => thrown as APIError,
    );
    expect(error).toBeInstanceOf(APIError);
    expect(error?.status).toBe(502);
    expect(error?.code).toBe('upstream_auth_error');
    expect(JSON.stringify(error?.error)).not.toMatch(/sk-wrong|aaaa1111|bbbb2222|Incorrect API key/);
    expect(upstream.chatRequests().map((request) => request.apiKey)).toEqual(['sk-wrong-aaaa1111', 'sk-wrong-bbbb2222']);

    // Both keys are disabled now: the next request is answered without any upstream call.
    const again = await chat(relay);
    expect(again.status).toBe(502);
    expect(expectOpenAiErrorShape(again.json).code).toBe('upstream_auth_error');
    expect(upstream.chatRequests()).toHaveLength(2);
  });

  it('never sends a request without a key to a provider whose keys are resting', async () => {
    const upstream = await h.upstream({ behavior: (request) => (request.apiKey === undefined ? scenarios.ok('keyless') : scenarios.rateLimited({ retryAfterSeconds: 30 })) });
    const relay = await h.relayFor([{ id: 'p', upstream, keys: [{ id: 'k1', label: 'only' }] }], { secrets: { k1: 'sk-only' } });
    expect((await chat(relay)).status).toBe(429);
    const second = await chat(relay);
    expect(second.status).toBe(429);
    expect(upstream.chatRequests().every((request) => request.apiKey === 'sk-only')).toBe(true);
  });

  it('sends nothing, keyless or not, for a model none of the keys may serve', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'p', upstream, models: ['fake-small', 'fake-large'], keys: [{ id: 'kl', label: 'large-only', models: ['fake-large'] }] }], {
      secrets: { kl: 'sk-large' },
    });
    const response = await chat(relay, { ...hi, model: 'fake-small' });
    expect(response.status).toBe(503);
    expect(expectOpenAiErrorShape(response.json).code).toBe('no_route_available');
    expect(upstream.requests).toHaveLength(0);
  });

  it('uses keys only for the models their globs allow', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor(
      [{ id: 'p', upstream, models: ['fake-small', 'fake-large'], keys: [{ id: 'ks', label: 'small-only', models: ['*-small'] }, { id: 'kl', label: 'large-only', models: ['fake-large'] }] }],
      { secrets: { ks: 'sk-small', kl: 'sk-large' } },
    );
    for (let index = 0; index < 2; index++) {
      expect((await chat(relay, { ...hi, model: 'fake-small' })).headers['x-switchboard-key']).toBe('small-only');
      expect((await chat(relay, { ...hi, model: 'fake-large' })).headers['x-switchboard-key']).toBe('large-only');
    }
    expect(upstream.chatRequests().map((request) => `${request.model}:${request.apiKey}`)).toEqual([
      'fake-small:sk-small',
      'fake-large:sk-large',
      'fake-small:sk-small',
      'fake-large:sk-large',
    ]);
  });
});

describe('deadline', () => {
  it('answers 504 (a timeout, not a broken connection) when the only upstream sends headers but no first token', async () => {
    const upstream = await h.upstream({ behavior: scenarios.slow({ ttftMs: 3000 }) });
    const relay = await h.relayFor([{ id: 'slow', upstream }]);
    const response = await chat(relay, { ...hi, stream: true });
    expect(response.status).toBe(504);
    const error = expectOpenAiErrorShape(response.json);
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/first token/);
    await upstream.waitForAbort(1, 2000);
  });

  it('answers 504 when no upstream produces a first token within the total deadline', async () => {
    const a = await h.upstream({ behavior: scenarios.stallBeforeHeaders() });
    const relay = await h.relayFor([{ id: 'a', upstream: a }], { extra: { timeouts: { firstTokenMs: 2000, totalMs: 400 } } });
    const started = Date.now();
    const response = await chat(relay);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(response.status).toBe(504);
    expectOpenAiErrorShape(response.json);
    await a.waitForAbort(1, 2000);
  });
});
