import { describe, expect, it } from 'vitest';
import type { KeyTestResponse } from '../../relay/admin/dto.js';
import { formatModelGlobs, keyStateText, parseModelGlobs, rateLimitText, testResultText } from '../../renderer/lib/components/providers/key-format.js';

describe('model globs', () => {
  it('splits on commas and new lines, trims, and drops empty entries and repeats', () => {
    expect(parseModelGlobs('llama-*, qwen/*\n gpt-oss-*,, llama-* ,')).toEqual(['llama-*', 'qwen/*', 'gpt-oss-*']);
    expect(parseModelGlobs('')).toEqual([]);
    expect(parseModelGlobs(' , \n ')).toEqual([]);
  });

  it('round-trips through the edit field', () => {
    const globs = ['llama-*', 'openai/gpt-oss-120b'];
    expect(parseModelGlobs(formatModelGlobs(globs))).toEqual(globs);
    expect(formatModelGlobs(undefined)).toBe('');
  });
});

describe('keyStateText', () => {
  it('describes each state, and nothing when the relay has not loaded the key', () => {
    expect(keyStateText(undefined)).toBeUndefined();
    expect(keyStateText({ status: 'ok' })).toEqual({ tone: 'ok', text: 'ok' });
    const cooling = keyStateText({ status: 'cooling', until: '2026-01-01T10:00:00.000Z', reason: 'rate-limited' });
    expect(cooling?.tone).toBe('warn');
    expect(cooling?.text).toMatch(/^cooling until .+ \(rate-limited\)$/);
    expect(keyStateText({ status: 'disabled', reason: 'rejected (401)', since: '2026-01-01T10:00:00.000Z' })).toEqual({ tone: 'bad', text: 'disabled: rejected (401)' });
  });
});

describe('rateLimitText', () => {
  it('shows what is left of requests and tokens, with limits when known', () => {
    expect(rateLimitText(undefined)).toBeUndefined();
    expect(rateLimitText({ observedAt: '2026-01-01T10:00:00.000Z' })).toBeUndefined();
    expect(rateLimitText({ remainingRequests: 12, limitRequests: 30, remainingTokens: 5000, limitTokens: 6000, observedAt: 'x' })).toBe('12/30 requests, 5,000/6,000 tokens left');
    expect(rateLimitText({ remainingTokens: 900, observedAt: 'x', resetAt: '2026-01-01T10:00:00.000Z' })).toMatch(/^900 tokens left, resets .+$/);
  });
});

describe('testResultText', () => {
  const base: KeyTestResponse = {
    provider: 'groq',
    key: { provider: 'groq', id: 'k1', label: 'main', masked: '…abcd', source: 'stored' },
    ok: true,
    outcome: 'ok',
    message: 'The key works.',
    durationMs: 300,
  };

  it('gives the models and the time to first token of a working key', () => {
    expect(testResultText({ ...base, models: 2, probe: { model: 'fake-small', ttftMs: 123.4 } })).toBe('Works (ok). 2 models visible. First token from fake-small in 123 ms.');
    expect(testResultText({ ...base, models: 1 })).toBe('Works (ok). 1 model visible.');
  });

  it("gives the outcome, status and the provider's message of a failed one", () => {
    expect(testResultText({ ...base, ok: false, outcome: 'rejected', status: 401, message: 'Incorrect API key provided.' })).toBe('rejected (HTTP 401): Incorrect API key provided.');
    expect(testResultText({ ...base, ok: false, outcome: 'unreachable', message: 'connect ECONNREFUSED' })).toBe('unreachable: connect ECONNREFUSED');
  });
});
