import { Agent, request as undiciRequest } from 'undici';

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
  signal: AbortSignal;
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

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
    connections: 128,
  });
  return async (request) => {
    const response = await undiciRequest(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal: request.signal,
      dispatcher: agent,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const body = response.body;
    return {
      status: response.statusCode,
      headers,
      body,
      text: () => body.text(),
      dump: async () => {
        await body.dump().catch(() => undefined);
      },
    };
  };
}
