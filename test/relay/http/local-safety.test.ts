import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hostName } from '../../../relay/http/middleware/local-safety.js';
import { createHarness } from '../../helpers/harness.js';
import { expectOpenAiErrorShape, rawRequest, type RawResponse } from '../../helpers/http.js';

const h = createHarness();
afterEach(async () => {
  const problems = h.internalErrors();
  await h.closeAll();
  expect(problems).toEqual([]);
});

const chatBody = JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] });

async function setup(extra: Record<string, unknown> = {}) {
  const upstream = await h.upstream();
  const relay = await h.relayFor([{ id: 'fake', upstream }], { extra });
  return { upstream, relay };
}

function post(port: number, headers: Record<string, string>, body = chatBody): Promise<RawResponse> {
  return rawRequest(port, {
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    body,
  });
}

/** Writes raw bytes on a fresh socket and returns everything the relay sends back. */
function rawHttp10(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const parts: Buffer[] = [];
    socket.setTimeout(3000, () => socket.destroy(new Error('raw socket timed out')));
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    socket.on('error', reject);
  });
}

function hasCorsHeaders(response: RawResponse): boolean {
  return Object.keys(response.headers).some((name) => name.startsWith('access-control-allow-'));
}

describe('Host allow-list (DNS rebinding)', () => {
  it.each(['evil.example', 'evil.example:PORT', 'localhost.evil.example', '127.0.0.1.nip.io', 'localhost.', '', '127.0.0.1@evil.example', 'localhost:PORT\tevil'])(
    "refuses Host '%s' with 403 before any upstream call",
    async (host) => {
      const { relay, upstream } = await setup();
      const value = host.replace('PORT', String(relay.port));
      const chat = await post(relay.port, { host: value });
      expect(chat.status).toBe(403);
      expectOpenAiErrorShape(chat.json);
      const models = await rawRequest(relay.port, { path: '/v1/models', headers: { host: value } });
      expect(models.status).toBe(403);
      expect(upstream.requests).toHaveLength(0);
    },
  );

  it('refuses a request without any Host header (HTTP/1.1: Node answers 400; HTTP/1.0: 403)', async () => {
    const { relay, upstream } = await setup();
    const response = await rawRequest(relay.port, { path: '/v1/models', headers: {} });
    expect([400, 403]).toContain(response.status);
    const http10 = await rawHttp10(relay.port, 'GET /v1/models HTTP/1.0\r\n\r\n');
    expect(http10).toMatch(/^HTTP\/1\.[01] 403 /);
    expect(http10).toContain('"host_not_allowed"');
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(['localhost:PORT', '127.0.0.1:PORT', '[::1]:PORT', 'LOCALHOST:PORT', 'localhost', '127.0.0.1'])("accepts Host '%s'", async (host) => {
    const { relay, upstream } = await setup();
    const value = host.replace('PORT', String(relay.port));
    const response = await post(relay.port, { host: value });
    expect(response.status).toBe(200);
    expect(upstream.chatRequests()).toHaveLength(1);
  });

  it('accepts a Host the user allowed in server.allowedHosts', async () => {
    const { relay } = await setup({ server: { allowedHosts: ['relay.lan'] } });
    expect((await post(relay.port, { host: `relay.lan:${relay.port}` })).status).toBe(200);
    expect((await post(relay.port, { host: `other.lan:${relay.port}` })).status).toBe(403);
  });

  it('parses Host names strictly', () => {
    expect(hostName('LocalHost:4747')).toBe('localhost');
    expect(hostName('[::1]:4747')).toBe('[::1]');
    expect(hostName('[::1')).toBeUndefined();
    expect(hostName('evil.example/x')).toBeUndefined();
    expect(hostName('localhost:evil')).toBeUndefined();
    expect(hostName('localhost:4747:1')).toBeUndefined();
    expect(hostName('[::1]evil')).toBeUndefined();
    expect(hostName('')).toBeUndefined();
    expect(hostName(undefined)).toBeUndefined();
  });
});

describe('cross-site browser requests', () => {
  it.each(['https://evil.example', 'null', 'http://localhost:1', 'chrome-extension://abcdefgh'])("refuses Origin '%s' with 403", async (origin) => {
    const { relay, upstream } = await setup();
    const response = await post(relay.port, { host: `127.0.0.1:${relay.port}`, origin });
    expect(response.status).toBe(403);
    expect(expectOpenAiErrorShape(response.json).code).toBe('origin_not_allowed');
    expect(hasCorsHeaders(response)).toBe(false);
    expect(upstream.requests).toHaveLength(0);
  });

  it("accepts the relay's own origin", async () => {
    const { relay } = await setup();
    const response = await post(relay.port, { host: `127.0.0.1:${relay.port}`, origin: `http://127.0.0.1:${relay.port}` });
    expect(response.status).toBe(200);
  });

  it('refuses Sec-Fetch-Site: cross-site and same-site without an Origin', async () => {
    const { relay, upstream } = await setup();
    for (const site of ['cross-site', 'same-site']) {
      const response = await post(relay.port, { host: `127.0.0.1:${relay.port}`, 'sec-fetch-site': site });
      expect(response.status).toBe(403);
    }
    const models = await rawRequest(relay.port, { path: '/v1/models', headers: { host: `127.0.0.1:${relay.port}`, 'sec-fetch-site': 'cross-site' } });
    expect(models.status).toBe(403);
    expect(upstream.requests).toHaveLength(0);
  });

  it('lets a top-level navigation open the dashboard page from elsewhere, and nothing else', async () => {
    const { relay, upstream } = await setup();
    const host = `127.0.0.1:${relay.port}`;
    const page = await rawRequest(relay.port, { path: '/', headers: { host, accept: 'text/html', 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' } });
    expect(page.status).not.toBe(403);
    // A navigation elsewhere, or a script's request for the page, is still refused.
    const models = await rawRequest(relay.port, { path: '/v1/models', headers: { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
    expect(models.status).toBe(403);
    const fetched = await rawRequest(relay.port, { path: '/', headers: { host, accept: 'text/html', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' } });
    expect(fetched.status).toBe(403);
    const posted = await post(relay.port, { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(posted.status).toBe(403);
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain; application/json', 'text/json'])(
    "refuses a POST with Content-Type '%s' (415) without calling upstream",
    async (type) => {
      const { relay, upstream } = await setup();
      const response = await post(relay.port, { host: `127.0.0.1:${relay.port}`, 'content-type': type });
      expect(response.status).toBe(415);
      expectOpenAiErrorShape(response.json);
      expect(upstream.requests).toHaveLength(0);
    },
  );

  it('refuses a POST without a Content-Type (415)', async () => {
    const { relay, upstream } = await setup();
    const response = await rawRequest(relay.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { host: `127.0.0.1:${relay.port}`, 'content-length': String(Buffer.byteLength(chatBody)) },
      body: chatBody,
    });
    expect(response.status).toBe(415);
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8'])("accepts Content-Type '%s'", async (type) => {
    const { relay } = await setup();
    expect((await post(relay.port, { host: `127.0.0.1:${relay.port}`, 'content-type': type })).status).toBe(200);
  });

  it('never answers a preflight from a foreign origin with CORS headers', async () => {
    const { relay, upstream } = await setup();
    for (const origin of ['https://evil.example', 'null', 'http://localhost:1']) {
      for (const path of ['/v1/chat/completions', '/v1/models', '/chat/completions']) {
        const response = await rawRequest(relay.port, {
          method: 'OPTIONS',
          path,
          headers: {
            host: `127.0.0.1:${relay.port}`,
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,authorization',
          },
        });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(hasCorsHeaders(response)).toBe(false);
      }
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('sends no CORS headers on ordinary responses either', async () => {
    const { relay } = await setup();
    const response = await post(relay.port, { host: `127.0.0.1:${relay.port}` });
    expect(response.status).toBe(200);
    expect(hasCorsHeaders(response)).toBe(false);
  });
});
