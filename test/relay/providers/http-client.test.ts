import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../relay/providers/http-client.js';

describe('the upstream HTTP client', () => {
  let server: Server;
  let origin: string;
  const seen: Array<Pick<IncomingMessage, 'method' | 'url'> & { host: string | undefined; body: string }> = [];

  beforeEach(async () => {
    seen.length = 0;
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, host: request.headers.host, body });
        if (request.url?.startsWith('/moved')) {
          response.writeHead(302, { location: `${origin}/elsewhere` }).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'text/plain', 'X-Upstream': 'yes', 'set-cookie': ['a=1', 'b=2'] }).end(`answer to ${request.url}`);
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = () => createHttpClient({ connectTimeoutMs: 2_000, headersTimeoutMs: 2_000 });

  it('sends the method, path with query and body, and lower-cases and joins response headers', async () => {
    const http = client();
    const response = await http({ url: `${origin}/v1/chat/completions?api-version=2&x=%20y`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}', signal: new AbortController().signal });
    expect(response.status).toBe(200);
    expect(response.headers['x-upstream']).toBe('yes');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(await response.text()).toBe('answer to /v1/chat/completions?api-version=2&x=%20y');
    expect(seen).toEqual([{ method: 'POST', url: '/v1/chat/completions?api-version=2&x=%20y', host: origin.slice('http://'.length), body: '{"a":1}' }]);
  });

  it('calls the same URL again and again, and other URLs of the same origin', async () => {
    const http = client();
    for (const path of ['/models', '/models', '/v1/models', '/models']) {
      const response = await http({ url: `${origin}${path}`, method: 'GET', headers: {}, signal: new AbortController().signal });
      expect(await response.text()).toBe(`answer to ${path}`);
    }
    expect(seen.map((request) => request.url)).toEqual(['/models', '/models', '/v1/models', '/models']);
  });

  it('never follows a redirect', async () => {
    const response = await client()({ url: `${origin}/moved`, method: 'GET', headers: { authorization: 'Bearer sk-secret' }, signal: new AbortController().signal });
    expect(response.status).toBe(302);
    await response.dump();
    expect(seen.map((request) => request.url)).toEqual(['/moved']);
  });

  it('refuses URLs that are not http or https', async () => {
    for (const url of ['ftp://127.0.0.1/models', 'file:///etc/passwd', 'not a url']) {
      await expect(client()({ url, method: 'GET', headers: {}, signal: new AbortController().signal }), url).rejects.toThrow();
    }
    expect(seen).toEqual([]);
  });

  it('gives up at once on an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client()({ url: `${origin}/models`, method: 'GET', headers: {}, signal: controller.signal })).rejects.toThrow();
  });

  describe('reading the body', () => {
    let streaming: Server;
    let streamOrigin: string;
    const connections = new Set<unknown>();
    let behaviour: 'sse' | 'reset' | 'stall' = 'sse';

    beforeEach(async () => {
      connections.clear();
      streaming = createServer((request, response) => {
        connections.add(request.socket);
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        if (behaviour === 'reset') {
          response.write('data: {"part":1}\n\n');
          setTimeout(() => request.socket.destroy(), 20);
          return;
        }
        if (behaviour === 'stall') {
          response.write('data: {"part":1}\n\n');
          return;
        }
        response.write('data: {"part":1}\n\n');
        setTimeout(() => response.end('data: {"part":2}\n\ndata: [DONE]\n\n'), 10);
      });
      streaming.listen(0, '127.0.0.1');
      await new Promise((resolve) => streaming.once('listening', resolve));
      streamOrigin = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      streaming.closeAllConnections();
      await new Promise((resolve) => streaming.close(resolve));
    });

    const read = async (body: AsyncIterable<Uint8Array>) => {
      let text = '';
      for await (const chunk of body) text += Buffer.from(chunk).toString();
      return text;
    };

    it('yields every chunk to the end, and the next request reuses the connection', async () => {
      behaviour = 'sse';
      const http = client();
      for (let round = 0; round < 2; round++) {
        const response = await http({ url: `${streamOrigin}/s`, method: 'GET', headers: {}, signal: new AbortController().signal });
        expect(await read(response.body)).toBe('data: {"part":1}\n\ndata: {"part":2}\n\ndata: [DONE]\n\n');
        // The pool takes the connection back once undici has finished the response.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(connections.size).toBe(1);
    });

    it('fails the read when the upstream resets the connection mid-answer', async () => {
      behaviour = 'reset';
      const response = await client()({ url: `${streamOrigin}/s`, method: 'GET', headers: {}, signal: new AbortController().signal });
      await expect(read(response.body)).rejects.toThrow();
    });

    it('ends a read that is waiting when the reader stops, and closes the connection of a cancelled request', async () => {
      behaviour = 'stall';
      const controller = new AbortController();
      const response = await client()({ url: `${streamOrigin}/s`, method: 'GET', headers: {}, signal: controller.signal });
      const iterator = response.body[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      const waiting = iterator.next();
      controller.abort();
      await iterator.return?.();
      await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    });

    it('leaves a body it never read free for text()', async () => {
      behaviour = 'sse';
      const response = await client()({ url: `${streamOrigin}/s`, method: 'GET', headers: {}, signal: new AbortController().signal });
      expect(await response.text()).toContain('[DONE]');
    });
  });
});
