import { describe, expect, it } from 'vitest';
import { fallbackAction } from '../../../../relay/routing/fallback-policy.js';
import { parseUpstreamError, transportError } from '../../../../relay/providers/openai-compatible/parse-error.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const context = { provider: 'up', model: 'm', keyLabel: 'main', now: NOW };
const json = { 'content-type': 'application/json' };

function openAiBody(message: string, type: string, code: string | number | null = null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

describe('parseUpstreamError: rate limits', () => {
  it('reads Retry-After in seconds', () => {
    const error = parseUpstreamError(429, { ...json, 'retry-after': '30' }, openAiBody('Rate limit reached', 'requests', 'rate_limit_exceeded'), context);
    expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 30_000, upstreamStatus: 429, provider: 'up', model: 'm', keyLabel: 'main', code: 'rate_limit_exceeded' });
    expect(error.message).toContain('Rate limit reached');
    expect(fallbackAction(error.kind)).toBe('next-key');
  });

  it('reads Retry-After as an HTTP date', () => {
    const error = parseUpstreamError(429, { 'retry-after': new Date(NOW + 90_000).toUTCString() }, '', context);
    expect(error.retryAfterMs).toBe(90_000);
  });

  it('reads x-ratelimit-reset durations like "2m59.56s" when there is no Retry-After', () => {
    const headers = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2m59.56s', 'x-ratelimit-reset-tokens': '1s' };
    expect(parseUpstreamError(429, headers, '', context).retryAfterMs).toBe(179_560);
  });

  it("reads Gemini's array body and its RetryInfo delay", () => {
    const body = JSON.stringify([
      {
        error: {
          code: 429,
          message: 'Resource has been exhausted (e.g. check quota).',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '24s' }],
        },
      },
    ]);
    const error = parseUpstreamError(429, json, body, context);
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(24_000);
    expect(error.message).toContain('Resource has been exhausted');
  });

  it('leaves the cooldown to the dispatcher when the upstream gives no hint', () => {
    const error = parseUpstreamError(429, json, openAiBody('slow down', 'requests'), context);
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("treats 429 insufficient_quota as the key's credit, not a rate limit", () => {
    const error = parseUpstreamError(429, json, openAiBody('You exceeded your current quota', 'insufficient_quota', 'insufficient_quota'), context);
    expect(error.kind).toBe('upstream-payment');
    expect(error.retryable).toBe(false);
  });
});

describe('parseUpstreamError: keys', () => {
  it("reads OpenRouter's 402 with a numeric code", () => {
    const error = parseUpstreamError(402, json, JSON.stringify({ error: { code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/credits' } }), context);
    expect(error.kind).toBe('upstream-payment');
    expect(error.code).toBeUndefined();
    expect(error.message).toContain('Insufficient credits');
    expect(error.status).toBe(502);
  });

  it.each([401, 403])('never repeats the upstream text of a %d: it can echo the key', (status) => {
    const body = openAiBody('Incorrect API key provided: sk-abc123**********wxyz. You can find your API key at ...', 'invalid_request_error', 'invalid_api_key');
    const error = parseUpstreamError(status, json, body, context);
    expect(error.kind).toBe('upstream-auth');
    expect(error.status).toBe(502);
    expect(error.message).not.toMatch(/sk-|wxyz|Incorrect/);
    expect(error.message).toContain("'main'");
  });
});

describe('parseUpstreamError: provider and request faults', () => {
  it.each([500, 502, 503, 529, 498])('classifies %d as a retryable provider fault', (status) => {
    const error = parseUpstreamError(status, json, openAiBody('oops', 'server_error'), context);
    expect(error.kind).toBe('upstream-server');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(502);
    expect(fallbackAction(error.kind)).toBe('next-candidate');
  });

  it('keeps a 503 Retry-After', () => {
    expect(parseUpstreamError(503, { 'retry-after': '5' }, '', context).retryAfterMs).toBe(5000);
  });

  it('classifies 404 as the model missing at this provider', () => {
    const error = parseUpstreamError(404, json, openAiBody('The model `m` does not exist', 'invalid_request_error', 'model_not_found'), context);
    expect(error.kind).toBe('upstream-not-found');
    expect(fallbackAction(error.kind)).toBe('next-candidate');
  });

  it('classifies 408 as a timeout', () => {
    expect(parseUpstreamError(408, json, '', context).kind).toBe('upstream-timeout');
  });

  it.each([400, 413, 422])('returns a %d about the request with its status and wording, and no failover', (status) => {
    const error = parseUpstreamError(status, json, openAiBody("This model's maximum context length is 8192 tokens.", 'invalid_request_error', 'context_length_exceeded'), context);
    expect(error.kind).toBe('upstream-request');
    expect(error.status).toBe(status);
    expect(error.code).toBe('context_length_exceeded');
    expect(error.message).toContain('maximum context length is 8192 tokens');
    expect(fallbackAction(error.kind)).toBe('give-up');
  });

  it('says a redirect was not followed', () => {
    const error = parseUpstreamError(307, { location: 'http://elsewhere.example/v1' }, '', context);
    expect(error.kind).toBe('upstream-server');
    expect(error.message).toMatch(/redirect/);
    expect(error.message).not.toContain('elsewhere.example');
  });
});

describe('parseUpstreamError: odd bodies', () => {
  const page = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>';

  it('never echoes an HTML body as HTML', () => {
    for (const [headers, body] of [
      [{ 'content-type': 'text/html; charset=utf-8' }, page],
      [json, `\n  ${page}`],
      [{ 'content-type': 'text/plain' }, '<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'],
    ] as const) {
      const error = parseUpstreamError(502, headers, body, context);
      expect(error.message).not.toMatch(/[<>]/);
      expect(error.kind).toBe('upstream-server');
    }
    expect(parseUpstreamError(502, { 'content-type': 'text/html' }, page, context).message).toContain('502 Bad Gateway');
  });

  it('reads plain-text and empty bodies', () => {
    expect(parseUpstreamError(500, { 'content-type': 'text/plain' }, 'upstream connect error\nreset reason: overflow', context).message).toContain('upstream connect error reset reason: overflow');
    expect(parseUpstreamError(500, {}, '', context).message).toBe('up answered HTTP 500.');
  });

  it('reads `detail` bodies and string errors', () => {
    expect(parseUpstreamError(400, json, JSON.stringify({ detail: 'Invalid model name' }), context).message).toContain('Invalid model name');
    expect(parseUpstreamError(400, json, JSON.stringify({ error: 'bad things' }), context).message).toContain('bad things');
  });

  it('strips control characters and truncates long messages', () => {
    const error = parseUpstreamError(400, json, openAiBody(`bad\u0000\u001b[31m${'x'.repeat(5000)}`, 'invalid_request_error'), context);
    // eslint-disable-next-line no-control-regex
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('transportError', () => {
  it.each([
    ['ECONNREFUSED', 'upstream-network', /connection refused/],
    ['ECONNRESET', 'upstream-network', /connection reset/],
    ['UND_ERR_SOCKET', 'upstream-network', /connection reset/],
    ['ENOTFOUND', 'upstream-network', /host name not found/],
    ['UND_ERR_CONNECT_TIMEOUT', 'upstream-timeout', /connect timeout/],
    ['UND_ERR_HEADERS_TIMEOUT', 'upstream-timeout', /timed out/],
  ])('classifies %s', (code, kind, message) => {
    const error = transportError(Object.assign(new Error('boom'), { code }), context);
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(error.retryable).toBe(true);
    expect(fallbackAction(error.kind)).toBe('next-candidate');
  });
});
