import type { ListingCapabilities, ModelListing } from '../core/relay-service.js';
import { canonicalGroup } from '../routing/model-groups.js';
import { routeId, type RouteEntry } from '../routing/route-entry.js';
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
  // Virtual ids pick among the chat routes by what each request needs.
  const chatCapabilities = capabilitiesOf(routes.filter((route) => route.capabilities.embeddings !== true));
  const listings: ModelListing[] = VIRTUAL_MODEL_IDS.map((id) => ({
    id,
    ownedBy: 'switchboard',
    created,
    virtual: true,
    ...(chatCapabilities === undefined ? {} : { capabilities: chatCapabilities }),
  }));
  const groups = new Map<string, { providers: Set<string>; routes: RouteEntry[]; contextWindow?: number }>();
  for (const route of routes) {
    const group = canonicalGroup(route.model);
    const entry = groups.get(group) ?? { providers: new Set<string>(), routes: [] };
    entry.providers.add(route.providerId);
    entry.routes.push(route);
    if (route.contextWindow !== undefined) entry.contextWindow = Math.max(entry.contextWindow ?? 0, route.contextWindow);
    groups.set(group, entry);
  }
  const listed = new Set<string>(VIRTUAL_MODEL_IDS);
  for (const [id, entry] of groups) {
    const providers = [...entry.providers];
    const capabilities = capabilitiesOf(entry.routes);
    listed.add(id);
    listings.push({
      id,
      ownedBy: providers.length === 1 ? (providers[0] ?? 'switchboard') : 'switchboard',
      created,
      virtual: providers.length > 1,
      ...(entry.contextWindow === undefined ? {} : { contextWindow: entry.contextWindow }),
      ...(capabilities === undefined ? {} : { capabilities }),
    });
  }
  for (const route of routes) {
    const id = routeId(route);
    if (listed.has(id)) continue;
    listed.add(id);
    const capabilities = capabilitiesOf([route]);
    listings.push({
      id,
      ownedBy: route.providerId,
      created,
      virtual: false,
      ...(route.contextWindow === undefined ? {} : { contextWindow: route.contextWindow }),
      ...(capabilities === undefined ? {} : { capabilities }),
    });
  }
  return listings;
}

const CAPABILITY_NAMES = ['tools', 'vision', 'json', 'reasoning', 'embeddings'] as const;

/**
 * What the routes behind one id can do: true when some route is known to, false when every route
 * is known not to, absent when unknown; undefined when nothing at all is known.
 */
export function capabilitiesOf(routes: readonly Pick<RouteEntry, 'capabilities'>[]): ListingCapabilities | undefined {
  const merged: ListingCapabilities = {};
  for (const name of CAPABILITY_NAMES) {
    const values = routes.map((route) => route.capabilities[name]);
    if (values.some((value) => value === true)) merged[name] = true;
    else if (values.length > 0 && values.every((value) => value === false)) merged[name] = false;
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}
