import type { ModelListing } from '../core/relay-service.js';
import { routeId } from '../routing/route-entry.js';
import { VIRTUAL_MODEL_IDS } from '../routing/select-route.js';
import type { ProviderDirectory } from './provider-directory.js';

/**
 * What `/v1/models` lists: the virtual ids, every bare model id that some ready provider serves
 * (one entry even when several serve it) and every exact `provider/model` route.
 */
export function listModels(directory: ProviderDirectory, now: number): ModelListing[] {
  const created = Math.floor(now / 1000);
  const routes = directory.routes();
  const listings: ModelListing[] = VIRTUAL_MODEL_IDS.map((id) => ({ id, ownedBy: 'switchboard', created, virtual: true }));
  const byModel = new Map<string, { providers: Set<string>; contextWindow?: number }>();
  for (const route of routes) {
    const entry = byModel.get(route.model) ?? { providers: new Set<string>() };
    entry.providers.add(route.providerId);
    if (route.contextWindow !== undefined) entry.contextWindow = Math.max(entry.contextWindow ?? 0, route.contextWindow);
    byModel.set(route.model, entry);
  }
  for (const [id, entry] of byModel) {
    const providers = [...entry.providers];
    listings.push({
      id,
      ownedBy: providers.length === 1 ? (providers[0] ?? 'switchboard') : 'switchboard',
      created,
      virtual: providers.length > 1,
      ...(entry.contextWindow === undefined ? {} : { contextWindow: entry.contextWindow }),
    });
  }
  for (const route of routes) {
    const id = routeId(route);
    if (byModel.has(id)) continue;
    listings.push({ id, ownedBy: route.providerId, created, virtual: false, ...(route.contextWindow === undefined ? {} : { contextWindow: route.contextWindow }) });
  }
  return listings;
}
