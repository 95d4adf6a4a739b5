import { afterEach, describe, expect, it } from 'vitest';
import { fakeEmbedding } from '../../../helpers/fake-upstream.js';
import { createHarness, sdkFor } from '../../../helpers/harness.js';
import { rawPostJson } from '../../../helpers/http.js';

const h = createHarness();
afterEach(() => h.closeAll());

async function setup() {
  const upstream = await h.upstream();
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-embed'] }]);
  return { upstream, relay, client: sdkFor(relay) };
}

describe('POST /v1/embeddings', () => {
  it('gives the SDK (which asks for base64 by default) the exact floats', async () => {
    const { client, upstream } = await setup();
    const result = await client.embeddings.create({ model: 'fake-embed', input: ['hello', 'world'] });
    expect(result.object).toBe('list');
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.index).toBe(0);
    expect(result.data[0]?.embedding).toEqual(fakeEmbedding('hello'));
    expect(result.data[1]?.embedding).toEqual(fakeEmbedding('world'));
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    const sent = upstream.requests.find((request) => request.path.endsWith('/embeddings'));
    expect(sent?.body).toMatchObject({ model: 'fake-embed', input: ['hello', 'world'] });
  });

  it("returns float arrays for encoding_format 'float'", async () => {
    const { client } = await setup();
    const result = await client.embeddings.create({ model: 'fake-embed', input: 'hello', encoding_format: 'float' });
    expect(result.data[0]?.embedding).toEqual(fakeEmbedding('hello'));
  });

  it('returns base64 little-endian float32 when asked for base64, and floats when the field is absent', async () => {
    const { relay } = await setup();
    const b64 = await rawPostJson(relay.port, '/v1/embeddings', { model: 'fake-embed', input: 'hello', encoding_format: 'base64' });
    expect(b64.status).toBe(200);
    const bytes = Buffer.from(b64.json.data[0].embedding as string, 'base64');
    expect(Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4))).toEqual(fakeEmbedding('hello'));
    const plain = await rawPostJson(relay.port, '/embeddings', { model: 'fake-embed', input: 'hello' });
    expect(plain.status).toBe(200);
    expect(plain.json.data[0].embedding).toEqual(fakeEmbedding('hello'));
    expect(plain.headers['x-switchboard-provider']).toBe('fake');
  });

  it('forwards dimensions', async () => {
    const { client, upstream } = await setup();
    const result = await client.embeddings.create({ model: 'fake-embed', input: 'hello', dimensions: 4, encoding_format: 'float' });
    expect(result.data[0]?.embedding).toHaveLength(4);
    expect(upstream.requests.at(-1)?.body.dimensions).toBe(4);
  });
});
