import type { RequestNeeds } from '../core/chat-request.js';
import { routeId, type RouteEntry } from './route-entry.js';

/** Ids that name no model but a choice the relay makes. */
export const VIRTUAL_MODEL_IDS = ['auto-fastest'] as const;
const VIRTUAL = new Set<string>([...VIRTUAL_MODEL_IDS, 'auto']);

export type RoutingPolicy = 'free-only' | 'free-first' | 'any';

export interface SelectOptions {
  policy: RoutingPolicy;
  /** What a chat request needs; absent for embeddings. */
  needs?: RequestNeeds & { minContextTokens?: number };
  embeddings?: boolean;
}

export type Resolution =
  | { kind: 'routes'; virtual: boolean; candidates: RouteEntry[] }
  | { kind: 'not-found'; suggestions: string[] }
  | { kind: 'unsuitable'; reason: string };

/**
 * Turns the model id a client asked for into candidate routes, best first. An explicit id
 * (`provider/model` or a bare upstream id) is honoured as asked; a virtual id picks among every
 * route that can serve the request, under the routing policy.
 */
export function resolveModel(asked: string, routes: readonly RouteEntry[], options: SelectOptions): Resolution {
  const wanted = asked.trim();
  if (VIRTUAL.has(wanted.toLowerCase())) return resolveVirtual(routes, options);

  const exact = routes.filter((route) => routeId(route) === wanted);
  if (exact.length > 0) return { kind: 'routes', virtual: false, candidates: exact };

  let sameModel = routes.filter((route) => route.model === wanted);
  if (sameModel.length === 0) {
    const lower = wanted.toLowerCase();
    sameModel = routes.filter((route) => route.model.toLowerCase() === lower || routeId(route).toLowerCase() === lower);
  }
  if (sameModel.length > 0) return { kind: 'routes', virtual: false, candidates: order(sameModel, options.policy === 'any' ? 'any' : 'free-first') };

  return { kind: 'not-found', suggestions: suggestIds(wanted, publicIds(routes)) };
}

function resolveVirtual(routes: readonly RouteEntry[], options: SelectOptions): Resolution {
  let pool = routes.filter((route) => (options.embeddings ? route.capabilities.embeddings === true : route.capabilities.embeddings !== true));
  if (options.policy === 'free-only') pool = pool.filter((route) => route.free);
  if (pool.length === 0) {
    return { kind: 'unsuitable', reason: options.policy === 'free-only' ? 'no free model is available (routing policy: free only)' : 'no model is available' };
  }
  const needs = options.needs;
  if (needs) {
    const before = pool.length;
    if (needs.tools) pool = pool.filter((route) => route.capabilities.tools !== false);
    if (needs.vision) pool = pool.filter((route) => route.capabilities.vision !== false);
    if (needs.json) pool = pool.filter((route) => route.capabilities.json !== false);
    const minContext = needs.minContextTokens;
    if (minContext !== undefined) pool = pool.filter((route) => route.contextWindow === undefined || route.contextWindow >= minContext);
    if (pool.length === 0) {
      return { kind: 'unsuitable', reason: `none of the ${before} available models can serve this request (${describeNeeds(needs)})` };
    }
  }
  const ordered = order(pool, options.policy);
  // Routes known to support what the request needs go before routes whose support is unknown.
  const known = (route: RouteEntry) =>
    (!needs?.tools || route.capabilities.tools === true) && (!needs?.vision || route.capabilities.vision === true) ? 0 : 1;
  return { kind: 'routes', virtual: true, candidates: stableSort(ordered, (a, b) => known(a) - known(b)) };
}

function describeNeeds(needs: RequestNeeds & { minContextTokens?: number }): string {
  const parts: string[] = [];
  if (needs.tools) parts.push('tools');
  if (needs.vision) parts.push('images');
  if (needs.json) parts.push('JSON output');
  if (needs.minContextTokens !== undefined) parts.push(`about ${needs.minContextTokens} tokens of context`);
  return parts.join(', ') || 'chat';
}

function order(routes: RouteEntry[], policy: RoutingPolicy): RouteEntry[] {
  const byRank = stableSort(routes, (a, b) => a.rank - b.rank);
  if (policy === 'any') return byRank;
  return stableSort(byRank, (a, b) => Number(b.free) - Number(a.free));
}

function stableSort<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => compare(a.item, b.item) || a.index - b.index)
    .map(({ item }) => item);
}

/** Every id a client may ask for: virtual ids, bare upstream ids and `provider/model`. */
export function publicIds(routes: readonly RouteEntry[]): string[] {
  const ids = new Set<string>(VIRTUAL_MODEL_IDS);
  for (const route of routes) ids.add(route.model);
  for (const route of routes) ids.add(routeId(route));
  return [...ids];
}

/** The known ids closest to a mistyped one, best first. */
export function suggestIds(wanted: string, ids: readonly string[], limit = 3): string[] {
  const lower = wanted.toLowerCase().slice(0, 200);
  if (lower === '') return [];
  const scored = ids.map((id) => {
    const candidate = id.toLowerCase();
    const contains = candidate.includes(lower) || (lower.length >= 4 && lower.includes(candidate));
    return { id, score: contains ? 0 : editDistance(lower, candidate) };
  });
  const threshold = Math.max(3, Math.floor(lower.length / 3));
  return scored
    .filter((entry) => entry.score <= threshold)
    .sort((a, b) => a.score - b.score || a.id.length - b.id.length || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((entry) => entry.id);
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 40) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}
