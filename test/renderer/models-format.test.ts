import { describe, expect, it } from 'vitest';
import { formatMs, formatPercent, formatSpeed, formatTokens, statusText } from '../../renderer/lib/components/models/format.js';
import { sparklinePoints } from '../../renderer/lib/components/models/sparkline-points.js';

describe('Models table formats', () => {
  it('writes milliseconds short and seconds with sensible precision', () => {
    expect(formatMs(undefined)).toBe('—');
    expect(formatMs(412.4)).toBe('412 ms');
    expect(formatMs(1530)).toBe('1.53 s');
    expect(formatMs(12_400)).toBe('12.4 s');
  });

  it('writes speeds, shares and context windows compactly', () => {
    expect(formatSpeed(250.4)).toBe('250');
    expect(formatSpeed(42.46)).toBe('42.5');
    expect(formatSpeed(undefined)).toBe('—');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.9874)).toBe('98.7%');
    expect(formatTokens(8192)).toBe('8k');
    expect(formatTokens(131_072)).toBe('128k');
    expect(formatTokens(128_000)).toBe('128k');
    expect(formatTokens(1_048_576)).toBe('1M');
    expect(formatTokens(2_000_000)).toBe('2M');
    expect(formatTokens(500)).toBe('500');
    expect(formatTokens(undefined)).toBe('—');
  });

  it('names every route status with a tone', () => {
    expect(statusText('up')).toMatchObject({ label: 'up', tone: 'ok' });
    expect(statusText('key-missing')).toMatchObject({ label: 'no key', tone: 'neutral' });
    expect(statusText('down').tone).toBe('bad');
  });
});

describe('sparkline points', () => {
  it('spans the width, lowest value at the bottom, highest at the top', () => {
    expect(sparklinePoints([100, 300, 200], 72, 22)).toEqual([
      [2, 20],
      [36, 2],
      [70, 11],
    ]);
  });

  it('draws equal values mid-height, one value in the middle, and nothing for no values', () => {
    expect(sparklinePoints([5, 5], 10, 10, 0)).toEqual([
      [0, 5],
      [10, 5],
    ]);
    expect(sparklinePoints([7], 10, 10)).toEqual([[5, 5]]);
    expect(sparklinePoints([], 10, 10)).toEqual([]);
    expect(sparklinePoints([Number.NaN, 3], 10, 10, 0)).toEqual([[5, 5]]);
  });
});
