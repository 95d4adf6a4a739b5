import type {
  AddEndpointRequest,
  AddEndpointResponse,
  AddKeyRequest,
  AddKeyResponse,
  EndpointPreviewRequest,
  EndpointPreviewResponse,
  EndpointsResponse,
  EndpointView,
  KeyTestResponse,
  KeyView,
  ProvidersResponse,
  ProviderView,
  RemoveEndpointResponse,
  UpdateKeyRequest,
  UpdateKeyResponse,
  UpdateProviderRequest,
  UpdateProviderResponse,
} from '../../../relay/admin/dto.js';
import { admin, errorMessage } from '../api/admin-client.js';
import { groupProviders } from '../components/providers/provider-sections.js';

const segment = encodeURIComponent;

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Every provider (built-in, local and custom) with its masked keys, and the custom endpoints'
 * own settings. Each action asks the relay, then reloads the list, so the page shows what the
 * relay applied rather than what we hoped; an action's error is thrown for the caller to show
 * next to the button that caused it.
 */
class ProvidersState {
  list = $state.raw<ProviderView[]>([]);
  endpoints = $state.raw<EndpointView[]>([]);
  loaded = $state(false);
  /** Why the last reload failed, or null. */
  loadError = $state<string | null>(null);

  readonly sections = $derived(groupProviders(this.list));
  readonly byId = $derived(new Map(this.list.map((provider) => [provider.id, provider])));
  readonly endpointById = $derived(new Map(this.endpoints.map((endpoint) => [endpoint.id, endpoint])));

  /** Only the newest reload may write: an older answer arriving late would undo a newer one. */
  private generation = 0;

  async load(): Promise<void> {
    const generation = ++this.generation;
    try {
      const [providers, endpoints] = await Promise.all([admin.get<ProvidersResponse>('/providers'), admin.get<EndpointsResponse>('/endpoints')]);
      if (generation !== this.generation) return;
      this.list = providers.providers;
      this.endpoints = endpoints.endpoints;
      this.loaded = true;
      this.loadError = null;
    } catch (error) {
      if (generation === this.generation) this.loadError = errorMessage(error);
    }
  }

  /**
   * Reloads every `intervalMs` until `done` holds for the list (true), the time is up or the
   * signal aborts (false). For changes the relay makes in the background, such as discovery.
   */
  async reloadUntil(done: (providers: readonly ProviderView[]) => boolean, options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    while (!options.signal?.aborted) {
      await this.load();
      if (done(this.list)) return true;
      if (Date.now() >= deadline) return false;
      await delay(options.intervalMs ?? 750, options.signal);
    }
    return false;
  }

  /**
   * A test for {@link reloadUntil}: the relay finished discovering `id`'s models since `before`
   * (the provider as it was before the change), successfully or not.
   */
  discoveredSince(id: string, before: Pick<ProviderView, 'discoveredAt' | 'discoveryError'> | undefined): (list: readonly ProviderView[]) => boolean {
    return (list) => {
      const now = list.find((provider) => provider.id === id);
      if (!now) return true;
      return now.discoveredAt !== before?.discoveredAt || (now.discoveryError !== undefined && now.discoveryError !== before?.discoveryError);
    };
  }

  /**
   * The relay rediscovers a provider's models in the background after a new key or base URL,
   * and says nothing when done: follow it for a while so the model count catches up.
   */
  private followDiscovery(id: string, before: ProviderView | undefined): void {
    void this.reloadUntil(this.discoveredSince(id, before), { timeoutMs: 10_000 });
  }

  async update(id: string, patch: UpdateProviderRequest): Promise<ProviderView> {
    const before = this.byId.get(id);
    const response = await admin.patch<UpdateProviderResponse>(`/providers/${segment(id)}`, patch);
    await this.load();
    // Discovery runs only for providers it can reach: keyless ones, or those with a key.
    const discoverable = before !== undefined && (before.keyCount > 0 || !before.keyRequired);
    if (discoverable && (patch.baseUrl !== undefined || patch.enabled === true)) this.followDiscovery(id, before);
    return response.provider;
  }

  async addKey(provider: string, request: AddKeyRequest): Promise<KeyView> {
    const before = this.byId.get(provider);
    const response = await admin.post<AddKeyResponse>(`/keys/${segment(provider)}`, request);
    await this.load();
    this.followDiscovery(provider, before);
    return response.key;
  }

  async updateKey(provider: string, keyId: string, request: UpdateKeyRequest): Promise<KeyView> {
    const response = await admin.patch<UpdateKeyResponse>(`/keys/${segment(provider)}/${segment(keyId)}`, request);
    await this.load();
    return response.key;
  }

  /** A live probe of one key; the key's state and rate limit may change with it. */
  async testKey(provider: string, keyId: string): Promise<KeyTestResponse> {
    const response = await admin.post<KeyTestResponse>(`/keys/${segment(provider)}/${segment(keyId)}/test`);
    await this.load();
    return response;
  }

  async removeKey(provider: string, keyId: string): Promise<void> {
    await admin.delete(`/keys/${segment(provider)}/${segment(keyId)}`);
    await this.load();
  }

  /** What adding the endpoint would find; nothing is saved. */
  previewEndpoint(request: EndpointPreviewRequest): Promise<EndpointPreviewResponse> {
    return admin.post<EndpointPreviewResponse>('/endpoints/preview', request);
  }

  async addEndpoint(request: AddEndpointRequest): Promise<AddEndpointResponse> {
    const response = await admin.post<AddEndpointResponse>('/endpoints', request);
    await this.load();
    if (response.endpoint.discovery) this.followDiscovery(response.endpoint.id, undefined);
    return response;
  }

  async removeEndpoint(name: string): Promise<RemoveEndpointResponse> {
    const response = await admin.delete<RemoveEndpointResponse>(`/endpoints/${segment(name)}`);
    await this.load();
    return response;
  }
}

export const providers = new ProvidersState();
