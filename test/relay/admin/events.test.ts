import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { adminEventStream, type EventStreamOptions } from '../../../relay/admin/events.js';
import type { AdminEventMap } from '../../../relay/admin/dto.js';
import type { RequestRecord } from '../../../relay/dispatch/usage-log.js';
import { pollUntil } from '../../helpers/http.js';
import { openSse, type SseStream } from '../../helpers/sse-client.js';

/** The event stream alone, on a real socket, with builders that echo what they were asked. */
describe('adminEventStream', () => {
  let server: Server | undefined;
  let streams: SseStream[] = [];

  afterEach(async () => {
    for (const stream of streams) stream.close();
    streams = [];
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  async function start(overrides: Partial<EventStreamOptions> = {}): Promise<{ port: number; events: EventEmitter; qosCalls: Array<string[] | 'all'> }> {
    const events = new EventEmitter();
    const qosCalls: Array<string[] | 'all'> = [];
    const app = express();
    app.get(
      '/events',
      adminEventStream({
        events,
        snapshot: () => ({ status: { version: 'test' }, qos: { routes: [] } }) as unknown as AdminEventMap['snapshot'],
        request: (record) => ({ requestId: record.requestId, error: record.error }) as unknown as AdminEventMap['request'],
        config: () => ({ pin: null, bans: [], providers: [], autoFastest: null, status: { version: 'test' } }) as unknown as AdminEventMap['config'],
        qos: (changed) => {
          qosCalls.push(changed === 'all' ? 'all' : [...changed].sort());
          return { routes: [], full: changed === 'all', autoFastest: null };
        },
        redact: async (text) => text.replaceAll('sk-secret-1234567890', 'sk-…7890'),
        ...overrides,
      }),
    );
    app.use(((error, _request, response, _next) => {
      response.status((error as { status?: number }).status ?? 500).json({ error: { code: (error as { code?: string }).code } });
    }) as express.ErrorRequestHandler);
    server = createServer(app);
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', () => done()));
    return { port: (server.address() as AddressInfo).port, events, qosCalls };
  }

  async function connect(port: number): Promise<SseStream> {
    const stream = await openSse(port, '/events', { host: `127.0.0.1:${port}` });
    streams.push(stream);
    return stream;
  }

  it('sends the snapshot first, then requests and config changes, with secrets redacted', async () => {
    const { port, events } = await start();
    const stream = await connect(port);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');
    const snapshot = await stream.next('snapshot');
    expect(snapshot.json).toEqual({ status: { version: 'test' }, qos: { routes: [] } });
    expect(stream.text.startsWith('retry: 3000\n\n')).toBe(true);

    events.emit('request', { requestId: 'req-1', error: 'Incorrect API key provided: sk-secret-1234567890' } as RequestRecord);
    events.emit('config', {});
    const request = await stream.next('request');
    expect(request.json).toEqual({ requestId: 'req-1', error: 'Incorrect API key provided: sk-…7890' });
    await stream.next('config');
    expect(stream.messages.map((message) => message.event)).toEqual(['snapshot', 'request', 'config']);
    expect(stream.text).not.toContain('sk-secret-1234567890');
  });

  it('sends keep-alive comments', async () => {
    const { port } = await start({ keepAliveMs: 30 });
    const stream = await connect(port);
    await pollUntil(() => stream.comments.length >= 2, { what: 'two keep-alive comments' });
    expect(stream.comments.every((comment) => comment === 'keep-alive')).toBe(true);
  });

  it('coalesces qos changes: at most one event per interval, carrying every changed route', async () => {
    const { port, events, qosCalls } = await start({ qosIntervalMs: 200 });
    const stream = await connect(port);
    const snapshot = await stream.next('snapshot');
    for (const id of ['a/m', 'b/m', 'a/m', 'c/m']) events.emit('qos', id);
    const first = await stream.next('qos');
    // The snapshot carried the full QoS: the first change waits out the interval after it.
    expect(first.at - snapshot.at).toBeGreaterThanOrEqual(150);
    expect(qosCalls).toEqual([['a/m', 'b/m', 'c/m']]);

    events.emit('qos', 'b/m');
    events.emit('qos', 'd/m');
    const second = await stream.next('qos', { after: stream.messages.indexOf(first) + 1 });
    expect(second.at - first.at).toBeGreaterThanOrEqual(150);
    expect(qosCalls).toEqual([['a/m', 'b/m', 'c/m'], ['b/m', 'd/m']]);

    // A change without a route id asks for the full list.
    events.emit('qos');
    events.emit('qos', 'e/m');
    const third = await stream.next('qos', { after: stream.messages.indexOf(second) + 1 });
    expect(third.json.full).toBe(true);
    expect(qosCalls[2]).toBe('all');
    expect(stream.messages.filter((message) => message.event === 'qos')).toHaveLength(3);
  });

  it('gathers key state changes into one keys event naming each provider once', async () => {
    const { port, events } = await start({ qosIntervalMs: 100 });
    const stream = await connect(port);
    await stream.next('snapshot');
    for (const id of ['groq', 'cerebras', 'groq']) events.emit('keys', id);
    const keys = await stream.next('keys');
    expect(keys.json).toEqual({ providers: ['cerebras', 'groq'] });
    expect(stream.messages.filter((message) => message.event === 'keys')).toHaveLength(1);
  });

  it('removes every listener when clients leave, after many connections', async () => {
    const { port, events } = await start({ qosIntervalMs: 10_000 });
    for (let round = 0; round < 40; round += 1) {
      const stream = await connect(port);
      await stream.next('snapshot');
      events.emit('qos', 'a/m'); // leaves a pending coalescing timer behind
      stream.close();
      await stream.ended;
    }
    await pollUntil(() => ['request', 'config', 'qos', 'keys'].every((name) => events.listenerCount(name) === 0), { what: 'listeners removed' });
  });

  it('refuses streams beyond the limit with 503, and accepts again once one closes', async () => {
    const { port, events } = await start({ maxStreams: 2 });
    const one = await connect(port);
    await connect(port);
    const third = await connect(port);
    expect(third.status).toBe(503);
    await third.ended;
    expect(third.text).toContain('too_many_streams');
    one.close();
    await pollUntil(() => events.listenerCount('request') === 1, { what: 'one stream closed' });
    const again = await connect(port);
    expect(again.status).toBe(200);
  });
});
