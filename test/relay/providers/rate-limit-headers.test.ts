import { describe, expect, it } from 'vitest';
import { cooldownFromHeaders, parseDurationMs, parseRateLimitResetMs, parseRetryAfterMs } from '../../../relay/providers/rate-limit-headers.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseDurationMs', () => {
  it.each([
    ['12ms', 12],
    ['1s', 1000],
    ['7.66s', 7660],
    ['6m0s', 360_000],
    ['2m59.56s', 179_560],
    ['1h2m3.5s', 3_723_500],
    ['26.28', 26_280],
    ['0', 0],
    [' 3s ', 3000],
  ])('reads %s as %d ms', (value, expected) => {
    expect(parseDurationMs(value)).toBe(expected);
  });

  it.each(['', 'abc', '5x', '1s garbage', '-1s', 'Tue, 03 Mar 2026 10:00:00 GMT'])('refuses %j', (value) => {
    expect(parseDurationMs(value)).toBeUndefined();
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds', () => {
    expect(parseRetryAfterMs({ 'retry-after': '30' }, NOW)).toBe(30_000);
    expect(parseRetryAfterMs({ 'retry-after': '1.5' }, NOW)).toBe(1500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW + 45_000).toUTCString() }, NOW)).toBe(45_000);
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW - 45_000).toUTCString() }, NOW)).toBe(0);
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1234', 'retry-after': '30' }, NOW)).toBe(1234);
  });

  it('ignores garbage and absent headers', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({}, NOW)).toBeUndefined();
  });
});

describe('parseRateLimitResetMs', () => {
  it('reads OpenAI/Groq durations and prefers the exhausted limit', () => {
    const headers = {
      'x-ratelimit-limit-requests': '30',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '2m59.56s',
      'x-ratelimit-remaining-tokens': '5000',
      'x-ratelimit-reset-tokens': '7m12s',
    };
    expect(parseRateLimitResetMs(headers, NOW)).toBe(179_560);
  });

  it('takes the latest reset when none says which limit is exhausted', () => {
    expect(parseRateLimitResetMs({ 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '12ms' }, NOW)).toBe(2000);
  });

  it("reads Cerebras' float seconds with a period suffix", () => {
    const headers = { 'x-ratelimit-remaining-tokens-minute': '0', 'x-ratelimit-reset-tokens-minute': '11.382867', 'x-ratelimit-reset-requests-day': '33011.38' };
    expect(parseRateLimitResetMs(headers, NOW)).toBe(11_383);
  });

  it("reads Anthropic's RFC 3339 reset times", () => {
    const headers = {
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': new Date(NOW + 20_000).toISOString(),
      'anthropic-ratelimit-tokens-remaining': '100',
      'anthropic-ratelimit-tokens-reset': new Date(NOW + 50_000).toISOString(),
    };
    expect(parseRateLimitResetMs(headers, NOW)).toBe(20_000);
  });

  it("reads OpenRouter's bare x-ratelimit-reset as an epoch in milliseconds", () => {
    const headers = { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW + 60_000) };
    expect(parseRateLimitResetMs(headers, NOW)).toBe(60_000);
  });

  it('reads a reset given as an epoch in seconds', () => {
    expect(parseRateLimitResetMs({ 'x-ratelimit-reset': String(Math.floor((NOW + 90_000) / 1000)) }, NOW)).toBe(90_000);
  });

  it('ignores unrelated and unparsable headers', () => {
    expect(parseRateLimitResetMs({ 'x-ratelimit-limit-requests': '30', 'x-ratelimit-reset-requests': 'later', 'content-type': 'application/json' }, NOW)).toBeUndefined();
  });
});

describe('cooldownFromHeaders', () => {
  it('uses Retry-After first, then the rate-limit resets', () => {
    expect(cooldownFromHeaders({ 'retry-after': '3', 'x-ratelimit-reset-requests': '1m' }, NOW)).toBe(3000);
    expect(cooldownFromHeaders({ 'x-ratelimit-reset-requests': '1m' }, NOW)).toBe(60_000);
    expect(cooldownFromHeaders({}, NOW)).toBeUndefined();
  });
});
