import type { RelayError } from '../../core/errors.js';

/**
 * Errors for Responses clients. Before the first byte they are OpenAI's error object with the
 * right status (the same logic as the OpenAI wire, copied: protocols never import each other).
 * After it they travel in-band; see encode-stream.ts.
 */

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

function errorType(error: RelayError): string {
  switch (error.status) {
    case 400:
    case 401:
    case 404:
    case 413:
    case 415:
    case 422:
      return 'invalid_request_error';
    case 403:
      return 'permission_error';
    case 429:
      return error.kind === 'rate-limited' ? 'requests' : 'insufficient_quota';
    default:
      return error.status >= 500 ? 'server_error' : 'invalid_request_error';
  }
}

/** A RelayError as OpenAI's error object, with the retry headers the official SDKs (and Codex) read. */
export function encodeError(error: RelayError): EncodedError {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  // The relay already failed over; a client retrying at once would only multiply load.
  headers['x-should-retry'] = error.status === 429 || (error.retryable && error.status >= 500) ? 'true' : 'false';
  return {
    status: error.status,
    headers,
    body: {
      error: {
        message: error.message,
        type: errorType(error),
        param: error.param ?? null,
        code: error.code ?? (error.status === 401 ? 'invalid_api_key' : null),
      },
    },
  };
}

/** What an in-band failure says: always a code, so Codex can classify it. */
export function streamErrorFields(error: RelayError): { type: string; code: string; message: string; param: string | null } {
  const { body } = encodeError(error);
  return { type: body.error.type, code: body.error.code ?? 'upstream_error', message: body.error.message, param: body.error.param };
}

/** Which request paths speak this dialect: `/v1/responses`, `/responses` and anything below them. */
export function isResponsesPath(path: string): boolean {
  return /^\/(v1\/)?responses(\/|$)/.test(path);
}
