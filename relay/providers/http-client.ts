import type { Agent as UndiciAgent, Dispatcher } from 'undici';
// undici's index loads all of undici (fetch, WebSocket, caches, mocks, proxy agents): 3 MB of heap
// and 8 MB of RSS more than the Agent and `request` the relay uses. These paths are undici's
// files, not a published entry point, so package.json takes 7.30.x only.
import Agent from 'undici/lib/dispatcher/agent.js';
import dispatchRequest from 'undici/lib/api/api-request.js';
import type { CancelSignal } from '../core/cancellation.js';

/**
 * The upstream HTTP seam. Adapters get a client through their context so tests and benches can
 * swap it. The default uses undici's `request`, which measured cheaper than `fetch` for this
 * workload (docs/benchmarks.md), and never follows redirects: a key must not travel to a URL
 * the user did not configure.
 */

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: CancelSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  /** Discards the body so the connection can be reused. */
  dump(): Promise<void>;
}

export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

export interface HttpClientOptions {
  connectTimeoutMs: number;
  /** Upper bound on waiting for response headers; the dispatcher's first-token timer is usually shorter. */
  headersTimeoutMs: number;
}

/**
 * `options` may be a function: it is read on every request, and new timeouts get a new
 * connection pool (the old one finishes its requests and closes), so a settings change applies
 * to the next request.
 */
export function createHttpClient(options: HttpClientOptions | (() => HttpClientOptions)): HttpClient {
  const read = typeof options === 'function' ? options : () => options;
  let current: { connectTimeoutMs: number; headersTimeoutMs: number; agent: UndiciAgent } | undefined;
  const agentFor = (wanted: HttpClientOptions): UndiciAgent => {
    if (current && current.connectTimeoutMs === wanted.connectTimeoutMs && current.headersTimeoutMs === wanted.headersTimeoutMs) return current.agent;
    const previous = current?.agent;
    const agent = new Agent({
      connect: { timeout: wanted.connectTimeoutMs },
      headersTimeout: wanted.headersTimeoutMs,
      bodyTimeout: 0,
      keepAliveTimeout: 30_000,
      connections: 128,
    });
    current = { connectTimeoutMs: wanted.connectTimeoutMs, headersTimeoutMs: wanted.headersTimeoutMs, agent };
    void previous?.close().catch(() => undefined);
    return agent;
  };
  return async (request) => {
    const { origin, path } = splitUrl(request.url);
    const response = await dispatchRequest.call(agentFor(read()), {
      origin,
      path,
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal: request.signal,
    });
    const headers: Record<string, string> = {};
    const received = response.headers;
    for (const name in received) {
      const value = received[name];
      if (value === undefined) continue;
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const body = response.body;
    return {
      status: response.statusCode,
      headers,
      body: new BodyChunks(body, request.signal),
      text: () => body.text(),
      dump: async () => {
        await body.dump().catch(() => undefined);
      },
    };
  };
}

const splitUrls = new Map<string, { origin: string; path: string }>();

/**
 * A URL's origin and path with query, as undici's dispatchers take them. The relay calls a few
 * URLs per provider over and over, so each is parsed once (the cache is bounded all the same).
 */
function splitUrl(url: string): { origin: string; path: string } {
  let split = splitUrls.get(url);
  if (split === undefined) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`Not an http(s) URL: ${parsed.protocol}`);
    split = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (splitUrls.size >= 512) splitUrls.clear();
    splitUrls.set(url, split);
  }
  return split;
}

type ResponseBody = Dispatcher.ResponseData['body'];

const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

/**
 * A response body's chunks, read straight from the stream. Node's own iterator for a stream is
 * an async generator that sets up end-of-stream tracking with a dozen listeners; on a short
 * answer that is a good part of the time between the upstream's headers and its first event.
 *
 * Stopping early (an SSE reader stops at `[DONE]`) does not destroy the body, which would build
 * an AbortError with a stack trace on every request: what is left is dumped instead, which also
 * keeps the connection reusable. A cancelled request closes its connection at once.
 */
class BodyChunks implements AsyncIterableIterator<Uint8Array> {
  private waiting: { resolve: (result: IteratorResult<Uint8Array>) => void; reject: (error: unknown) => void } | undefined;
  private failure: unknown;
  private listening = false;
  private over = false;

  constructor(
    private readonly body: ResponseBody,
    private readonly signal: CancelSignal,
  ) {}

  /** Attached on the first read only: a body never iterated stays free for `text()` or `dump()`. */
  private listen(): void {
    this.listening = true;
    const body = this.body;
    if (body.errored) this.failure = body.errored;
    body.on('readable', this.wake);
    body.on('end', this.wake);
    body.on('close', this.wake);
    body.on('error', this.fail);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.waiting) return Promise.reject(new Error('A body chunk is already being waited for.'));
    if (!this.listening && !this.over) this.listen();
    try {
      const result = this.poll();
      if (result !== undefined) return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    if (this.over) return DONE;
    this.finish();
    this.waiting?.resolve(DONE);
    this.waiting = undefined;
    const body = this.body;
    if (!body.destroyed && !body.readableEnded) {
      // An answer read to its end marker has at most a few bytes left, which a bounded dump
      // reads without waiting on a stalled peer.
      // Destroying emits an error (undici's "request aborted") that nobody is listening for any more.
      if (this.signal.aborted) body.on('error', ignore).destroy();
      else await dumpRest(body);
    }
    return DONE;
  }

  /** The next result when it is known now; undefined while the body has nothing new. Throws a failure. */
  private poll(): IteratorResult<Uint8Array> | undefined {
    if (this.over) return DONE;
    if (this.failure !== undefined) {
      this.finish();
      throw this.failure;
    }
    const chunk = this.body.read() as Uint8Array | null;
    if (chunk !== null) return { done: false, value: chunk };
    if (this.body.readableEnded) {
      this.finish();
      return DONE;
    }
    if (this.body.destroyed) {
      this.finish();
      throw Object.assign(new Error('The upstream answer ended before it was complete.'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    }
    return undefined;
  }

  private readonly wake = (): void => {
    const waiting = this.waiting;
    if (!waiting) return;
    let result: IteratorResult<Uint8Array> | undefined;
    try {
      result = this.poll();
    } catch (error) {
      this.waiting = undefined;
      waiting.reject(error);
      return;
    }
    if (result === undefined) return;
    this.waiting = undefined;
    waiting.resolve(result);
  };

  private readonly fail = (error: unknown): void => {
    this.failure ??= error;
    this.wake();
  };

  /** No more reading: the listeners go (a 'readable' listener would keep a dump from flowing). */
  private finish(): void {
    this.over = true;
    if (!this.listening) return;
    this.body.off('readable', this.wake);
    this.body.off('end', this.wake);
    this.body.off('close', this.wake);
    this.body.off('error', this.fail);
  }
}

function ignore(): void {}

/** Reads at most 64 KB more within a second, or closes the connection. */
async function dumpRest(body: ResponseBody): Promise<void> {
  // A plain timer: `AbortSignal.timeout` would build a signal for every answer.
  const timer = setTimeout(() => body.destroy(), 1_000);
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    body.destroy();
  } finally {
    clearTimeout(timer);
  }
}
