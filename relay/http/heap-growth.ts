import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what is live before it collects it, for the
 * process that serves. V8's own choice goes up to 4× the live heap: right for a big server that
 * trades memory for throughput, wrong for a relay that sits in the tray all day with a live heap
 * of about 20 MB. At 1.5× the peak RSS under sustained load drops by about 50 MB for about 1 %
 * more CPU spent collecting (docs/benchmarks.md). The flag is read at every full collection, so
 * it applies to a process already running; `SWITCHBOARD_HEAP_GROWTH_PERCENT` overrides it
 * (0 gives V8 its own choice back).
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

let applied: number | undefined;

export function heapGrowthPercent(env: Record<string, string | undefined>): number {
  const raw = env.SWITCHBOARD_HEAP_GROWTH_PERCENT?.trim();
  if (raw === undefined || raw === '' || !/^\d{1,4}$/.test(raw)) return DEFAULT_HEAP_GROWTH_PERCENT;
  return Math.min(Number(raw), 1000);
}

/** Applies the growth limit to this process (once per value; later relays in the process share it). */
export function applyHeapGrowth(percent: number): void {
  if (applied === percent) return;
  // 0 is V8's "no override": its dynamic factor again.
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  applied = percent;
}
