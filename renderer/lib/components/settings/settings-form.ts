/**
 * Conversions between what the Settings forms show and what the admin API takes: seconds in the
 * page, milliseconds on the wire; numbers typed as text; the relay token made in the page.
 */

/** A typed number, or undefined when the text is empty or not a number. Accepts a decimal comma. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** Milliseconds shown as seconds, without trailing zeros (`1500` → `1.5`). */
export function secondsText(ms: number): string {
  return String(Math.round(ms) / 1_000);
}

/** Seconds typed by the user as whole milliseconds, or undefined when not a number. */
export function parseSeconds(text: string): number | undefined {
  const seconds = parseNumber(text);
  return seconds === undefined ? undefined : Math.round(seconds * 1_000);
}

/** A 0..1 share shown as a percentage (`0.02` → `2`). */
export function percentText(share: number): string {
  return String(Math.round(share * 10_000) / 100);
}

/** A percentage typed by the user as a 0..1 share, or undefined when not a number. */
export function parsePercent(text: string): number | undefined {
  const percent = parseNumber(text);
  return percent === undefined ? undefined : Math.round(percent * 100) / 10_000;
}

/** Host names typed one per line (or separated by commas or spaces), trimmed, without duplicates. */
export function parseHostList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((host) => host.trim()).filter((host) => host !== ''))];
}

/** Bytes as unpadded base64url (RFC 4648 §5), the alphabet safe in headers, URLs and config files. */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new relay token: 32 random bytes from the page's CSPRNG, base64url (43 characters). */
export function generateRelayToken(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  return base64Url(random(new Uint8Array(32)));
}

/**
 * Where the page continues after the relay moved (its port or address changed): the same path,
 * query and hash at the new origin. Undefined when the origin did not change or `movedTo` is not
 * an http(s) origin.
 */
export function movedLocation(movedTo: string, current: { origin: string; pathname: string; search: string; hash: string }): string | undefined {
  let target: URL;
  try {
    target = new URL(movedTo);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined;
  if (target.origin === current.origin) return undefined;
  return `${target.origin}${current.pathname}${current.search}${current.hash}`;
}

/**
 * Which typed numbers differ from the saved ones. `drafts` holds each field as parsed (undefined
 * when the text is not a number); `changes` has only the fields to send, `invalid` the fields to fix.
 */
export function changedNumbers<K extends string>(drafts: Record<K, number | undefined>, saved: Record<K, number>): { changes: Partial<Record<K, number>>; invalid: K[] } {
  const changes: Partial<Record<K, number>> = {};
  const invalid: K[] = [];
  for (const key of Object.keys(drafts) as K[]) {
    const draft = drafts[key];
    if (draft === undefined) invalid.push(key);
    else if (draft !== saved[key]) changes[key] = draft;
  }
  return { changes, invalid };
}
