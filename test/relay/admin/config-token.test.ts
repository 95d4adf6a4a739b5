import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSealed, type TokenPayload } from '../../../relay/admin/config-token-format.js';
import { addEndpoint, addKey, applyImport, exportToken, listKeys, OperationError, previewImport, updateProvider, type OperationsContext } from '../../../relay/admin/operations.js';
import { ConfigStore, type ConfigSource } from '../../../relay/config/config-store.js';
import type { Config } from '../../../relay/config/schema.js';
import { MemorySecretStore } from '../../../relay/keys/secret-store.js';
import { providerCatalog } from '../../../relay/providers/catalog.js';

const CANARY = 'sk-canary-0123456789abcdef';
const CANARY_2 = 'csk-second-canary-77778888';
const PASSPHRASE = 'correct horse battery';

async function rejection(promise: Promise<unknown>): Promise<OperationError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OperationError);
  return error as OperationError;
}

/** The canary as it would look base64-encoded at any of the three byte alignments. */
function base64Forms(secret: string): string[] {
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift, 0x22), Buffer.from(secret)]).toString('base64url');
    // Drop the characters that mix in the padding bytes and the tail's partial group.
    forms.push(encoded.slice(Math.ceil((shift * 4) / 3) + 1, -3));
  }
  return forms;
}

function plainJson(token: string): string {
  return Buffer.from(token.slice('sbcfg1.plain.'.length), 'base64url').toString('utf8');
}

function plainToken(json: string): string {
  return `sbcfg1.plain.${Buffer.from(json, 'utf8').toString('base64url')}`;
}

interface Machine {
  dir: string;
  config: ConfigStore;
  secrets: MemorySecretStore;
  ctx: OperationsContext;
}

describe('config tokens', () => {
  let root: string;
  let a: Machine;
  let b: Machine;
  let counter = 0;

  async function machine(name: string): Promise<Machine> {
    const dir = join(root, name);
    const config = await ConfigStore.open(dir, { logger: { warn: () => undefined } });
    const secrets = new MemorySecretStore();
    const ctx: OperationsContext = { config, secrets, catalog: providerCatalog, env: {}, now: () => Date.UTC(2026, 0, 2), randomSuffix: () => `r${String(++counter).padStart(7, '0')}` };
    return { dir, config, secrets, ctx };
  }

  /** Machine A: keys for groq, a custom endpoint with a key, mistral off, its own server port. */
  async function setUpA(): Promise<void> {
    await addKey(a.ctx, 'groq', CANARY, { label: 'main', models: ['llama-*'] });
    await addEndpoint(a.ctx, 'local-vllm', 'http://127.0.0.1:8000/v1', { key: CANARY_2, models: ['qwen'], discovery: false, headers: { 'X-Team': 'blue' } });
    await updateProvider(a.ctx, 'mistral', { enabled: false });
    await a.config.update((draft) => {
      draft.server.port = 5050;
      draft.server.allowedOrigins = ['https://a.example'];
      draft.routing.policy = 'any';
      draft.routing.priority = ['local-vllm', 'groq'];
      draft.timeouts.firstTokenMs = 30_000;
    });
  }

  const fileBytes = (m: Machine) => readFile(m.config.file);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-token-'));
    a = await machine('a');
    b = await machine('b');
    await setUpA();
  });

  afterEach(async () => {
    await a.config.close();
    await b.config.close();
    await rm(root, { recursive: true, force: true });
  });

  describe('export', () => {
    it('makes a plain token of the settings without keys, server section or key references', async () => {
      const result = await exportToken(a.ctx, { includeKeys: false });
      expect(result).toMatchObject({ includesKeys: false, keyCount: 0, warnings: [] });
      expect(result.token).toMatch(/^sbcfg1\.plain\.[A-Za-z0-9_-]+$/);
      const json = plainJson(result.token);
      for (const secret of [CANARY, CANARY_2]) {
        expect(result.token).not.toContain(secret);
        expect(json).not.toContain(secret);
        for (const form of base64Forms(secret)) expect(result.token).not.toContain(form);
      }
      const payload = JSON.parse(json) as TokenPayload & { config: Config };
      expect(payload).toMatchObject({ format: 1, app: 'switchboard', createdAt: '2026-01-02T00:00:00.000Z' });
      expect(payload.keys).toBeUndefined();
      expect(payload.config).not.toHaveProperty('server');
      expect(payload.config.providers.groq?.keys).toEqual([]);
      expect(payload.config.endpoints[0]).toMatchObject({ id: 'local-vllm', keys: [], headers: { 'X-Team': 'blue' } });
    });

    it('seals a token with keys; the keys never appear in it, in any encoding', async () => {
      const result = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      expect(result).toMatchObject({ includesKeys: true, keyCount: 2 });
      expect(result.token).toMatch(/^sbcfg1\.sealed\.[A-Za-z0-9_-]+$/);
      for (const secret of [CANARY, CANARY_2, PASSPHRASE]) {
        expect(result.token).not.toContain(secret);
        for (const form of base64Forms(secret)) expect(result.token).not.toContain(form);
      }
      expect(result.token).not.toContain(Buffer.from('local-vllm').toString('base64url').slice(1, -2));
      // Fresh salt and IV every time.
      const again = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      expect(again.token).not.toBe(result.token);
    });

    it('needs a passphrase of 8 characters for keys, and takes none without them', async () => {
      expect((await rejection(exportToken(a.ctx, { includeKeys: true }))).code).toBe('passphrase_required');
      expect((await rejection(exportToken(a.ctx, { includeKeys: true, passphrase: 'short' }))).code).toBe('invalid_passphrase');
      expect((await rejection(exportToken(a.ctx, { includeKeys: false, passphrase: PASSPHRASE }))).code).toBe('unexpected_passphrase');
    });

    it('never exports the relay token, even when the settings name it, nor credential headers', async () => {
      await a.secrets.set('relay-token', 'relay-token-canary-5555');
      await a.config.update((draft) => {
        draft.providers.cerebras = { enabled: true, keys: [{ id: 'relay-token', label: 'sneaky' }], headers: { Authorization: 'Bearer header-canary-6666' } };
      });
      const plain = await exportToken(a.ctx, { includeKeys: false });
      expect(plainJson(plain.token)).not.toContain('header-canary-6666');
      expect(plain.warnings.join(' ')).toContain("'Authorization' of cerebras");
      const sealed = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      expect(sealed.keyCount).toBe(2);
      expect(sealed.warnings.join(' ')).toContain("'sneaky' of cerebras is left out");
      const preview = await previewImport(b.ctx, sealed.token, { passphrase: PASSPHRASE });
      expect(preview.keys.add.map((key) => key.masked).sort()).toEqual(['…8888', '…cdef']);
    });
  });

  describe('round trips', () => {
    it('moves the settings without keys; the importing machine keeps its server section', async () => {
      await b.config.update((draft) => {
        draft.server.port = 6060;
      });
      const { token } = await exportToken(a.ctx, { includeKeys: false });
      const preview = await applyImport(b.ctx, token, { mode: 'merge' });
      expect(preview).toMatchObject({ applied: true, changes: true, includesKeys: false });
      const config = b.config.get();
      expect(config.server.port).toBe(6060);
      expect(config.server.allowedOrigins).toEqual([]);
      expect(config.endpoints).toEqual([expect.objectContaining({ id: 'local-vllm', baseUrl: 'http://127.0.0.1:8000/v1', keys: [], models: ['qwen'], headers: { 'X-Team': 'blue' } })]);
      expect(config.providers.mistral?.enabled).toBe(false);
      expect(config.routing.policy).toBe('any');
      expect(config.timeouts.firstTokenMs).toBe(30_000);
      expect(await b.secrets.list()).toEqual([]);
    });

    it('moves the keys too with the passphrase, under new ids, and lists them masked', async () => {
      const { token } = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      const preview = await applyImport(b.ctx, token, { passphrase: PASSPHRASE });
      expect(preview.keys.add).toEqual([
        { provider: 'groq', label: 'main', masked: '…cdef', models: ['llama-*'] },
        { provider: 'local-vllm', label: 'key-1', masked: '…8888' },
      ]);
      expect(JSON.stringify(preview)).not.toContain(CANARY);
      const keys = await listKeys(b.ctx);
      expect(keys.filter((key) => key.source === 'stored').map((key) => [key.provider, key.label, key.masked, key.models])).toEqual([
        ['groq', 'main', '…cdef', ['llama-*']],
        ['local-vllm', 'key-1', '…8888', undefined],
      ]);
      const ids = await b.secrets.list();
      expect(ids).toHaveLength(2);
      expect(await Promise.all(ids.map((id) => b.secrets.get(id)))).toEqual(expect.arrayContaining([CANARY, CANARY_2]));
      expect(await readFile(b.config.file, 'utf8')).not.toContain(CANARY);
    });

    it('skips keys already stored, so importing twice changes nothing', async () => {
      const { token } = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      await applyImport(b.ctx, token, { passphrase: PASSPHRASE });
      const before = await fileBytes(b);
      const again = await previewImport(b.ctx, token, { passphrase: PASSPHRASE });
      expect(again.changes).toBe(false);
      expect(again.keys.add).toEqual([]);
      expect(again.keys.skipped.map((key) => [key.provider, key.masked, key.reason])).toEqual([
        ['groq', '…cdef', 'already stored'],
        ['local-vllm', '…8888', 'already stored'],
      ]);
      await applyImport(b.ctx, token, { passphrase: PASSPHRASE });
      expect(await fileBytes(b)).toEqual(before);
      expect(await b.secrets.list()).toHaveLength(2);
    });

    it('skips a key already set in the environment, and renames a clashing label', async () => {
      b.ctx.env = { GROQ_API_KEY: CANARY };
      await addEndpoint(b.ctx, 'local-vllm', 'http://127.0.0.1:8000/v1', { key: 'other-endpoint-key-0000' });
      const { token } = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      const preview = await previewImport(b.ctx, token, { passphrase: PASSPHRASE });
      expect(preview.keys.skipped).toEqual([{ provider: 'groq', label: 'main', masked: '…cdef', models: ['llama-*'], reason: 'already set in the environment (GROQ_API_KEY)' }]);
      expect(preview.keys.add).toEqual([{ provider: 'local-vllm', label: 'key-1-2', masked: '…8888' }]);
    });
  });

  describe('refused tokens', () => {
    let sealed: string;
    beforeEach(async () => {
      sealed = (await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE })).token;
    });

    it('refuses a wrong or missing passphrase with one clear error, changing nothing', async () => {
      const before = await fileBytes(b);
      const wrong = await rejection(applyImport(b.ctx, sealed, { passphrase: 'correct horse battery!' }));
      expect(wrong.code).toBe('token_auth_failed');
      expect(wrong.message).toBe('The token cannot be opened: the passphrase is wrong, or the token was changed or cut short.');
      expect((await rejection(previewImport(b.ctx, sealed))).code).toBe('passphrase_required');
      expect(await fileBytes(b)).toEqual(before);
      expect(await b.secrets.list()).toEqual([]);
    });

    it('fails authentication when any single byte of a sealed token changes', async () => {
      const prefix = 'sbcfg1.sealed.';
      const bytes = Buffer.from(sealed.slice(prefix.length), 'base64url');
      // Every byte of salt, IV and tag (sampled), a spread of ciphertext bytes and the last one.
      const positions = new Set<number>([0, 5, 15, 16, 20, 27, 28, 35, 43]);
      for (let index = 44; index < bytes.length; index += Math.max(1, Math.floor((bytes.length - 44) / 8))) positions.add(index);
      positions.add(bytes.length - 1);
      for (const position of positions) {
        const changed = Buffer.from(bytes);
        changed[position] = (changed[position] ?? 0) ^ 0x01;
        const error = await rejection(previewImport(b.ctx, `${prefix}${changed.toString('base64url')}`, { passphrase: PASSPHRASE }));
        expect([position, error.code]).toEqual([position, 'token_auth_failed']);
      }
      // The header is authenticated too: a sealed body under another header is refused.
      expect((await rejection(previewImport(b.ctx, `sbcfg1.plain.${sealed.slice(prefix.length)}`))).code).toBe('invalid_token');
      expect(b.config.get().endpoints).toEqual([]);
    });

    it('refuses a truncated token', async () => {
      for (const length of [5, 'sbcfg1.sealed.'.length, 'sbcfg1.sealed.'.length + 20, 'sbcfg1.sealed.'.length + 60, sealed.length - 1, sealed.length - 4]) {
        const error = await rejection(previewImport(b.ctx, sealed.slice(0, length), { passphrase: PASSPHRASE }));
        expect(['invalid_token', 'token_auth_failed']).toContain(error.code);
        expect(error.message).not.toContain(sealed.slice(20, 40));
      }
      const plain = (await exportToken(a.ctx, { includeKeys: false })).token;
      expect((await rejection(previewImport(b.ctx, plain.slice(0, -10)))).code).toBe('invalid_token');
    });

    it('says what is wrong with something that is not a token, or one from a newer Switchboard', async () => {
      expect((await rejection(previewImport(b.ctx, 'hello'))).message).toBe('This is not a Switchboard settings token (they start with sbcfg1.).');
      expect((await rejection(previewImport(b.ctx, ''))).code).toBe('missing_token');
      expect((await rejection(previewImport(b.ctx, 'sbcfg1.weird.AAAA'))).message).toContain("Unknown kind of token 'weird'");
      expect((await rejection(previewImport(b.ctx, 'sbcfg1.plain.@@@@'))).code).toBe('invalid_token');
      expect((await rejection(previewImport(b.ctx, plainToken('{not json')))).message).toContain('not valid JSON');
      const newer = await rejection(previewImport(b.ctx, 'sbcfg2.plain.eyJ9'));
      expect(newer.code).toBe('token_from_newer_version');
      expect(newer.message).toContain('made by a newer Switchboard');
      const payloadNewer = await rejection(previewImport(b.ctx, plainToken(JSON.stringify({ format: 2, app: 'switchboard', createdAt: 'x', config: {} }))));
      expect(payloadNewer.message).toContain('newer Switchboard (token format 2');
      const settingsNewer = await rejection(previewImport(b.ctx, plainToken(JSON.stringify({ format: 1, app: 'switchboard', createdAt: 'x', config: { version: 7 } }))));
      expect(settingsNewer.message).toContain('newer Switchboard (settings format 7');
      expect((await rejection(previewImport(b.ctx, plainToken(JSON.stringify({ format: 1, app: 'other', createdAt: 'x', config: {} }))))).code).toBe('invalid_token');
    });

    it('refuses __proto__ and constructor keys anywhere, plain or sealed, and nothing is polluted', async () => {
      const base = '{"format":1,"app":"switchboard","createdAt":"x","config":';
      const crafted = [
        `${base}{"__proto__":{"polluted":1}}}`,
        `${base}{"providers":{"groq":{"enabled":true,"__proto__":{"polluted":1}}}}}`,
        `${base}{"endpoints":[{"id":"e","baseUrl":"http://127.0.0.1:1/v1","constructor":{"prototype":{"polluted":1}}}]}}`,
        `${base}{"routing":{"\\u005f_proto__":{"polluted":1}}}}`,
        `{"__proto__":{"polluted":1},"format":1,"app":"switchboard","createdAt":"x","config":{}}`,
      ];
      for (const json of crafted) {
        const error = await rejection(previewImport(b.ctx, plainToken(json)));
        expect(error.code).toBe('polluting_key');
      }
      const payload = JSON.parse(`{"format":1,"app":"switchboard","createdAt":"x","config":{"__proto__":{"polluted":1}},"keys":[]}`) as TokenPayload;
      const sealedCrafted = await encodeSealed(payload, PASSPHRASE);
      expect((await rejection(applyImport(b.ctx, sealedCrafted, { passphrase: PASSPHRASE }))).code).toBe('polluting_key');
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('refuses keys in a plain token, unusable keys, bad base URLs and endpoints named like built-in providers', async () => {
      const payload = (config: unknown, keys?: unknown) => ({ format: 1, app: 'switchboard', createdAt: 'x', config, ...(keys === undefined ? {} : { keys }) });
      expect((await rejection(previewImport(b.ctx, plainToken(JSON.stringify(payload({}, [{ provider: 'groq', label: 'k', secret: CANARY }])))))).code).toBe('plain_token_with_keys');
      const badKey = await encodeSealed(payload({}, [{ provider: 'groq', label: 'k', secret: `${CANARY}\nX-Evil: 1` }]) as TokenPayload, PASSPHRASE);
      const error = await rejection(previewImport(b.ctx, badKey, { passphrase: PASSPHRASE }));
      expect(error.code).toBe('invalid_token_key');
      expect(error.message).not.toContain(CANARY);
      const userInUrl = payload({ endpoints: [{ id: 'e', baseUrl: 'https://user:pass@example.com/v1' }] });
      expect((await rejection(previewImport(b.ctx, plainToken(JSON.stringify(userInUrl))))).code).toBe('invalid_token_settings');
      const builtIn = payload({ endpoints: [{ id: 'openai', baseUrl: 'https://collector.example/v1' }] });
      expect((await rejection(previewImport(b.ctx, plainToken(JSON.stringify(builtIn))))).message).toContain('name of a built-in provider');
      const invalidSchema = payload({ routing: { policy: 'cheapest' } });
      expect((await rejection(previewImport(b.ctx, plainToken(JSON.stringify(invalidSchema))))).message).toContain('routing.policy');
      expect((await rejection(previewImport(b.ctx, plainToken(JSON.stringify(payload({}))), { mode: 'wipe' as never }))).code).toBe('invalid_mode');
    });

    it('ignores key references in the settings of a token (they would name this machine’s secrets)', async () => {
      await b.secrets.set('relay-token', 'relay-token-canary-5555');
      const crafted = { format: 1, app: 'switchboard', createdAt: 'x', config: { providers: { groq: { baseUrl: 'http://127.0.0.1:9/v1', keys: [{ id: 'relay-token', label: 'steal' }] } } } };
      const preview = await applyImport(b.ctx, plainToken(JSON.stringify(crafted)));
      expect(preview.warnings.join(' ')).toContain('1 key reference in the token');
      expect(b.config.get().providers.groq?.keys).toEqual([]);
    });
  });

  describe('preview', () => {
    it('highlights new and changed base URLs with the number of keys sent there', async () => {
      await addKey(b.ctx, 'groq', 'gsk_b_machine_key_4321');
      const crafted = {
        format: 1,
        app: 'switchboard',
        createdAt: '2026-01-01T00:00:00.000Z',
        config: {
          providers: { groq: { baseUrl: 'http://collector.example:9999/v1' }, cerebras: { enabled: false }, 'no-such-provider': { enabled: true } },
          endpoints: [{ id: 'collector', baseUrl: 'http://127.0.0.1:9/v1' }],
          routing: { policy: 'free-only', bans: ['groq/llama-3'] },
        },
      };
      const before = await fileBytes(b);
      const preview = await previewImport(b.ctx, plainToken(JSON.stringify(crafted)));
      expect(preview.applied).toBe(false);
      expect(preview.baseUrls).toEqual([
        {
          provider: 'groq',
          custom: false,
          from: providerCatalog.find((entry) => entry.id === 'groq')?.baseUrl,
          to: 'http://collector.example:9999/v1',
          keys: 1,
          warnings: ['collector.example:9999 is reached over plain http: requests and any key travel unencrypted.'],
        },
        { provider: 'collector', custom: true, from: null, to: 'http://127.0.0.1:9/v1', keys: 0, warnings: [] },
      ]);
      expect(preview.providers).toEqual({ enabled: [], disabled: ['cerebras'], changed: [] });
      expect(preview.endpoints).toEqual({ added: ['collector'], removed: [], changed: [] });
      expect(preview.routing).toEqual(['routing.policy: "free-first" → "free-only"', 'routing.bans: [] → ["groq/llama-3"]']);
      expect(preview.warnings).toEqual(["The settings of 'no-such-provider' are skipped: this Switchboard has no such provider."]);
      expect(await fileBytes(b)).toEqual(before);
    });
  });

  describe('merge and replace', () => {
    beforeEach(async () => {
      await addKey(b.ctx, 'cerebras', 'csk-b-machine-key-9999', { label: 'mine' });
      await addEndpoint(b.ctx, 'home', 'http://127.0.0.1:7000/v1', { key: 'home-endpoint-key-3333' });
      await updateProvider(b.ctx, 'cerebras', { enabled: false });
      await b.config.update((draft) => {
        draft.server.port = 5555;
        draft.routing.bans = ['home/slow-model'];
        draft.routing.priority = ['home'];
      });
    });

    it('merge adds and updates, and removes nothing', async () => {
      const { token } = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      const preview = await applyImport(b.ctx, token, { passphrase: PASSPHRASE, mode: 'merge' });
      expect(preview.endpoints).toEqual({ added: ['local-vllm'], removed: [], changed: [] });
      expect(preview.keys.removed).toEqual([]);
      const config = b.config.get();
      expect(config.endpoints.map((endpoint) => [endpoint.id, endpoint.keys.length])).toEqual([
        ['home', 1],
        ['local-vllm', 1],
      ]);
      expect(config.providers.cerebras).toMatchObject({ enabled: false, keys: [expect.objectContaining({ label: 'mine' })] });
      expect(config.routing.priority).toEqual(['local-vllm', 'groq', 'home']);
      expect(config.routing.bans).toEqual(['home/slow-model']);
      expect(config.server.port).toBe(5555);
      expect(await b.secrets.list()).toHaveLength(4);
    });

    it('replace takes the token’s settings, removes endpoints it lacks with their keys, keeps built-in providers’ keys', async () => {
      const { token } = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      const preview = await previewImport(b.ctx, token, { passphrase: PASSPHRASE, mode: 'replace' });
      expect(preview.endpoints).toEqual({ added: ['local-vllm'], removed: ['home'], changed: [] });
      expect(preview.keys.removed).toEqual([{ provider: 'home', label: 'key-1', masked: '…3333' }]);
      expect(preview.providers.enabled).toEqual(['cerebras']);
      expect(preview.providers.disabled).toEqual(['mistral']);
      const homeKeyId = b.config.get().endpoints[0]?.keys[0]?.id ?? '';
      expect(await b.secrets.get(homeKeyId)).toBe('home-endpoint-key-3333');

      await applyImport(b.ctx, token, { passphrase: PASSPHRASE, mode: 'replace' });
      const config = b.config.get();
      expect(config.endpoints.map((endpoint) => endpoint.id)).toEqual(['local-vllm']);
      expect(await b.secrets.get(homeKeyId)).toBeUndefined();
      expect(config.providers.cerebras).toEqual({ enabled: true, keys: [expect.objectContaining({ label: 'mine' })] });
      expect(config.routing).toEqual(a.config.get().routing);
      expect(config.timeouts).toEqual(a.config.get().timeouts);
      expect(config.server.port).toBe(5555);
      expect((await listKeys(b.ctx)).filter((key) => key.source === 'stored').map((key) => `${key.provider}:${key.label}`)).toEqual(['groq:main', 'cerebras:mine', 'local-vllm:key-1']);
    });
  });

  describe('failures leave everything as it was', () => {
    it('deletes the keys it stored when the settings cannot be saved', async () => {
      const { token } = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      await addKey(b.ctx, 'cerebras', 'csk-b-machine-key-9999');
      const secretsBefore = await b.secrets.list();
      const bytesBefore = await fileBytes(b);
      const failing: ConfigSource = {
        get: () => b.config.get(),
        subscribe: () => () => undefined,
        problem: undefined,
        update: () => Promise.reject(new Error('disk full')),
      };
      const error = await rejection(applyImport({ ...b.ctx, config: failing }, token, { passphrase: PASSPHRASE }));
      expect(error.message).toBe('Nothing was imported: disk full');
      expect(await b.secrets.list()).toEqual(secretsBefore);
      expect(await fileBytes(b)).toEqual(bytesBefore);
    });

    it('stores nothing when the secret store fails part way', async () => {
      const { token } = await exportToken(a.ctx, { includeKeys: true, passphrase: PASSPHRASE });
      const bytesBefore = await fileBytes(b);
      let sets = 0;
      const flaky = new MemorySecretStore();
      const original = flaky.set.bind(flaky);
      flaky.set = async (id, secret) => {
        if (++sets === 2) throw new Error('keychain locked');
        await original(id, secret);
      };
      const error = await rejection(applyImport({ ...b.ctx, secrets: flaky }, token, { passphrase: PASSPHRASE }));
      expect(error.code).toBe('secret_store_error');
      expect(await flaky.list()).toEqual([]);
      expect(await fileBytes(b)).toEqual(bytesBefore);
    });

    it('refuses to import over an invalid settings file', async () => {
      const { token } = await exportToken(a.ctx, { includeKeys: false });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(b.config.file, '{ broken');
      await b.config.reload();
      const error = await rejection(applyImport(b.ctx, token));
      expect(error.code).toBe('config_invalid');
      expect(await readFile(b.config.file, 'utf8')).toBe('{ broken');
      expect((await rejection(exportToken(b.ctx, { includeKeys: false }))).code).toBe('config_invalid');
    });
  });
});
