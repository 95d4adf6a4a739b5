import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../relay/config/schema.js';
import { ProviderDirectory } from '../../../relay/dispatch/provider-directory.js';
import { KeyPool } from '../../../relay/keys/key-pool.js';
import { MemorySecretStore } from '../../../relay/keys/secret-store.js';
import type { HttpClient } from '../../../relay/providers/http-client.js';

const noHttp: HttpClient = async () => {
  throw new Error('no network in this test');
};

async function directoryWith(secrets: Record<string, string>, endpoints: unknown[], routing: Record<string, unknown> = {}) {
  const keyPool = new KeyPool();
  const warnings: string[] = [];
  const directory = new ProviderDirectory({
    secretStore: new MemorySecretStore(secrets),
    keyPool,
    env: {},
    http: noHttp,
    now: () => 0,
    detectLocal: false,
    logger: { warn: (message) => warnings.push(message) },
  });
  await directory.apply(configSchema.parse({ endpoints, routing }));
  return { directory, keyPool, warnings };
}

const endpoint = (id: string, extra: Record<string, unknown> = {}) => ({ id, baseUrl: `http://127.0.0.1:9/${id}/v1`, discovery: false, models: ['m'], ...extra });

describe('ProviderDirectory', () => {
  it('loads stored keys trimmed, so a pasted trailing newline cannot break every request', async () => {
    const { keyPool } = await directoryWith({ k1: '  sk-pasted\n', k2: 'sk-clean' }, [endpoint('p', { keys: [{ id: 'k1', label: 'pasted' }, { id: 'k2', label: 'clean' }] })]);
    expect(keyPool.keysFor('p', 'm', 0).usable.map((key) => key.secret).sort()).toEqual(['sk-clean', 'sk-pasted']);
  });

  it('skips a stored key that is blank or holds CR, LF or NUL inside (unusable in a header), and says so', async () => {
    const { keyPool, warnings } = await directoryWith({ bad: 'sk-a\r\nX-Evil: 1', nul: 'sk-b\u0000c', blank: '   ', good: 'sk-good' }, [
      endpoint('p', {
        keys: [
          { id: 'bad', label: 'bad' },
          { id: 'nul', label: 'nul' },
          { id: 'blank', label: 'blank' },
          { id: 'good', label: 'good' },
        ],
      }),
    ]);
    expect(keyPool.keysFor('p', 'm', 0).usable.map((key) => key.label)).toEqual(['good']);
    expect(warnings.filter((warning) => /bad|nul|blank/.test(warning))).toHaveLength(3);
    expect(warnings.join('\n')).not.toContain('sk-');
  });

  it('skips a configured key whose secret is missing, with a warning', async () => {
    const { keyPool, warnings } = await directoryWith({}, [endpoint('p', { keys: [{ id: 'gone', label: 'gone' }] })]);
    expect(keyPool.hasKeys('p')).toBe(false);
    expect(warnings.some((warning) => warning.includes("'gone'"))).toBe(true);
  });

  it('ranks routes by routing.priority and leaves disabled endpoints out', async () => {
    const { directory } = await directoryWith({}, [endpoint('a'), endpoint('b'), endpoint('off', { enabled: false })], { priority: ['b', 'a'] });
    const routes = directory.routes().filter((route) => ['a', 'b', 'off'].includes(route.providerId));
    expect(routes.map((route) => route.providerId).sort()).toEqual(['a', 'b']);
    const rank = (id: string) => routes.find((route) => route.providerId === id)?.rank ?? -1;
    expect(rank('b')).toBeLessThan(rank('a'));
  });
});

describe('local servers', () => {
  it('finds a local Ollama when it answers, serves it without a key, and notices when it goes away', async () => {
    const { startFakeUpstream } = await import('../../helpers/fake-upstream.js');
    const { createHttpClient } = await import('../../../relay/providers/http-client.js');
    const ollama = await startFakeUpstream({ models: [{ id: 'llama3.2:latest' }] });
    try {
      const keyPool = new KeyPool();
      const directory = new ProviderDirectory({
        secretStore: new MemorySecretStore(),
        keyPool,
        env: {},
        http: createHttpClient({ connectTimeoutMs: 1_000, headersTimeoutMs: 2_000 }),
        now: () => 0,
        detectLocal: true,
        logger: { warn: () => undefined },
      });
      await directory.apply(configSchema.parse({ providers: { ollama: { baseUrl: ollama.url }, lmstudio: { baseUrl: 'http://127.0.0.1:9/v1' } } }));
      const ollamaRuntime = directory.get('ollama');
      if (!ollamaRuntime) throw new Error('ollama is in the catalog');
      expect(directory.status(ollamaRuntime)).toBe('not-detected');
      await directory.discover((runtime) => runtime.local && runtime.detected !== true);
      expect(directory.status(ollamaRuntime)).toBe('ready');
      expect(directory.routes().map((route) => `${route.providerId}/${route.model}`)).toEqual(['ollama/llama3.2:latest']);
      expect(directory.status(directory.get('lmstudio') ?? ollamaRuntime)).toBe('not-detected');
      await ollama.close();
      await directory.discover('ollama');
      expect(directory.status(ollamaRuntime)).toBe('not-detected');
      expect(directory.routes()).toEqual([]);
    } finally {
      await ollama.close().catch(() => undefined);
    }
  });
});
