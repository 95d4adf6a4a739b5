/**
 * The three simulated providers of demo mode. They differ only in speed and reliability, so a
 * new user can watch auto-fastest prefer the fast one, avoid the slow one and fail over from
 * the flaky one. Each model id is served by two of them, so every model group spans providers.
 */

export type DemoProviderId = 'demo-fast' | 'demo-slow' | 'demo-flaky';

export const DEMO_PROVIDER_IDS: readonly DemoProviderId[] = ['demo-fast', 'demo-slow', 'demo-flaky'];

export interface DemoModel {
  id: string;
  contextWindow: number;
  maxOutputTokens: number;
}

export interface DemoTimings {
  /** Typical time to first token. */
  ttftMs: number;
  tokensPerSecond: number;
  /** ± share of random variation applied to every delay (0.25: 75 % to 125 %). */
  jitter: number;
  /** Chance (0..1) that a chat request fails before answering, with 503 or 429 (Retry-After). */
  failureRate: number;
  /** Chance (0..1) that a streamed answer is cut off mid-way by a connection reset. */
  resetRate: number;
}

export interface DemoProfile extends DemoTimings {
  id: DemoProviderId;
  /** What the dashboard shows; always says "(simulated)". */
  name: string;
  models: readonly DemoModel[];
}

const SMALL: DemoModel = { id: 'sim-small', contextWindow: 8_192, maxOutputTokens: 2_048 };
const MEDIUM: DemoModel = { id: 'sim-medium', contextWindow: 32_768, maxOutputTokens: 4_096 };
const LARGE: DemoModel = { id: 'sim-large', contextWindow: 131_072, maxOutputTokens: 8_192 };

export const DEMO_PROFILES: readonly DemoProfile[] = [
  { id: 'demo-fast', name: 'Demo Fast (simulated)', ttftMs: 150, tokensPerSecond: 120, jitter: 0.25, failureRate: 0, resetRate: 0, models: [SMALL, MEDIUM] },
  { id: 'demo-slow', name: 'Demo Slow (simulated)', ttftMs: 1_200, tokensPerSecond: 25, jitter: 0.25, failureRate: 0, resetRate: 0, models: [MEDIUM, LARGE] },
  // Faster than demo-slow on sim-large, so auto-fastest tries it first there and failover shows.
  { id: 'demo-flaky', name: 'Demo Flaky (simulated)', ttftMs: 400, tokensPerSecond: 60, jitter: 0.4, failureRate: 0.35, resetRate: 0.1, models: [SMALL, LARGE] },
];

/** How the simulators run; the defaults are the demo as users see it. */
export interface DemoSimulationOptions {
  /** The random source for jitter and failures (default: a generator seeded with `seed`). */
  random?: () => number;
  /** Seed of the default generator (default: random per start). */
  seed?: number;
  /** Multiplies every delay: 1 is real time, 0 answers at once (tests). */
  timeScale?: number;
  /** Per-provider changes to the timings (tests force the flaky provider to always fail). */
  profiles?: Partial<Record<DemoProviderId, Partial<DemoTimings>>>;
}

export function resolveProfiles(options: DemoSimulationOptions): DemoProfile[] {
  return DEMO_PROFILES.map((profile) => ({ ...profile, ...(options.profiles?.[profile.id] ?? {}) }));
}
