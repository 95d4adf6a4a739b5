/** A small seeded generator (mulberry32): the same seed gives the same demo, which tests rely on. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `value` varied by ± `share`, never below zero. */
export function jittered(value: number, share: number, random: () => number): number {
  return Math.max(0, value * (1 + share * (2 * random() - 1)));
}
