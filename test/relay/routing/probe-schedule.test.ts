import { describe, expect, it } from 'vitest';
import { CONTENDER_INTERVAL_MS, IDLE_FACTOR, PROBE_QUOTA_SHARE, TAIL_INTERVAL_MS, dailyProbeBudget, probeIntervalMs } from '../../../relay/routing/probe-schedule.js';

const noJitter = () => 0.5;
const day = 24 * 60 * 60_000;

describe('probe schedule', () => {
  it('probes unmeasured routes at once, contenders often and the tail rarely', () => {
    expect(probeIntervalMs({ role: 'unknown', idle: false, dailyBudget: undefined, random: noJitter })).toBe(0);
    expect(probeIntervalMs({ role: 'contender', idle: false, dailyBudget: undefined, random: noJitter })).toBe(CONTENDER_INTERVAL_MS);
    expect(probeIntervalMs({ role: 'tail', idle: false, dailyBudget: undefined, random: noJitter })).toBe(TAIL_INTERVAL_MS);
    expect(probeIntervalMs({ role: 'contender', idle: true, dailyBudget: undefined, random: noJitter })).toBe(CONTENDER_INTERVAL_MS * IDLE_FACTOR);
  });

  it('never spends more than the quota share, whatever the role', () => {
    for (const requestsPerDay of [50, 250, 1_000, 14_400]) {
      const budget = dailyProbeBudget(requestsPerDay, 'model', 1) as number;
      expect(budget).toBeCloseTo(requestsPerDay * PROBE_QUOTA_SHARE);
      const interval = probeIntervalMs({ role: 'contender', idle: false, dailyBudget: budget, random: () => 0 });
      expect(day / interval).toBeLessThanOrEqual(budget / 0.9 + 1e-9);
    }
    expect(dailyProbeBudget(50, 'account', 4)).toBeCloseTo(0.25);
    expect(probeIntervalMs({ role: 'contender', idle: false, dailyBudget: 0.25, random: noJitter })).toBe(Number.POSITIVE_INFINITY);
  });

  it('jitters within ±10 %', () => {
    const low = probeIntervalMs({ role: 'tail', idle: false, dailyBudget: undefined, random: () => 0 });
    const high = probeIntervalMs({ role: 'tail', idle: false, dailyBudget: undefined, random: () => 1 });
    expect(low).toBeCloseTo(TAIL_INTERVAL_MS * 0.9, 0);
    expect(high).toBeCloseTo(TAIL_INTERVAL_MS * 1.1, 0);
  });
});
