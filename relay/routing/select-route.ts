import type { RequestNeeds } from '../core/chat-request.js';
import { canonicalGroup } from './model-groups.js';
import { routeId, type RouteEntry } from './route-entry.js';

/**
 * Virtual ids name no model but a choice the relay makes. `auto-fastest` considers every route;
 * the aliases narrow the field first.
 */
export const VIRTUAL_MODEL_IDS = ['auto-fastest', 'fast', 'coding', 'vision', 'long-context', 'free'] as const;
export type VirtualModelId = (typeof VIRTUAL_MODEL_IDS)[number];

const ALIASES: Readonly<Record<string, VirtualModelId>> = { auto: 'auto-fastest', 'auto-fastest': 'auto-fastest' };

const LONG_CONTEXT_TOKENS = 128_000;
const CODING_CONTEXT_TOKENS = 32_000;

export type RoutingPolicy = 'free-only' | 'free-first' | 'any';

export interface SelectOptions {
  policy: RoutingPolicy;
  /** What a chat request needs; absent for embeddings. */
  needs?: RequestNeeds & { minContextTokens?: number };
  embeddings?: boolean;
  /** Groups or `provider/model` routes excluded from virtual ids and groups. */
  bans?: readonly string[];
}

/** How the asked id was understood. */
export type Target =
  | { kind: 'virtual'; id: VirtualModelId; modifiers: string[] }
  | { kind: 'group'; id: string }
  | { kind: 'model'; id: string }
  | { kind: 'route'; id: string };

export type Resolution =
  | { kind: 'routes'; virtual: boolean; target: Target; candidates: RouteEntry[] }
  | { kind: 'not-found'; suggestions: string[] }
  | { kind: 'unsuitable'; reason: string };

interface Modifiers {
  minContext?: number;
  free?: boolean;
  tools?: boolean;
  vision?: boolean;
}

/** `auto-fastest+min_ctx:64k+free` → the base id and its modifiers; undefined when malformed. */
export function parseModifiers(text: string): { base: string; modifiers: Modifiers; raw: string[] } | undefined {
  const [base, ...parts] = text.split('+');
  const modifiers: Modifiers = {};
  for (const part of parts) {
    const [name, value] = part.split(':');
    if (name === 'min_ctx' && value) {
      const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(value.trim());
      if (!match) return undefined;
      const unit = match[2]?.toLowerCase() === 'k' ? 1_000 : match[2]?.toLowerCase() === 'm' ? 1_000_000 : 1;
      modifiers.minContext = Math.round(Number(match[1]) * unit);
    } else if (name === 'free' && value === undefined) modifiers.free = true;
    else if (name === 'tools' && value === undefined) modifiers.tools = true;
    else if (name === 'vision' && value === undefined) modifiers.vision = true;
    else return undefined;
  }
  return { base: base ?? '', modifiers, raw: parts };
}

/**
 * Turns the model id a client asked for into candidate routes. An exact `provider/model` is
 * honoured as asked; a bare upstream id or a canonical group is served by every route that
 * serves it; a virtual id picks among every route that can serve the request, under the
 * routing policy. Order here is by configured priority; latency ranking happens afterwards.
 */
export function resolveModel(asked: string, routes: readonly RouteEntry[], options: SelectOptions): Resolution {
  const wanted = asked.trim();
  const parsed = parseModifiers(wanted.toLowerCase());
  const virtualId = parsed ? ALIASES[parsed.base] ?? (VIRTUAL_MODEL_IDS as readonly string[]).find((id) => id === parsed.base) : undefined;
  if (parsed && virtualId) return resolveVirtual(virtualId as VirtualModelId, parsed.modifiers, parsed.raw, routes, options);

  // "Free only" means never paying, whatever id was asked for.
  const allowed = options.policy === 'free-only' ? routes.filter((route) => route.free) : routes;
  const paidOnly = (matches: RouteEntry[]): Resolution => ({
    kind: 'unsuitable',
    reason: `it is served only by paid providers (${[...new Set(matches.map((route) => route.providerId))].join(', ')}) and the routing policy is free only`,
  });

  const exact = routes.filter((route) => routeId(route) === wanted);
  if (exact.length > 0) {
    const free = exact.filter((route) => allowed.includes(route));
    return free.length > 0 ? { kind: 'routes', virtual: false, target: { kind: 'route', id: wanted }, candidates: free } : paidOnly(exact);
  }

  const notBanned = withoutBans(allowed, options.bans);
  const policy = options.policy === 'any' ? 'any' : 'free-first';
  let sameModel = notBanned.filter((route) => route.model === wanted);
  if (sameModel.length === 0) {
    const lower = wanted.toLowerCase();
    sameModel = notBanned.filter((route) => route.model.toLowerCase() === lower || routeId(route).toLowerCase() === lower);
  }
  if (sameModel.length > 0) return { kind: 'routes', virtual: false, target: { kind: 'model', id: wanted }, candidates: order(sameModel, policy) };

  const group = canonicalGroup(wanted);
  const inGroup = notBanned.filter((route) => canonicalGroup(route.model) === group);
  if (inGroup.length > 0 && (wanted.toLowerCase() === group || !wanted.includes('/'))) {
    return { kind: 'routes', virtual: false, target: { kind: 'group', id: group }, candidates: order(inGroup, policy) };
  }

  if (allowed.length < routes.length) {
    const paid = withoutBans(routes, options.bans).filter((route) => route.model === wanted || canonicalGroup(route.model) === group);
    if (paid.length > 0) return paidOnly(paid);
  }
  return { kind: 'not-found', suggestions: suggestIds(wanted, publicIds(routes)) };
}

function withoutBans(routes: readonly RouteEntry[], bans: readonly string[] | undefined): RouteEntry[] {
  if (!bans || bans.length === 0) return [...routes];
  const banned = new Set(bans.map((ban) => ban.toLowerCase()));
  return routes.filter((route) => !banned.has(routeId(route).toLowerCase()) && !banned.has(canonicalGroup(route.model)));
}

function resolveVirtual(id: VirtualModelId, modifiers: Modifiers, raw: string[], routes: readonly RouteEntry[], options: SelectOptions): Resolution {
  let pool = withoutBans(routes, options.bans).filter((route) => (options.embeddings ? route.capabilities.embeddings === true : route.capabilities.embeddings !== true));
  if (options.policy === 'free-only' || id === 'free' || modifiers.free) pool = pool.filter((route) => route.free);
  if (id === 'vision') pool = pool.filter((route) => route.capabilities.vision === true);
  if (id === 'coding') pool = pool.filter((route) => route.capabilities.tools === true && (route.contextWindow === undefined || route.contextWindow >= CODING_CONTEXT_TOKENS));
  if (id === 'long-context') pool = pool.filter((route) => (route.contextWindow ?? 0) >= LONG_CONTEXT_TOKENS);
  if (pool.length === 0) {
    const why = options.policy === 'free-only' || id === 'free' || modifiers.free ? 'no free model is available' : `no model is available for '${id}'`;
    return { kind: 'unsuitable', reason: why };
  }
  const needs = {
    tools: (options.needs?.tools ?? false) || modifiers.tools === true,
    vision: (options.needs?.vision ?? false) || modifiers.vision === true,
    json: options.needs?.json ?? false,
    minContextTokens: Math.max(options.needs?.minContextTokens ?? 0, modifiers.minContext ?? 0) || undefined,
  };
  const before = pool.length;
  if (needs.tools) pool = pool.filter((route) => route.capabilities.tools !== false);
  if (needs.vision) pool = pool.filter((route) => route.capabilities.vision !== false);
  if (needs.json) pool = pool.filter((route) => route.capabilities.json !== false);
  const minContext = needs.minContextTokens;
  if (minContext !== undefined) {
    // An explicit min_ctx demands a known window; the request's own estimate tolerates unknown ones.
    pool = pool.filter((route) => (route.contextWindow === undefined ? modifiers.minContext === undefined : route.contextWindow >= minContext));
  }
  if (pool.length === 0) return { kind: 'unsuitable', reason: `none of the ${before} available models can serve this request (${describeNeeds(needs)})` };
  const ordered = order(pool, options.policy);
  // Routes known to support what the request needs go before routes whose support is unknown.
  const known = (route: RouteEntry) => ((!needs.tools || route.capabilities.tools === true) && (!needs.vision || route.capabilities.vision === true) ? 0 : 1);
  return { kind: 'routes', virtual: true, target: { kind: 'virtual', id, modifiers: raw }, candidates: stableSort(ordered, (a, b) => known(a) - known(b)) };
}

function describeNeeds(needs: { tools: boolean; vision: boolean; json: boolean; minContextTokens: number | undefined }): string {
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

/** Every id a client may ask for: virtual ids, groups, bare upstream ids and `provider/model`. */
export function publicIds(routes: readonly RouteEntry[]): string[] {
  const ids = new Set<string>(VIRTUAL_MODEL_IDS);
  for (const route of routes) ids.add(canonicalGroup(route.model));
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
