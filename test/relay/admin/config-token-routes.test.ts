import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, ConfigExportResponse, ConfigImportPreview, EndpointsResponse, KeysResponse } from '../../../relay/admin/dto.js';
import { startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

const CANARY = 'sk-canary-0123456789abcdef';
const PASSPHRASE = 'a long passphrase';

interface Answer<T> {
  status: number;
  body: T;
  text: string;
}

describe('admin API: config tokens', () => {
  let source: TestRelay;
  let target: TestRelay;
  /** Every response body, to search for the canary key. */
  let seen: string[];

  async function call<T>(relay: TestRelay, path: string, body: unknown, token: string | null = relay.relay.adminToken): Promise<Answer<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${relay.url}/admin${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await response.text();
    seen.push(text);
    return { status: response.status, text, body: JSON.parse(text) as T };
  }

  async function get<T>(relay: TestRelay, path: string): Promise<T> {
    const response = await fetch(`${relay.url}/admin${path}`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } });
    const text = await response.text();
    seen.push(text);
    return JSON.parse(text) as T;
  }

  beforeEach(async () => {
    seen = [];
    source = await startTestRelay({
      config: {
        version: 1,
        providers: { groq: { discovery: false, baseUrl: 'http://127.0.0.1:9/v1', keys: [{ id: 'groq-a', label: 'main' }] } },
        endpoints: [{ id: 'lab', baseUrl: 'http://127.0.0.1:9/v1', discovery: false, models: ['m'], keys: [] }],
      },
      secrets: { 'groq-a': CANARY, 'relay-token': 'relay-token-canary-1234' },
    });
    target = await startTestRelay({ config: { version: 1, providers: { groq: { discovery: false } } } });
  });
  afterEach(async () => {
    await source?.close();
    await target?.close();
    const leaked = seen.filter((text) => text.includes(CANARY) || text.includes(PASSPHRASE) || text.includes('relay-token-canary-1234'));
    expect(leaked).toEqual([]);
  });

  it('needs the admin token for export and import', async () => {
    const exported = await call<ApiErrorBody>(source, '/config/export', { includeKeys: false }, null);
    expect(exported.status).toBe(401);
    const imported = await call<ApiErrorBody>(target, '/config/import', { token: 'sbcfg1.plain.e30', apply: true }, 'x'.repeat(43));
    expect(imported.status).toBe(401);
  });

  it('exports without keys by default, and sealed with a passphrase', async () => {
    const plain = await call<ConfigExportResponse>(source, '/config/export', {});
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ includesKeys: false, keyCount: 0 });
    expect(plain.body.token.startsWith('sbcfg1.plain.')).toBe(true);

    const missing = await call<ApiErrorBody>(source, '/config/export', { includeKeys: true });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('passphrase_required');
    const short = await call<ApiErrorBody>(source, '/config/export', { includeKeys: true, passphrase: 'short' });
    expect(short.body.error.code).toBe('invalid_passphrase');
    const wrongType = await call<ApiErrorBody>(source, '/config/export', { includeKeys: 'yes' });
    expect(wrongType.status).toBe(400);

    const sealed = await call<ConfigExportResponse>(source, '/config/export', { includeKeys: true, passphrase: PASSPHRASE });
    expect(sealed.status).toBe(200);
    expect(sealed.body).toMatchObject({ includesKeys: true, keyCount: 1 });
    expect(sealed.body.token.startsWith('sbcfg1.sealed.')).toBe(true);
  });

  it('previews, then applies an import; the running relay uses it at once', async () => {
    const { token } = (await call<ConfigExportResponse>(source, '/config/export', { includeKeys: true, passphrase: PASSPHRASE })).body;

    const noPassphrase = await call<ApiErrorBody>(target, '/config/import', { token });
    expect(noPassphrase.status).toBe(400);
    expect(noPassphrase.body.error.code).toBe('passphrase_required');
    const wrong = await call<ApiErrorBody>(target, '/config/import', { token, passphrase: 'not the passphrase', apply: true });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('token_auth_failed');
    expect(wrong.text).not.toContain(token.slice(20, 60));

    const preview = await call<ConfigImportPreview>(target, '/config/import', { token, passphrase: PASSPHRASE, mode: 'merge' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ applied: false, changes: true, includesKeys: true, endpoints: { added: ['lab'], removed: [], changed: [] } });
    expect(preview.body.baseUrls.map((url) => [url.provider, url.to, url.keys])).toEqual([
      ['groq', 'http://127.0.0.1:9/v1', 1],
      ['lab', 'http://127.0.0.1:9/v1', 0],
    ]);
    expect(preview.body.keys.add).toEqual([{ provider: 'groq', label: 'main', masked: '…cdef' }]);
    expect((await get<EndpointsResponse>(target, '/endpoints')).endpoints).toEqual([]);
    expect(await target.secrets.list()).toEqual([]);

    const applied = await call<ConfigImportPreview>(target, '/config/import', { token, passphrase: PASSPHRASE, mode: 'merge', apply: true });
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    expect((await get<EndpointsResponse>(target, '/endpoints')).endpoints.map((endpoint) => endpoint.id)).toEqual(['lab']);
    const keys = await get<KeysResponse>(target, '/keys/groq');
    expect(keys.keys.map((key) => [key.label, key.masked])).toEqual([['main', '…cdef']]);
    expect(await target.secrets.list()).not.toContain('relay-token');
    // Neither the token nor the passphrase shows up in the logs.
    expect(target.logs.concat(source.logs).filter((line) => line.includes(token.slice(14, 54)) || line.includes(PASSPHRASE))).toEqual([]);
  });

  it('refuses bad requests and crafted tokens with 400, changing nothing', async () => {
    const before = await get<EndpointsResponse>(target, '/endpoints');
    expect((await call<ApiErrorBody>(target, '/config/import', {})).body.error.code).toBe('missing_token');
    expect((await call<ApiErrorBody>(target, '/config/import', { token: 'sbcfg1.plain.e30', mode: 'nuke' })).body.error.code).toBe('invalid_mode');
    expect((await call<ApiErrorBody>(target, '/config/import', { token: 'sbcfg1.plain.e30', apply: 'yes' })).status).toBe(400);
    const polluting = `sbcfg1.plain.${Buffer.from('{"format":1,"app":"switchboard","createdAt":"x","config":{"__proto__":{"polluted":1}}}').toString('base64url')}`;
    const refused = await call<ApiErrorBody>(target, '/config/import', { token: polluting, apply: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('polluting_key');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    const newer = await call<ApiErrorBody>(target, '/config/import', { token: 'sbcfg9.sealed.AAAA', apply: true });
    expect(newer.body.error.message).toContain('made by a newer Switchboard');
    expect(await get<EndpointsResponse>(target, '/endpoints')).toEqual(before);
  });
});
