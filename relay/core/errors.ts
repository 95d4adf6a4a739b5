import type { AttemptRecord } from './relay-service.js';

/**
 * The relay's error family. Every failure that reaches a client is one of these; each protocol's
 * encode-error turns it into that protocol's wire shape. Status and retryability live here so
 * failover never has to match on message text.
 */

/** What went wrong, independent of any wire protocol. */
export type ErrorKind =
  | 'invalid-request' // 400: the client's request is malformed
  | 'unauthorized' // 401: the client's relay token is missing or wrong
  | 'forbidden' // 403: refused by local safety rules (Host, Origin)
  | 'not-found' // 404: unknown model or path
  | 'payload-too-large' // 413
  | 'unsupported-media-type' // 415
  | 'rate-limited' // 429: every candidate is cooling down
  | 'upstream-auth' // an upstream rejected our key (never shown to the client as 401)
  | 'upstream-payment' // an upstream says the key is out of credit
  | 'upstream-request' // an upstream rejected the request itself (400/422, context length)
  | 'upstream-not-found' // an upstream does not know the model
  | 'upstream-server' // 5xx, 529, HTML error pages
  | 'upstream-network' // connect refused, reset, DNS
  | 'upstream-timeout' // connect, first-token or idle timeout
  | 'upstream-bad-response' // unparseable or truncated stream
  | 'overloaded' // every candidate is overloaded
  | 'deadline' // the total deadline ran out
  | 'internal';

export interface RelayErrorOptions {
  status: number;
  kind: ErrorKind;
  /** A short machine code for the wire (`model_not_found`, `rate_limit_exceeded`, ...). */
  code?: string;
  /** The request field the error is about, when there is one. */
  param?: string;
  retryable?: boolean;
  /** How long the client should wait before retrying, when known. */
  retryAfterMs?: number;
  /** What the dispatcher tried before giving up, for response headers and logs. */
  attempts?: readonly AttemptRecord[];
  cause?: unknown;
}

export class RelayError extends Error {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly attempts: readonly AttemptRecord[];

  constructor(message: string, options: RelayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RelayError';
    this.status = options.status;
    this.kind = options.kind;
    this.code = options.code;
    this.param = options.param;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts ?? [];
  }
}

export function invalidRequest(message: string, param?: string, code?: string): RelayError {
  return new RelayError(message, {
    status: 400,
    kind: 'invalid-request',
    ...(param === undefined ? {} : { param }),
    ...(code === undefined ? {} : { code }),
  });
}

export function modelNotFound(model: string, suggestions: readonly string[]): RelayError {
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((id) => `'${id}'`).join(', ')}?` : '';
  return new RelayError(`The model '${model}' is not served by this relay.${hint} GET /v1/models lists what is.`, {
    status: 404,
    kind: 'not-found',
    code: 'model_not_found',
    param: 'model',
  });
}

/** What the relay learned from an upstream's failed attempt. */
export interface UpstreamErrorOptions extends RelayErrorOptions {
  provider: string;
  model: string;
  keyLabel?: string;
  /** The upstream's HTTP status, when it answered at all. */
  upstreamStatus?: number;
}

export class UpstreamError extends RelayError {
  readonly provider: string;
  readonly model: string;
  readonly keyLabel: string | undefined;
  readonly upstreamStatus: number | undefined;

  constructor(message: string, options: UpstreamErrorOptions) {
    super(message, options);
    this.name = 'UpstreamError';
    this.provider = options.provider;
    this.model = options.model;
    this.keyLabel = options.keyLabel;
    this.upstreamStatus = options.upstreamStatus;
  }
}

export function isRelayError(value: unknown): value is RelayError {
  return value instanceof RelayError;
}

/** Wraps anything thrown into a RelayError without leaking internals to the client. */
export function toRelayError(value: unknown): RelayError {
  if (value instanceof RelayError) return value;
  return new RelayError('The relay hit an internal error.', { status: 500, kind: 'internal', cause: value });
}
