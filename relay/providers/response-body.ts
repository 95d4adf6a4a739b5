import { UpstreamError } from '../core/errors.js';
import type { HttpResponse } from './http-client.js';
import type { ProviderContext } from './provider.js';

/** Reading upstream bodies, the same for every adapter. */

/** At most `limit` characters of a body (error bodies can be huge HTML pages). */
export async function readLimited(body: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length >= limit) break;
  }
  return text.slice(0, limit);
}

/** A JSON body, or an UpstreamError that says the upstream answered something else. */
export async function readJson<T>(response: HttpResponse, context: ProviderContext, model: string): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new UpstreamError(`${context.providerId} sent a response that is not JSON.`, {
      status: 502,
      kind: 'upstream-bad-response',
      retryable: true,
      provider: context.providerId,
      model,
      cause: error,
    });
  }
}
