import OpenAI, { AuthenticationError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { presentedTokens, tokensMatch } from '../../../relay/http/middleware/relay-token.js';
import { createHarness } from '../../helpers/harness.js';
import { expectOpenAiErrorShape, rawPostJson, rawRequest } from '../../helpers/http.js';
import type { TestRelay } from '../../helpers/start-relay.js';

const h = createHarness();
afterEach(() => h.closeAll());

const RELAY_TOKEN = 'relay-token-0123456789abcdef';
const PROVIDER_KEY = 'sk-provider-key-9876';
const chatBody = { model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] };

async function setup(how: 'secret-store' | 'env') {
  const upstream = await h.upstream({ requireKey: PROVIDER_KEY });
  const secrets: Record<string, string> = { k1: PROVIDER_KEY };
  if (how === 'secret-store') secrets['relay-token'] = RELAY_TOKEN;
  const relay = await h.relayFor([{ id: 'fake', upstream, keys: [{ id: 'k1', label: 'main' }] }], {
    secrets,
    ...(how === 'env' ? { env: { SWITCHBOARD_TOKEN: RELAY_TOKEN } } : {}),
  });
  return { upstream, relay };
}

function client(relay: TestRelay, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${relay.url}/v1`, apiKey, maxRetries: 0 });
}

describe.each(['secret-store', 'env'] as const)('relay token (from the %s)', (how) => {
  it('refuses a missing or wrong token with an OpenAI-shaped 401 and no upstream call', async () => {
    const { relay, upstream } = await setup(how);
    const missing = await rawPostJson(relay.port, '/v1/chat/completions', chatBody);
    expect(missing.status).toBe(401);
    expect(expectOpenAiErrorShape(missing.json).code).toBe('invalid_api_key');
    const wrong = await rawPostJson(relay.port, '/v1/chat/completions', chatBody, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).not.toContain(RELAY_TOKEN);
    const models = await rawRequest(relay.port, { path: '/v1/models', headers: { host: `127.0.0.1:${relay.port}` } });
    expect(models.status).toBe(401);
    await expect(client(relay, 'sk-dummy').chat.completions.create(chatBody as never)).rejects.toBeInstanceOf(AuthenticationError);
    expect(upstream.requests).toHaveLength(0);
  });

  it('accepts the token as Authorization: Bearer, x-api-key or api-key', async () => {
    const { relay } = await setup(how);
    const variants: Array<Record<string, string>> = [{ authorization: `Bearer ${RELAY_TOKEN}` }, { 'x-api-key': RELAY_TOKEN }, { 'api-key': RELAY_TOKEN }];
    for (const headers of variants) {
      const response = await rawPostJson(relay.port, '/v1/chat/completions', chatBody, headers);
      expect(response.status).toBe(200);
    }
    const completion = await client(relay, RELAY_TOKEN).chat.completions.create(chatBody as never);
    expect(completion.choices[0]?.message.content).toBeTruthy();
    // A dummy bearer (as some clients always send) does not hide the real token in x-api-key.
    const mixed = await rawPostJson(relay.port, '/v1/chat/completions', chatBody, { authorization: 'Bearer ollama', 'x-api-key': RELAY_TOKEN });
    expect(mixed.status).toBe(200);
  });

  it("never forwards the client's token upstream: the upstream sees only the provider key", async () => {
    const { relay, upstream } = await setup(how);
    await client(relay, RELAY_TOKEN).chat.completions.create(chatBody as never);
    await rawPostJson(relay.port, '/v1/chat/completions', chatBody, { 'x-api-key': RELAY_TOKEN, authorization: `Bearer ${RELAY_TOKEN}`, 'api-key': RELAY_TOKEN });
    expect(upstream.chatRequests()).toHaveLength(2);
    for (const request of upstream.chatRequests()) {
      expect(request.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
      expect(JSON.stringify(request.headers)).not.toContain(RELAY_TOKEN);
      expect(request.rawBody).not.toContain(RELAY_TOKEN);
    }
  });
});

describe('without a relay token', () => {
  it('lets local clients in with any dummy key, which never reaches the upstream', async () => {
    const upstream = await h.upstream({ requireKey: PROVIDER_KEY });
    const relay = await h.relayFor([{ id: 'fake', upstream, keys: [{ id: 'k1', label: 'main' }] }], { secrets: { k1: PROVIDER_KEY } });
    const completion = await client(relay, 'sk-dummy').chat.completions.create(chatBody as never);
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(upstream.chatRequests()[0]?.apiKey).toBe(PROVIDER_KEY);
  });
});

describe('token helpers', () => {
  it('reads the credential from any header the SDKs use', () => {
    expect(presentedTokens({ authorization: 'Bearer abc' })).toEqual(['abc']);
    expect(presentedTokens({ authorization: 'bearer   abc  ' })).toEqual(['abc']);
    expect(presentedTokens({ 'x-api-key': 'def' })).toEqual(['def']);
    expect(presentedTokens({ 'api-key': 'ghi' })).toEqual(['ghi']);
    expect(presentedTokens({ authorization: 'Basic xyz' })).toEqual([]);
    expect(presentedTokens({})).toEqual([]);
    // A dummy bearer beside the real token in x-api-key: both are considered.
    expect(presentedTokens({ authorization: 'Bearer ollama', 'x-api-key': 'real' })).toEqual(['ollama', 'real']);
  });

  it('compares tokens of any length', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abc', 'abcd')).toBe(false);
    expect(tokensMatch('', 'abc')).toBe(false);
  });
});
