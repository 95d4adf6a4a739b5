import { NotFoundError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, sdkFor } from '../../../helpers/harness.js';
import { expectOpenAiErrorShape, rawRequest } from '../../../helpers/http.js';

const h = createHarness();
afterEach(() => h.closeAll());

async function setup() {
  const upstream = await h.upstream();
  const second = await h.upstream();
  const relay = await h.relayFor([
    { id: 'fake', upstream, models: ['fake-small', 'meta/llama-3.3-70b-instruct'] },
    { id: 'other', upstream: second, models: ['fake-small'] },
  ]);
  return { relay, client: sdkFor(relay), upstream, second };
}

describe('GET /v1/models', () => {
  it('lists virtual ids, each model group once and every provider/model route', async () => {
    const { client } = await setup();
    const page = await client.models.list();
    const ids = page.data.map((model) => model.id);
    expect(ids).toContain('auto-fastest');
    expect(ids.filter((id) => id === 'fake-small')).toHaveLength(1);
    expect(ids).toEqual(expect.arrayContaining(['fake/fake-small', 'other/fake-small', 'llama-3.3-70b', 'fake/meta/llama-3.3-70b-instruct']));
    // Bare upstream ids are served, but listed only through their group.
    expect(ids).not.toContain('meta/llama-3.3-70b-instruct');
    for (const model of page.data) {
      expect(model.object).toBe('model');
      expect(Number.isInteger(model.created)).toBe(true);
      expect(typeof model.owned_by).toBe('string');
    }
  });

  it('retrieves one model, also when its id has slashes (the SDK percent-encodes them)', async () => {
    const { client, relay } = await setup();
    const model = await client.models.retrieve('meta/llama-3.3-70b-instruct');
    expect(model).toMatchObject({ id: 'meta/llama-3.3-70b-instruct', object: 'model', owned_by: 'fake' });
    const route = await client.models.retrieve('fake/meta/llama-3.3-70b-instruct');
    expect(route.id).toBe('fake/meta/llama-3.3-70b-instruct');
    // Other clients send the slashes raw.
    const raw = await rawRequest(relay.port, { path: '/v1/models/fake/meta/llama-3.3-70b-instruct', headers: { host: `127.0.0.1:${relay.port}` } });
    expect(raw.status).toBe(200);
    expect(raw.json.id).toBe('fake/meta/llama-3.3-70b-instruct');
  });

  it('answers 404 model_not_found for an unknown id', async () => {
    const { client, relay, upstream, second } = await setup();
    await expect(client.models.retrieve('no/such-model')).rejects.toBeInstanceOf(NotFoundError);
    const raw = await rawRequest(relay.port, { path: '/v1/models/no%2Fsuch-model', headers: { host: `127.0.0.1:${relay.port}` } });
    expect(raw.status).toBe(404);
    expect(expectOpenAiErrorShape(raw.json).code).toBe('model_not_found');
    expect(upstream.requests.length + second.requests.length).toBe(0);
  });

  it('answers a malformed percent-encoding in the id with a JSON 4xx, not a 500', async () => {
    const { relay } = await setup();
    const raw = await rawRequest(relay.port, { path: '/v1/models/%E0%A4%A', headers: { host: `127.0.0.1:${relay.port}` } });
    expect(raw.status).toBeGreaterThanOrEqual(400);
    expect(raw.status).toBeLessThan(500);
    expectOpenAiErrorShape(raw.json);
    expect(raw.text).not.toMatch(/URIError|at .*\.js/);
  });

  it('serves /models and /models/{id} without the /v1 prefix', async () => {
    const { relay } = await setup();
    const client = sdkFor(relay, { v1: false });
    expect((await client.models.list()).data.map((model) => model.id)).toContain('fake-small');
    expect((await client.models.retrieve('fake/fake-small')).id).toBe('fake/fake-small');
  });
});
