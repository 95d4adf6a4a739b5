import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness } from '../../../helpers/harness.js';
import { FAST_TIMEOUTS, rawPostJson, rawRequest } from '../../../helpers/http.js';
import { endpointsConfig } from '../../../helpers/start-relay.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

/** Models found by discovery, so the relay knows their context windows. */
async function setup() {
  const upstream = await h.upstream({ models: [{ id: 'fake-small', contextWindow: 8192 }, { id: 'llama-3.3-70b', contextWindow: 131072 }] });
  const relay = await h.relay({ config: endpointsConfig([{ id: 'fake', baseUrl: upstream.url, discovery: true }], { timeouts: FAST_TIMEOUTS }) });
  await relay.relay.discovered();
  return { upstream, relay, client: new Ollama({ host: relay.url }) };
}

describe('Ollama model endpoints (emulated from the relay model list)', () => {
  it('GET /api/tags lists every servable id with name and model, details and a digest', async () => {
    const { client, relay } = await setup();
    const { models } = await client.list();
    const names = models.map((model) => model.name);
    expect(names).toEqual(expect.arrayContaining(['auto-fastest', 'fake-small', 'llama-3.3-70b', 'fake/fake-small']));
    for (const model of models) {
      expect(model.model).toBe(model.name);
      expect(model.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(model.size).toBe(0);
      expect(new Date(String(model.modified_at)).getTime()).not.toBeNaN();
      expect(Object.keys(model.details).sort()).toEqual(['families', 'family', 'format', 'parameter_size', 'parent_model', 'quantization_level']);
    }
    const llama = models.find((model) => model.name === 'llama-3.3-70b');
    expect(llama?.details).toMatchObject({ family: 'llama', families: ['llama'], parameter_size: '70B' });
    const head = await rawRequest(relay.port, { method: 'HEAD', path: '/api/tags', headers: { host: `127.0.0.1:${relay.port}` } });
    expect(head.status).toBe(200);
  });

  it('POST /api/show answers for `model`, legacy `name` and `x:latest`, with context length and capabilities', async () => {
    const { client, relay } = await setup();
    const show = await client.show({ model: 'llama-3.3-70b' });
    expect(show.capabilities).toEqual(expect.arrayContaining(['completion', 'tools']));
    expect(show.details).toMatchObject({ family: 'llama' });
    const info = show.model_info as unknown as Record<string, unknown>;
    expect(info['general.architecture']).toBe('llama');
    expect(info['llama.context_length']).toBe(131072);
    expect(show.modelfile).toContain('FROM llama-3.3-70b');
    expect(typeof show.template).toBe('string');
    expect(new Date(String(show.modified_at)).getTime()).not.toBeNaN();

    const legacy = await rawPostJson(relay.port, '/api/show', { name: 'fake-small:latest' });
    expect(legacy.status).toBe(200);
    expect(legacy.json.model_info).toMatchObject({ 'general.architecture': 'switchboard', 'switchboard.context_length': 8192 });

    await expect(client.show({ model: 'no-such-model' })).rejects.toMatchObject({ status_code: 404, message: "model 'no-such-model' not found" });
    const missing = await rawPostJson(relay.port, '/api/show', {});
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error: 'model is required' });
  });

  it('GET /api/ps lists recently used models with an RFC 3339 expires_at, GET /api/version a semver', async () => {
    const { client } = await setup();
    expect(await client.ps()).toEqual({ models: [] });
    const before = Date.now();
    await client.chat({ model: 'fake-small:latest', messages: [{ role: 'user', content: 'hi' }], keep_alive: '10m' });
    const { models } = await client.ps();
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: 'fake-small', model: 'fake-small', size_vram: 0 });
    const expires = String(models[0]?.expires_at);
    expect(expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    expect(new Date(expires).getTime()).toBeGreaterThanOrEqual(before + 10 * 60_000 - 1000);
    expect((models[0] as unknown as { context_length: number }).context_length).toBe(8192);

    const { version } = await client.version();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('pull succeeds for a servable model (streamed or not); management endpoints answer 501 {error}', async () => {
    const { client, relay } = await setup();
    expect(await client.pull({ model: 'fake-small' })).toEqual({ status: 'success' });
    const stream = await client.pull({ model: 'fake-small:latest', stream: true });
    const statuses = [];
    for await (const part of stream) statuses.push(part.status);
    expect(statuses).toEqual(['success']);
    await expect(client.pull({ model: 'not-served' })).rejects.toMatchObject({ status_code: 501, message: expect.stringMatching(/not supported/) });

    await expect(client.delete({ model: 'fake-small' })).rejects.toMatchObject({ status_code: 501 });
    await expect(client.copy({ source: 'fake-small', destination: 'mine' })).rejects.toMatchObject({ status_code: 501 });
    await expect(client.create({ model: 'mine', from: 'fake-small' })).rejects.toMatchObject({ status_code: 501 });
    await expect(client.push({ model: 'fake-small' })).rejects.toMatchObject({ status_code: 501 });
    const blob = await rawRequest(relay.port, { method: 'HEAD', path: '/api/blobs/sha256:abc', headers: { host: `127.0.0.1:${relay.port}` } });
    expect(blob.status).toBe(501);
    const unknown = await rawPostJson(relay.port, '/api/nothing-here', {});
    expect(unknown.status).toBe(404);
    expect(typeof unknown.json.error).toBe('string');
  });
});
