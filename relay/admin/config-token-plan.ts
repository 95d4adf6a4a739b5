import { z } from 'zod';
import { formatConfigIssues } from '../config/config-store.js';
import { migrateConfig, NewerConfigVersionError } from '../config/migrations.js';
import { configSchema, type Config, type CustomEndpoint, type KeyRef, type ProviderSettings } from '../config/schema.js';
import { SENSITIVE_HEADERS } from '../keys/redact.js';
import type { ConfigImportPreview, ImportBaseUrlView, ImportChangeView } from './dto.js';
import { invalid, messageOf, OperationError, type OperationsContext } from './operation-context.js';
import { checkBaseUrl } from './validate.js';

/**
 * What a config token carries of the settings, and what importing it would do to them: pure
 * functions over settings documents (no I/O), used by config-token.ts.
 *
 * A token carries the settings document without `server` (host, port, allowed hosts and origins
 * and the body limit belong to the machine, and an imported token must never widen who can reach
 * the relay; desktop notifications belong to the machine too) and without key references (their ids name entries of this machine's secret store;
 * keys travel separately, sealed). Credential headers are never exported.
 */

export const portableConfigSchema = configSchema.omit({ server: true, desktop: true });
export type PortableConfig = z.infer<typeof portableConfigSchema>;
export type ImportMode = 'merge' | 'replace';

function withoutCredentialHeaders(headers: Record<string, string> | undefined, where: string, warnings: string[]): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SENSITIVE_HEADERS.has(name.toLowerCase())) warnings.push(`The header '${name}' of ${where} carries a credential and is left out.`);
    else Object.defineProperty(kept, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function portableProvider(settings: ProviderSettings, where: string, warnings: string[]): ProviderSettings {
  const { headers, ...rest } = structuredClone(settings);
  const kept = withoutCredentialHeaders(headers, where, warnings);
  return { ...rest, keys: [], ...(kept === undefined ? {} : { headers: kept }) };
}

function portableEndpoint(endpoint: CustomEndpoint, warnings: string[]): CustomEndpoint {
  const { headers, ...rest } = structuredClone(endpoint);
  const kept = withoutCredentialHeaders(headers, endpoint.id, warnings);
  return { ...rest, keys: [], ...(kept === undefined ? {} : { headers: kept }) };
}

/** The settings as a token carries them (see the module comment). */
export function toPortable(config: Config, warnings: string[]): PortableConfig {
  const providers: Record<string, ProviderSettings> = {};
  for (const [id, settings] of Object.entries(config.providers)) providers[id] = portableProvider(settings, id, warnings);
  return {
    version: config.version,
    providers,
    endpoints: config.endpoints.map((endpoint) => portableEndpoint(endpoint, warnings)),
    routing: structuredClone(config.routing),
    timeouts: structuredClone(config.timeouts),
    anthropic: structuredClone(config.anthropic),
    probe: structuredClone(config.probe),
    requests: structuredClone(config.requests),
    ui: structuredClone(config.ui),
  };
}

function checkedUrl(url: string, where: string): void {
  try {
    checkBaseUrl(url);
  } catch (error) {
    throw invalid(`The token's base URL for ${where} is refused: ${messageOf(error)}`, 'invalid_token_settings');
  }
}

/**
 * Validates the settings of an untrusted token: migration (a newer settings format is refused),
 * the settings schema, base URLs, and this machine's catalog. Key references and credential
 * headers are dropped, settings of providers this Switchboard does not know skipped (warned).
 */
export function readPortable(raw: Record<string, unknown>, catalogIds: ReadonlySet<string>, warnings: string[]): PortableConfig {
  let migrated: unknown;
  try {
    migrated = migrateConfig(raw).config;
  } catch (error) {
    if (error instanceof NewerConfigVersionError) {
      throw new OperationError(
        `This token was made by a newer Switchboard (settings format ${error.fileVersion}; this version reads up to ${error.supportedVersion}). Upgrade Switchboard here, then import it.`,
        400,
        'token_from_newer_version',
      );
    }
    throw invalid(`The token's settings cannot be read: ${messageOf(error)}`, 'invalid_token_settings');
  }
  const parsed = portableConfigSchema.safeParse(migrated);
  if (!parsed.success) throw invalid(`The token's settings are invalid: ${formatConfigIssues(parsed.error.issues)}.`, 'invalid_token_settings');
  const config = parsed.data;

  let droppedRefs = 0;
  const providers: Record<string, ProviderSettings> = {};
  for (const [id, settings] of Object.entries(config.providers)) {
    if (!catalogIds.has(id)) {
      warnings.push(`The settings of '${id}' are skipped: this Switchboard has no such provider.`);
      continue;
    }
    droppedRefs += settings.keys.length;
    if (settings.baseUrl !== undefined) checkedUrl(settings.baseUrl, id);
    providers[id] = portableProvider(settings, id, warnings);
  }
  const seen = new Set<string>();
  const endpoints: CustomEndpoint[] = [];
  for (const endpoint of config.endpoints) {
    if (catalogIds.has(endpoint.id)) throw invalid(`The token's custom endpoint '${endpoint.id}' has the name of a built-in provider; it is refused.`, 'invalid_token_settings');
    if (seen.has(endpoint.id)) throw invalid(`The token names the custom endpoint '${endpoint.id}' twice.`, 'invalid_token_settings');
    seen.add(endpoint.id);
    checkedUrl(endpoint.baseUrl, endpoint.id);
    droppedRefs += endpoint.keys.length;
    endpoints.push(portableEndpoint(endpoint, warnings));
  }
  // Key references name entries of the exporting machine's secret store (or, crafted, this one's).
  if (droppedRefs > 0) warnings.push(`${droppedRefs} key reference${droppedRefs === 1 ? '' : 's'} in the token's settings ${droppedRefs === 1 ? 'is' : 'are'} ignored: keys are imported only from the token's sealed key list.`);
  return { ...config, providers, endpoints };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/**
 * The settings after importing `imported` into `current`, keys not yet added (see addKeyRefs).
 *
 * - merge: providers and endpoints named in the token take the token's settings; nothing else
 *   is removed. Routing takes the token's policy, pin, wait and exploration; its priority comes
 *   first, then the current entries it lacks; bans are the union. Timeouts and the Claude model
 *   map are the token's.
 * - replace: everything but `server` becomes the token's. Custom endpoints the token lacks are
 *   removed (returned, so their stored keys can be deleted). Stored keys of built-in providers
 *   are kept, also for providers the token does not mention (their settings go back to the
 *   defaults), and so are those of endpoints the token keeps.
 *
 * Keys stored for a provider or endpoint stay attached to it in both modes.
 */
export function importedSettings(current: Config, imported: PortableConfig, mode: ImportMode): { next: Config; removed: CustomEndpoint[] } {
  const next = structuredClone(current) as Config;
  const keptKeysOf = (id: string) => [...(current.providers[id]?.keys ?? [])];
  const endpointKeysOf = (id: string) => [...(current.endpoints.find((endpoint) => endpoint.id === id)?.keys ?? [])];
  let removed: CustomEndpoint[] = [];

  if (mode === 'merge') {
    for (const [id, settings] of Object.entries(imported.providers)) next.providers[id] = { ...structuredClone(settings), keys: keptKeysOf(id) };
    for (const endpoint of imported.endpoints) {
      const merged: CustomEndpoint = { ...structuredClone(endpoint), keys: endpointKeysOf(endpoint.id) };
      const index = next.endpoints.findIndex((existing) => existing.id === endpoint.id);
      if (index >= 0) next.endpoints[index] = merged;
      else next.endpoints.push(merged);
    }
    next.routing = {
      ...structuredClone(imported.routing),
      priority: unique([...imported.routing.priority, ...current.routing.priority]),
      bans: unique([...current.routing.bans, ...imported.routing.bans]),
    };
  } else {
    next.providers = {};
    for (const [id, settings] of Object.entries(imported.providers)) next.providers[id] = { ...structuredClone(settings), keys: keptKeysOf(id) };
    for (const [id, settings] of Object.entries(current.providers)) {
      if (next.providers[id] === undefined && settings.keys.length > 0) next.providers[id] = { enabled: true, keys: keptKeysOf(id) };
    }
    next.endpoints = imported.endpoints.map((endpoint) => ({ ...structuredClone(endpoint), keys: endpointKeysOf(endpoint.id) }));
    removed = current.endpoints.filter((endpoint) => !imported.endpoints.some((candidate) => candidate.id === endpoint.id));
    next.routing = structuredClone(imported.routing);
  }
  next.timeouts = structuredClone(imported.timeouts);
  next.anthropic = structuredClone(imported.anthropic);
  next.probe = structuredClone(imported.probe);
  next.requests = structuredClone(imported.requests);
  next.ui = structuredClone(imported.ui);
  return { next, removed };
}

/** The key references of `target` in `config` (a custom endpoint, else a built-in provider). */
export function refsOf(config: Config, target: string): KeyRef[] {
  const endpoint = config.endpoints.find((candidate) => candidate.id === target);
  return endpoint ? endpoint.keys : (config.providers[target]?.keys ?? []);
}

/** Appends new key references (provider → refs) to `config`, in place. */
export function addKeyRefs(config: Config, added: ReadonlyMap<string, readonly KeyRef[]>): void {
  for (const [target, refs] of added) {
    const endpoint = config.endpoints.find((candidate) => candidate.id === target);
    if (endpoint) endpoint.keys.push(...refs);
    else (config.providers[target] ??= { enabled: true, keys: [] }).keys.push(...refs);
  }
}

// ---------------------------------------------------------------------------------------------
// What changes, for the preview
// ---------------------------------------------------------------------------------------------

function show(value: unknown): string {
  const text = value === undefined ? '(default)' : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** JSON with object keys sorted, so the order properties were written in does not count. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** Whether two settings values are the same, whatever the order of their properties. */
export const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** `prefix.field: old → new` for every field of two flat sections that differs. */
function sectionChanges(prefix: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = unique([...Object.keys(before), ...Object.keys(after)]);
  return names.filter((name) => !same(before[name], after[name])).map((name) => `${prefix}.${name}: ${show(before[name])} → ${show(after[name])}`);
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): string[] {
  return fields.filter((field) => !same(before[field], after[field]));
}

function urlWarnings(url: string): string[] {
  try {
    return checkBaseUrl(url).warnings;
  } catch (error) {
    return [messageOf(error)];
  }
}

export type SettingsChanges = Pick<ConfigImportPreview, 'baseUrls' | 'providers' | 'endpoints' | 'routing' | 'settings'>;

/**
 * Everything but the keys that differs between `current` and `next`. `keyCount(id, config)`
 * says how many keys a provider or endpoint would send to its base URL in `next`.
 */
export function settingsChanges(ctx: OperationsContext, current: Config, next: Config, keyCount: (id: string) => number): SettingsChanges {
  const baseUrls: ImportBaseUrlView[] = [];
  const providers: SettingsChanges['providers'] = { enabled: [], disabled: [], changed: [] };
  for (const entry of ctx.catalog) {
    if (next.endpoints.some((endpoint) => endpoint.id === entry.id)) continue;
    const before = current.providers[entry.id];
    const after = next.providers[entry.id];
    const enabledBefore = before?.enabled ?? true;
    const enabledAfter = after?.enabled ?? true;
    if (enabledBefore !== enabledAfter) (enabledAfter ? providers.enabled : providers.disabled).push(entry.id);
    const urlBefore = before?.baseUrl ?? entry.baseUrl;
    const urlAfter = after?.baseUrl ?? entry.baseUrl;
    if (urlBefore !== urlAfter) baseUrls.push({ provider: entry.id, custom: false, from: urlBefore, to: urlAfter, keys: keyCount(entry.id), warnings: urlWarnings(urlAfter) });
    // Switching on or off and base URLs have their own lists.
    const fields = changedFields({ ...before }, { ...after }, ['headers', 'discovery']);
    if (fields.length > 0) providers.changed.push({ id: entry.id, fields });
  }

  const endpoints: SettingsChanges['endpoints'] = { added: [], removed: [], changed: [] };
  const changed: ImportChangeView[] = [];
  for (const endpoint of next.endpoints) {
    const before = current.endpoints.find((candidate) => candidate.id === endpoint.id);
    if (!before) {
      endpoints.added.push(endpoint.id);
      baseUrls.push({ provider: endpoint.id, custom: true, from: null, to: endpoint.baseUrl, keys: keyCount(endpoint.id), warnings: urlWarnings(endpoint.baseUrl) });
      continue;
    }
    const fields = changedFields({ ...before }, { ...endpoint }, ['enabled', 'baseUrl', 'headers', 'discovery', 'models', 'free']);
    if (fields.length > 0) changed.push({ id: endpoint.id, fields });
    if (before.baseUrl !== endpoint.baseUrl) {
      baseUrls.push({ provider: endpoint.id, custom: true, from: before.baseUrl, to: endpoint.baseUrl, keys: keyCount(endpoint.id), warnings: urlWarnings(endpoint.baseUrl) });
    }
  }
  endpoints.changed = changed;
  endpoints.removed = current.endpoints.filter((endpoint) => !next.endpoints.some((candidate) => candidate.id === endpoint.id)).map((endpoint) => endpoint.id);

  return {
    baseUrls,
    providers,
    endpoints,
    routing: sectionChanges('routing', current.routing, next.routing),
    settings: [...sectionChanges('timeouts', current.timeouts, next.timeouts), ...sectionChanges('anthropic', current.anthropic, next.anthropic),
      ...sectionChanges('probe', current.probe, next.probe),
      ...sectionChanges('requests', current.requests, next.requests),
      ...sectionChanges('ui', current.ui, next.ui),
    ],
  };
}
