import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addEndpoint,
  addKey,
  listEndpoints,
  listKeys,
  OperationError,
  removeEndpoint,
  removeKey,
  updateProvider,
  type OperationsContext,
} from '../../../relay/admin/operations.js';
import { ConfigStore, type ConfigSource } from '../../../relay/config/config-store.js';
import type { Config } from '../../../relay/config/schema.js';
import { MemorySecretStore } from '../../../relay/keys/secret-store.js';
import { providerCatalog } from '../../../relay/providers/catalog.js';

const CANARY = 'sk-canary-0123456789abcdef';

async function rejection(promise: Promise<unknown>): Promise<OperationError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OperationError);
  return error as OperationError;
}

describe('admin operations', () => {
  let dir: string;
  let config: ConfigStore;
  let secrets: MemorySecretStore;
  let ctx: OperationsContext;
  let counter: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-ops-'));
    config = await ConfigStore.open(join(dir, 'cfg'), { logger: { warn: () => undefined } });
    secrets = new MemorySecretStore();
    counter = 0;
    ctx = { config, secrets, catalog: providerCatalog, env: {}, now: () => Date.UTC(2026, 0, 2), randomSuffix: () => `r${String(++counter).padStart(7, '0')}` };
  });

  afterEach(async () => {
    await config.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('keys', () => {
    it('stores the secret under a new id and a reference in the settings', async () => {
      const view = await addKey(ctx, 'groq', `  ${CANARY}\n`, { models: ['llama-*'] });
      expect(view).toEqual({
        provider: 'groq',
        id: 'groq-r0000001',
        label: 'key-1',
        masked: '…cdef',
        source: 'stored',
        models: ['llama-*'],
        addedAt: '2026-01-02T00:00:00.000Z',
      });
      expect(await secrets.get('groq-r0000001')).toBe(CANARY);
      expect(config.get().providers.groq?.keys).toEqual([{ id: 'groq-r0000001', label: 'key-1', models: ['llama-*'], addedAt: '2026-01-02T00:00:00.000Z' }]);
      expect(JSON.stringify(config.get())).not.toContain(CANARY);
    });

    it('numbers default labels and refuses a label twice', async () => {
      await addKey(ctx, 'groq', 'gsk_first_key_1111');
      const second = await addKey(ctx, 'groq', 'gsk_second_key_2222');
      expect(second.label).toBe('key-2');
      await addKey(ctx, 'groq', 'gsk_third_key_3333', { label: 'work' });
      const error = await rejection(addKey(ctx, 'groq', 'gsk_fourth_key_4444', { label: 'WORK' }));
      expect(error.status).toBe(409);
      expect(error.code).toBe('duplicate_label');
      expect(await secrets.list()).toHaveLength(3);
    });

    it('refuses a key that is already stored or set in the environment', async () => {
      await addKey(ctx, 'groq', CANARY);
      const stored = await rejection(addKey(ctx, 'groq', ` ${CANARY} `));
      expect(stored.code).toBe('duplicate_key');
      expect(stored.message).toContain("'key-1'");
      expect(stored.message).not.toContain(CANARY);

      const withEnv = { ...ctx, env: { GEMINI_API_KEY: 'AIza-env-key-abcdefgh' } };
      const fromEnv = await rejection(addKey(withEnv, 'gemini', 'AIza-env-key-abcdefgh'));
      expect(fromEnv.message).toContain('GEMINI_API_KEY');
      expect(await secrets.list()).toHaveLength(1);
    });

    it('names the valid providers when the provider is unknown', async () => {
      const error = await rejection(addKey(ctx, 'groqq', CANARY));
      expect(error.status).toBe(404);
      expect(error.message).toContain("Unknown provider 'groqq'");
      expect(error.message).toContain('groq, cerebras');
      expect(await secrets.list()).toEqual([]);
    });

    it('rejects empty keys and control characters without echoing them', async () => {
      expect((await rejection(addKey(ctx, 'groq', '   '))).code).toBe('invalid_key');
      const error = await rejection(addKey(ctx, 'groq', 'sk-abc\u0007defghijk'));
      expect(error.message).toContain('control character');
      expect(error.message).not.toContain('sk-abc');
      expect(await rejection(addKey(ctx, 'groq', 'line-one\nline-two'))).toBeInstanceOf(OperationError);
      expect(await secrets.list()).toEqual([]);
      expect(config.get().providers.groq).toBeUndefined();
    });

    it('lists keys masked, with environment keys read-only', async () => {
      await addKey(ctx, 'groq', CANARY, { label: 'mine' });
      const env = { GROQ_API_KEY: 'gsk_env_one_aaaa1111', GROQ_API_KEY_2: 'gsk_env_two_bbbb2222', OPENAI_API_KEY: 'sk-openai-cccc3333' };
      const all = await listKeys({ ...ctx, env });
      expect(all.map((key) => [key.provider, key.label, key.masked, key.source])).toEqual([
        ['groq', 'mine', '…cdef', 'stored'],
        ['groq', 'GROQ_API_KEY', '…1111', 'env'],
        ['groq', 'GROQ_API_KEY_2', '…2222', 'env'],
        ['openai', 'OPENAI_API_KEY', '…3333', 'env'],
      ]);
      expect(JSON.stringify(all)).not.toMatch(/sk-canary|gsk_env|sk-openai/);
      expect((await listKeys({ ...ctx, env }, 'openai')).map((key) => key.id)).toEqual(['env:OPENAI_API_KEY']);
    });

    it('marks a stored key whose secret is missing', async () => {
      await addKey(ctx, 'groq', CANARY);
      await secrets.delete('groq-r0000001');
      const [key] = await listKeys(ctx, 'groq');
      expect(key).toMatchObject({ label: 'key-1', missing: true, masked: '(missing)' });
    });

    it('removes a key by label or id, secret included', async () => {
      await addKey(ctx, 'groq', 'gsk_first_key_1111');
      await addKey(ctx, 'groq', 'gsk_second_key_2222', { label: 'backup' });
      const removed = await removeKey(ctx, 'groq', 'backup');
      expect(removed).toMatchObject({ label: 'backup', masked: '…2222' });
      expect(await secrets.get('groq-r0000002')).toBeUndefined();
      await removeKey(ctx, 'groq', 'groq-r0000001');
      expect(config.get().providers.groq?.keys).toEqual([]);
      expect(await secrets.list()).toEqual([]);
      const unknown = await rejection(removeKey(ctx, 'groq', 'nope'));
      expect(unknown.status).toBe(404);
    });

    it('refuses to remove an environment key and says to unset the variable', async () => {
      const env = { GROQ_API_KEY: 'gsk_env_one_aaaa1111' };
      for (const name of ['GROQ_API_KEY', 'env:GROQ_API_KEY']) {
        const error = await rejection(removeKey({ ...ctx, env }, 'groq', name));
        expect(error.code).toBe('env_key_read_only');
        expect(error.message).toContain('unset the variable GROQ_API_KEY');
      }
    });

    it('adds keys to a custom endpoint', async () => {
      await addEndpoint(ctx, 'local-vllm', 'http://127.0.0.1:8000/v1');
      const view = await addKey(ctx, 'local-vllm', CANARY);
      expect(view.id).toBe('local-vllm-r0000001');
      expect(config.get().endpoints[0]?.keys.map((ref) => ref.label)).toEqual(['key-1']);
      expect(config.get().providers['local-vllm']).toBeUndefined();
    });
  });

  describe('write order', () => {
    it('deletes the new secret again when the settings cannot be saved', async () => {
      const failing: ConfigSource = {
        get: () => config.get(),
        update: () => Promise.reject(new Error('disk full')),
        subscribe: () => () => undefined,
        problem: undefined,
      };
      const error = await rejection(addKey({ ...ctx, config: failing }, 'groq', CANARY));
      expect(error.message).toContain('disk full');
      expect(await secrets.list()).toEqual([]);

      const endpointError = await rejection(addEndpoint({ ...ctx, config: failing }, 'x', 'http://127.0.0.1:9/v1', { key: CANARY }));
      expect(endpointError.message).toContain('disk full');
      expect(await secrets.list()).toEqual([]);
    });

    it('writes no settings when the secret cannot be stored', async () => {
      const broken = new MemorySecretStore();
      broken.set = () => Promise.reject(new Error('store locked'));
      const error = await rejection(addKey({ ...ctx, secrets: broken }, 'groq', CANARY));
      expect(error.message).toContain('store locked');
      expect(config.get().providers.groq).toBeUndefined();
    });

    it('writes the secret before the settings that name it', async () => {
      const order: string[] = [];
      const watching: ConfigSource = {
        get: () => config.get(),
        update: async (mutate) => {
          order.push(`config (secret stored: ${(await secrets.list()).length === 1})`);
          return config.update(mutate);
        },
        subscribe: () => () => undefined,
        problem: undefined,
      };
      await addKey({ ...ctx, config: watching }, 'groq', CANARY);
      expect(order).toEqual(['config (secret stored: true)']);
    });

    it('refuses to write over an invalid settings file and keeps no secret', async () => {
      const invalid: ConfigSource = {
        get: () => config.get(),
        update: () => Promise.reject(new Error('Settings not saved: the settings file must be fixed first')),
        subscribe: () => () => undefined,
        problem: 'config.json is not valid JSON',
      };
      const error = await rejection(addKey({ ...ctx, config: invalid }, 'groq', CANARY));
      expect(error.status).toBe(409);
      expect(error.code).toBe('config_invalid');
      expect(await secrets.list()).toEqual([]);
    });
  });

  describe('endpoints', () => {
    it('adds an endpoint with its key as a secret, and removes both', async () => {
      const { endpoint, warnings } = await addEndpoint(ctx, 'vllm', 'http://127.0.0.1:8000/v1', {
        key: CANARY,
        headers: { 'X-Team': 'blue' },
        discovery: false,
        models: ['qwen3-coder'],
        free: true,
      });
      expect(warnings).toEqual([]);
      expect(endpoint).toEqual({
        id: 'vllm',
        baseUrl: 'http://127.0.0.1:8000/v1',
        enabled: true,
        discovery: false,
        models: ['qwen3-coder'],
        headerNames: ['X-Team'],
        free: true,
        keys: [{ provider: 'vllm', id: 'vllm-r0000001', label: 'key-1', masked: '…cdef', source: 'stored', addedAt: '2026-01-02T00:00:00.000Z' }],
      });
      expect(await secrets.get('vllm-r0000001')).toBe(CANARY);
      expect(config.get().endpoints[0]).toMatchObject({ id: 'vllm', headers: { 'X-Team': 'blue' }, keys: [{ id: 'vllm-r0000001' }] });
      expect(await listEndpoints(ctx)).toEqual([endpoint]);

      const removed = await removeEndpoint(ctx, 'vllm');
      expect(removed.deletedKeys).toBe(1);
      expect(config.get().endpoints).toEqual([]);
      expect(await secrets.list()).toEqual([]);
    });

    it('validates name, base URL and headers', async () => {
      expect((await rejection(addEndpoint(ctx, 'groq', 'https://example.com/v1'))).code).toBe('name_taken');
      expect((await rejection(addEndpoint(ctx, 'Bad Name', 'https://example.com/v1'))).code).toBe('invalid_name');
      expect((await rejection(addEndpoint(ctx, 'x', 'ftp://example.com'))).code).toBe('invalid_base_url');
      expect((await rejection(addEndpoint(ctx, 'x', 'https://user:pw@example.com/v1'))).code).toBe('invalid_base_url');
      const credential = await rejection(addEndpoint(ctx, 'x', 'https://example.com/v1', { headers: { Authorization: `Bearer ${CANARY}` } }));
      expect(credential.code).toBe('credential_header');
      expect(credential.message).not.toContain(CANARY);
      expect((await rejection(addEndpoint(ctx, 'x', 'https://example.com/v1', { headers: JSON.parse('{"__proto__":"x"}') as Record<string, string> }))).status).toBe(400);
      await addEndpoint(ctx, 'x', 'https://example.com/v1');
      expect((await rejection(addEndpoint(ctx, 'x', 'https://example.com/v1'))).code).toBe('name_taken');
      expect(config.get().endpoints).toHaveLength(1);
    });

    it('warns about plain http beyond loopback and endpoints without models', async () => {
      const { warnings } = await addEndpoint(ctx, 'lan', 'http://192.168.1.20:8000/v1', { discovery: false });
      expect(warnings.join(' ')).toContain('unencrypted');
      expect(warnings.join(' ')).toContain('serves no models');
    });

    it('removes a removed endpoint from the routing priority', async () => {
      await addEndpoint(ctx, 'vllm', 'http://127.0.0.1:8000/v1');
      await config.update((draft: Config) => {
        draft.routing.priority = ['vllm', 'groq'];
      });
      await removeEndpoint(ctx, 'vllm');
      expect(config.get().routing.priority).toEqual(['groq']);
      expect((await rejection(removeEndpoint(ctx, 'vllm'))).status).toBe(404);
    });
  });

  describe('providers', () => {
    it('needs confirmKeys to move a provider with keys to another base URL', async () => {
      await updateProvider(ctx, 'openai', { baseUrl: 'https://proxy.example/v1' });
      expect(config.get().providers.openai?.baseUrl).toBe('https://proxy.example/v1');

      await addKey(ctx, 'groq', CANARY);
      const error = await rejection(updateProvider(ctx, 'groq', { baseUrl: 'https://evil.example/v1' }));
      expect(error.status).toBe(409);
      expect(error.code).toBe('confirm_keys_required');
      expect(config.get().providers.groq?.baseUrl).toBeUndefined();
      await updateProvider(ctx, 'groq', { baseUrl: 'https://evil.example/v1', confirmKeys: true });
      expect(config.get().providers.groq?.baseUrl).toBe('https://evil.example/v1');
      await updateProvider(ctx, 'groq', { baseUrl: null, confirmKeys: true });
      expect(config.get().providers.groq?.baseUrl).toBeUndefined();
    });

    it('counts environment keys too', async () => {
      const error = await rejection(updateProvider({ ...ctx, env: { GROQ_API_KEY: 'gsk_env_one_aaaa1111' } }, 'groq', { baseUrl: 'https://evil.example/v1' }));
      expect(error.code).toBe('confirm_keys_required');
    });

    it('turns providers and endpoints on and off', async () => {
      await updateProvider(ctx, 'groq', { enabled: false });
      expect(config.get().providers.groq?.enabled).toBe(false);
      await addEndpoint(ctx, 'vllm', 'http://127.0.0.1:8000/v1');
      await updateProvider(ctx, 'vllm', { enabled: false });
      expect(config.get().endpoints[0]?.enabled).toBe(false);
      expect((await rejection(updateProvider(ctx, 'groq', {}))).code).toBe('empty_patch');
    });
  });
});
