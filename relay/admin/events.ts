import type { EventEmitter } from 'node:events';
import type { RequestHandler } from 'express';
import type { RequestRecord } from '../dispatch/usage-log.js';
import type { AdminEventMap } from './dto.js';
import { OperationError } from './operation-context.js';

/** What the dashboard's event stream is built from; the builders return plain DTOs. */
export interface EventStreamOptions {
  /** The relay's events: 'request' (a finished RequestRecord), 'config' (new settings), 'qos' (a route id whose measurements changed), 'keys' (a provider id whose keys changed state). */
  events: EventEmitter;
  snapshot: () => AdminEventMap['snapshot'];
  request: (record: RequestRecord) => AdminEventMap['request'];
  config: () => AdminEventMap['config'];
  /** The changed routes (or every route, for `'all'`) with the current auto-fastest choice. */
  qos: (changed: ReadonlySet<string> | 'all') => AdminEventMap['qos'];
  /** The last guard against a key in an event (see the admin router's send). */
  redact: (text: string) => Promise<string>;
  /** A comment line this often, so proxies and idle timers keep the stream open (default 15 s). */
  keepAliveMs?: number;
  /** At most one `qos` event per stream this often (default 1 s). */
  qosIntervalMs?: number;
  /** Streams open at once (default 32); more are refused with 503. */
  maxStreams?: number;
  logger?: { error(message: string): void };
}

/** A client that reads slower than this much queued output is cut off rather than buffered. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * `GET /admin/events`: server-sent events for the dashboard. An initial `snapshot`, then
 * `request` per finished request, `qos` (coalesced) when route measurements change, `config` on
 * settings changes, and a keep-alive comment. Every listener is removed when the client leaves.
 */
export function adminEventStream(options: EventStreamOptions): RequestHandler {
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const qosIntervalMs = options.qosIntervalMs ?? 1_000;
  const maxStreams = options.maxStreams ?? 32;
  let open = 0;

  return function eventStream(request, response, next) {
    if (open >= maxStreams) {
      next(new OperationError('Too many dashboard event streams are open; close one and retry.', 503, 'too_many_streams'));
      return;
    }
    open += 1;
    const { events } = options;
    let closed = false;
    let writing: Promise<void> = Promise.resolve();

    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    request.socket.setNoDelay(true);

    function raw(text: string): void {
      if (closed) return;
      response.write(text);
      if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
    }

    /** Builds the data now, redacts it in order (redaction reads the secret store), then writes. */
    function send<K extends keyof AdminEventMap>(event: K, build: () => AdminEventMap[K]): void {
      if (closed) return;
      let text: string;
      try {
        text = JSON.stringify(build());
      } catch (error) {
        options.logger?.error(`Admin event '${event}' failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      writing = writing
        .then(async () => raw(`event: ${event}\ndata: ${await options.redact(text)}\n\n`))
        .catch((error: unknown) => options.logger?.error(`Admin event '${event}' failed: ${error instanceof Error ? error.message : String(error)}`));
    }

    // QoS changes arrive per sample; they are gathered and sent at most once per interval. The
    // snapshot carries the full QoS, so the first `qos` event comes an interval after it.
    let pending: Set<string> | 'all' = new Set();
    let qosTimer: NodeJS.Timeout | undefined;
    let lastQosAt = Date.now();
    const flushQos = () => {
      qosTimer = undefined;
      const changed = pending;
      pending = new Set();
      if (changed !== 'all' && changed.size === 0) return;
      lastQosAt = Date.now();
      send('qos', () => options.qos(changed));
    };
    const onQos = (routeId: unknown) => {
      if (pending !== 'all') {
        if (typeof routeId === 'string') pending.add(routeId);
        else pending = 'all';
      }
      if (qosTimer) return;
      qosTimer = setTimeout(flushQos, Math.max(0, lastQosAt + qosIntervalMs - Date.now()));
      qosTimer.unref();
    };
    const onRequest = (record: RequestRecord) => send('request', () => options.request(record));
    const onConfig = () => send('config', () => options.config());
    // Key state changes come in bursts (one 429 per key of a provider): one event per second at most.
    let changedKeys = new Set<string>();
    let keysTimer: NodeJS.Timeout | undefined;
    const onKeys = (providerId: unknown) => {
      if (typeof providerId === 'string') changedKeys.add(providerId);
      if (keysTimer) return;
      keysTimer = setTimeout(() => {
        keysTimer = undefined;
        const providers = [...changedKeys].sort();
        changedKeys = new Set();
        if (providers.length > 0) send('keys', () => ({ providers }));
      }, qosIntervalMs);
      keysTimer.unref();
    };

    const keepAlive = setInterval(() => raw(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();

    events.on('request', onRequest);
    events.on('config', onConfig);
    events.on('qos', onQos);
    events.on('keys', onKeys);
    response.on('close', () => {
      if (closed) return;
      closed = true;
      open -= 1;
      events.off('request', onRequest);
      events.off('config', onConfig);
      events.off('qos', onQos);
      events.off('keys', onKeys);
      clearInterval(keepAlive);
      if (qosTimer) clearTimeout(qosTimer);
      if (keysTimer) clearTimeout(keysTimer);
    });

    // EventSource reconnects after this long when the relay restarts.
    raw('retry: 3000\n\n');
    send('snapshot', options.snapshot);
  };
}
