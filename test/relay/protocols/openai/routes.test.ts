import { afterEach, describe, expect, it } from 'vitest';
import { scenarios } from '../../../helpers/fake-upstream.js';
import { createHarness, sdkFor } from '../../../helpers/harness.js';
import { rawPostJson } from '../../../helpers/http.js';

const h = createHarness();
afterEach(() => h.closeAll());

const SECRET = 'sk-live-secret-value-0123456789';

describe('route headers', () => {
  it('names the provider, model, key label and attempt count, never the key itself', async () => {
    const upstream = await h.upstream({ requireKey: SECRET });
    const relay = await h.relayFor([{ id: 'fake', upstream, keys: [{ id: 'k1', label: 'primary' }] }], { secrets: { k1: SECRET } });
    const { data, response } = await sdkFor(relay)
      .chat.completions.create({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-switchboard-provider')).toBe('fake');
    expect(response.headers.get('x-switchboard-model')).toBe('fake-small');
    expect(response.headers.get('x-switchboard-key')).toBe('primary');
    expect(response.headers.get('x-switchboard-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    for (const [, value] of response.headers) expect(value).not.toContain(SECRET.slice(3, 12));
    expect(upstream.chatRequests()[0]?.apiKey).toBe(SECRET);
  });

  it('sends the same headers on a stream, before the first frame', async () => {
    const first = await h.upstream({ behavior: scenarios.serverError(503) });
    const second = await h.upstream();
    const relay = await h.relayFor(
      [
        { id: 'one', upstream: first, keys: [{ id: 'k1', label: 'first-key' }] },
        { id: 'two', upstream: second, keys: [{ id: 'k2', label: 'second-key' }] },
      ],
      { secrets: { k1: 'sk-one-1111', k2: 'sk-two-2222' } },
    );
    const response = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    expect(response.headers['x-switchboard-provider']).toBe('two');
    expect(response.headers['x-switchboard-key']).toBe('second-key');
    expect(response.headers['x-switchboard-attempts']).toBe('2');
    expect(JSON.stringify(response.headers)).not.toContain('sk-two');
  });

  it('omits the key header for a keyless upstream (a local server)', async () => {
    const upstream = await h.upstream();
    const relay = await h.relayFor([{ id: 'local', upstream }]);
    const response = await rawPostJson(relay.port, '/v1/chat/completions', { model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    expect(response.headers['x-switchboard-provider']).toBe('local');
    expect(response.headers['x-switchboard-key']).toBeUndefined();
    expect(upstream.chatRequests()[0]?.headers.authorization).toBeUndefined();
  });
});
