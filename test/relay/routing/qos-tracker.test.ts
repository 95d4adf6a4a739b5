import { describe, expect, it } from 'vitest';
import { QosTracker, percentile } from '../../../relay/routing/qos-tracker.js';
import { DOWN_HOLD_MS, priorsFrom, routeHealth, scoreRoute } from '../../../relay/routing/route-score.js';

const minute = 60_000;

describe('QosTracker', () => {
  it('derives percentiles, speed and success rates from samples', () => {
    const tracker = new QosTracker();
    const start = 10 * 60 * minute;
    [100, 200, 300, 400, 1000].forEach((ttft, index) => tracker.record('a/m', { at: start + index, source: 'live', outcome: 'ok', ttftMs: ttft, tokensPerSecond: 50 + index }));
    tracker.record('a/m', { at: start + 10, source: 'probe', outcome: 'server', error: 'HTTP 503' });
    const qos = tracker.get('a/m', start + 20);
    expect(qos.samples).toBe(6);
    expect(qos.ttftP50Ms).toBe(300);
    expect(qos.ttftP95Ms).toBe(1000);
    expect(qos.tokensPerSecond).toBe(52);
    expect(qos.successRate1h).toBeCloseTo(5 / 6);
    expect(qos.consecutiveFailures).toBe(1);
    expect(qos.lastError).toMatchObject({ message: 'HTTP 503', outcome: 'server' });
    expect(qos.recentTtftMs).toEqual([100, 200, 300, 400, 1000]);
  });

  it('lets ranking use figures up to a second old while a healthy route keeps succeeding', () => {
    const tracker = new QosTracker();
    const at = 10 * minute;
    tracker.record('a/m', { at, source: 'live', outcome: 'ok', ttftMs: 100 });
    const first = tracker.forRanking('a/m', at + 1);
    expect(first.ttftP50Ms).toBe(100);
    tracker.record('a/m', { at: at + 2, source: 'live', outcome: 'ok', ttftMs: 900 });
    expect(tracker.forRanking('a/m', at + 500)).toBe(first);
    // Readers other than ranking always see every sample.
    expect(tracker.get('a/m', at + 500).samples).toBe(2);
    tracker.record('a/m', { at: at + 600, source: 'live', outcome: 'ok', ttftMs: 900 });
    expect(tracker.forRanking('a/m', at + 700).samples).toBe(2);
    expect(tracker.forRanking('a/m', at + 1_501).samples).toBe(3);
  });

  it('shows ranking a failure, and the success that follows failures, at once', () => {
    const tracker = new QosTracker();
    const at = 10 * minute;
    tracker.record('a/m', { at, source: 'live', outcome: 'ok', ttftMs: 100 });
    expect(tracker.forRanking('a/m', at + 1).consecutiveFailures).toBe(0);
    tracker.record('a/m', { at: at + 2, source: 'live', outcome: 'server', error: 'HTTP 500' });
    expect(tracker.forRanking('a/m', at + 3).consecutiveFailures).toBe(1);
    tracker.record('a/m', { at: at + 4, source: 'live', outcome: 'ok', ttftMs: 100 });
    expect(tracker.forRanking('a/m', at + 5).consecutiveFailures).toBe(0);
  });

  it('derives again for ranking when the hourly window moves or the clock goes back', () => {
    const tracker = new QosTracker();
    const at = 10 * minute - 10;
    tracker.record('a/m', { at, source: 'live', outcome: 'ok', ttftMs: 100 });
    const first = tracker.forRanking('a/m', at);
    tracker.record('a/m', { at: at + 1, source: 'live', outcome: 'ok', ttftMs: 100 });
    expect(tracker.forRanking('a/m', at + 20)).not.toBe(first);
    const second = tracker.forRanking('a/m', at + 30);
    tracker.record('a/m', { at: at + 31, source: 'live', outcome: 'ok', ttftMs: 100 });
    expect(tracker.forRanking('a/m', at + 15)).not.toBe(second);
  });

  it('recomputes after each new sample and when the hourly window moves, not on every read', () => {
    const tracker = new QosTracker();
    tracker.record('a/m', { at: 0, source: 'live', outcome: 'ok', ttftMs: 100 });
    const first = tracker.get('a/m', 1);
    expect(tracker.get('a/m', 2)).toBe(first);
    tracker.record('a/m', { at: 3, source: 'live', outcome: 'ok', ttftMs: 300 });
    expect(tracker.get('a/m', 4).ttftP95Ms).toBe(300);
    expect(tracker.get('a/m', 4).successRate1h).toBe(1);
    // Two hours later the hourly window is empty.
    expect(tracker.get('a/m', 2 * 60 * minute).successRate1h).toBeUndefined();
  });

  it('does not count request errors against the route', () => {
    const tracker = new QosTracker();
    tracker.record('a/m', { at: 1, source: 'live', outcome: 'request' });
    expect(tracker.get('a/m', 2).consecutiveFailures).toBe(0);
    expect(tracker.get('a/m', 2).successRate1h).toBeUndefined();
  });

  it('forgets old buckets for the hourly rate and keeps a bounded window', () => {
    const tracker = new QosTracker(3);
    tracker.record('a/m', { at: 0, source: 'live', outcome: 'server' });
    for (let index = 1; index <= 5; index++) tracker.record('a/m', { at: 2 * 60 * minute + index, source: 'live', outcome: 'ok', ttftMs: 10 });
    const qos = tracker.get('a/m', 2 * 60 * minute + 10);
    expect(qos.samples).toBe(3);
    expect(qos.successRate1h).toBe(1);
    expect(qos.successRate24h).toBeCloseTo(5 / 6);
    expect(qos.uptime24h).toBeCloseTo(1 / 2);
  });

  it('round-trips through a snapshot', () => {
    const tracker = new QosTracker();
    tracker.record('a/m', { at: 1000, source: 'probe', outcome: 'ok', ttftMs: 123 });
    const restored = new QosTracker();
    restored.restore(JSON.parse(JSON.stringify(tracker.snapshot())), 2000);
    expect(restored.get('a/m', 2000).ttftP50Ms).toBe(123);
  });

  it('percentile handles empty and single inputs', () => {
    expect(percentile([], 0.5)).toBeUndefined();
    expect(percentile([7], 0.95)).toBe(7);
  });
});

describe('scoreRoute', () => {
  const context = { now: 10 * minute, expectedOutputTokens: 100, priorTtftMs: 1000, priorTokensPerSecond: 50 };

  it('prefers the route that finishes sooner for the expected output', () => {
    const tracker = new QosTracker();
    tracker.record('fast-start', { at: 1, source: 'probe', outcome: 'ok', ttftMs: 100, tokensPerSecond: 20 });
    tracker.record('fast-stream', { at: 1, source: 'probe', outcome: 'ok', ttftMs: 400, tokensPerSecond: 500 });
    const a = scoreRoute(tracker.get('fast-start', 2), context);
    const b = scoreRoute(tracker.get('fast-stream', 2), context);
    expect(a.expectedMs).toBeCloseTo(100 + 5000);
    expect(b.score).toBeLessThan(a.score);
    expect(scoreRoute(tracker.get('fast-start', 2), { ...context, expectedOutputTokens: 1 }).score).toBeLessThan(
      scoreRoute(tracker.get('fast-stream', 2), { ...context, expectedOutputTokens: 1 }).score,
    );
  });

  it('holds a route that just failed behind every healthy one, then lets it recover', () => {
    const tracker = new QosTracker();
    tracker.record('r', { at: 0, source: 'live', outcome: 'ok', ttftMs: 50 });
    tracker.record('r', { at: minute, source: 'live', outcome: 'timeout' });
    tracker.record('slow', { at: 0, source: 'live', outcome: 'ok', ttftMs: 5000 });
    const at = { ...context, now: minute + 1 };
    const justFailed = scoreRoute(tracker.get('r', minute + 1), at);
    expect(justFailed.health).toBe('down');
    expect(justFailed.score).toBeGreaterThan(scoreRoute(tracker.get('slow', minute + 1), at).score);
    expect(routeHealth(tracker.get('r', minute + DOWN_HOLD_MS + 1), minute + DOWN_HOLD_MS + 1)).toBe('recovering');
    tracker.record('r', { at: minute + DOWN_HOLD_MS + 2, source: 'probe', outcome: 'ok', ttftMs: 50 });
    expect(routeHealth(tracker.get('r', minute + DOWN_HOLD_MS + 3), minute + DOWN_HOLD_MS + 3)).toBe('up');
  });

  it('rates unmeasured routes slightly behind the typical measured one', () => {
    const tracker = new QosTracker();
    tracker.record('known', { at: 1, source: 'probe', outcome: 'ok', ttftMs: 1000, tokensPerSecond: 50 });
    const priors = priorsFrom([tracker.get('known', 2)]);
    const known = scoreRoute(tracker.get('known', 2), { ...context, ...priors });
    const unknown = scoreRoute(tracker.get('new', 2), { ...context, ...priors });
    expect(unknown.health).toBe('unknown');
    expect(unknown.score).toBeGreaterThan(known.score);
  });
});
