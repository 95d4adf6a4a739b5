import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../relay/config/schema.js';
import { KeyChecker } from '../../../relay/dispatch/key-check.js';
import { ProviderDirectory } from '../../../relay/dispatch/provider-directory.js';
import { KeyPool } from '../../../relay/keys/key-pool.js';
import { MemorySecretStore } from '../../../relay/keys/secret-store.js';
import { createHttpClient } from '../../../relay/providers/http-client.js';

const KEY = { id: 'slow-one', label: 'one', secret: 'sk-slow-0123456789abcdef' };

describe('KeyChecker', () => {
  let server: Server | undefined;
  const held: ServerResponse[] = [];
  afterEach(async () => {
    for (const response of held.splice(0)) response.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('gives up after its time limit and says the provider did not answer', async () => {
    // Accepts the connection, never answers.
    server = createServer((_request, response) => held.push(response));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const keyPool = new KeyPool();
    const http = createHttpClient({ connectTimeoutMs: 1_000, headersTimeoutMs: 10_000 });
    const directory = new ProviderDirectory({ secretStore: new MemorySecretStore({ 'slow-one': KEY.secret }), keyPool, env: {}, http, now: Date.now, detectLocal: false, logger: { warn: () => undefined } });
    await directory.apply(configSchema.parse({ endpoints: [{ id: 'slow', baseUrl: `http://127.0.0.1:${port}/v1`, discovery: false, models: ['m'], keys: [{ id: 'slow-one', label: 'one' }] }] }));
    const probes: string[] = [];
    const checker = new KeyChecker({ directory, keyPool, http, now: Date.now, timeoutMs: 200, probe: async (route) => (probes.push(route.model), { at: 0, source: 'probe', outcome: 'ok' }) });
    const started = Date.now();
    const result = await checker.check('slow', KEY);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ ok: false, outcome: 'unreachable' });
    expect(result.message).toContain('did not answer within 0.2 s');
    expect(result.message).not.toContain(KEY.secret);
    expect(probes).toEqual([]);
    // Not the key's fault: it stays usable.
    expect(keyPool.state('slow', 'slow-one', Date.now())).toEqual({ status: 'ok' });
  });

  it('answers for a provider the relay does not know without calling anything', async () => {
    const keyPool = new KeyPool();
    const http = createHttpClient({ connectTimeoutMs: 1_000, headersTimeoutMs: 1_000 });
    const directory = new ProviderDirectory({ secretStore: new MemorySecretStore(), keyPool, env: {}, http, now: Date.now, detectLocal: false, logger: { warn: () => undefined } });
    await directory.apply(configSchema.parse({}));
    const checker = new KeyChecker({ directory, keyPool, http, now: Date.now, probe: () => Promise.reject(new Error('no probe expected')) });
    expect(await checker.check('nowhere', KEY)).toMatchObject({ ok: false, outcome: 'error' });
  });
});
