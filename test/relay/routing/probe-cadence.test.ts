import { describe, expect, it } from 'vitest';
import {
  CONTENDER_INTERVAL_MS,
  DEFAULT_PROBE_CADENCE,
  IDLE_FACTOR,
  PROBE_QUOTA_SHARE,
  RECOVERY_INTERVAL_MS,
  TAIL_INTERVAL_MS,
  dailyProbeBudget,
  probeIntervalMs,
} from '../../../relay/routing/probe-schedule.js';

const noJitter = () => 0.5;

describe('probe schedule with the settings cadence', () => {
  it('defaults to the built-in cadence (90 s, 60 min, 2 %)', () => {
    expect(DEFAULT_PROBE_CADENCE).toEqual({ contenderIntervalMs: 90_000, tailIntervalMs: 60 * 60_000, quotaShare: 0.02 });
    expect(CONTENDER_INTERVAL_MS).toBe(90_000);
    expect(TAIL_INTERVAL_MS).toBe(3_600_000);
    expect(PROBE_QUOTA_SHARE).toBe(0.02);
    for (const role of ['unknown', 'contender', 'recovering', 'tail'] as const) {
      for (const idle of [false, true]) {
        const base = { role, idle, dailyBudget: 20, random: noJitter };
        expect(probeIntervalMs({ ...base, contenderIntervalMs: DEFAULT_PROBE_CADENCE.contenderIntervalMs, tailIntervalMs: DEFAULT_PROBE_CADENCE.tailIntervalMs })).toBe(probeIntervalMs(base));
      }
    }
    expect(dailyProbeBudget(1_000, 'account', 4, DEFAULT_PROBE_CADENCE.quotaShare)).toBe(dailyProbeBudget(1_000, 'account', 4));
  });

  it('uses the contender and tail intervals given, idle and budget rules unchanged', () => {
    const cadence = { contenderIntervalMs: 15_000, tailIntervalMs: 5 * 60_000 };
    expect(probeIntervalMs({ role: 'contender', idle: false, dailyBudget: undefined, random: noJitter, ...cadence })).toBe(15_000);
    expect(probeIntervalMs({ role: 'tail', idle: false, dailyBudget: undefined, random: noJitter, ...cadence })).toBe(300_000);
    expect(probeIntervalMs({ role: 'contender', idle: true, dailyBudget: undefined, random: noJitter, ...cadence })).toBe(15_000 * IDLE_FACTOR);
    // Recovering routes and unmeasured ones keep their own pace.
    expect(probeIntervalMs({ role: 'recovering', idle: false, dailyBudget: undefined, random: noJitter, ...cadence })).toBe(RECOVERY_INTERVAL_MS);
    expect(probeIntervalMs({ role: 'unknown', idle: false, dailyBudget: undefined, random: noJitter, ...cadence })).toBe(0);
    // The budget still wins over a short interval: 100 probes a day is one every 14.4 minutes.
    expect(probeIntervalMs({ role: 'contender', idle: false, dailyBudget: 100, random: noJitter, ...cadence })).toBe(864_000);
    // Longer intervals are honoured too.
    expect(probeIntervalMs({ role: 'tail', idle: false, dailyBudget: undefined, random: noJitter, tailIntervalMs: 24 * 60 * 60_000 })).toBe(86_400_000);
  });

  it('spends the quota share given', () => {
    expect(dailyProbeBudget(1_000, 'model', 1, 0.05)).toBeCloseTo(50);
    expect(dailyProbeBudget(1_000, 'account', 5, 0.01)).toBeCloseTo(2);
    expect(dailyProbeBudget(1_000, 'model', 1, 0)).toBe(0);
    expect(probeIntervalMs({ role: 'contender', idle: false, dailyBudget: 0, random: noJitter })).toBe(Number.POSITIVE_INFINITY);
    expect(dailyProbeBudget(undefined, 'model', 1, 0.2)).toBeUndefined();
  });
});
