import { UpstreamError, type ErrorKind } from '../../core/errors.js';
import { cooldownFromHeaders } from '../rate-limit-headers.js';

export interface UpstreamFailureContext {
  provider: string;
  model: string;
  keyLabel?: string;
  now: number;
}

const MAX_MESSAGE = 300;

/**
 * Builds the error for a non-2xx upstream answer. Tolerates empty, HTML and odd JSON bodies
 * (OpenRouter's numeric codes, Gemini's array bodies). Auth failures never carry the upstream
 * text: it can echo key fragments.
 */
export function parseUpstreamError(
  status: number,
  headers: Record<string, string>,
  bodyText: string,
  context: UpstreamFailureContext,
): UpstreamError {
  const detail = extractMessage(bodyText, headers['content-type'] ?? '');
  const code = detail.code;
  let kind: ErrorKind;
  let retryable = false;
  let retryAfterMs: number | undefined;
  if (status === 429 && code !== 'insufficient_quota') {
    kind = 'rate-limited';
    retryable = true;
    retryAfterMs = cooldownFromHeaders(headers, context.now) ?? retryDelayFromBody(bodyText);
  } else if (status === 429 || status === 402) {
    kind = 'upstream-payment';
  } else if (status === 401 || status === 403) {
    kind = 'upstream-auth';
  } else if (status === 404) {
    kind = 'upstream-not-found';
  } else if (status >= 300 && status < 400) {
    kind = 'upstream-server';
  } else if (status === 408) {
    kind = 'upstream-timeout';
    retryable = true;
  } else if (status >= 500 || status === 498) {
    kind = 'upstream-server';
    retryable = true;
    retryAfterMs = cooldownFromHeaders(headers, context.now);
  } else {
    kind = 'upstream-request';
  }

  let message: string;
  if (kind === 'upstream-auth') {
    message = `${context.provider} rejected the key${context.keyLabel ? ` '${context.keyLabel}'` : ''} (HTTP ${status}).`;
  } else if (status >= 300 && status < 400) {
    message = `${context.provider} answered with a redirect (HTTP ${status}); redirects are not followed so keys stay with the configured base URL.`;
  } else if (kind === 'upstream-request' && detail.message) {
    // The client gets the upstream's own words: clients act on them (Claude Code compacts on a
    // context-length message). Which provider said it is in the response headers.
    message = detail.message;
  } else {
    message = `${context.provider} answered HTTP ${status}${detail.message ? `: ${detail.message}` : '.'}`;
  }
  return new UpstreamError(message, {
    status: kind === 'upstream-request' ? status : 502,
    kind,
    ...(code === undefined ? {} : { code }),
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    provider: context.provider,
    model: context.model,
    ...(context.keyLabel === undefined ? {} : { keyLabel: context.keyLabel }),
    upstreamStatus: status,
  });
}

function extractMessage(bodyText: string, contentType: string): { message?: string; code?: string } {
  const text = bodyText.trim();
  if (text === '') return {};
  if (/html/i.test(contentType) || text.startsWith('<')) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return { message: title ? `an HTML page ("${truncate(title)}")` : 'an HTML error page' };
  }
  try {
    let parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) parsed = parsed[0];
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      const error = (record.error ?? record) as unknown;
      if (typeof error === 'string') return { message: truncate(error) };
      if (error && typeof error === 'object') {
        const fields = error as Record<string, unknown>;
        const message = fields.message ?? fields.detail ?? fields.title ?? record.message;
        const code = fields.code ?? fields.type ?? fields.status;
        return {
          ...(typeof message === 'string' ? { message: truncate(message) } : {}),
          ...(typeof code === 'string' ? { code } : {}),
        };
      }
    }
  } catch {
    // not JSON: fall through to plain text
  }
  return { message: truncate(text.replace(/\s+/g, ' ')) };
}

/** Gemini puts `RetryInfo.retryDelay: "24s"` in the body instead of a header. */
function retryDelayFromBody(bodyText: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(bodyText);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function truncate(text: string): string {
  // Control characters never reach a client or a log line.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE)}…` : clean;
}

/** Turns a thrown transport error into an UpstreamError (network or timeout). */
export function transportError(error: unknown, context: UpstreamFailureContext): UpstreamError {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  const timeout = /TIMEOUT/i.test(code);
  const kind: ErrorKind = timeout ? 'upstream-timeout' : 'upstream-network';
  const reason = timeout
    ? code.includes('CONNECT')
      ? 'connect timeout'
      : 'timed out waiting for the response'
    : describeNetworkCode(code);
  return new UpstreamError(`${context.provider}: ${reason}.`, {
    status: timeout ? 504 : 502,
    kind,
    retryable: true,
    provider: context.provider,
    model: context.model,
    ...(context.keyLabel === undefined ? {} : { keyLabel: context.keyLabel }),
    cause: error,
  });
}

function describeNetworkCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    default:
      return code ? `network error (${code})` : 'network error';
  }
}
