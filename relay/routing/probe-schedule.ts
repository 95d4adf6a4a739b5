/**
 * When each route is measured again. Routes competing for first place and routes recovering
 * from a failure are probed often, the long tail rarely, everything less while the relay is
 * idle — and never more than a small share of the provider's free daily quota.
 */

export type ProbeRole = 'unknown' | 'contender' | 'recovering' | 'tail';

/** The share of a free daily quota probes may spend at most. */
export const PROBE_QUOTA_SHARE = 0.02;

export const CONTENDER_INTERVAL_MS = 90_000;
export const RECOVERY_INTERVAL_MS = 90_000;
export const TAIL_INTERVAL_MS = 60 * 60_000;
/** Idle relays probe this many times less often. */
export const IDLE_FACTOR = 4;
/** ± share of jitter, so probes of many routes do not fire together. */
export const JITTER = 0.1;

const DAY_MS = 24 * 60 * 60_000;

export interface ProbeIntervalInput {
  role: ProbeRole;
  idle: boolean;
  /** Probes per day this route may use; undefined when unlimited (local servers). */
  dailyBudget: number | undefined;
  random: () => number;
  /** The settings' cadence (probe.contenderIntervalSeconds); default CONTENDER_INTERVAL_MS. */
  contenderIntervalMs?: number;
  /** The settings' cadence (probe.tailIntervalMinutes); default TAIL_INTERVAL_MS. */
  tailIntervalMs?: number;
}

/** The probe settings as the schedule takes them (see the `probe` section of the settings). */
export interface ProbeCadence {
  contenderIntervalMs: number;
  tailIntervalMs: number;
  /** 0..1: the share of a free daily quota probes may spend. */
  quotaShare: number;
}

export const DEFAULT_PROBE_CADENCE: ProbeCadence = { contenderIntervalMs: CONTENDER_INTERVAL_MS, tailIntervalMs: TAIL_INTERVAL_MS, quotaShare: PROBE_QUOTA_SHARE };

/** Milliseconds until the next probe of a route; Infinity when its budget allows none. */
export function probeIntervalMs(input: ProbeIntervalInput): number {
  if (input.dailyBudget !== undefined && input.dailyBudget < 1) return Number.POSITIVE_INFINITY;
  let interval: number;
  switch (input.role) {
    case 'unknown':
      interval = 0;
      break;
    case 'contender':
      interval = input.contenderIntervalMs ?? CONTENDER_INTERVAL_MS;
      break;
    case 'recovering':
      interval = RECOVERY_INTERVAL_MS;
      break;
    default:
      interval = input.tailIntervalMs ?? TAIL_INTERVAL_MS;
  }
  if (input.idle) interval *= IDLE_FACTOR;
  if (input.dailyBudget !== undefined) interval = Math.max(interval, DAY_MS / input.dailyBudget);
  if (interval === 0) return 0;
  return Math.round(interval * (1 + JITTER * (2 * input.random() - 1)));
}

/**
 * Probes per day a route may spend: the share of the provider's free daily requests, split over
 * its routes when the quota is per account rather than per model.
 */
export function dailyProbeBudget(requestsPerDay: number | undefined, scope: 'model' | 'account', routesSharingQuota: number, quotaShare = PROBE_QUOTA_SHARE): number | undefined {
  if (requestsPerDay === undefined) return undefined;
  const share = requestsPerDay * quotaShare;
  return scope === 'account' ? share / Math.max(1, routesSharingQuota) : share;
}
