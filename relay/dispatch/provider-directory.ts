import type { Config } from '../config/schema.js';
import { readEnvKeys } from '../keys/env-keys.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import type { SecretStore } from '../keys/secret-store.js';
import { providerCatalog, type ProviderDefinition } from '../providers/catalog.js';
import type { HttpClient } from '../providers/http-client.js';
import type { ModelDescriptor, ProviderAdapter, ProviderContext, RequestQuirks } from '../providers/provider.js';
import { createAdapter } from '../providers/registry.js';
import type { RouteEntry } from '../routing/route-entry.js';
import type { CancelSignal } from '../core/cancellation.js';

/** Why a provider is or is not serving right now, for `status`, `doctor` and the dashboard. */
export type ProviderStatus = 'ready' | 'needs-key' | 'disabled' | 'not-detected' | 'no-models';

export interface ProviderRuntime {
  id: string;
  name: string;
  adapter: ProviderAdapter;
  baseUrl: string;
  headers: Record<string, string>;
  quirks: RequestQuirks;
  keyRequired: boolean;
  local: boolean;
  custom: boolean;
  enabled: boolean;
  /** Whether calls cost nothing (free tier, local). */
  free: boolean;
  curated: ModelDescriptor[];
  discovery: boolean;
  discoveryFilter: ProviderDefinition['discoveryFilter'];
  signupUrl?: string;
  keyEnv: string[];
  freeQuota?: ProviderDefinition['freeQuota'];
  discovered?: ModelDescriptor[];
  discoveredAt?: number;
  discoveryError?: string;
  /** Local servers: whether the last probe found one listening. */
  detected?: boolean;
  /** Not a real upstream (demo mode's simulators); the dashboard says so. */
  simulated?: boolean;
}

/**
 * An OpenAI-compatible endpoint the relay serves while it runs without it being in the
 * settings (demo mode's simulators): it never reaches the settings file and vanishes when
 * removed.
 */
export interface RuntimeEndpoint {
  id: string;
  name: string;
  baseUrl: string;
  models: ModelDescriptor[];
  free: boolean;
  simulated?: boolean;
}

export interface DirectoryOptions {
  secretStore: SecretStore;
  keyPool: KeyPool;
  env: Record<string, string | undefined>;
  http: HttpClient;
  now: () => number;
  /** Whether to probe local servers (Ollama, LM Studio); off in tests. */
  detectLocal: boolean;
  logger: { warn(message: string): void };
}

const DISCOVERY_TIMEOUT_MS = 8_000;

/**
 * The providers the relay can reach, built from the catalog, the settings and the keys, and the
 * routes they serve. Rebuilt when settings change; discovery results are kept across rebuilds.
 * Nothing here runs on the request path except `routes()`, which returns a cached array.
 */
export class ProviderDirectory {
  private runtimes = new Map<string, ProviderRuntime>();
  private cachedRoutes: RouteEntry[] = [];
  private config: Config | undefined;
  /** Discoveries under way, so asking again while one runs (a key was just added) costs no second call. */
  private readonly discovering = new Map<ProviderRuntime, Promise<void>>();
  private extras: RuntimeEndpoint[] = [];

  constructor(private readonly options: DirectoryOptions) {}

  get(id: string): ProviderRuntime | undefined {
    return this.runtimes.get(id);
  }

  list(): ProviderRuntime[] {
    return [...this.runtimes.values()];
  }

  routes(): readonly RouteEntry[] {
    return this.cachedRoutes;
  }

  /** Applies new settings: providers, keys and routes. Keeps discovery results of providers that stay. */
  async apply(config: Config): Promise<void> {
    this.config = config;
    const next = new Map<string, ProviderRuntime>();
    for (const definition of providerCatalog) {
      const settings = config.providers[definition.id];
      const previous = this.runtimes.get(definition.id);
      const baseUrl = settings?.baseUrl ?? definition.baseUrl;
      next.set(definition.id, {
        id: definition.id,
        name: definition.name,
        adapter: previous?.adapter ?? createAdapter(definition.kind),
        baseUrl,
        headers: { ...(definition.headers ?? {}), ...(settings?.headers ?? {}) },
        quirks: definition.quirks,
        keyRequired: definition.keyRequired,
        local: definition.local === true,
        custom: false,
        enabled: settings?.enabled ?? true,
        free: definition.tier !== 'paid' && definition.tier !== 'credits',
        curated: definition.models,
        discovery: settings?.discovery ?? definition.discovery,
        discoveryFilter: definition.discoveryFilter,
        ...(definition.signupUrl === undefined ? {} : { signupUrl: definition.signupUrl }),
        keyEnv: definition.keyEnv,
        ...(definition.freeQuota === undefined ? {} : { freeQuota: definition.freeQuota }),
        ...carryDiscovery(previous, baseUrl),
      });
    }
    for (const endpoint of config.endpoints) {
      const previous = this.runtimes.get(endpoint.id);
      next.set(endpoint.id, {
        id: endpoint.id,
        name: endpoint.id,
        adapter: previous?.adapter ?? createAdapter('openai-compatible'),
        baseUrl: endpoint.baseUrl,
        headers: { ...(endpoint.headers ?? {}) },
        quirks: {},
        keyRequired: false,
        local: false,
        custom: true,
        enabled: endpoint.enabled,
        free: endpoint.free,
        curated: endpoint.models.map((id) => ({ id })),
        discovery: endpoint.discovery,
        discoveryFilter: undefined,
        keyEnv: [],
        ...carryDiscovery(previous, endpoint.baseUrl),
      });
    }
    for (const extra of this.extras) {
      if (next.has(extra.id)) {
        // The user's own provider of that name wins; the extra one is not served.
        this.options.logger.warn(`${extra.id} is already configured; the ${extra.name} provider is not added.`);
        continue;
      }
      const previous = this.runtimes.get(extra.id);
      next.set(extra.id, {
        id: extra.id,
        name: extra.name,
        adapter: previous?.adapter ?? createAdapter('openai-compatible'),
        baseUrl: extra.baseUrl,
        headers: {},
        quirks: {},
        keyRequired: false,
        local: false,
        custom: true,
        enabled: true,
        free: extra.free,
        curated: extra.models.map((model) => ({ ...model })),
        discovery: true,
        discoveryFilter: undefined,
        keyEnv: [],
        ...(extra.simulated === true ? { simulated: true } : {}),
        ...carryDiscovery(previous, extra.baseUrl),
      });
    }
    this.runtimes = next;
    await this.loadKeys(config);
    this.rebuildRoutes();
  }

  /** Replaces the endpoints served beside the settings' own (see RuntimeEndpoint). */
  async setRuntimeEndpoints(endpoints: readonly RuntimeEndpoint[]): Promise<void> {
    this.extras = [...endpoints];
    if (this.config) await this.apply(this.config);
  }

  private async loadKeys(config: Config): Promise<void> {
    const { secretStore, keyPool, env, logger } = this.options;
    const envKeys = readEnvKeys(
      env,
      providerCatalog.map((definition) => ({ id: definition.id, keyEnv: definition.keyEnv })),
    );
    for (const runtime of this.runtimes.values()) {
      const refs = runtime.custom
        ? config.endpoints.find((endpoint) => endpoint.id === runtime.id)?.keys ?? []
        : config.providers[runtime.id]?.keys ?? [];
      const keys: PoolKey[] = [];
      for (const ref of refs) {
        // Trimmed like environment keys: a pasted trailing newline would make every request's
        // Authorization header invalid, and an inner CR/LF/NUL can never be sent at all.
        const secret = (await secretStore.get(ref.id).catch(() => undefined))?.trim();
        if (secret === undefined) {
          logger.warn(`Key '${ref.label}' of ${runtime.id} is configured but its secret is missing; it is skipped.`);
          continue;
        }
        if (secret === '' || /[\r\n\0]/.test(secret)) {
          logger.warn(`Key '${ref.label}' of ${runtime.id} is blank or contains a line break or NUL; it is skipped. Save it again.`);
          continue;
        }
        keys.push({ id: ref.id, label: ref.label, secret, ...(ref.models ? { models: ref.models } : {}) });
      }
      for (const envKey of envKeys) {
        if (envKey.providerId === runtime.id && !keys.some((key) => key.secret === envKey.secret)) {
          keys.push({ id: envKey.id, label: envKey.label, secret: envKey.secret });
        }
      }
      keyPool.setKeys(runtime.id, keys);
    }
  }

  status(runtime: ProviderRuntime): ProviderStatus {
    if (!runtime.enabled) return 'disabled';
    if (runtime.keyRequired && !this.options.keyPool.hasKeys(runtime.id)) return 'needs-key';
    if (runtime.local && runtime.detected !== true) return 'not-detected';
    return this.modelsOf(runtime).length > 0 ? 'ready' : 'no-models';
  }

  /** The models a provider serves: discovery is the truth of what exists, the catalog adds what discovery omits. */
  modelsOf(runtime: ProviderRuntime): ModelDescriptor[] {
    if (!runtime.discovered) return runtime.curated;
    const curated = new Map(runtime.curated.map((model) => [model.id, model]));
    const merged: ModelDescriptor[] = [];
    for (const found of filterDiscovered(runtime.discovered, runtime.discoveryFilter)) {
      const known = curated.get(found.id);
      merged.push(known ? { ...found, ...known, capabilities: { ...found.capabilities, ...known.capabilities } } : found);
    }
    // Custom endpoints list models by hand in addition to discovery.
    if (runtime.custom) for (const model of runtime.curated) if (!merged.some((found) => found.id === model.id)) merged.push(model);
    return merged;
  }

  private rebuildRoutes(): void {
    const priority = this.config?.routing.priority ?? [];
    const order = [...this.runtimes.keys()];
    const rankOf = (id: string) => {
      const configured = priority.indexOf(id);
      return configured >= 0 ? configured : priority.length + order.indexOf(id);
    };
    const routes: RouteEntry[] = [];
    for (const runtime of this.runtimes.values()) {
      if (this.status(runtime) !== 'ready') continue;
      for (const model of this.modelsOf(runtime)) {
        const route: RouteEntry = {
          providerId: runtime.id,
          model: model.id,
          capabilities: model.capabilities ?? {},
          free: model.free ?? runtime.free,
          rank: rankOf(runtime.id),
        };
        if (model.contextWindow !== undefined) route.contextWindow = model.contextWindow;
        if (model.maxOutputTokens !== undefined) route.maxOutputTokens = model.maxOutputTokens;
        routes.push(route);
      }
    }
    this.cachedRoutes = routes;
  }

  /**
   * Asks every provider that can be asked for its models (and probes local servers). Runs in
   * the background; a failure keeps the previous list and is remembered for `doctor`.
   */
  async discover(only?: string | ((runtime: ProviderRuntime) => boolean)): Promise<void> {
    const wanted = typeof only === 'function' ? only : (runtime: ProviderRuntime) => only === undefined || runtime.id === only;
    const jobs = [...this.runtimes.values()]
      .filter(wanted)
      .filter((runtime) => runtime.enabled && (runtime.discovery || runtime.local))
      .filter((runtime) => (runtime.local ? this.options.detectLocal : !runtime.keyRequired || this.options.keyPool.hasKeys(runtime.id)))
      .map((runtime) => {
        let job = this.discovering.get(runtime);
        if (!job) {
          job = this.discoverOne(runtime).finally(() => this.discovering.delete(runtime));
          this.discovering.set(runtime, job);
        }
        return job;
      });
    await Promise.all(jobs);
    this.rebuildRoutes();
  }

  private async discoverOne(runtime: ProviderRuntime): Promise<void> {
    const now = this.options.now();
    const key = this.options.keyPool.keysFor(runtime.id, '*', now).usable[0];
    const signal = AbortSignal.timeout(DISCOVERY_TIMEOUT_MS);
    try {
      const models = await runtime.adapter.listModels(runtimeContext(runtime, key, signal, this.options.http));
      runtime.discovered = models;
      runtime.discoveredAt = now;
      delete runtime.discoveryError;
      if (runtime.local) runtime.detected = true;
    } catch (error) {
      runtime.discoveryError = error instanceof Error ? error.message : String(error);
      if (runtime.local) runtime.detected = false;
    }
  }
}

/** What an adapter needs to call this provider with this key (none for keyless local servers). */
export function runtimeContext(
  runtime: ProviderRuntime,
  key: PoolKey | undefined,
  signal: CancelSignal,
  http: HttpClient,
  onResponseHeaders?: (headers: Record<string, string>) => void,
): ProviderContext {
  return {
    providerId: runtime.id,
    baseUrl: runtime.baseUrl,
    ...(key ? { apiKey: key.secret, keyLabel: key.label } : {}),
    headers: runtime.headers,
    quirks: runtime.quirks,
    signal,
    http,
    ...(onResponseHeaders ? { onResponseHeaders } : {}),
  };
}

function carryDiscovery(previous: ProviderRuntime | undefined, baseUrl: string): Partial<ProviderRuntime> {
  // A new base URL is a different server: what the old one listed says nothing about it.
  if (!previous || previous.baseUrl !== baseUrl) return {};
  const carried: Partial<ProviderRuntime> = {};
  if (previous.discovered) carried.discovered = previous.discovered;
  if (previous.discoveredAt !== undefined) carried.discoveredAt = previous.discoveredAt;
  if (previous.discoveryError !== undefined) carried.discoveryError = previous.discoveryError;
  if (previous.detected !== undefined) carried.detected = previous.detected;
  return carried;
}

function filterDiscovered(models: ModelDescriptor[], filter: ProviderDefinition['discoveryFilter']): ModelDescriptor[] {
  if (!filter) return models;
  const excludes = (filter.excludePatterns ?? []).map((pattern) => new RegExp(pattern, 'i'));
  return models.filter((model) => {
    if (filter.idSuffix !== undefined && !model.id.endsWith(filter.idSuffix)) return false;
    if (filter.freeOnly && model.free === false) return false;
    return !excludes.some((pattern) => pattern.test(model.id));
  });
}
