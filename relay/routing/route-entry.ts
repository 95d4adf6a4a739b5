import type { ModelCapabilities } from '../providers/provider.js';

/** One servable (provider, upstream model) pair; keys are chosen later by the dispatcher. */
export interface RouteEntry {
  providerId: string;
  /** The upstream's own model id. */
  model: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  capabilities: ModelCapabilities;
  free: boolean;
  /** Position in the configured priority order; lower is tried first. */
  rank: number;
}

/** The public id of a route: `provider/model`. */
export function routeId(route: Pick<RouteEntry, 'providerId' | 'model'>): string {
  return `${route.providerId}/${route.model}`;
}
