import type { HttpClient, HttpResponse } from '../providers/http-client.js';

/**
 * An HttpClient wrapper for one-off checks the user asks for (key tests, endpoint previews): it
 * remembers the last answer's status and error body, so the user sees the provider's own words
 * (adapters keep them out of errors that reach clients and logs), and it refuses bodies larger
 * than a limit, since the URL may be any server.
 */

export interface LastAnswer {
  status?: number;
  /** The start of the last error body (at most ERROR_BODY_LIMIT characters). */
  errorBody?: string;
}

const ERROR_BODY_LIMIT = 16 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the answer is larger than ${Math.round(limitBytes / (1024 * 1024))} MB`);
    this.name = 'BodyTooLargeError';
  }
}

async function* capped(body: AsyncIterable<Uint8Array>, limitBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limitBytes) throw new BodyTooLargeError(limitBytes);
    yield chunk;
  }
}

async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

function replay(response: HttpResponse, text: string): HttpResponse {
  const bytes = new TextEncoder().encode(text);
  return {
    status: response.status,
    headers: response.headers,
    body: (async function* once() {
      yield bytes;
    })(),
    text: async () => text,
    dump: async () => undefined,
  };
}

export function inspectingHttp(http: HttpClient, limitBytes: number, last: LastAnswer): HttpClient {
  return async (request) => {
    const response = await http(request);
    last.status = response.status;
    if (response.status >= 300) {
      const decoder = new TextDecoder();
      let text = '';
      for await (const chunk of response.body) {
        text += decoder.decode(chunk, { stream: true });
        if (text.length >= ERROR_BODY_LIMIT) break;
      }
      text = text.slice(0, ERROR_BODY_LIMIT);
      last.errorBody = text;
      return replay(response, text);
    }
    delete last.errorBody;
    const body = capped(response.body, limitBytes);
    return { status: response.status, headers: response.headers, body, text: () => readText(body), dump: () => response.dump() };
  };
}

/** The message in an error body (`{error:{message}}`, `{detail}`, plain text), on one line, at most 300 characters. */
export function providerMessage(body: string | undefined): string | undefined {
  const text = body?.trim();
  if (!text) return undefined;
  let message: unknown = text.startsWith('<') ? undefined : text;
  try {
    let parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) parsed = parsed[0];
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      const error = record.error ?? record;
      message = typeof error === 'string' ? error : error && typeof error === 'object' ? ((error as Record<string, unknown>).message ?? (error as Record<string, unknown>).detail ?? record.message) : undefined;
    }
  } catch {
    // plain text
  }
  if (typeof message !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (clean === '') return undefined;
  return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}
