import { UpstreamError, type ErrorKind } from '../../core/errors.js';
import type { UpstreamFailureContext } from '../openai-compatible/parse-error.js';
import { cooldownFromHeaders } from '../rate-limit-headers.js';
import type { ErrorBodyWire, ErrorWire } from './api-types.js';

export { transportError, type UpstreamFailureContext } from '../openai-compatible/parse-error.js';

const MAX_MESSAGE = 300;

/** Anthropic answers 400, not 402, when the account is out of credit. */
const OUT_OF_CREDIT = /credit balance|billing/i;

function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}

/** `{type:"error",error:{type,message}}`, tolerating HTML pages (Cloudflare) and plain text. */
export function readErrorBody(bodyText: string, contentType = ''): ErrorWire {
  const text = bodyText.trim();
  if (text === '') return {};
  if (/html/i.test(contentType) || text.startsWith('<')) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return { message: title ? `an HTML page ("${clean(title)}")` : 'an HTML error page' };
  }
  try {
    const parsed = JSON.parse(text) as ErrorBodyWire;
    const error = parsed.error;
    if (typeof error === 'string') return { message: clean(error) };
    const message = error?.message ?? parsed.message;
    return { ...(error?.type ? { type: error.type } : {}), ...(typeof message === 'string' ? { message: clean(message) } : {}) };
  } catch {
    return { message: clean(text) };
  }
}

function kindOf(status: number, detail: ErrorWire): { kind: ErrorKind; retryable: boolean } {
  if (status === 429) return { kind: 'rate-limited', retryable: true };
  if (status === 402 || detail.type === 'billing_error' || (status === 400 && OUT_OF_CREDIT.test(detail.message ?? ''))) return { kind: 'upstream-payment', retryable: false };
  if (status === 401 || status === 403) return { kind: 'upstream-auth', retryable: false };
  if (status === 404) return { kind: 'upstream-not-found', retryable: false };
  if (status === 408 || status === 504) return { kind: 'upstream-timeout', retryable: true };
  if (status >= 500 || status < 400) return { kind: 'upstream-server', retryable: status >= 500 };
  return { kind: 'upstream-request', retryable: false };
}

/**
 * The error for a non-2xx answer from an Anthropic upstream. A 529 stays visible as the
 * upstream status, so the dispatcher can tell "every upstream is overloaded" (529 to Anthropic
 * clients) from other failures. Auth failures never repeat the upstream's words.
 */
export function parseUpstreamError(status: number, headers: Record<string, string>, bodyText: string, context: UpstreamFailureContext): UpstreamError {
  const detail = readErrorBody(bodyText, headers['content-type']);
  const { kind, retryable } = kindOf(status, detail);
  const retryAfterMs = kind === 'rate-limited' || kind === 'upstream-server' ? cooldownFromHeaders(headers, context.now) : undefined;
  let message: string;
  if (kind === 'upstream-auth') message = `${context.provider} rejected the key${context.keyLabel ? ` '${context.keyLabel}'` : ''} (HTTP ${status}).`;
  // Clients act on the upstream's own words about their request (Claude Code compacts on "prompt is too long").
  else if (kind === 'upstream-request' && detail.message) message = detail.message;
  else message = `${context.provider} answered HTTP ${status}${detail.message ? `: ${detail.message}` : '.'}`;
  return new UpstreamError(message, {
    status: kind === 'upstream-request' ? status : kind === 'upstream-timeout' ? 504 : 502,
    kind,
    ...(detail.type ? { code: detail.type } : {}),
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    provider: context.provider,
    model: context.model,
    ...(context.keyLabel === undefined ? {} : { keyLabel: context.keyLabel }),
    upstreamStatus: status,
  });
}

/** An `event: error` inside the stream; its type says what the HTTP status would have. */
export function streamError(error: ErrorWire | undefined, source: { provider: string; model: string; keyLabel?: string }): UpstreamError {
  const type = error?.type ?? 'api_error';
  const status = type === 'overloaded_error' ? 529 : type === 'rate_limit_error' ? 429 : type === 'invalid_request_error' ? 400 : 500;
  const { kind, retryable } = kindOf(status, error ?? {});
  return new UpstreamError(`${source.provider}: ${clean(error?.message ?? 'error in the stream')}`, {
    status: kind === 'upstream-request' ? 400 : 502,
    kind,
    code: type,
    retryable,
    provider: source.provider,
    model: source.model,
    ...(source.keyLabel === undefined ? {} : { keyLabel: source.keyLabel }),
    upstreamStatus: status,
  });
}
