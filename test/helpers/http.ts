/**
 * Small HTTP helpers for relay behaviour tests: raw node:http requests (full control over Host,
 * Origin and body bytes, which fetch forbids), SSE frame splitting and deadline polling.
 */
import { request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface RawRequestOptions {
  method?: string;
  path: string;
  /** Sent exactly as given; `host` is not added unless present here (use '' for an empty Host). */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
}

/** One request over a fresh connection to 127.0.0.1:port, with the headers exactly as given. */
export function rawRequest(port: number, options: RawRequestOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
        setHost: false,
        agent: false,
        timeout: options.timeoutMs ?? 5000,
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json: any;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`raw request to ${options.path} timed out`)));
    request.on('error', reject);
    if (options.body !== undefined) request.end(options.body);
    else request.end();
  });
}

/** A JSON POST with the headers a well-behaved local client sends (Host of the relay itself). */
export function rawPostJson(port: number, path: string, body: string | object, headers: Record<string, string> = {}): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return rawRequest(port, {
    method: 'POST',
    path,
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers },
    body: text,
  });
}

/** The `data:` payloads of an SSE body, in order (comments and blank lines dropped). */
export function sseDataFrames(text: string): string[] {
  return text
    .split(/\n\n/)
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data:'))
    .map((frame) =>
      frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n'),
    );
}

/** Polls `check` until it returns a truthy value or the deadline passes (then throws). */
export async function pollUntil<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 3000);
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

/** Timeouts short enough for fault tests, long enough for a loaded CI machine. */
export const FAST_TIMEOUTS = { firstTokenMs: 300, idleMs: 300, totalMs: 5000, connectMs: 1000 } as const;

/** The OpenAI error shape every relay error must have. */
export function expectOpenAiErrorShape(body: any): { message: string; type: string; param: string | null; code: string | null } {
  if (body === null || typeof body !== 'object' || typeof body.error !== 'object' || body.error === null) {
    throw new Error(`not an OpenAI error body: ${JSON.stringify(body)}`);
  }
  const error = body.error;
  const ok =
    typeof error.message === 'string' &&
    typeof error.type === 'string' &&
    (error.param === null || typeof error.param === 'string') &&
    (error.code === null || typeof error.code === 'string');
  if (!ok) throw new Error(`malformed OpenAI error object: ${JSON.stringify(error)}`);
  return error;
}
