/**
 * Reading rate-limit signals from upstream response headers. Providers disagree on units:
 * `retry-after` is seconds or an HTTP date, OpenAI and Groq send Go-style durations ("6m0s",
 * "2m59.56s", "12ms"), Cerebras sends float seconds, Anthropic RFC 3339 times.
 */

/** Parses "1h2m3.5s", "12ms", "7.66s", "26.28" (seconds) into milliseconds. */
export function parseDurationMs(value: string): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    const amount = Number(match[1]);
    const unit = match[2];
    total += unit === 'h' ? amount * 3_600_000 : unit === 'm' ? amount * 60_000 : unit === 's' ? amount * 1000 : amount;
    consumed += match[0].length;
  }
  return consumed === text.length && consumed > 0 ? Math.round(total) : undefined;
}

/** `retry-after-ms`, then `retry-after` (seconds or HTTP date). */
export function parseRetryAfterMs(headers: Record<string, string>, now: number): number | undefined {
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The latest reset among exhausted limits, or among all limits when none says which is
 * exhausted: after a 429 that is when the key can be used again.
 */
export function parseRateLimitResetMs(headers: Record<string, string>, now: number): number | undefined {
  let exhausted: number | undefined;
  let any: number | undefined;
  for (const [name, value] of Object.entries(headers)) {
    // `x-ratelimit-reset-requests`, `anthropic-ratelimit-requests-reset`, and OpenRouter's bare
    // `x-ratelimit-reset` (with `x-ratelimit-remaining`).
    const match = /^(x-ratelimit|anthropic-ratelimit)-(?:reset(?:-(.+))?|(.+)-reset)$/.exec(name);
    if (!match) continue;
    const suffix = match[2] ?? match[3];
    let ms = parseDurationMs(value);
    if (ms === undefined) {
      const date = Date.parse(value);
      if (!Number.isNaN(date)) ms = Math.max(0, date - now);
    }
    if (ms === undefined) continue;
    // No duration is decades long: a bare number that big is an epoch, in milliseconds
    // (OpenRouter) or in seconds (read as seconds, so already milliseconds here).
    if (ms > 1e14) ms = Math.max(0, Math.round(ms / 1000) - now);
    else if (ms > 1e12) ms = Math.max(0, ms - now);
    any = Math.max(any ?? 0, ms);
    const remainingName =
      suffix === undefined
        ? `${match[1]}-remaining`
        : match[1] === 'x-ratelimit' && match[2] !== undefined
          ? `x-ratelimit-remaining-${suffix}`
          : `${match[1]}-${suffix}-remaining`;
    if (headers[remainingName]?.trim() === '0') exhausted = Math.max(exhausted ?? 0, ms);
  }
  return exhausted ?? any;
}

/** How long a rate-limited key should rest: the upstream's word, else a default. */
export function cooldownFromHeaders(headers: Record<string, string>, now: number): number | undefined {
  return parseRetryAfterMs(headers, now) ?? parseRateLimitResetMs(headers, now);
}
