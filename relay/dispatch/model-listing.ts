import type { ModelListing } from '../core/relay-service.js';
import { canonicalGroup } from '../routing/model-groups.js';
import { routeId } from '../routing/route-entry.js';
import { VIRTUAL_MODEL_IDS } from '../routing/select-route.js';
import type { ProviderDirectory } from './provider-directory.js';

/**
 * What `/v1/models` lists: the virtual ids, one id per model group that some ready provider
 * serves (one entry however many providers serve it) and every exact `provider/model` route.
 * Bare upstream ids are still accepted in requests; listing them too would only add clutter.
 */
export function listModels(directory: ProviderDirectory, now: number): ModelListing[] {
  const created = Math.floor(now / 1000);
  const routes = directory.routes();
  const listings: ModelListing[] = VIRTUAL_MODEL_IDS.map((id) => ({ id, ownedBy: 'switchboard', created, virtual: true }));
  const groups = new Map<string, { providers: Set<string>; contextWindow?: number }>();
  for (const route of routes) {
    const group = canonicalGroup(route.model);
    const entry = groups.get(group) ?? { providers: new Set<string>() };
    entry.providers.add(route.providerId);
    if (route.contextWindow !== undefined) entry.contextWindow = Math.max(entry.contextWindow ?? 0, route.contextWindow);
    groups.set(group, entry);
  }
  const listed = new Set<string>(VIRTUAL_MODEL_IDS);
  for (const [id, entry] of groups) {
    const providers = [...entry.providers];
    listed.add(id);
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
    if (listed.has(id)) continue;
    listed.add(id);
    listings.push({ id, ownedBy: route.providerId, created, virtual: false, ...(route.contextWindow === undefined ? {} : { contextWindow: route.contextWindow }) });
  }
  return listings;
}
