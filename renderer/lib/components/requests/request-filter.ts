import type { RequestView } from '../../../../relay/admin/dto.js';
import { routeLabel } from './request-format.js';

/** The wires a client can speak to the relay, as request records name them. */
export const WIRES = ['openai', 'anthropic', 'ollama', 'responses'] as const;

export interface RequestFilter {
  /** Words to find in the asked model, the route (and its key label) or the error; case-insensitive. */
  search: string;
  /** `errors`: only requests that ended in an error. */
  outcome: 'all' | 'errors';
  /** One client wire, or every wire. */
  wire: 'all' | string;
}

export const NO_FILTER: RequestFilter = { search: '', outcome: 'all', wire: 'all' };

export function isFiltering(filter: RequestFilter): boolean {
  return filter.search.trim() !== '' || filter.outcome !== 'all' || filter.wire !== 'all';
}

function searchableText(request: RequestView): string {
  const parts = [request.askedModel, routeLabel(request.route), request.route?.keyLabel ?? '', request.error ?? ''];
  for (const attempt of request.attempts) parts.push(routeLabel(attempt), attempt.message ?? '');
  return parts.join('\n').toLowerCase();
}

/** Whether a request passes the filter. Every search word must appear (in any of the fields). */
export function matchesFilter(request: RequestView, filter: RequestFilter): boolean {
  if (filter.outcome === 'errors' && request.outcome !== 'error') return false;
  if (filter.wire !== 'all' && request.clientWire !== filter.wire) return false;
  const words = filter.search.toLowerCase().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return true;
  const text = searchableText(request);
  return words.every((word) => text.includes(word));
}

/** The requests that pass the filter, in the order given (the same array when nothing filters). */
export function filterRequests(requests: readonly RequestView[], filter: RequestFilter): readonly RequestView[] {
  if (!isFiltering(filter)) return requests;
  return requests.filter((request) => matchesFilter(request, filter));
}

/** How many requests of the live list the shown (held) list does not have yet. */
export function countNew(live: readonly RequestView[], shown: readonly RequestView[]): number {
  const known = new Set(shown.map((request) => request.requestId));
  let count = 0;
  for (const request of live) if (!known.has(request.requestId)) count += 1;
  return count;
}
