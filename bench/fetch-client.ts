/**
 * The alternative upstream client the bench compares against the relay's default: the same
 * HttpClient contract (relay/providers/http-client.ts) on Node's global `fetch`. Like the default
 * it never follows redirects.
 */
import { toAbortSignal } from '../relay/core/cancellation.js';
import type { HttpClient } from '../relay/providers/http-client.js';

export function createFetchHttpClient(): HttpClient {
  return async (request) => {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal: toAbortSignal(request.signal),
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    // fetch's Headers are already lower-cased and join repeated values with ", ".
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const stream = response.body;
    const body: AsyncIterable<Uint8Array> = stream ? (stream as unknown as AsyncIterable<Uint8Array>) : emptyBody();
    return {
      status: response.status,
      headers,
      body,
      text: () => response.text(),
      dump: async () => {
        await stream?.cancel().catch(() => undefined);
      },
    };
  };
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {
  // no body
}
