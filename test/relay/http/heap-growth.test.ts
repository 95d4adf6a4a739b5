import { beforeEach, describe, expect, it, vi } from 'vitest';

const setFlagsFromString = vi.fn<(flags: string) => void>();
vi.mock('node:v8', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:v8')>()), setFlagsFromString }));

const { startTestRelay } = await import('../../helpers/start-relay.js');
const { applyHeapGrowth, DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } = await import('../../../relay/http/heap-growth.js');

describe('heap growth of the serving process', () => {
  beforeEach(() => setFlagsFromString.mockClear());

  it('defaults to 1.5× the live heap and takes an override from the environment', () => {
    expect(DEFAULT_HEAP_GROWTH_PERCENT).toBe(50);
    expect(heapGrowthPercent({})).toBe(50);
    expect(heapGrowthPercent({ SWITCHBOARD_HEAP_GROWTH_PERCENT: ' 100 ' })).toBe(100);
    expect(heapGrowthPercent({ SWITCHBOARD_HEAP_GROWTH_PERCENT: '0' })).toBe(0);
  });

  it('ignores overrides that are not a whole number and caps absurd ones', () => {
    for (const raw of ['', 'lots', '-5', '1.5', '50%', '--expose-gc']) expect(heapGrowthPercent({ SWITCHBOARD_HEAP_GROWTH_PERCENT: raw }), raw).toBe(50);
    expect(heapGrowthPercent({ SWITCHBOARD_HEAP_GROWTH_PERCENT: '9999' })).toBe(1000);
  });

  it('sets the V8 flag once per value', () => {
    applyHeapGrowth(70);
    applyHeapGrowth(70);
    expect(setFlagsFromString.mock.calls).toEqual([['--heap-growing-percent=70']]);
    applyHeapGrowth(0);
    expect(setFlagsFromString).toHaveBeenLastCalledWith('--heap-growing-percent=0');
  });

  it('is applied by a relay once it listens, from the environment the relay was given', async () => {
    const relay = await startTestRelay({ env: { SWITCHBOARD_HEAP_GROWTH_PERCENT: '77' } });
    try {
      expect(setFlagsFromString).toHaveBeenCalledWith('--heap-growing-percent=77');
    } finally {
      await relay.close();
    }
  });
});
