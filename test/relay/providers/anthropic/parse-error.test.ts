import { describe, expect, it } from 'vitest';
import { parseUpstreamError, readErrorBody, streamError } from '../../../../relay/providers/anthropic/parse-error.js';

const context = { provider: 'anthropic', model: 'claude-x', keyLabel: 'main', now: Date.parse('2026-01-01T00:00:00Z') };
const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

describe('Anthropic upstream errors', () => {
  it('reads a 429 as rate-limited with the retry-after or the rate-limit reset', () => {
    const limited = parseUpstreamError(429, { 'retry-after': '12' }, body('rate_limit_error', 'Number of requests has exceeded your rate limit'), context);
    expect(limited).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 12_000, upstreamStatus: 429, code: 'rate_limit_error' });
    const reset = parseUpstreamError(
      429,
      { 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:30Z' },
      body('rate_limit_error', 'slow down'),
      context,
    );
    expect(reset.retryAfterMs).toBe(30_000);
  });

  it('reads 529 as a retryable server failure that keeps its status', () => {
    expect(parseUpstreamError(529, {}, body('overloaded_error', 'Overloaded'), context)).toMatchObject({ kind: 'upstream-server', retryable: true, upstreamStatus: 529 });
  });

  it('reads 401 and 403 as a rejected key without repeating the body', () => {
    const error = parseUpstreamError(401, {}, body('authentication_error', 'invalid x-api-key sk-ant-secret'), context);
    expect(error).toMatchObject({ kind: 'upstream-auth', retryable: false });
    expect(error.message).not.toContain('sk-ant');
    expect(parseUpstreamError(403, {}, body('permission_error', 'no'), context).kind).toBe('upstream-auth');
  });

  it('reads an empty credit balance as payment trouble, not a bad request', () => {
    expect(parseUpstreamError(400, {}, body('invalid_request_error', 'Your credit balance is too low to access the Anthropic API.'), context).kind).toBe('upstream-payment');
    expect(parseUpstreamError(402, {}, body('billing_error', 'pay up'), context).kind).toBe('upstream-payment');
  });

  it("keeps a request error's status and Anthropic's own words", () => {
    const error = parseUpstreamError(400, {}, body('invalid_request_error', 'prompt is too long: 205351 tokens > 200000 maximum'), context);
    expect(error).toMatchObject({ kind: 'upstream-request', status: 400, message: 'prompt is too long: 205351 tokens > 200000 maximum' });
    expect(parseUpstreamError(413, {}, body('request_too_large', 'Request exceeds the maximum size'), context)).toMatchObject({ kind: 'upstream-request', status: 413 });
    expect(parseUpstreamError(404, {}, body('not_found_error', 'model: claude-nope'), context).kind).toBe('upstream-not-found');
  });

  it('summarises HTML pages and tolerates odd bodies', () => {
    expect(readErrorBody('<html><title>502 Bad Gateway</title></html>', 'text/html').message).toBe('an HTML page ("502 Bad Gateway")');
    expect(readErrorBody('', '')).toEqual({});
    expect(readErrorBody('plain words', 'text/plain').message).toBe('plain words');
    expect(parseUpstreamError(502, { 'content-type': 'text/html' }, '<html>x</html>', context)).toMatchObject({ kind: 'upstream-server', retryable: true });
  });

  it('reads in-band stream errors by their type', () => {
    expect(streamError({ type: 'overloaded_error', message: 'Overloaded' }, context)).toMatchObject({ kind: 'upstream-server', upstreamStatus: 529 });
    expect(streamError({ type: 'rate_limit_error', message: 'x' }, context).kind).toBe('rate-limited');
    expect(streamError(undefined, context)).toMatchObject({ kind: 'upstream-server', code: 'api_error' });
  });
});
