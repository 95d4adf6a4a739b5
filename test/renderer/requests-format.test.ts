import { describe, expect, it } from 'vitest';
import * as format from '../../renderer/lib/components/requests/request-format.js';

describe('request log formatting', () => {
  it('writes durations short: milliseconds, then seconds, then minutes', () => {
    expect(format.formatDuration(0)).toBe('0 ms');
    expect(format.formatDuration(840.4)).toBe('840 ms');
    expect(format.formatDuration(999.6)).toBe('1000 ms');
    expect(format.formatDuration(1_000)).toBe('1.00 s');
    expect(format.formatDuration(1_257)).toBe('1.25 s');
    expect(format.formatDuration(9_999)).toBe('9.99 s');
    expect(format.formatDuration(12_480)).toBe('12.4 s');
    expect(format.formatDuration(59_999)).toBe('59.9 s');
    expect(format.formatDuration(60_000)).toBe('1 m 00 s');
    expect(format.formatDuration(125_400)).toBe('2 m 05 s');
  });

  it('shows the placeholder for what was not measured', () => {
    expect(format.formatDuration(undefined)).toBe(format.NOTHING);
    expect(format.formatDuration(-1)).toBe(format.NOTHING);
    expect(format.formatDuration(Number.NaN)).toBe(format.NOTHING);
    expect(format.formatTokens(undefined)).toBe(format.NOTHING);
    expect(format.routeLabel(undefined)).toBe(format.NOTHING);
  });

  it('writes token counts exactly while small, then compactly', () => {
    expect(format.formatCount(0)).toBe('0');
    expect(format.formatCount(1_234)).toBe('1,234');
    expect(format.formatCount(9_999)).toBe('9,999');
    expect(format.formatCount(12_345)).toBe('12.3k');
    expect(format.formatCount(999_999)).toBe('999.9k');
    expect(format.formatCount(1_250_000)).toBe('1.2M');
    expect(format.formatTokens({ inputTokens: 1_234, outputTokens: 56 })).toBe('1,234 / 56');
  });

  it('writes the local clock time as HH:MM:SS, and unparsable times as they are', () => {
    const local = new Date(2026, 0, 2, 3, 4, 5);
    expect(format.clockTime(local.toISOString())).toBe('03:04:05');
    expect(format.clockTime('not a time')).toBe('not a time');
  });

  it('names routes, counts failed attempts and writes the status with its HTTP code', () => {
    expect(format.routeLabel({ provider: 'groq', model: 'llama-3.3-70b' })).toBe('groq/llama-3.3-70b');
    const attempt = { provider: 'a', model: 'm', durationMs: 5 };
    expect(format.failedAttempts({ attempts: [{ ...attempt, outcome: 'server-error', status: 500 }, { ...attempt, outcome: 'ok' }] })).toBe(1);
    expect(format.failedAttempts({ attempts: [] })).toBe(0);
    expect(format.statusText({ outcome: 'ok', status: 200 })).toBe('ok 200');
    expect(format.statusText({ outcome: 'error', status: 502 })).toBe('error 502');
    expect(format.statusText({ outcome: 'aborted' })).toBe('aborted');
    expect(format.outcomeTone('ok')).toBe('ok');
    expect(format.outcomeTone('error')).toBe('bad');
    expect(format.outcomeTone('aborted')).toBe('warn');
    expect(format.outcomeTone('pending')).toBe('neutral');
  });
});
