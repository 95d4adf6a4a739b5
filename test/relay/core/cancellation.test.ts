import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cancellation, toAbortSignal } from '../../../relay/core/cancellation.js';
import { createHttpClient } from '../../../relay/providers/http-client.js';
import { AbortedError, abortableDelay, linkedCancellation } from '../../../relay/streams/abort.js';

describe('Cancellation', () => {
  it('starts live, aborts once with the reason given, and tells each listener once, in order', () => {
    const cancellation = new Cancellation();
    expect(cancellation.signal).toBe(cancellation);
    expect(cancellation.aborted).toBe(false);
    expect(cancellation.reason).toBeUndefined();
    const heard: string[] = [];
    const first = () => heard.push('first');
    cancellation.addEventListener('abort', first);
    cancellation.addEventListener('abort', first);
    cancellation.addEventListener('abort', () => heard.push('second'));
    const reason = new Error('deadline');
    cancellation.abort(reason);
    cancellation.abort(new Error('later'));
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toBe(reason);
    expect(heard).toEqual(['first', 'second']);
  });

  it('does not call a listener that an earlier one removed during the abort', () => {
    const cancellation = new Cancellation();
    const second = vi.fn();
    cancellation.addEventListener('abort', () => cancellation.removeEventListener('abort', second));
    cancellation.addEventListener('abort', second);
    cancellation.abort();
    expect(second).not.toHaveBeenCalled();
  });

  it('gives an AbortError as the reason when none is given, as AbortController does', () => {
    const cancellation = new Cancellation();
    cancellation.abort();
    expect(cancellation.reason).toBeInstanceOf(DOMException);
    expect((cancellation.reason as DOMException).name).toBe('AbortError');
  });

  it('forgets removed listeners and never calls one added after the abort', () => {
    const cancellation = new Cancellation();
    const removed = vi.fn();
    cancellation.addEventListener('abort', removed);
    cancellation.removeEventListener('abort', removed);
    cancellation.abort();
    const late = vi.fn();
    cancellation.addEventListener('abort', late);
    expect(removed).not.toHaveBeenCalled();
    expect(late).not.toHaveBeenCalled();
  });

  it('still tells the other listeners when one throws, and reports the throw', async () => {
    const reported = new Promise<unknown>((resolve) => {
      const listeners = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.once('uncaughtException', (error) => {
        for (const listener of listeners) process.on('uncaughtException', listener);
        resolve(error);
      });
    });
    const cancellation = new Cancellation();
    const after = vi.fn();
    cancellation.addEventListener('abort', () => {
      throw new Error('listener broke');
    });
    cancellation.addEventListener('abort', after);
    cancellation.abort();
    expect(after).toHaveBeenCalledOnce();
    expect(await reported).toMatchObject({ message: 'listener broke' });
  });

  it('works where Node takes an AbortSignal-like object', async () => {
    const cancellation = new Cancellation();
    const emitter = new (await import('node:events')).EventEmitter();
    const waiting = once(emitter, 'never', { signal: cancellation as unknown as AbortSignal });
    cancellation.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('linkedCancellation', () => {
  it('follows its parent with the same reason until disposed', () => {
    const parent = new Cancellation();
    const { controller, dispose } = linkedCancellation(parent);
    const reason = new Error('client left');
    parent.abort(reason);
    expect(controller.aborted).toBe(true);
    expect(controller.reason).toBe(reason);

    const other = new Cancellation();
    const detached = linkedCancellation(other);
    detached.dispose();
    other.abort();
    expect(detached.controller.aborted).toBe(false);
    dispose();
  });

  it('is born aborted under an aborted parent, real AbortSignals included', () => {
    const real = new AbortController();
    real.abort(new Error('gone'));
    const { controller } = linkedCancellation(real.signal);
    expect(controller.aborted).toBe(true);
    expect((controller.reason as Error).message).toBe('gone');
  });

  it('aborting the child leaves the parent alone', () => {
    const parent = new Cancellation();
    linkedCancellation(parent).controller.abort();
    expect(parent.aborted).toBe(false);
  });
});

describe('abortableDelay', () => {
  it('resolves after the delay, or rejects at once on abort', async () => {
    await expect(abortableDelay(1, new Cancellation())).resolves.toBeUndefined();
    const cancellation = new Cancellation();
    const waiting = abortableDelay(60_000, cancellation);
    cancellation.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    const aborted = new Cancellation();
    aborted.abort();
    await expect(abortableDelay(60_000, aborted)).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('toAbortSignal', () => {
  it('passes a real AbortSignal through and follows a Cancellation', () => {
    const real = new AbortController().signal;
    expect(toAbortSignal(real)).toBe(real);
    const cancellation = new Cancellation();
    const signal = toAbortSignal(cancellation);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    cancellation.abort(new Error('stop'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('stop');
    const already = new Cancellation();
    already.abort();
    expect(toAbortSignal(already).aborted).toBe(true);
  });
});

describe('cancelling an upstream call', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('closes the upstream connection while the answer is still coming', async () => {
    const closed = new Promise<void>((resolve) => {
      server = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {}\n\n');
        response.on('close', () => resolve());
      });
    });
    server?.listen(0, '127.0.0.1');
    await once(server as Server, 'listening');
    const port = (server?.address() as AddressInfo).port;
    const cancellation = new Cancellation();
    const http = createHttpClient({ connectTimeoutMs: 2_000, headersTimeoutMs: 2_000 });
    const response = await http({ url: `http://127.0.0.1:${port}/stream`, method: 'GET', headers: {}, signal: cancellation });
    const reading = (async () => {
      for await (const chunk of response.body) void chunk;
    })();
    cancellation.abort();
    await expect(reading).rejects.toThrow();
    await closed;
  });
});
