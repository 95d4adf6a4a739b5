import { canonicalGroup } from './model-groups.js';
import type { RouteQos } from './qos-tracker.js';
import { routeId, type RouteEntry } from './route-entry.js';
import { priorsFrom, scoreRoute, type RouteScore } from './route-score.js';

/** A pin: a model group (any provider serving it) or one exact `provider/model` route. */
export type Pin = { kind: 'group' | 'route'; target: string };

export interface RankInput {
  candidates: readonly RouteEntry[];
  qos: (route: RouteEntry) => RouteQos;
  /** Whether the route has no usable key right now (cooling, disabled, over quota). */
  resting: (route: RouteEntry) => boolean;
  now: number;
  expectedOutputTokens: number;
  /** Applies to virtual ids only; an explicit id is never overridden. */
  pin?: Pin;
  /** The route this conversation used last (session affinity, the hysteresis of routing). */
  affinity?: string;
  random: () => number;
  /** Chance of trying a promising unmeasured or recovering route first. */
  explorationRate: number;
}

export interface RankedRoute {
  route: RouteEntry;
  /** The measurements the score was computed from. */
  qos: RouteQos;
  score: RouteScore;
  resting: boolean;
  /** Why the route sits where it does, in a few words. */
  note?: string;
}

export interface Ranking {
  ordered: RouteEntry[];
  explanation: RankedRoute[];
  pin?: { target: string; honoured: boolean; reason?: string };
  explored?: string;
}

/** A competitor must be this much faster before a conversation moves (hysteresis). */
export const AFFINITY_TOLERANCE = 1.5;

export function pinMatches(pin: Pin, route: RouteEntry): boolean {
  return pin.kind === 'route' ? routeId(route) === pin.target : canonicalGroup(route.model) === pin.target;
}

/**
 * Orders candidate routes for a request: by score, resting routes last, then adjusted for a pin,
 * session affinity and a little exploration — each adjustment only moves a healthy
 * route forward, so none of them can send traffic to a route known to be down.
 */
export function rankRoutes(input: RankInput): Ranking {
  const qosList = input.candidates.map((route) => input.qos(route));
  const priors = priorsFrom(qosList);
  const context = { now: input.now, expectedOutputTokens: input.expectedOutputTokens, ...priors };
  let ranked: RankedRoute[] = input.candidates.map((route, index) => ({
    route,
    qos: qosList[index] as RouteQos,
    score: scoreRoute(qosList[index] as RouteQos, context),
    resting: input.resting(route),
  }));
  ranked.sort((a, b) => Number(a.resting) - Number(b.resting) || a.score.score - b.score.score || a.route.rank - b.route.rank);

  const usable = (entry: RankedRoute) => !entry.resting && entry.score.health !== 'down';
  const moveToFront = (entry: RankedRoute, note: string) => {
    ranked = [entry, ...ranked.filter((other) => other !== entry)];
    entry.note = note;
  };
  const ranking: Ranking = { ordered: [], explanation: ranked };

  let explored: RankedRoute | undefined;
  if (!input.affinity && !input.pin && input.explorationRate > 0 && input.random() < input.explorationRate) {
    const front = ranked.find(usable);
    explored = ranked.find((entry) => usable(entry) && entry !== front && (entry.score.health === 'unknown' || entry.score.health === 'recovering'));
    if (explored) {
      moveToFront(explored, 'exploring: not measured recently');
      ranking.explored = routeId(explored.route);
    }
  }

  if (input.affinity) {
    const previous = ranked.find((entry) => routeId(entry.route) === input.affinity);
    const front = ranked.find(usable);
    if (previous && usable(previous) && (!front || previous.score.score <= front.score.score * AFFINITY_TOLERANCE)) {
      moveToFront(previous, 'session affinity');
    }
  }

  if (input.pin) {
    const pinned = ranked.filter((entry) => pinMatches(input.pin as Pin, entry.route));
    const healthy = pinned.filter(usable);
    if (healthy.length > 0) {
      ranked = [...healthy, ...ranked.filter((entry) => !healthy.includes(entry))];
      for (const entry of healthy) entry.note = 'pinned';
      ranking.pin = { target: input.pin.target, honoured: true };
    } else {
      ranking.pin = {
        target: input.pin.target,
        honoured: false,
        reason: pinned.length === 0 ? 'no route of the pinned target can serve this request' : 'every route of the pinned target is down or resting',
      };
    }
  }

  ranking.explanation = ranked;
  ranking.ordered = ranked.map((entry) => entry.route);
  return ranking;
}
