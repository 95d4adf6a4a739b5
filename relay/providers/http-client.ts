import type { Agent as UndiciAgent, Dispatcher } from 'undici';
// undici's index loads all of undici (fetch, WebSocket, caches, mocks, proxy agents): 3 MB of heap
// and 8 MB of RSS more than the Agent and `request` the relay uses.
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
      body: readToEnd(body, request.signal),
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

/**
 * Iterates a response body without destroying it when the reader stops early (an SSE reader
 * stops at `[DONE]`): destroying builds an AbortError with a stack trace on every request. What
 * is left is dumped instead, which also keeps the connection reusable.
 */
async function* readToEnd(body: Dispatcher.ResponseData['body'], signal: CancelSignal): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    for await (const chunk of body.iterator({ destroyOnReturn: false })) yield chunk as Uint8Array;
    finished = true;
  } finally {
    if (!finished && !body.destroyed) {
      // A cancelled request closes its connection at once; an answer read to its end marker has
      // at most a few bytes left, which a bounded dump reads without waiting on a stalled peer.
      if (signal.aborted) body.destroy();
      else await dumpRest(body);
    }
  }
}

/** Reads at most 64 KB more within a second, or closes the connection. */
async function dumpRest(body: Dispatcher.ResponseData['body']): Promise<void> {
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
