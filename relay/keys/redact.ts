/**
 * Keeping key material out of logs, errors and API responses.
 */

/** Secrets shorter than this are never partly shown, and not searched for by redactSecrets. */
const MIN_REVEALABLE_LENGTH = 8;

/** `…abcd` for a key of 8 or more characters; a bare `…` for a shorter one (never reveal it). */
export function maskKey(key: string): string {
  if (key.length < MIN_REVEALABLE_LENGTH) return '…';
  return `…${key.slice(-4)}`;
}

/**
 * Replaces every occurrence of each known secret in `text` by its mask. Secrets shorter than
 * 8 characters are ignored (too likely to match ordinary text). Longer secrets are replaced
 * first, so a secret that contains another is masked whole.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const unique = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= MIN_REVEALABLE_LENGTH) unique.add(secret);
  }
  if (unique.size === 0) return text;
  let out = text;
  for (const secret of [...unique].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(maskKey(secret));
  }
  return out;
}

/** Header names (lower case) whose values are credentials. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
]);

export const REDACTED = '[redacted]';

export type RedactedHeaders<T> = { [K in keyof T]: T[K] | typeof REDACTED };

/**
 * A copy of `headers` with the values of credential headers (any letter case) replaced by
 * `[redacted]`. Absent (undefined) values stay absent. A `Headers` instance gives a plain object.
 */
export function redactHeaders(headers: Headers): Record<string, string>;
export function redactHeaders<T extends Record<string, unknown>>(headers: T): RedactedHeaders<T>;
export function redactHeaders(headers: Headers | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const entries: Iterable<[string, unknown]> = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    const redacted = value !== undefined && SENSITIVE_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
    // defineProperty: a header named "__proto__" must stay an ordinary key.
    Object.defineProperty(out, name, { value: redacted, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
