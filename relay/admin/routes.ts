import { EventEmitter } from 'node:events';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ConfigSource } from '../config/config-store.js';
import type { Config } from '../config/schema.js';
import { RelayError } from '../core/errors.js';
import type { RelayService, RoutingDecision } from '../core/relay-service.js';
import type { RouteView } from '../dispatch/routing-engine.js';
import type { QosSample } from '../routing/qos-tracker.js';
import type { ProviderDirectory } from '../dispatch/provider-directory.js';
import type { RequestBodies } from '../dispatch/request-bodies.js';
import type { UsageLog } from '../dispatch/usage-log.js';
import type { KeyCheckResult } from '../dispatch/key-check.js';
import type { ModelPreviewRequest, ModelPreviewResult } from '../dispatch/endpoint-preview.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import type { QuotaTracker } from '../keys/quota-tracker.js';
import { maskKey, redactSecrets } from '../keys/redact.js';
import type { SecretStore } from '../keys/secret-store.js';
import type { Integration, IntegrationContext, RelayTarget } from '../integrations/integration.js';
import { INTEGRATIONS, integrationById, integrationIds } from '../integrations/registry.js';
import { snippetNames, snippetsFor } from '../integrations/snippets.js';
import { adminAuth } from './auth.js';
import type { DesktopCapabilities } from './desktop.js';
import type { EndpointPreviewResponse, KeyTestResponse, SettingsResponse, UpdateKeyResponse } from './dto.js';
import { adminEventStream } from './events.js';
import { keyForTest, updateKey } from './operations.js';
import { settingsView, updateSettings, type AdminServer, type SettingsDependencies } from './settings.js';
import { checkBaseUrl, normalizeHeaders, normalizeKey } from './validate.js';
import type {
  AddEndpointResponse,
  AddKeyResponse,
  ApiErrorBody,
  ConfigExportResponse,
  ConfigImportPreview,
  DemoRequest,
  DemoView,
  EndpointsResponse,
  IntegrationApplyResponse,
  IntegrationPreviewResponse,
  IntegrationsResponse,
  IntegrationSnippetsResponse,
  IntegrationUndoResponse,
  KeysResponse,
  ModelsResponse,
  BansRequest,
  ConfigEvent,
  QosRouteView,
  PinRequest,
  ProbeResponse,
  ProvidersResponse,
  QosEvent,
  QosResponse,
  RemoveEndpointResponse,
  RemoveKeyResponse,
  RequestDetailResponse,
  RequestsResponse,
  StatusResponse,
  UpdateProviderResponse,
} from './dto.js';
import {
  addEndpoint,
  addKey,
  applyImport,
  exportToken,
  knownSecrets,
  listEndpoints,
  listKeys,
  OperationError,
  previewImport,
  removeEndpoint,
  removeKey,
  updateProvider,
  type CatalogEntry,
  type OperationsContext,
} from './operations.js';
import { clientBaseUrl, integrationFailure, integrationView, maskToken, relayTarget, relayToken, targetModels } from './integration-operations.js';
import { packageVersion } from './version.js';
import { decisionView, modelViews, providerViews, qosRouteView, requestView, statusCounts, withKeyStates } from './views.js';

/** Route measurements, the current choice and probing (see Relay.routing). */
export interface AdminRouting {
  views(): RouteView[];
  /** What auto-fastest would choose right now, and why. */
  choice(): { route: string; decision: RoutingDecision } | undefined;
  probeNow(routeId: string): Promise<QosSample | undefined>;
  probesToday(routeId: string): number;
}

/** Demo mode's switch (see relay/demo/); absent where the relay cannot simulate providers. */
export interface AdminDemo {
  view(): DemoView;
  /** Resolves once routing serves (or no longer serves) the simulated providers. */
  set(running: boolean): Promise<DemoView>;
}

/** Calls to upstreams the user asks for from the dashboard. */
export interface AdminLiveChecks {
  /** A live check of one key (its provider's model list, then one tiny request). */
  checkKey(provider: string, key: PoolKey): Promise<KeyCheckResult>;
  /** A base URL's `GET /models`, before it is added as an endpoint. */
  previewModels(request: ModelPreviewRequest): Promise<ModelPreviewResult>;
  /** Asks one provider for its models now, then has its routes measured at the next probe round. */
  discover(provider: string): Promise<void>;
}

export interface AdminDependencies {
  routing?: AdminRouting;
  /** The listening socket, which the settings move (port, LAN exposure). */
  server?: AdminServer;
  /** What only the desktop app can do; absent headless. */
  desktop?: DesktopCapabilities;
  /** The rate limits providers report per key. */
  quotas?: QuotaTracker;
  live?: AdminLiveChecks;
  demo?: AdminDemo;
  /** Re-reads the relay token after it changed, so it applies to the next request. */
  reloadRelayToken?: () => Promise<void>;
  adminToken: () => string;
  configSource: ConfigSource;
  secretStore: SecretStore;
  directory: ProviderDirectory;
  keyPool: KeyPool;
  usageLog: UsageLog;
  /** Kept request and answer bodies (settings: requests.keepBodies); none without it. */
  bodies?: RequestBodies;
  service: RelayService;
  now: () => number;
  /** The built-in providers (relay/providers/catalog.ts). */
  catalog: readonly CatalogEntry[];
  /** The environment the relay reads keys from (listed read-only). */
  env?: Record<string, string | undefined>;
  configDir?: string;
  /** Where the relay listens, once it does. */
  address?: () => { url: string } | undefined;
  /** When the relay started (ms since the epoch); default when the router was created. */
  startedAt?: number;
  version?: string;
  /** Resolves once the latest settings change has been applied (providers, keys, routes). */
  settled?: () => Promise<void>;
  logger?: { error(message: string): void };
  /**
   * The relay's events, for GET /admin/events: 'request' (a finished RequestRecord), 'config'
   * (settings applied), 'qos' (the id of a route whose measurements changed). Without them the
   * stream sends its snapshot and keep-alives only.
   */
  events?: EventEmitter;
  /** Event stream timing (tests shorten them): keep-alive comments and the `qos` coalescing window. */
  eventStream?: { keepAliveMs?: number; qosIntervalMs?: number; maxStreams?: number };
}

const MAX_REQUESTS = 500;
/** How long adding a key waits for its provider's model list before answering (it goes on after). */
const DISCOVERY_WAIT_MS = 2_000;

/**
 * The admin API: everything behind the admin token (Bearer header or the dashboard's HttpOnly
 * cookie), JSON in and out, errors as `{error:{message,type,code}}`. Keys are write-only: every
 * response is built from masked views, and as a last guard any known key that still shows up
 * in a response body is masked before it leaves.
 */
export function createAdminRouter(deps: AdminDependencies): Router {
  const router = express.Router();
  const startedAt = deps.startedAt ?? deps.now();
  const version = deps.version ?? packageVersion();
  const ctx: OperationsContext = {
    config: deps.configSource,
    secrets: deps.secretStore,
    catalog: deps.catalog,
    env: deps.env ?? {},
    now: deps.now,
  };

  async function send(response: Response, status: number, body: unknown): Promise<void> {
    const text = redactSecrets(JSON.stringify(body), await knownSecrets(ctx).catch(() => []));
    response.status(status).type('application/json').send(text);
  }

  /** Waits for the relay to apply a change, so the answer (and the next request) sees it. */
  async function settle(): Promise<void> {
    await deps.settled?.().catch(() => undefined);
  }

  async function keysWithState() {
    return withKeyStates(await listKeys(ctx), deps.keyPool, deps.now(), deps.quotas);
  }

  const settingsDeps: SettingsDependencies = {
    config: deps.configSource,
    tokenSet: async () => (await relayToken(deps.env ?? {}, deps.secretStore)) !== undefined,
    ...(deps.server ? { server: deps.server } : {}),
    ...(deps.desktop ? { desktop: deps.desktop } : {}),
    ...(deps.events ? { announce: (config: Config) => deps.events?.emit('config', config) } : {}),
  };

  async function providers() {
    return providerViews(deps.directory, await keysWithState(), deps.catalog);
  }

  function statusBody(): StatusResponse {
    const views = providerViews(deps.directory, [], deps.catalog);
    const url = deps.address?.()?.url ?? null;
    return {
      version,
      startedAt: new Date(startedAt).toISOString(),
      uptimeMs: Math.max(0, deps.now() - startedAt),
      url,
      baseUrl: url === null ? null : `${url}/v1`,
      configDir: deps.configDir ?? null,
      problem: deps.configSource.problem ?? null,
      providers: statusCounts(views),
      readyProviders: views.filter((view) => view.status === 'ready').map((view) => view.id),
      routes: deps.directory.routes().length,
      secretProtection: deps.secretStore.protection,
      demo: deps.demo?.view().running ?? false,
    };
  }

  function autoFastest(): QosResponse['autoFastest'] {
    const choice = deps.routing?.choice();
    return choice ? { route: choice.route, decision: decisionView(choice.decision) } : null;
  }

  function qosBody(): QosResponse {
    const routing = deps.routing;
    const config = deps.configSource.get();
    return {
      routes: (routing?.views() ?? []).map((view) => qosRouteView(view, routing?.probesToday(view.id) ?? 0, routeKeys(view))),
      autoFastest: autoFastest(),
      pin: config.routing.pin,
      bans: [...config.routing.bans],
    };
  }

  function qosEvent(changed: ReadonlySet<string> | 'all'): QosEvent {
    const routing = deps.routing;
    const views = (routing?.views() ?? []).filter((view) => changed === 'all' || changed.has(view.id));
    return { routes: views.map((view) => qosRouteView(view, routing?.probesToday(view.id) ?? 0, routeKeys(view))), full: changed === 'all', autoFastest: autoFastest() };
  }

  /** Which keys may serve a route and how each stands, by label (never the key). */
  function routeKeys(view: { provider: string; model: string }): QosRouteView['keys'] {
    const keys = deps.keyPool.keysFor(view.provider, view.model, deps.now());
    return [
      ...keys.usable.map((key) => ({ label: key.label, state: 'ok' as const })),
      ...keys.cooling.map(({ key }) => ({ label: key.label, state: 'cooling' as const })),
      ...keys.disabled.map((key) => ({ label: key.label, state: 'disabled' as const })),
    ];
  }

  function configEvent(): ConfigEvent {
    const config = deps.configSource.get();
    return {
      pin: config.routing.pin,
      bans: [...config.routing.bans],
      providers: providerViews(deps.directory, [], deps.catalog).map((view) => ({ id: view.id, enabled: view.enabled, status: view.status })),
      autoFastest: autoFastest(),
      status: statusBody(),
    };
  }

  router.use(ownOriginOnly);
  router.use(adminAuth(deps.adminToken));
  router.use(noStore);
  router.use(requireJson);

  router.get('/status', async (_request, response) => {
    await send(response, 200, statusBody());
  });

  router.get('/providers', async (_request, response) => {
    const body: ProvidersResponse = { providers: await providers() };
    await send(response, 200, body);
  });

  router.patch('/providers/:id', async (request, response) => {
    const body = objectBody(request);
    const id = param(request, 'id');
    await updateProvider(ctx, id, {
      ...(body.enabled === undefined ? {} : { enabled: body.enabled as boolean }),
      ...(body.baseUrl === undefined ? {} : { baseUrl: body.baseUrl as string | null }),
      ...(body.confirmKeys === undefined ? {} : { confirmKeys: body.confirmKeys as boolean }),
    });
    await settle();
    const provider = (await providers()).find((view) => view.id === id.trim().toLowerCase());
    if (!provider) throw new OperationError(`${id} is not known to the relay.`, 404, 'unknown_provider');
    const result: UpdateProviderResponse = { provider };
    await send(response, 200, result);
  });

  router.get('/models', async (_request, response) => {
    const body: ModelsResponse = { models: modelViews(deps.directory.routes()) };
    await send(response, 200, body);
  });

  router.get('/keys', async (_request, response) => {
    const body: KeysResponse = { keys: await keysWithState() };
    await send(response, 200, body);
  });

  router.get('/keys/:provider', async (request, response) => {
    const keys = withKeyStates(await listKeys(ctx, param(request, 'provider')), deps.keyPool, deps.now(), deps.quotas);
    const body: KeysResponse = { keys };
    await send(response, 200, body);
  });

  const postKey = (provider: (request: Request, body: Record<string, unknown>) => unknown): RequestHandler =>
    async function addKeyRoute(request, response) {
      const body = objectBody(request);
      const target = provider(request, body);
      if (typeof target !== 'string' || target.trim() === '') throw new OperationError('Name the provider the key is for (provider).', 400, 'missing_provider');
      if (typeof body.key !== 'string') throw new OperationError('The key is required (key).', 400, 'missing_key');
      if (body.label !== undefined && typeof body.label !== 'string') throw new OperationError('The label must be a string.', 400, 'invalid_label');
      const key = await addKey(ctx, target, body.key, {
        ...(body.label === undefined ? {} : { label: body.label as string }),
        ...(body.models === undefined ? {} : { models: body.models as string[] }),
      });
      await settle();
      // The new key's models show up within seconds: its provider is asked for them now (briefly
      // waited for, so the answer usually finds them listed) and its routes are measured at the
      // next probe round; a `config` event tells the dashboard when the list is in.
      const discovering = deps.live?.discover(key.provider).catch(() => undefined);
      if (discovering) await Promise.race([discovering, new Promise((resolve) => setTimeout(resolve, DISCOVERY_WAIT_MS).unref())]);
      const [withState] = withKeyStates([key], deps.keyPool, deps.now(), deps.quotas);
      const result: AddKeyResponse = { key: withState ?? key };
      await send(response, 201, result);
    };
  router.post('/keys', postKey((_request, body) => body.provider));
  router.post('/keys/:provider', postKey((request) => param(request, 'provider')));

  router.patch('/keys/:provider/:key', async (request, response) => {
    const body = objectBody(request);
    if (body.label !== undefined && typeof body.label !== 'string') throw new OperationError('The label must be a string.', 400, 'invalid_label');
    if (body.models !== undefined && body.models !== null && !Array.isArray(body.models)) throw new OperationError('models must be a list of model ids or glob patterns, or null for every model.', 400, 'invalid_models');
    const unknown = Object.keys(body).filter((name) => name !== 'label' && name !== 'models');
    if (unknown.length > 0) throw new OperationError(`Only label and models of a key can be changed (not ${unknown.map((name) => name.slice(0, 40)).join(', ')}).`, 400, 'invalid_request');
    const key = await updateKey(ctx, param(request, 'provider'), param(request, 'key'), {
      ...(body.label === undefined ? {} : { label: body.label as string }),
      ...(body.models === undefined ? {} : { models: body.models as string[] | null }),
    });
    await settle();
    const [withState] = withKeyStates([key], deps.keyPool, deps.now(), deps.quotas);
    const result: UpdateKeyResponse = { key: withState ?? key };
    await send(response, 200, result);
  });

  router.post('/keys/:provider/:key/test', async (request, response) => {
    const found = await keyForTest(ctx, param(request, 'provider'), param(request, 'key'));
    if (found.secret === undefined) throw new OperationError(`The secret of the key '${found.label}' is missing from the store; add the key again.`, 409, 'key_missing');
    if (!deps.live) throw new OperationError('Key tests are not available here.', 501, 'not_available');
    const check = await deps.live.checkKey(found.provider, { id: found.id, label: found.label, secret: found.secret, ...(found.models ? { models: found.models } : {}) });
    const [key] = withKeyStates([found.view], deps.keyPool, deps.now(), deps.quotas);
    const result: KeyTestResponse = { provider: found.provider, key: key ?? found.view, ...check };
    await send(response, 200, result);
  });

  router.delete('/keys/:provider/:key', async (request, response) => {
    const removed = await removeKey(ctx, param(request, 'provider'), param(request, 'key'));
    await settle();
    const result: RemoveKeyResponse = { removed };
    await send(response, 200, result);
  });

  router.get('/endpoints', async (_request, response) => {
    const body: EndpointsResponse = { endpoints: await listEndpoints(ctx) };
    await send(response, 200, body);
  });

  router.post('/endpoints', async (request, response) => {
    const body = objectBody(request);
    const name = body.name ?? body.id;
    if (typeof name !== 'string') throw new OperationError('The endpoint needs a name.', 400, 'invalid_name');
    if (typeof body.baseUrl !== 'string') throw new OperationError('The endpoint needs a base URL (baseUrl).', 400, 'invalid_base_url');
    if (body.key !== undefined && typeof body.key !== 'string') throw new OperationError('The key must be a string.', 400, 'invalid_key');
    const added = await addEndpoint(ctx, name, body.baseUrl, {
      ...(body.key === undefined ? {} : { key: body.key as string }),
      ...(body.headers === undefined ? {} : { headers: body.headers as Record<string, string> }),
      ...(body.discovery === undefined ? {} : { discovery: body.discovery as boolean }),
      ...(body.models === undefined ? {} : { models: body.models as string[] }),
      ...(body.free === undefined ? {} : { free: body.free as boolean }),
    });
    await settle();
    const result: AddEndpointResponse = added;
    await send(response, 201, result);
  });

  router.post('/endpoints/preview', async (request, response) => {
    const body = objectBody(request);
    const { url, warnings } = checkBaseUrl(body.baseUrl);
    const headers = normalizeHeaders(body.headers);
    const key = body.key === undefined || body.key === '' ? undefined : normalizeKey(body.key);
    if (!deps.live) throw new OperationError('Endpoint previews are not available here.', 501, 'not_available');
    const preview = await deps.live.previewModels({ baseUrl: url, ...(key === undefined ? {} : { key }), ...(headers ? { headers } : {}) });
    if (preview.ok && preview.models.length === 0) warnings.push('The endpoint lists no models: add their ids by hand, or check the base URL.');
    const result: EndpointPreviewResponse = { ok: preview.ok, models: preview.models, ...(preview.error === undefined ? {} : { error: preview.error }), warnings, durationMs: preview.durationMs };
    await send(response, 200, result);
  });

  router.delete('/endpoints/:name', async (request, response) => {
    const result: RemoveEndpointResponse = await removeEndpoint(ctx, param(request, 'name'));
    await settle();
    await send(response, 200, result);
  });

  router.get('/settings', async (_request, response) => {
    const body: SettingsResponse = { settings: await settingsView(settingsDeps) };
    await send(response, 200, body);
  });

  router.patch('/settings', async (request, response) => {
    const result = await updateSettings(settingsDeps, objectBody(request), request.headers.host);
    await settle();
    await send(response, 200, result);
  });

  router.get('/qos', async (_request, response) => {
    await send(response, 200, qosBody());
  });

  router.get(
    '/events',
    adminEventStream({
      events: deps.events ?? new EventEmitter(),
      snapshot: () => ({ status: statusBody(), qos: qosBody() }),
      request: (record) => requestView(record, deps.bodies?.has(record.requestId)),
      config: configEvent,
      qos: qosEvent,
      redact: async (text) => redactSecrets(text, await knownSecrets(ctx).catch(() => [])),
      ...deps.eventStream,
      ...(deps.logger ? { logger: deps.logger } : {}),
    }),
  );

  router.get('/demo', async (_request, response) => {
    const body: DemoView = deps.demo?.view() ?? { running: false, providers: [] };
    await send(response, 200, body);
  });

  router.post('/demo', async (request, response) => {
    const running = (objectBody(request) as Partial<DemoRequest>).running;
    if (typeof running !== 'boolean') throw new OperationError('Send { running: true } or { running: false }.', 400, 'invalid_request');
    if (!deps.demo) throw new OperationError('Demo mode is not available in this relay.', 404, 'demo_unavailable');
    const body: DemoView = await deps.demo.set(running);
    await send(response, 200, body);
  });

  router.post('/probe', async (request, response) => {
    const route = typeof request.body?.route === 'string' ? (request.body.route as string) : '';
    const sample = route ? await deps.routing?.probeNow(route) : undefined;
    if (!sample) throw new OperationError(`'${route.slice(0, 200)}' is not a servable route (provider/model).`, 404, 'route_not_found');
    const body: ProbeResponse = { route, outcome: sample.outcome };
    if (sample.ttftMs !== undefined) body.ttftMs = Math.round(sample.ttftMs);
    if (sample.tokensPerSecond !== undefined) body.tokensPerSecond = Math.round(sample.tokensPerSecond * 10) / 10;
    if (sample.error !== undefined) body.error = sample.error;
    await send(response, 200, body);
  });

  router.put('/token', async (request, response) => {
    const token = typeof request.body?.token === 'string' ? (request.body.token as string).trim() : '';
    if (token.length < 16 || /[\s\u0000-\u001f]/.test(token)) throw new OperationError('A relay token needs at least 16 characters and no spaces or control characters.', 400, 'invalid_token');
    await deps.secretStore.set('relay-token', token);
    await deps.reloadRelayToken?.();
    await send(response, 200, { set: true });
  });

  router.delete('/token', async (_request, response) => {
    const listening = deps.server?.listening();
    if (listening && !isLoopbackAddress(listening.host) && !deps.env?.SWITCHBOARD_TOKEN?.trim()) {
      throw new OperationError('The relay is reachable from other machines: turn that off (settings: LAN) before removing the relay token.', 409, 'token_required');
    }
    await deps.secretStore.delete('relay-token');
    await deps.reloadRelayToken?.();
    await send(response, 200, { set: false });
  });

  router.put('/routing/pin', async (request, response) => {
    const pin = (request.body as Partial<PinRequest> | undefined)?.pin;
    if (pin !== null && (typeof pin !== 'object' || pin === undefined || (pin.kind !== 'group' && pin.kind !== 'route') || typeof pin.target !== 'string' || pin.target.trim() === '')) {
      throw new OperationError("Send { pin: { kind: 'group' | 'route', target, aliases? } } or { pin: null }.", 400, 'invalid_pin');
    }
    await deps.configSource.update((draft) => {
      draft.routing.pin = pin === null ? null : { kind: pin.kind, target: pin.target.trim(), aliases: pin.aliases === true };
    });
    await settle();
    await send(response, 200, { pin: deps.configSource.get().routing.pin });
  });

  router.put('/routing/bans', async (request, response) => {
    const bans = (request.body as Partial<BansRequest> | undefined)?.bans;
    if (!Array.isArray(bans) || bans.some((ban) => typeof ban !== 'string' || ban.trim() === '' || ban.length > 300)) {
      throw new OperationError('Send { bans: [group or provider/model, ...] }.', 400, 'invalid_bans');
    }
    await deps.configSource.update((draft) => {
      draft.routing.bans = [...new Set(bans.map((ban) => ban.trim()))];
    });
    await settle();
    await send(response, 200, { bans: deps.configSource.get().routing.bans });
  });

  // Config tokens. The token and passphrase are never logged: errors about them are
  // OperationErrors (not logged) whose messages never quote either.
  router.post('/config/export', async (request, response) => {
    const body = objectBody(request);
    if (body.includeKeys !== undefined && typeof body.includeKeys !== 'boolean') throw new OperationError('includeKeys must be true or false.', 400, 'invalid_request');
    if (body.passphrase !== undefined && typeof body.passphrase !== 'string') throw new OperationError('The passphrase must be a string.', 400, 'invalid_passphrase');
    const result: ConfigExportResponse = await exportToken(ctx, {
      includeKeys: body.includeKeys === true,
      ...(body.passphrase === undefined ? {} : { passphrase: body.passphrase as string }),
    });
    await send(response, 200, result);
  });

  router.post('/config/import', async (request, response) => {
    const body = objectBody(request);
    if (typeof body.token !== 'string' || body.token.trim() === '') throw new OperationError('The token is required (token).', 400, 'missing_token');
    if (body.passphrase !== undefined && typeof body.passphrase !== 'string') throw new OperationError('The passphrase must be a string.', 400, 'invalid_passphrase');
    if (body.apply !== undefined && typeof body.apply !== 'boolean') throw new OperationError('apply must be true or false.', 400, 'invalid_request');
    const options = {
      ...(body.passphrase === undefined ? {} : { passphrase: body.passphrase as string }),
      ...(body.mode === undefined ? {} : { mode: body.mode as 'merge' | 'replace' }),
    };
    let result: ConfigImportPreview;
    if (body.apply === true) {
      result = await applyImport(ctx, body.token, options);
      await settle();
    } else {
      result = await previewImport(ctx, body.token, options);
    }
    await send(response, 200, result);
  });

  // Client integrations (OpenCode, OpenClaw, ...): paths resolve in the relay's environment
  // (HOME, XDG_CONFIG_HOME, OPENCODE_CONFIG, OPENCLAW_CONFIG_PATH, ...).
  const integrationContext: IntegrationContext = { env: deps.env ?? process.env };

  async function integrationTarget(): Promise<{ target: RelayTarget; token: string | undefined }> {
    const token = await relayToken(deps.env ?? {}, deps.secretStore);
    const origin = deps.address?.()?.url;
    if (origin === undefined) throw new OperationError('The relay is not listening yet.', 409, 'not_listening');
    // Demo mode's simulators vanish when it stops: a client config must never name them.
    const simulated = new Set(deps.directory.list().filter((runtime) => runtime.simulated === true).map((runtime) => runtime.id));
    const routes = deps.directory.routes().filter((route) => !simulated.has(route.providerId));
    const models = targetModels(routes, deps.configSource.get());
    return { target: relayTarget(clientBaseUrl(origin), token, models), token };
  }

  function integrationOf(request: Request): Integration {
    const integration = integrationById(param(request, 'id'));
    if (!integration) throw new OperationError(`Unknown client '${param(request, 'id').slice(0, 40)}': one of ${integrationIds().join(', ')}.`, 404, 'unknown_integration');
    return integration;
  }

  function setDefaultOf(request: Request): boolean {
    const body = objectBody(request);
    if (body.setDefault !== undefined && typeof body.setDefault !== 'boolean') throw new OperationError('setDefault must be true or false.', 400, 'invalid_request');
    return body.setDefault === true;
  }

  router.get('/integrations', async (_request, response) => {
    const { target, token } = await integrationTarget();
    const detections = await Promise.all(INTEGRATIONS.map((integration) => integration.detect(integrationContext, target)));
    const body: IntegrationsResponse = {
      integrations: detections.map(integrationView),
      target: { baseUrl: target.baseUrl, tokenSet: token !== undefined, models: target.models.map((model) => ({ ...model })) },
    };
    await send(response, 200, body);
  });

  router.get('/integrations/snippets', async (request, response) => {
    const client = typeof request.query.client === 'string' && request.query.client !== '' ? request.query.client : undefined;
    if (client !== undefined && !snippetNames().includes(client.trim().toLowerCase())) {
      throw new OperationError(`Unknown client '${client.slice(0, 40)}': one of ${snippetNames().join(', ')}.`, 404, 'unknown_snippet');
    }
    const revealed = request.query.reveal === 'true' || request.query.reveal === '1';
    const { target, token } = await integrationTarget();
    // The token is shown masked unless asked for; the placeholder is no secret.
    const apiKey = token !== undefined && !revealed ? maskKey(token) : target.apiKey;
    const body: IntegrationSnippetsResponse = { baseUrl: target.baseUrl, tokenSet: token !== undefined, revealed: revealed && token !== undefined, snippets: snippetsFor({ baseUrl: target.baseUrl, apiKey }, client) };
    await send(response, 200, body);
  });

  router.post('/integrations/:id/preview', async (request, response) => {
    const integration = integrationOf(request);
    const setDefault = setDefaultOf(request);
    const { target, token } = await integrationTarget();
    const preview = await integration.preview(integrationContext, { target, setDefault }).catch((error: unknown) => Promise.reject(integrationFailure(error)));
    const body: IntegrationPreviewResponse = { id: preview.id, configPath: preview.configPath, changed: preview.changed, diff: maskToken(preview.diff, token) };
    await send(response, 200, body);
  });

  router.post('/integrations/:id/apply', async (request, response) => {
    const integration = integrationOf(request);
    const setDefault = setDefaultOf(request);
    const { target, token } = await integrationTarget();
    const result = await integration.apply(integrationContext, { target, setDefault }).catch((error: unknown) => Promise.reject(integrationFailure(error)));
    const body: IntegrationApplyResponse = {
      id: result.id,
      configPath: result.configPath,
      changed: result.changed,
      diff: maskToken(result.diff, token),
      backupPath: result.backupPath,
      integration: integrationView(await integration.detect(integrationContext, target)),
    };
    await send(response, 200, body);
  });

  router.post('/integrations/:id/undo', async (request, response) => {
    const integration = integrationOf(request);
    const { target, token } = await integrationTarget();
    const result = await integration.undo(integrationContext).catch((error: unknown) => Promise.reject(integrationFailure(error)));
    const body: IntegrationUndoResponse = {
      id: result.id,
      configPath: result.configPath,
      outcome: result.outcome,
      diff: maskToken(result.diff, token),
      integration: integrationView(await integration.detect(integrationContext, target)),
    };
    await send(response, 200, body);
  });

  router.get('/requests', async (request, response) => {
    const raw = typeof request.query.limit === 'string' ? Number.parseInt(request.query.limit, 10) : 100;
    const limit = Number.isFinite(raw) ? Math.min(Math.max(raw, 1), MAX_REQUESTS) : 100;
    const body: RequestsResponse = { requests: deps.usageLog.recent(limit).map((record) => requestView(record, deps.bodies?.has(record.requestId))) };
    await send(response, 200, body);
  });

  router.get('/requests/:id', async (request, response) => {
    const id = String(request.params.id);
    const record = deps.usageLog.get(id);
    if (!record) throw new OperationError(`No recent request has the id '${id.slice(0, 64)}'.`, 404, 'unknown_request');
    const bodies = await deps.bodies?.get(id);
    const body: RequestDetailResponse = { request: requestView(record, bodies !== undefined) };
    if (bodies?.requestBody !== undefined) body.requestBody = bodies.requestBody;
    if (bodies?.responseBody !== undefined) body.responseBody = bodies.responseBody;
    if (bodies?.truncated) body.truncated = true;
    await send(response, 200, body);
  });

  router.use((request, _response, next) => {
    next(new OperationError(`Unknown admin endpoint: ${request.method} /admin${request.path.slice(0, 200)}.`, 404, 'unknown_url'));
  });

  const renderError: ErrorRequestHandler = (thrown, request, response, _next) => {
    const { status, body } = errorBody(thrown);
    if (status >= 500 && !(thrown instanceof OperationError)) {
      deps.logger?.error(`Admin ${request.method} ${request.path} failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    void send(response, status, body).catch(() => response.end());
  };
  router.use(renderError);
  return router;
}

/**
 * The admin API answers the relay's own pages only: the app-level check lets the origins in
 * server.allowedOrigins call the relay endpoints, but none of them may call the admin API.
 */
const ownOriginOnly: RequestHandler = (request, _response, next) => {
  const origin = request.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${request.headers.host ?? ''}`.toLowerCase()) {
    next(new OperationError(`Refused: the admin API does not answer pages from '${origin.slice(0, 100)}'.`, 403, 'origin_not_allowed'));
    return;
  }
  next();
};

function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const noStore: RequestHandler = (_request, response, next) => {
  response.setHeader('Cache-Control', 'no-store');
  next();
};

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** JSON only: a body in any other content type (a browser's "simple" cross-site POST) is 415. */
const requireJson: RequestHandler = (request, _response, next) => {
  const writes = request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH';
  if (writes || hasBody(request)) {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'application/json') {
      next(new OperationError(`The admin API takes JSON only (Content-Type: application/json)${type ? `, not '${type.slice(0, 60)}'` : ''}.`, 415, 'unsupported_media_type'));
      return;
    }
  }
  next();
};

function objectBody(request: Request): Record<string, unknown> {
  const body: unknown = request.body;
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OperationError('The request body must be a JSON object.', 400, 'invalid_body');
  return body as Record<string, unknown>;
}

function param(request: Request, name: string): string {
  const value: unknown = request.params[name];
  return typeof value === 'string' ? value : '';
}

function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function errorBody(thrown: unknown): { status: number; body: ApiErrorBody } {
  if (thrown instanceof OperationError) return { status: thrown.status, body: { error: { message: thrown.message, type: thrown.type, code: thrown.code } } };
  if (thrown instanceof RelayError) return { status: thrown.status, body: { error: { message: thrown.message, type: typeOf(thrown.status), code: thrown.code ?? null } } };
  const status = (thrown as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { message: status === 413 ? 'The request body is too large.' : 'The request could not be read.', type: typeOf(status), code: null } } };
  }
  return { status: 500, body: { error: { message: 'The admin API hit an internal error.', type: 'server_error', code: 'internal_error' } } };
}
