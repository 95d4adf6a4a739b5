import type { QosRouteView, RouteStatusView } from '../../../relay/admin/dto.js';

/**
 * The Models table's data work, as pure functions so it can be tested without a DOM: routes are
 * filtered, grouped by canonical model group (one row per model, its routes underneath), and
 * sorted. Nothing here formats for display.
 */

export type SortKey = 'name' | 'ttft' | 'speed' | 'uptime' | 'status';
export type SortDirection = 'ascending' | 'descending';
export type StatusFilter = 'all' | 'up' | 'problems';
export type CapabilityName = 'tools' | 'vision' | 'json' | 'reasoning';

export const CAPABILITIES: readonly CapabilityName[] = ['tools', 'vision', 'json', 'reasoning'];

export interface TableFilters {
  /** Matched, case-insensitively, against model, provider, route id and group. */
  search: string;
  status: StatusFilter;
  freeOnly: boolean;
  /** Every one listed must be supported. */
  capabilities: readonly CapabilityName[];
  /** Also list models of providers that are not set up (no key) or turned off. */
  includeUnavailable?: boolean;
}

export interface TableSort {
  key: SortKey;
  direction: SortDirection;
}

/** One model group: its routes (sorted like the table) and what they add up to. */
export interface ModelGroup {
  id: string;
  routes: QosRouteView[];
  /** The route that stands for the group: the fastest servable, unbanned one. */
  best: QosRouteView;
  /** The best status among the group's unbanned routes (all routes when every one is banned). */
  status: RouteStatusView;
  ttftP50Ms?: number;
  ttftP95Ms?: number;
  tokensPerSecond?: number;
  uptime1h?: number;
  contextWindow?: number;
  capabilities: Partial<Record<CapabilityName, boolean>>;
  /** At least one route costs nothing. */
  free: boolean;
  /** At least one route costs money. */
  paid: boolean;
  servableCount: number;
  bannedCount: number;
  /** Every route is banned, one by one or through a ban on the group. */
  banned: boolean;
  providers: string[];
  /** The most recent error among the routes. */
  lastError?: { message: string; at: string; route: string };
}

/** Best first: what a user would rather see a route in. */
const STATUS_ORDER: readonly RouteStatusView[] = ['up', 'slow', 'unknown', 'rate-limited', 'down', 'key-rejected', 'key-missing', 'disabled'];
const PROBLEM_STATUSES = new Set<RouteStatusView>(['rate-limited', 'down', 'key-rejected', 'key-missing', 'disabled']);
const UNAVAILABLE_STATUSES = new Set<RouteStatusView>(['key-missing', 'disabled']);

export function statusRank(status: RouteStatusView): number {
  const index = STATUS_ORDER.indexOf(status);
  return index === -1 ? STATUS_ORDER.length : index;
}

/** Whether a ban (on the route itself or its group) keeps this route out of auto-fastest and groups. */
export function isBanned(route: QosRouteView, bans: ReadonlySet<string>): boolean {
  return bans.has(route.id.toLowerCase()) || bans.has(route.group.toLowerCase());
}

/** Bans as the relay compares them: case-insensitively. */
export function banSet(bans: readonly string[]): Set<string> {
  return new Set(bans.map((ban) => ban.toLowerCase()));
}

/**
 * Whether the route belongs to the user's fleet: its provider is set up and turned on. The relay
 * also lists every built-in provider's catalog, keyless, which is worth showing only on request.
 */
export function isAvailable(route: QosRouteView): boolean {
  return !UNAVAILABLE_STATUSES.has(route.status);
}

export function routeMatches(route: QosRouteView, filters: TableFilters): boolean {
  if (!filters.includeUnavailable && !isAvailable(route)) return false;
  if (filters.freeOnly && !route.free) return false;
  if (filters.status === 'up' && !(route.servable && (route.status === 'up' || route.status === 'slow'))) return false;
  if (filters.status === 'problems' && !(PROBLEM_STATUSES.has(route.status) || !route.servable)) return false;
  for (const capability of filters.capabilities) if (route.capabilities[capability] !== true) return false;
  const search = filters.search.trim().toLowerCase();
  if (search === '') return true;
  return search.split(/\s+/).every((word) => route.id.toLowerCase().includes(word) || route.group.toLowerCase().includes(word));
}

/** Routes grouped by model group, aggregated; groups come out in first-seen order. */
export function groupRoutes(routes: readonly QosRouteView[], bans: ReadonlySet<string> = new Set()): ModelGroup[] {
  const byGroup = new Map<string, QosRouteView[]>();
  for (const route of routes) {
    const list = byGroup.get(route.group);
    if (list) list.push(route);
    else byGroup.set(route.group, [route]);
  }
  return [...byGroup].map(([id, members]) => aggregate(id, members, bans));
}

function aggregate(id: string, routes: QosRouteView[], bans: ReadonlySet<string>): ModelGroup {
  const unbanned = routes.filter((route) => !isBanned(route, bans));
  const counted = unbanned.length > 0 ? unbanned : routes;
  const servable = counted.filter((route) => route.servable);
  const best = [...(servable.length > 0 ? servable : counted)].sort(compareSpeed)[0] as QosRouteView;
  const group: ModelGroup = {
    id,
    routes,
    best,
    status: counted.reduce<RouteStatusView>((status, route) => (statusRank(route.status) < statusRank(status) ? route.status : status), counted[0]?.status ?? 'unknown'),
    capabilities: {},
    free: routes.some((route) => route.free),
    paid: routes.some((route) => !route.free),
    servableCount: routes.filter((route) => route.servable && !isBanned(route, bans)).length,
    bannedCount: routes.length - unbanned.length,
    banned: unbanned.length === 0,
    providers: [...new Set(routes.map((route) => route.provider))],
  };
  setMin(group, 'ttftP50Ms', counted.map((route) => route.ttftP50Ms));
  setMin(group, 'ttftP95Ms', counted.map((route) => route.ttftP95Ms));
  setMax(group, 'tokensPerSecond', counted.map((route) => route.tokensPerSecond));
  setMax(group, 'uptime1h', counted.map((route) => route.uptime1h));
  setMax(group, 'contextWindow', routes.map((route) => route.contextWindow));
  for (const capability of CAPABILITIES) if (routes.some((route) => route.capabilities[capability] === true)) group.capabilities[capability] = true;
  for (const route of routes) {
    if (route.lastError && (!group.lastError || route.lastError.at > group.lastError.at)) group.lastError = { ...route.lastError, route: route.id };
  }
  return group;
}

type NumberField = 'ttftP50Ms' | 'ttftP95Ms' | 'tokensPerSecond' | 'uptime1h' | 'contextWindow';

function setMin(group: ModelGroup, field: NumberField, values: Array<number | undefined>): void {
  const known = values.filter((value): value is number => value !== undefined);
  if (known.length > 0) group[field] = Math.min(...known);
}

function setMax(group: ModelGroup, field: NumberField, values: Array<number | undefined>): void {
  const known = values.filter((value): value is number => value !== undefined);
  if (known.length > 0) group[field] = Math.max(...known);
}

/** Fastest first; unmeasured routes after measured ones. */
function compareSpeed(a: QosRouteView, b: QosRouteView): number {
  return (a.ttftP50Ms ?? Infinity) - (b.ttftP50Ms ?? Infinity) || a.id.localeCompare(b.id);
}

/** The fields a row is sorted by; groups and routes both have them. */
interface Sortable {
  id: string;
  status: RouteStatusView;
  ttftP50Ms?: number;
  tokensPerSecond?: number;
  uptime1h?: number;
}

/**
 * A comparator for the sort. Rows without a value for the column go last whichever the
 * direction, so "fastest first" never opens on unmeasured models; ties fall back to the name.
 */
export function compareBy(sort: TableSort): (a: Sortable, b: Sortable) => number {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const byName = (a: Sortable, b: Sortable) => a.id.localeCompare(b.id);
  const numeric = (value: (row: Sortable) => number | undefined) => (a: Sortable, b: Sortable) => {
    const left = value(a);
    const right = value(b);
    if (left === undefined || right === undefined) return left === right ? byName(a, b) : left === undefined ? 1 : -1;
    return sign * (left - right) || byName(a, b);
  };
  switch (sort.key) {
    case 'name':
      return (a, b) => sign * byName(a, b);
    case 'ttft':
      return numeric((row) => row.ttftP50Ms);
    case 'speed':
      return numeric((row) => row.tokensPerSecond);
    case 'uptime':
      return numeric((row) => row.uptime1h);
    case 'status':
      return (a, b) => sign * (statusRank(a.status) - statusRank(b.status)) || (a.ttftP50Ms ?? Infinity) - (b.ttftP50Ms ?? Infinity) || byName(a, b);
  }
}

/** The direction a column starts in when first clicked: names A→Z, speeds fastest first. */
export function defaultDirection(key: SortKey): SortDirection {
  return key === 'speed' || key === 'uptime' ? 'descending' : 'ascending';
}

/** Filter the routes, group what is left, sort the groups and the routes inside each. */
export function buildTable(routes: readonly QosRouteView[], filters: TableFilters, sort: TableSort, bans: readonly string[] = []): ModelGroup[] {
  const compare = compareBy(sort);
  const banned = banSet(bans);
  const groups = groupRoutes(
    routes.filter((route) => routeMatches(route, filters)),
    banned,
  );
  // Banned routes stay listed (so they can be unbanned) but under the ones still in play.
  for (const group of groups) group.routes.sort((a, b) => Number(isBanned(a, banned)) - Number(isBanned(b, banned)) || compare(a, b));
  return groups.sort(compare);
}
