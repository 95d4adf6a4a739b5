import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, EndpointPreviewResponse } from '../../../relay/admin/dto.js';
import { adminCaller, freePort } from '../../helpers/admin-call.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

const KEY = 'sk-preview-key-0123456789abcdef';

/** A server answering every request with `handler`, for answers the fake upstream does not give. */
async function startOddServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    hits++;
    handler?.(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('POST /admin/endpoints/preview', () => {
  let upstream: FakeUpstream;
  let relay: TestRelay;
  const call = adminCaller(() => relay.url, () => relay.relay.adminToken);
  let seen: string[];

  async function preview(body: unknown) {
    const answer = await call<EndpointPreviewResponse & ApiErrorBody>('POST', '/endpoints/preview', { body });
    seen.push(answer.text);
    return answer;
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream({ requireKey: KEY, models: [{ id: 'zeta' }, { id: 'alpha' }, { id: 'mid' }, { id: 'alpha' }] });
  });
  afterAll(async () => {
    await upstream?.close();
  });
  beforeEach(async () => {
    seen = [];
    relay = await startTestRelay({ config: { version: 1 } });
  });
  afterEach(async () => {
    await relay?.close();
    upstream.reset();
    expect(seen.filter((text) => text.includes(KEY))).toEqual([]);
  });

  it('lists the models, sorted, with the key and headers given, and saves nothing', async () => {
    const before = await readFile(join(relay.configDir, 'config.json'), 'utf8');
    const { status, body } = await preview({ baseUrl: upstream.url, key: KEY, headers: { 'X-Title': 'switchboard-test' } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, models: ['alpha', 'mid', 'zeta'], warnings: [] });
    expect(body.error).toBeUndefined();
    expect(body.durationMs).toBeTypeOf('number');
    expect(upstream.requests.map((request) => [request.method, request.path, request.apiKey, request.headers['x-title']])).toEqual([['GET', '/v1/models', KEY, 'switchboard-test']]);
    expect(await readFile(join(relay.configDir, 'config.json'), 'utf8')).toBe(before);
    expect(await relay.secrets.list()).toEqual([]);
  });

  it('answers ok:false with the endpoint own words when it refuses the key', async () => {
    const { status, body } = await preview({ baseUrl: upstream.url, key: 'sk-wrong-0123456789' });
    expect(status).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.models).toEqual([]);
    expect(body.error).toContain('401');
    expect(body.error).toContain('Incorrect API key provided');
    const none = await preview({ baseUrl: upstream.url });
    expect(none.body.error).toContain("You didn't provide an API key");
  });

  it('answers ok:false when nothing listens there', async () => {
    const port = await freePort();
    const { status, body } = await preview({ baseUrl: `http://127.0.0.1:${port}/v1` });
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: false, models: [] });
    expect(body.error).toMatch(/connection refused/i);
  });

  it('never follows a redirect, so the key stays with the URL given', async () => {
    const target = await startOddServer((_request, response) => response.end('{"data":[{"id":"stolen"}]}'));
    const redirecting = await startOddServer((_request, response) => {
      response.writeHead(307, { location: `${target.url}/models` }).end();
    });
    try {
      const { body } = await preview({ baseUrl: redirecting.url, key: KEY });
      expect(body.ok).toBe(false);
      expect(body.error).toContain('redirect');
      expect(target.hits()).toBe(0);
    } finally {
      await redirecting.close();
      await target.close();
    }
  });

  it('refuses a model list larger than the limit', async () => {
    const huge = await startOddServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const row = `{"id":"${'m'.repeat(1000)}"},`;
      response.write('{"data":[');
      for (let i = 0; i < 9 * 1024; i++) response.write(row);
      response.end('{"id":"last"}]}');
    });
    try {
      const { body } = await preview({ baseUrl: huge.url });
      expect(body.ok).toBe(false);
      expect(body.error).toContain('larger than 8 MB');
    } finally {
      await huge.close();
    }
  });

  it('answers ok with a warning when the endpoint lists nothing', async () => {
    const empty = await startOddServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}'));
    try {
      const { body } = await preview({ baseUrl: empty.url });
      expect(body).toMatchObject({ ok: true, models: [] });
      expect(body.warnings.join(' ')).toContain('no models');
    } finally {
      await empty.close();
    }
  });

  it('refuses what POST /admin/endpoints refuses, with 400', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'invalid_base_url'],
      [{ baseUrl: 'not a url' }, 'invalid_base_url'],
      [{ baseUrl: 'ftp://127.0.0.1/v1' }, 'invalid_base_url'],
      [{ baseUrl: `http://user:${KEY}@127.0.0.1:1/v1` }, 'invalid_base_url'],
      [{ baseUrl: 'http://127.0.0.1:1/v1?x=1' }, 'invalid_base_url'],
      [{ baseUrl: 'http://127.0.0.1:1/v1', headers: { Authorization: `Bearer ${KEY}` } }, 'credential_header'],
      [{ baseUrl: 'http://127.0.0.1:1/v1', headers: { 'bad header': 'x' } }, 'invalid_headers'],
      [{ baseUrl: 'http://127.0.0.1:1/v1', key: 'two\nlines' }, 'invalid_key'],
    ];
    for (const [body, code] of cases) {
      const answer = await preview(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code });
    }
    expect(upstream.requests).toEqual([]);
  });
});
