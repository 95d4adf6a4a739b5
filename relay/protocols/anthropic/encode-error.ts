import { UpstreamError, type RelayError } from '../../core/errors.js';
import type { StreamEventWire } from './wire-types.js';

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  body: { type: 'error'; error: { type: string; message: string } };
}

/** An upstream's 4xx about the request keeps its status; Anthropic names each one. */
function requestErrorType(status: number): string {
  switch (status) {
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    default:
      return 'invalid_request_error';
  }
}

/**
 * The status and `error.type` Anthropic clients get (wire-protocols §2.8, reliability-security
 * §3.2). An upstream rejecting the relay's key is the relay's problem, never the client's: 500
 * api_error, not 401, or Claude Code would ask the user to log in again.
 */
export function anthropicStatus(error: RelayError): { status: number; type: string } {
  switch (error.kind) {
    case 'invalid-request':
      return { status: error.status >= 400 && error.status < 500 ? error.status : 400, type: 'invalid_request_error' };
    case 'unauthorized':
      return { status: 401, type: 'authentication_error' };
    case 'forbidden':
      return { status: 403, type: 'permission_error' };
    case 'not-found':
    case 'upstream-not-found':
      return { status: 404, type: 'not_found_error' };
    case 'payload-too-large':
      return { status: 413, type: 'request_too_large' };
    case 'unsupported-media-type':
      return { status: 415, type: 'invalid_request_error' };
    case 'rate-limited':
      return { status: 429, type: 'rate_limit_error' };
    case 'overloaded':
      // No provider at all is a setup problem, not load: waiting would not help.
      return error.code === 'no_providers_configured' ? { status: 500, type: 'api_error' } : { status: 529, type: 'overloaded_error' };
    case 'upstream-request':
      return error.status >= 400 && error.status < 500 ? { status: error.status, type: requestErrorType(error.status) } : { status: 400, type: 'invalid_request_error' };
    case 'upstream-server':
      // An upstream's own overload (Anthropic 529, a 503) stays a capacity error, not a generic one.
      return error instanceof UpstreamError && (error.upstreamStatus === 529 || error.upstreamStatus === 503)
        ? { status: 529, type: 'overloaded_error' }
        : { status: 500, type: 'api_error' };
    case 'upstream-timeout':
    case 'deadline':
      return { status: 504, type: 'timeout_error' };
    default:
      // upstream-auth, upstream-payment, network, bad responses, internal errors.
      return { status: 500, type: 'api_error' };
  }
}

/** A RelayError as Anthropic's error object, with the retry headers both official SDKs read. */
export function encodeError(error: RelayError): EncodedError {
  const { status, type } = anthropicStatus(error);
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  // The relay already failed over; Claude Code retries up to 10 times, so only invite a retry
  // when waiting can help (rate limits, overload, transient upstream trouble).
  headers['x-should-retry'] = status === 429 || (error.retryable && status >= 500) ? 'true' : 'false';
  return { status, headers, body: { type: 'error', error: { type, message: error.message } } };
}

/** The in-band event that ends a stream which failed after its first byte. */
export function streamErrorEvent(error: RelayError): Extract<StreamEventWire, { type: 'error' }> {
  return { type: 'error', error: encodeError(error).body.error };
}
