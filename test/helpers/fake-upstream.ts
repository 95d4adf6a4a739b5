/**
 * A fake OpenAI-compatible upstream provider (Groq, OpenRouter, ...) for relay tests and the benchmark.
 *
 * A real HTTP server on 127.0.0.1 (node:http) that serves `/v1/chat/completions` (JSON and SSE),
 * `/v1/models`, `/v1/models/{id}` and `/v1/embeddings` (each also without the `/v1` prefix), records
 * every request, and answers chat / embeddings calls according to a `Scenario` chosen per call by a
 * `BehaviorFn`. Scenarios can inject the faults of reliability-security.md §3.3: error statuses and
 * bodies, rate-limit headers, resets before headers or mid-stream, stalls, streams that end without
 * `[DONE]`, malformed SSE lines, in-band errors, redirects and slow first tokens.
 *
 * Timing comes only from the scenario's delays; with all delays at 0 nothing is scheduled and the
 * whole response is written synchronously (the benchmark uses this as a zero-latency upstream).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  /** URL path without the query string, as received (e.g. `/v1/chat/completions`). */
  path: string;
  /** Query string without the leading `?` ('' when none). */
  query: string;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: any;
  rawBody: string;
  /** `body.model` when it is a string. */
  model?: string;
  /** The token from `Authorization: Bearer <token>`. */
  apiKey?: string;
}

export interface FakeModel {
  id: string;
  contextWindow?: number;
  ownedBy?: string;
  created?: number;
}

export interface FakeToolCall {
  id?: string;
  name: string;
  /** JSON text, streamed in fragments (never as a parsable prefix). */
  arguments: string;
}

export interface FakeUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  [extra: string]: unknown;
}

/** How to answer one chat completion (or embeddings) call. Every field is optional. */
export interface Scenario {
  // --- content -------------------------------------------------------------------------------
  /** Assistant text. Default "Hello from the fake upstream." (or '' when `toolCalls` is set). */
  text?: string;
  /** Split `text` into this many pieces when streaming (default: one piece per word). */
  chunks?: number;
  /** Reasoning text, streamed first as `delta.reasoning_content` (one piece per word). */
  reasoning?: string;
  /** Tool calls, streamed OpenAI-style; finish_reason becomes "tool_calls". */
  toolCalls?: FakeToolCall[];
  /** Number of argument fragments per tool call after the name fragment (default 2). */
  toolCallChunks?: number;
  /** Override of finish_reason (default "stop", or "tool_calls" with tool calls). */
  finishReason?: string;
  /** Fields merged over the computed usage. */
  usage?: FakeUsage;
  /** Override of the echoed model (default: the request's model). */
  model?: string;

  // --- timing --------------------------------------------------------------------------------
  /** Delay before the first content chunk (role chunk + first piece). Headers go out at once when streaming. */
  ttftMs?: number;
  /** Delay between consecutive chunks after the first content chunk (including the finish chunk). */
  interChunkMs?: number;
  /** Delay before the response headers (applies to every kind of reply). */
  headersDelayMs?: number;

  // --- error replies -------------------------------------------------------------------------
  /** HTTP status; >= 300 (without `redirectTo`) means an error reply with `errorBody`. */
  status?: number;
  /** Error body: a string is sent verbatim, anything else as JSON. Default: OpenAI error shape for `status`. */
  errorBody?: string | object;
  /** Extra response headers (error and success replies). */
  headers?: Record<string, string>;

  // --- faults --------------------------------------------------------------------------------
  /** Destroy the socket before sending anything. */
  resetBeforeHeaders?: boolean;
  /** Stream the role chunk and n content chunks, then destroy the socket (no finish chunk, no [DONE]). */
  resetAfterChunks?: number;
  /** Stream all content chunks, then end the HTTP response cleanly without finish chunk or [DONE]. */
  endWithoutDone?: boolean;
  /** Never send anything; the request stays open until the client disconnects. */
  stallBeforeHeaders?: boolean;
  /** Stream the role chunk and n content chunks, then never finish. */
  stallAfterChunks?: number;
  /** Insert a `data: {not json` line after the first content chunk (or after n content chunks when a number). */
  malformedChunk?: boolean | number;
  /** After n content chunks send an in-band `data: {"error":...}` event and end (no [DONE]). */
  errorAfterChunks?: number;
  /** The in-band error object for `errorAfterChunks` (default an OpenAI server_error). */
  streamError?: object;
  /** An SSE comment (`: <comment>`) written right after the headers, before the first chunk. */
  comment?: string;
  /** Answer with a redirect (status 307 unless `status` is another 3xx) to this URL. */
  redirectTo?: string;
  /** Headers added to a successful response, e.g. `x-ratelimit-remaining-requests`. */
  rateLimitHeaders?: Record<string, string>;
}

export type BehaviorFn = (
  request: RecordedRequest,
  /** 0-based count of prior calls to the same endpoint (chat completions, or embeddings) handled by a behavior. */
  callIndex: number,
) => Scenario | undefined | Promise<Scenario | undefined>;

export interface FakeUpstreamOptions {
  /** A behavior function, or a fixed Scenario used for every call. */
  behavior?: BehaviorFn | Scenario;
  /** Served by GET /models. Default: DEFAULT_MODELS. */
  models?: FakeModel[];
  /** When set, every request needs `Authorization: Bearer <one of these>` or gets 401. */
  requireKey?: string | string[];
  /** Default 0 (ephemeral). */
  port?: number;
}

export interface FakeUpstream {
  /** Base URL including /v1, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** Base URL without /v1, e.g. http://127.0.0.1:PORT */
  origin: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Requests whose client went away before the response finished (the relay aborted). */
  aborted: RecordedRequest[];
  /** Only the POST chat completion requests, in order. */
  chatRequests(): RecordedRequest[];
  /** Replace the behaviour at runtime (a function or a fixed Scenario). */
  setBehavior(fn: BehaviorFn | Scenario): void;
  /** Clear requests/aborted and the call counters. */
  reset(): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  waitForAbort(count?: number, timeoutMs?: number): Promise<void>;
  /** Closes the server and destroys open sockets; does not hang on stalled streams. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants and small helpers
// ---------------------------------------------------------------------------------------------

export const DEFAULT_TEXT = 'Hello from the fake upstream.';

export const DEFAULT_MODELS: readonly FakeModel[] = Object.freeze([
  { id: 'fake-small', contextWindow: 8192 },
  { id: 'fake-large', contextWindow: 131072 },
]);

const MODEL_CREATED = 1730000000;
const DEFAULT_WAIT_MS = 2000;

const idPrefix = Math.random().toString(36).slice(2, 8);
let idSeq = 0;
function nextId(prefix: string): string {
  idSeq += 1;
  return `${prefix}${idPrefix}${idSeq.toString(36)}`;
}

/** Unix seconds for `created` (computed once per response, so every chunk carries the same value). */
function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** OpenAI-shaped error object `{error:{message,type,param,code}}`. */
export function openAiError(message: string, type: string, code: string | number | null = null): object {
  return { error: { message, type, param: null, code } };
}

function defaultErrorBody(status: number, model: string | undefined): object {
  switch (status) {
    case 400:
      return openAiError('Invalid request.', 'invalid_request_error', 'invalid_request_error');
    case 401:
      return openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    case 402:
      return openAiError('Insufficient credits. Add more using https://example.invalid/credits', 'insufficient_quota', 402);
    case 403:
      return openAiError('You do not have access to this resource.', 'permission_error', 'permission_denied');
    case 404:
      return openAiError(
        `The model \`${model ?? 'unknown'}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    case 408:
      return openAiError('Request timed out.', 'timeout_error', 'timeout');
    case 413:
      return openAiError('Request entity too large.', 'invalid_request_error', 'request_too_large');
    case 429:
      return openAiError('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded');
    case 500:
      return openAiError('The server had an error while processing your request.', 'server_error', 'server_error');
    case 502:
      return openAiError('Bad gateway.', 'server_error', 'bad_gateway');
    case 503:
      return openAiError('The server is overloaded or not ready yet.', 'server_error', 'service_unavailable');
    case 504:
      return openAiError('Gateway timeout.', 'server_error', 'gateway_timeout');
    case 529:
      return openAiError('Overloaded.', 'overloaded_error', 'overloaded');
    default:
      return openAiError(`Upstream error ${status}.`, status >= 500 ? 'server_error' : 'invalid_request_error', null);
  }
}

/** Split text into pieces at word starts ("Hello from" → ["Hello ", "from"]), or into n near-equal parts. */
export function splitText(text: string, chunks?: number): string[] {
  if (text === '') return [];
  if (chunks === undefined || !(chunks >= 1)) {
    const pieces = text.split(/(?<=\s)(?=\S)/);
    return pieces.length > 0 ? pieces : [text];
  }
  const chars = Array.from(text);
  const n = Math.min(Math.floor(chunks), chars.length);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = Math.round(((i + 1) * chars.length) / n);
    out.push(chars.slice(start, end).join(''));
    start = end;
  }
  return out;
}

function splitEven(text: string, parts: number): string[] {
  if (text === '') return [];
  const chars = Array.from(text);
  const n = Math.max(1, Math.min(Math.floor(parts), chars.length));
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = Math.round(((i + 1) * chars.length) / n);
    out.push(chars.slice(start, end).join(''));
    start = end;
  }
  return out;
}

/** Prompt tokens ≈ characters of all message contents / 4 (at least 1). */
export function estimatePromptTokens(body: any): number {
  let chars = 0;
  const messages = body?.messages;
  if (Array.isArray(messages)) {
    for (const m of messages) {
      const c = m?.content;
      if (typeof c === 'string') chars += c.length;
      else if (Array.isArray(c)) {
        for (const part of c) if (typeof part?.text === 'string') chars += part.text.length;
      }
    }
  }
  return Math.max(1, Math.ceil(chars / 4));
}

/** Deterministic pseudo-embedding: `dims` float32-exact values in [-1, 1) derived from the text (FNV-1a + xorshift). */
export function fakeEmbedding(text: string, dims = 8): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const out: number[] = [];
  let x = h >>> 0 || 0x9e3779b9;
  for (let i = 0; i < dims; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(Math.fround((x / 0x100000000) * 2 - 1));
  }
  return out;
}

/** Little-endian float32 bytes, base64 (the `encoding_format: "base64"` wire format). */
export function encodeEmbeddingBase64(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, i * 4);
  return buf.toString('base64');
}

export function decodeEmbeddingBase64(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= buf.length; i += 4) out.push(buf.readFloatLE(i));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scenario presets
// ---------------------------------------------------------------------------------------------

export const scenarios = {
  /** A normal successful answer. */
  ok(text: string = DEFAULT_TEXT, extra: Scenario = {}): Scenario {
    return { ...extra, text };
  },
  /** Reasoning streamed first as `reasoning_content`, then the text. */
  reasoning(reasoning: string, text: string = DEFAULT_TEXT, extra: Scenario = {}): Scenario {
    return { ...extra, reasoning, text };
  },
  /** Tool calls (finish_reason "tool_calls"). */
  toolCalls(calls: FakeToolCall[], extra: Scenario = {}): Scenario {
    return { ...extra, toolCalls: calls };
  },
  /** Success with rate-limit headers, e.g. `{'x-ratelimit-remaining-requests': '0'}`. */
  withRateLimitHeaders(headers: Record<string, string>, extra: Scenario = {}): Scenario {
    return { ...extra, rateLimitHeaders: headers };
  },
  /** Slow first token / slow stream. */
  slow(timing: { ttftMs?: number; interChunkMs?: number; headersDelayMs?: number }, extra: Scenario = {}): Scenario {
    return { ...extra, ...timing };
  },

  /** 429; `Retry-After: <seconds>` (and/or `retry-after-ms`) only when given, otherwise no headers. */
  rateLimited(opts: { retryAfterSeconds?: number; retryAfterMs?: number; retryAfter?: string; message?: string } = {}): Scenario {
    const headers: Record<string, string> = {};
    if (opts.retryAfterSeconds !== undefined) headers['retry-after'] = String(opts.retryAfterSeconds);
    if (opts.retryAfter !== undefined) headers['retry-after'] = opts.retryAfter;
    if (opts.retryAfterMs !== undefined) headers['retry-after-ms'] = String(opts.retryAfterMs);
    const s: Scenario = { status: 429, headers };
    if (opts.message !== undefined) s.errorBody = openAiError(opts.message, 'requests', 'rate_limit_exceeded');
    return s;
  },
  /** 429 with no Retry-After, only OpenAI-style `x-ratelimit-*` headers (reset as a Go duration, e.g. "2s"). */
  rateLimitedResetHeaders(opts: { resetRequests?: string; resetTokens?: string; limitRequests?: number } = {}): Scenario {
    const headers: Record<string, string> = {
      'x-ratelimit-limit-requests': String(opts.limitRequests ?? 30),
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': opts.resetRequests ?? '2s',
    };
    if (opts.resetTokens !== undefined) {
      headers['x-ratelimit-remaining-tokens'] = '0';
      headers['x-ratelimit-reset-tokens'] = opts.resetTokens;
    }
    return { status: 429, headers };
  },
  /** 429 with no rate-limit headers at all. */
  rateLimitedBare(): Scenario {
    return { status: 429 };
  },
  /** 429 `insufficient_quota` (billing, not transient). */
  insufficientQuota(): Scenario {
    return {
      status: 429,
      errorBody: openAiError(
        'You exceeded your current quota, please check your plan and billing details.',
        'insufficient_quota',
        'insufficient_quota',
      ),
    };
  },
  badRequest(message = 'Invalid request.', code: string | null = 'invalid_request_error'): Scenario {
    return { status: 400, errorBody: openAiError(message, 'invalid_request_error', code) };
  },
  contextLengthExceeded(): Scenario {
    return {
      status: 400,
      errorBody: openAiError(
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9001 tokens. Please reduce the length of the messages.",
        'invalid_request_error',
        'context_length_exceeded',
      ),
    };
  },
  unauthorized(): Scenario {
    return { status: 401 };
  },
  /** 402 out of credits (OpenRouter style). */
  paymentRequired(): Scenario {
    return { status: 402 };
  },
  forbidden(): Scenario {
    return { status: 403 };
  },
  /** 404 `model_not_found` (message names the requested model unless `model` is given). */
  modelNotFound(model?: string): Scenario {
    if (model === undefined) return { status: 404 };
    return {
      status: 404,
      errorBody: openAiError(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
    };
  },
  /** 5xx (default 500) with the OpenAI error body for that status. */
  serverError(status = 500): Scenario {
    return { status };
  },
  /** 503, optionally with Retry-After seconds. */
  serviceUnavailable(opts: { retryAfterSeconds?: number } = {}): Scenario {
    const s: Scenario = { status: 503 };
    if (opts.retryAfterSeconds !== undefined) s.headers = { 'retry-after': String(opts.retryAfterSeconds) };
    return s;
  },
  /** 529 overloaded. */
  overloaded(): Scenario {
    return { status: 529 };
  },
  /** An HTML error page (Cloudflare-style), default 502. */
  html(status = 502): Scenario {
    return {
      status,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      errorBody:
        `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n` +
        `<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`,
    };
  },
  /** Gemini OpenAI-endpoint error: a JSON *array* body (default 429 RESOURCE_EXHAUSTED with RetryInfo 24s). */
  geminiError(opts: { status?: number; statusText?: string; message?: string; retryDelay?: string } = {}): Scenario {
    const status = opts.status ?? 429;
    const details: object[] = [];
    if (opts.retryDelay !== undefined || status === 429) {
      details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: opts.retryDelay ?? '24s' });
    }
    return {
      status,
      errorBody: [
        {
          error: {
            code: status,
            message: opts.message ?? 'Resource has been exhausted (e.g. check quota).',
            status: opts.statusText ?? (status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL'),
            details,
          },
        },
      ],
    };
  },

  resetBeforeHeaders(): Scenario {
    return { resetBeforeHeaders: true };
  },
  resetAfterChunks(n = 1, extra: Scenario = {}): Scenario {
    return { ...extra, resetAfterChunks: n };
  },
  endWithoutDone(extra: Scenario = {}): Scenario {
    return { ...extra, endWithoutDone: true };
  },
  stallBeforeHeaders(): Scenario {
    return { stallBeforeHeaders: true };
  },
  stallAfterChunks(n = 1, extra: Scenario = {}): Scenario {
    return { ...extra, stallAfterChunks: n };
  },
  malformedChunk(extra: Scenario = {}): Scenario {
    return { ...extra, malformedChunk: true };
  },
  /** In-band `data: {"error":...}` after n content chunks, then the stream ends without [DONE]. */
  midStreamError(afterChunks = 1, error?: object, extra: Scenario = {}): Scenario {
    const s: Scenario = { ...extra, errorAfterChunks: afterChunks };
    if (error !== undefined) s.streamError = error;
    return s;
  },
  redirect(url: string, status = 307): Scenario {
    return { redirectTo: url, status };
  },
};

/** A behavior answering call i with `list[i]`, repeating the last entry afterwards. */
export function sequence(...list: Scenario[]): BehaviorFn {
  return (_req, i) => list[Math.min(i, list.length - 1)] ?? {};
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

interface Ctx {
  res: ServerResponse;
  rec: RecordedRequest | undefined;
  timer: NodeJS.Timeout | undefined;
  gone: boolean;
  selfDestroyed: boolean;
}

type Ending = 'end' | 'destroy' | 'stall';
interface Step {
  delay: number;
  data: string;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function toBehavior(b: BehaviorFn | Scenario | undefined): BehaviorFn {
  if (b === undefined) return () => undefined;
  if (typeof b === 'function') return b;
  return () => b;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  if (!headers) return false;
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return true;
  return false;
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  let behavior = toBehavior(options.behavior);
  const models: FakeModel[] = options.models ?? DEFAULT_MODELS.map((m) => ({ ...m }));
  const requiredKeys =
    options.requireKey === undefined ? undefined : new Set(Array.isArray(options.requireKey) ? options.requireKey : [options.requireKey]);

  const requests: RecordedRequest[] = [];
  const aborted: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const live = new Set<Ctx>();
  const waiters = new Set<Waiter>();
  let chatCalls = 0;
  let embeddingCalls = 0;
  let closing = false;

  const notify = (): void => {
    if (waiters.size === 0) return;
    for (const w of waiters) {
      if (w.check()) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve();
      }
    }
  };

  const waitFor = (check: () => boolean, timeoutMs: number, what: () => string): Promise<void> => {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        check,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`fake upstream: timed out after ${timeoutMs} ms waiting for ${what()}`));
        }, timeoutMs),
      };
      waiters.add(w);
    });
  };

  // --- response primitives -------------------------------------------------------------------

  const finishCtx = (ctx: Ctx): void => {
    if (ctx.timer !== undefined) clearTimeout(ctx.timer);
    ctx.timer = undefined;
    live.delete(ctx);
  };

  const destroySocket = (ctx: Ctx): void => {
    if (ctx.gone) return;
    ctx.selfDestroyed = true;
    finishCtx(ctx);
    const sock = ctx.res.socket ?? ctx.res.req.socket;
    if (sock) sock.destroy();
    else ctx.res.destroy();
  };

  const later = (ctx: Ctx, ms: number, fn: () => void): void => {
    if (ms > 0) {
      ctx.timer = setTimeout(() => {
        ctx.timer = undefined;
        if (!ctx.gone) fn();
      }, ms);
    } else {
      fn();
    }
  };

  const sendRaw = (ctx: Ctx, status: number, headers: Record<string, string>, body: string): void => {
    const res = ctx.res;
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(status, headers);
    res.end(body);
    finishCtx(ctx);
  };

  const baseHeaders = (extra?: Record<string, string>, more?: Record<string, string>): Record<string, string> => {
    const h: Record<string, string> = { 'x-request-id': nextId('req_') };
    if (more) for (const k of Object.keys(more)) h[k.toLowerCase()] = more[k]!;
    if (extra) for (const k of Object.keys(extra)) h[k.toLowerCase()] = extra[k]!;
    return h;
  };

  const sendJson = (ctx: Ctx, status: number, body: unknown, extra?: Record<string, string>): void => {
    const h = baseHeaders(extra);
    if (!hasHeader(extra, 'content-type')) h['content-type'] = 'application/json';
    sendRaw(ctx, status, h, JSON.stringify(body));
  };

  const sendError = (ctx: Ctx, s: Scenario, status: number): void => {
    const eb = s.errorBody ?? defaultErrorBody(status, ctx.rec?.model);
    const h = baseHeaders(s.headers);
    let text: string;
    if (typeof eb === 'string') {
      text = eb;
      if (!hasHeader(s.headers, 'content-type')) {
        const t = eb.trimStart();
        h['content-type'] = t.startsWith('<') ? 'text/html; charset=utf-8' : t.startsWith('{') || t.startsWith('[') ? 'application/json' : 'text/plain; charset=utf-8';
      }
    } else {
      text = JSON.stringify(eb);
      if (!hasHeader(s.headers, 'content-type')) h['content-type'] = 'application/json';
    }
    sendRaw(ctx, status, h, text);
  };

  /** Faults and replies common to every behavior-driven endpoint. Returns true when the reply is handled. */
  const handleCommon = (ctx: Ctx, s: Scenario, ok: () => void): void => {
    if (s.resetBeforeHeaders) {
      destroySocket(ctx);
      return;
    }
    if (s.stallBeforeHeaders) return; // until the client goes away (or close())
    later(ctx, s.headersDelayMs ?? 0, () => {
      if (s.redirectTo !== undefined) {
        const status = s.status !== undefined && s.status >= 300 && s.status < 400 ? s.status : 307;
        const h = baseHeaders(s.headers, { location: s.redirectTo });
        h['content-type'] = 'application/json';
        sendRaw(ctx, status, h, JSON.stringify({ redirect: s.redirectTo }));
        return;
      }
      if (s.status !== undefined && s.status >= 300) {
        sendError(ctx, s, s.status);
        return;
      }
      ok();
    });
  };

  // --- chat completions ----------------------------------------------------------------------

  const runSteps = (ctx: Ctx, steps: Step[], ending: Ending, from: number, skipDelay: boolean): void => {
    const res = ctx.res;
    for (let i = from; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.delay > 0 && !(skipDelay && i === from)) {
        ctx.timer = setTimeout(() => {
          ctx.timer = undefined;
          if (!ctx.gone) runSteps(ctx, steps, ending, i, true);
        }, step.delay);
        return;
      }
      if (ending === 'destroy' && i === steps.length - 1) {
        // Destroy only once the bytes reached the socket, so the client sees them before the reset.
        res.write(step.data, () => destroySocket(ctx));
        return;
      }
      res.write(step.data);
    }
    if (ending === 'end') {
      res.end();
      finishCtx(ctx);
    } else if (ending === 'destroy') {
      destroySocket(ctx);
    }
    // 'stall': leave the response open.
  };

  const chatReply = (ctx: Ctx, s: Scenario, body: any): void => {
    const model: string = s.model ?? (typeof body?.model === 'string' ? body.model : 'fake-model');
    const stream = body?.stream === true;
    const toolCalls = s.toolCalls ?? [];
    const text = s.text ?? (toolCalls.length > 0 ? '' : DEFAULT_TEXT);
    const textPieces = splitText(text, s.chunks);
    const reasoningPieces = s.reasoning ? splitText(s.reasoning) : [];
    const argParts = s.toolCallChunks ?? 2;
    const toolFragments = toolCalls.map((tc, i) => ({
      id: tc.id ?? `call_fake_${i}`,
      name: tc.name,
      args: tc.arguments,
      pieces: splitEven(tc.arguments, argParts),
    }));
    let toolPieceCount = 0;
    for (const t of toolFragments) toolPieceCount += 1 + t.pieces.length;

    const finishReason = s.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
    const promptTokens = estimatePromptTokens(body);
    const completionTokens = reasoningPieces.length + textPieces.length + toolPieceCount;
    const usage: FakeUsage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoningPieces.length },
    };
    if (s.usage) {
      Object.assign(usage, s.usage);
      if (s.usage.total_tokens === undefined) usage.total_tokens = (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
    }
    const id = nextId('chatcmpl-');
    const created = nowSeconds();
    const successHeaders = s.rateLimitHeaders || s.headers ? baseHeaders(s.headers, s.rateLimitHeaders) : baseHeaders();

    if (!stream) {
      const message: Record<string, unknown> = {
        role: 'assistant',
        content: text === '' && toolCalls.length > 0 ? null : text,
        refusal: null,
      };
      if (s.reasoning) message.reasoning_content = s.reasoning;
      if (toolCalls.length > 0) {
        message.tool_calls = toolFragments.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.args } }));
      }
      const json = JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage,
      });
      later(ctx, s.ttftMs ?? 0, () => {
        if (!hasHeader(s.headers, 'content-type')) successHeaders['content-type'] = 'application/json';
        if (s.malformedChunk) {
          sendRaw(ctx, 200, successHeaders, '{not json');
          return;
        }
        const cut = s.resetAfterChunks ?? s.stallAfterChunks;
        if (cut !== undefined) {
          successHeaders['content-length'] = String(Buffer.byteLength(json));
          ctx.res.writeHead(200, successHeaders);
          const partial = json.slice(0, Math.floor(json.length / 2));
          if (s.resetAfterChunks !== undefined) ctx.res.write(partial, () => destroySocket(ctx));
          else ctx.res.write(partial);
          return;
        }
        sendRaw(ctx, 200, successHeaders, json);
      });
      return;
    }

    // --- SSE ---
    const includeUsage = body?.stream_options?.include_usage === true;
    const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_fake","choices":[{"index":0,"delta":`;
    const tail = `,"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
    const chunk = (delta: object): string => head + JSON.stringify(delta) + tail;

    const content: string[] = [];
    for (const p of reasoningPieces) content.push(chunk({ reasoning_content: p }));
    for (const p of textPieces) content.push(chunk({ content: p }));
    toolFragments.forEach((t, index) => {
      content.push(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }));
      for (const p of t.pieces) content.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
    });

    const ttft = s.ttftMs ?? 0;
    const ic = s.interChunkMs ?? 0;
    const steps: Step[] = [];
    if (s.comment !== undefined) steps.push({ delay: 0, data: `: ${s.comment}\n\n` });
    steps.push({ delay: ttft, data: chunk({ role: 'assistant', content: '' }) });

    let limit = content.length;
    let ending: Ending = 'end';
    let tailKind: 'finish' | 'none' | 'error' = 'finish';
    if (s.resetAfterChunks !== undefined) {
      limit = Math.min(limit, Math.max(0, s.resetAfterChunks));
      ending = 'destroy';
      tailKind = 'none';
    } else if (s.stallAfterChunks !== undefined) {
      limit = Math.min(limit, Math.max(0, s.stallAfterChunks));
      ending = 'stall';
      tailKind = 'none';
    } else if (s.errorAfterChunks !== undefined) {
      limit = Math.min(limit, Math.max(0, s.errorAfterChunks));
      tailKind = 'error';
    } else if (s.endWithoutDone) {
      tailKind = 'none';
    }
    const malformedAt = s.malformedChunk === undefined || s.malformedChunk === false ? -1 : s.malformedChunk === true ? Math.min(1, limit) : Math.min(s.malformedChunk, limit);

    for (let k = 0; k < limit; k++) {
      if (k === malformedAt) steps.push({ delay: 0, data: 'data: {not json\n\n' });
      steps.push({ delay: k === 0 ? 0 : ic, data: content[k]! });
    }
    if (malformedAt === limit) steps.push({ delay: 0, data: 'data: {not json\n\n' });

    if (tailKind === 'finish') {
      let fin = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_fake","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
      if (includeUsage) {
        fin += `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_fake","choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
      }
      fin += 'data: [DONE]\n\n';
      steps.push({ delay: limit > 0 ? ic : 0, data: fin });
    } else if (tailKind === 'error') {
      const err = s.streamError ?? openAiError('The server had an error while processing your request.', 'server_error', 'server_error');
      steps.push({ delay: limit > 0 ? ic : 0, data: `data: ${JSON.stringify(err)}\n\n` });
    }

    if (!hasHeader(s.headers, 'content-type')) successHeaders['content-type'] = 'text/event-stream';
    successHeaders['cache-control'] = 'no-cache';
    successHeaders['x-accel-buffering'] = 'no';
    const res = ctx.res;
    res.writeHead(200, successHeaders);
    // Flush headers now only when something would otherwise hold them back; else they go with the first write.
    if (steps[0]!.delay > 0) res.flushHeaders();
    runSteps(ctx, steps, ending, 0, false);
  };

  // --- embeddings ----------------------------------------------------------------------------

  const embeddingsReply = (ctx: Ctx, s: Scenario, body: any): void => {
    const input = body?.input;
    let texts: string[] | undefined;
    if (typeof input === 'string') texts = [input];
    else if (Array.isArray(input)) texts = input.map((x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x)));
    if (!texts || texts.length === 0) {
      sendJson(ctx, 400, openAiError("'input' is a required property", 'invalid_request_error', 'invalid_request_error'));
      return;
    }
    const dims = Number.isInteger(body?.dimensions) && body.dimensions > 0 && body.dimensions <= 4096 ? (body.dimensions as number) : 8;
    const base64 = body?.encoding_format === 'base64';
    let chars = 0;
    const data = texts.map((t, index) => {
      chars += t.length;
      const v = fakeEmbedding(t, dims);
      return { object: 'embedding', index, embedding: base64 ? encodeEmbeddingBase64(v) : v };
    });
    const tokens = Math.max(1, Math.ceil(chars / 4));
    const model = s.model ?? (typeof body?.model === 'string' ? body.model : 'fake-embedding');
    const headers = baseHeaders(s.headers, s.rateLimitHeaders);
    later(ctx, s.ttftMs ?? 0, () => sendJson(ctx, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, headers));
  };

  // --- models --------------------------------------------------------------------------------

  const modelObject = (m: FakeModel): Record<string, unknown> => {
    const o: Record<string, unknown> = { id: m.id, object: 'model', created: m.created ?? MODEL_CREATED, owned_by: m.ownedBy ?? 'fake-upstream' };
    if (m.contextWindow !== undefined) o.context_window = m.contextWindow;
    return o;
  };

  // --- dispatch ------------------------------------------------------------------------------

  const runBehavior = (ctx: Ctx, rec: RecordedRequest, index: number, then: (s: Scenario) => void): void => {
    let out: ReturnType<BehaviorFn>;
    try {
      out = behavior(rec, index);
    } catch (err) {
      sendJson(ctx, 500, openAiError(`fake upstream behavior threw: ${String(err)}`, 'server_error', 'server_error'));
      return;
    }
    if (out !== null && typeof out === 'object' && typeof (out as Promise<unknown>).then === 'function') {
      (out as Promise<Scenario | undefined>).then(
        (s) => {
          if (!ctx.gone) then(s ?? {});
        },
        (err: unknown) => {
          if (!ctx.gone) sendJson(ctx, 500, openAiError(`fake upstream behavior threw: ${String(err)}`, 'server_error', 'server_error'));
        },
      );
      return;
    }
    then((out as Scenario | undefined) ?? {});
  };

  const route = (ctx: Ctx, rec: RecordedRequest): void => {
    const method = rec.method;
    let p = rec.path;
    if (p === '/v1') p = '/';
    else if (p.startsWith('/v1/')) p = p.slice(3);
    if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);

    if (p === '/' && (method === 'GET' || method === 'HEAD')) {
      sendRaw(ctx, 200, { 'content-type': 'text/plain; charset=utf-8' }, method === 'HEAD' ? '' : 'fake upstream is running');
      return;
    }

    if (requiredKeys && (rec.apiKey === undefined || !requiredKeys.has(rec.apiKey))) {
      sendJson(
        ctx,
        401,
        openAiError(
          rec.apiKey === undefined ? "You didn't provide an API key." : 'Incorrect API key provided.',
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
      return;
    }

    if (p === '/chat/completions' && method === 'POST') {
      if (rec.body === undefined || typeof rec.body !== 'object' || rec.body === null) {
        sendJson(ctx, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error', 'invalid_json'));
        return;
      }
      const index = chatCalls++;
      runBehavior(ctx, rec, index, (s) => handleCommon(ctx, s, () => chatReply(ctx, s, rec.body)));
      return;
    }
    if (p === '/embeddings' && method === 'POST') {
      if (rec.body === undefined || typeof rec.body !== 'object' || rec.body === null) {
        sendJson(ctx, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error', 'invalid_json'));
        return;
      }
      const index = embeddingCalls++;
      runBehavior(ctx, rec, index, (s) => handleCommon(ctx, s, () => embeddingsReply(ctx, s, rec.body)));
      return;
    }
    if (p === '/models' && method === 'GET') {
      sendJson(ctx, 200, { object: 'list', data: models.map(modelObject) });
      return;
    }
    if (p.startsWith('/models/') && method === 'GET') {
      let id: string;
      try {
        id = decodeURIComponent(p.slice('/models/'.length));
      } catch {
        id = p.slice('/models/'.length);
      }
      const m = models.find((x) => x.id === id);
      if (m) sendJson(ctx, 200, modelObject(m));
      else sendJson(ctx, 404, openAiError(`The model \`${id}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'));
      return;
    }
    sendJson(ctx, 404, openAiError(`Unknown request URL: ${method} ${rec.path}. Please check the URL for typos.`, 'invalid_request_error', 'unknown_url'));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx: Ctx = { res, rec: undefined, timer: undefined, gone: false, selfDestroyed: false };
    live.add(ctx);
    res.on('close', () => {
      const wasGone = ctx.gone;
      ctx.gone = true;
      finishCtx(ctx);
      if (!wasGone && !res.writableFinished && !ctx.selfDestroyed && !closing && ctx.rec) {
        aborted.push(ctx.rec);
        notify();
      }
    });
    req.on('error', () => {
      /* client went away mid-upload; 'close' handles the rest */
    });

    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      if (ctx.gone) return;
      const rawBody = parts.length === 0 ? '' : parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
      let body: any;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = undefined;
        }
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const headers = flattenHeaders(req);
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: q === -1 ? url : url.slice(0, q),
        query: q === -1 ? '' : url.slice(q + 1),
        headers,
        body,
        rawBody,
      };
      if (typeof body?.model === 'string') rec.model = body.model;
      const auth = headers['authorization'];
      if (auth !== undefined) {
        const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
        if (m) rec.apiKey = m[1]!;
      }
      ctx.rec = rec;
      requests.push(rec);
      notify();
      route(ctx, rec);
    });
  };

  const server: Server = createServer(onRequest);
  server.on('connection', (sock: Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  server.on('clientError', (_err, sock) => {
    sock.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  let closePromise: Promise<void> | undefined;

  return {
    url: `${origin}/v1`,
    origin,
    port,
    requests,
    aborted,
    chatRequests: () => requests.filter((r) => r.method === 'POST' && /^(\/v1)?\/chat\/completions\/?$/.test(r.path)),
    setBehavior(fn) {
      behavior = toBehavior(fn);
    },
    reset() {
      requests.length = 0;
      aborted.length = 0;
      chatCalls = 0;
      embeddingCalls = 0;
    },
    waitForRequests(count, timeoutMs = DEFAULT_WAIT_MS) {
      return waitFor(() => requests.length >= count, timeoutMs, () => `${count} request(s) (got ${requests.length})`);
    },
    waitForAbort(count = 1, timeoutMs = DEFAULT_WAIT_MS) {
      return waitFor(() => aborted.length >= count, timeoutMs, () => `${count} aborted request(s) (got ${aborted.length})`);
    },
    close() {
      if (closePromise) return closePromise;
      closing = true;
      for (const ctx of live) finishCtx(ctx);
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('fake upstream closed'));
      }
      waiters.clear();
      closePromise = new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.closeAllConnections();
      });
      return closePromise;
    },
  };
}
