import { RelayError, toRelayError } from '../../core/errors.js';
import { ndjsonLine } from '../../streams/ndjson-encoder.js';

export interface EncodedError {
  status: number;
  headers: Record<string, string>;
  body: { error: string };
}

/** Statuses Ollama clients know, the relay's own HTTP-level refusals (token, Host, size, type) and 501 for model management. */
const KEPT = new Set([400, 401, 403, 404, 413, 415, 429, 500, 501, 502, 503, 504]);

/**
 * The HTTP status an Ollama client gets. An upstream that rejected the relay's key is the relay's
 * problem, never the client's credential: 502, not 401. Other 4xx become 400, other 5xx 502 (503
 * for "overloaded" 529s); 408 is a timeout, 504.
 */
export function ollamaStatus(error: RelayError): number {
  if (error.kind === 'upstream-auth' || error.kind === 'upstream-payment') return 502;
  if (error.status === 401 && error.kind !== 'unauthorized') return 502;
  if (KEPT.has(error.status)) return error.status;
  if (error.status === 408) return 504;
  if (error.status === 529) return 503;
  return error.status >= 500 ? 502 : 400;
}

/** A RelayError as Ollama's `{"error":"..."}` with its status (and Retry-After when known). */
export function encodeError(error: RelayError): EncodedError {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  return { status: ollamaStatus(error), headers, body: { error: error.message } };
}

/** The in-band NDJSON line that ends a stream which failed after its first line. */
export function streamErrorLine(error: unknown): string {
  const message = error instanceof RelayError ? error.message : toRelayError(error).message;
  return ndjsonLine({ error: message });
}

/**
 * The dispatcher's "unknown model" error in Ollama's words (`model 'x' not found`), naming the
 * model as the client wrote it and keeping the relay's suggestions.
 */
export function modelNotFoundError(model: string, cause?: RelayError): RelayError {
  const suggestions = cause ? /Did you mean ([^?]+)\?/.exec(cause.message)?.[1] : undefined;
  return new RelayError(`model '${model.slice(0, 200)}' not found${suggestions ? `; did you mean ${suggestions}?` : ''}`, {
    status: 404,
    kind: 'not-found',
    code: 'model_not_found',
    param: 'model',
  });
}
