import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeEmbedding } from '../../../helpers/fake-upstream.js';
import { createHarness } from '../../../helpers/harness.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

async function setup() {
  const upstream = await h.upstream();
  const relay = await h.relayFor([{ id: 'fake', upstream, models: ['fake-embed'] }]);
  return { upstream, relay, client: new Ollama({ host: relay.url }) };
}

describe('Ollama embeddings', () => {
  it('POST /api/embed returns one vector per input with counts and timings', async () => {
    const { client, upstream } = await setup();
    const result = await client.embed({ model: 'fake-embed', input: ['hello', 'world'] });
    expect(result.model).toBe('fake-embed');
    expect(result.embeddings).toEqual([fakeEmbedding('hello'), fakeEmbedding('world')]);
    expect(result.prompt_eval_count).toBeGreaterThan(0);
    expect(Number.isInteger(result.total_duration)).toBe(true);
    expect(result.load_duration).toBe(0);
    const single = await client.embed({ model: 'fake-embed:latest', input: 'hello', dimensions: 4 });
    expect(single.embeddings).toEqual([fakeEmbedding('hello', 4)]);
    expect(upstream.requests.filter((request) => request.path.endsWith('/embeddings')).at(-1)?.body).toMatchObject({ model: 'fake-embed', input: ['hello'], dimensions: 4 });
  });

  it('POST /api/embeddings (legacy) returns one vector; an empty prompt only loads', async () => {
    const { client, upstream } = await setup();
    expect(await client.embeddings({ model: 'fake-embed', prompt: 'hello' })).toEqual({ embedding: fakeEmbedding('hello') });
    const calls = upstream.requests.length;
    expect(await client.embeddings({ model: 'fake-embed', prompt: '' })).toEqual({ embedding: [] });
    expect(await client.embed({ model: 'fake-embed', input: [] })).toMatchObject({ embeddings: [] });
    expect(upstream.requests.length).toBe(calls);
    await expect(client.embed({ model: 'nope', input: 'x' })).rejects.toMatchObject({ status_code: 404, message: expect.stringMatching(/^model 'nope' not found/) });
  });
});
