import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { ConfigStore, type ConfigSource } from './config/config-store.js';
import { configFiles } from './config/paths.js';
import type { Config } from './config/schema.js';
import type { RelayService } from './core/relay-service.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { RelayMetrics } from './dispatch/metrics.js';
import { Prober } from './dispatch/prober.js';
import { QosSaver, restoreQos } from './dispatch/qos-persistence.js';
import { RoutingEngine, type RouteView } from './dispatch/routing-engine.js';
import { QuotaTracker } from './keys/quota-tracker.js';
import { QosTracker, type QosSample } from './routing/qos-tracker.js';
import { routeId as routeIdOf } from './routing/route-entry.js';
import { ProviderDirectory, type ProviderStatus } from './dispatch/provider-directory.js';
import { UsageLog, type RequestRecord } from './dispatch/usage-log.js';
import { RequestBodies } from './dispatch/request-bodies.js';
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from './fs/atomic-file.js';
import { findDashboardDir } from './http/dashboard.js';
import { createApp } from './http/app.js';
import { isLoopbackHost, listen, PortInUseError, type RunningServer } from './http/server.js';
import { applyHeapGrowth, heapGrowthPercent } from './http/heap-growth.js';
import { FileSecretStore } from './keys/file-secret-store.js';
import { KeyPool, type PoolKey } from './keys/key-pool.js';
import type { SecretStore } from './keys/secret-store.js';
import { providerCatalog } from './providers/catalog.js';
import { createHttpClient, type HttpClient } from './providers/http-client.js';
import type { DesktopCapabilities } from './admin/desktop.js';
import { OperationError } from './admin/operation-context.js';
import type { KeyChecker } from './dispatch/key-check.js';
import { lazyHandler } from './http/middleware/lazy-handler.js';
import { DemoMode } from './demo/demo-mode.js';
import { DEMO_PROVIDER_IDS, type DemoSimulationOptions } from './demo/profiles.js';

export type { SecretStore } from './keys/secret-store.js';
export { configSchema, defaultConfig, type Config } from './config/schema.js';
export { CONFIG_FILE } from './config/paths.js';
export { formatConfigIssues, parseConfigText, serializeConfig, type ConfigSource } from './config/config-store.js';
export { ConfigState } from './config/config-state.js';
export type { DemoSimulationOptions } from './demo/profiles.js';
export { PortInUseError } from './http/server.js';
export { FileSecretStore } from './keys/file-secret-store.js';
export type { DesktopCapabilities } from './admin/desktop.js';

export interface RelayLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RelayOptions {
  configDir: string;
  /** Where keys live; default a 0600 file in the config directory. */
  secretStore?: SecretStore;
  /** Where settings live; default `config.json` in the config directory, watched for hand edits. */
  configSource?: ConfigSource;
  logger?: RelayLogger;
  env?: Record<string, string | undefined>;
  now?: () => number;
  /** Probe local servers (Ollama, LM Studio). Default true. */
  detectLocal?: boolean;
  /** Overrides server.host / server.port of the settings (command-line flags). */
  host?: string;
  port?: number;
  http?: HttpClient;
  /** How often live model discovery refreshes (default 30 minutes). */
  discoveryIntervalMs?: number;
  /** Random source for probe jitter and exploration (tests make it deterministic). */
  random?: () => number;
  /** Measure routes in the background (default true; tests that count upstream calls turn it off). */
  probe?: boolean;
  /** The built dashboard's folder (default: found beside the relay); null serves no dashboard. */
  dashboardDir?: string | null;
  /** What only the desktop app can do (start at login, notifications); absent headless. */
  desktop?: DesktopCapabilities;
  /** Start with demo mode on: three simulated providers, never written to the settings. */
  demo?: boolean;
  /** How the simulated providers behave (tests make them instant and deterministic). */
  demoSimulation?: DemoSimulationOptions;
}

export interface RelayAddress {
  host: string;
  port: number;
  url: string;
}

export interface Relay {
  listen(): Promise<RelayAddress>;
  close(): Promise<void>;
  /**
   * 'request' (a finished RequestRecord), 'config' (new settings, once applied), 'qos' (the id of a
   * route that just got a measurement, from a probe or live traffic), 'keys' (the id of a provider
   * one of whose keys started cooling down, was disabled or came back); 'error' is never emitted.
   */
  readonly events: EventEmitter;
  readonly service: RelayService;
  readonly configSource: ConfigSource;
  readonly secretStore: SecretStore;
  /** The per-install admin credential (also stored 0600 in the config directory). */
  readonly adminToken: string;
  /** Resolves when the first model discovery round has finished. */
  discovered(): Promise<void>;
  /** Resolves once the latest settings change has been applied to routing. */
  settled(): Promise<void>;
  /** Route measurements and probing, for the admin API, the dashboard and tests. */
  readonly routing: RoutingHandle;
  /**
   * Moves the listening socket to host:port: listens there first, then lets the old socket
   * finish its requests. Changes no settings (PATCH /admin/settings does both). Rejects with
   * PortInUseError, still listening where it was, when the address is taken.
   */
  rebind(host: string, port: number): Promise<RelayAddress>;
  /** Where the relay listens now (it moves when the port or LAN setting changes); undefined before listen(). */
  address(): RelayAddress | undefined;
  /** Every provider with its status now (ready, needs a key, ...), in catalog order. */
  providerStatuses(): Array<{ id: string; status: ProviderStatus }>;
}

export interface RoutingHandle {
  /** Every model of every provider with its status and QoS. */
  views(): RouteView[];
  /** Probes one route (`provider/model`) now; undefined when it is not servable. */
  probeNow(routeId: string): Promise<QosSample | undefined>;
  /** One round of the background prober's scheduling. */
  runProbes(): Promise<void>;
  /** Probes spent on a route in the last 24 hours. */
  probesToday(routeId: string): number;
  /** The routes competing for first place, best first. */
  contenders(): string[];
}

const RELAY_TOKEN_SECRET = 'relay-token';

const consoleLogger: RelayLogger = {
  info: (message) => console.error(message),
  warn: (message) => console.error(`warning: ${message}`),
  error: (message) => console.error(`error: ${message}`),
};

async function loadAdminToken(file: string): Promise<string> {
  const existing = (await readFileIfExists(file))?.trim();
  if (existing && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * The composition root: settings, secrets, providers, routing and HTTP. Runs under plain Node
 * and inside Electron's main process alike; the desktop injects its own stores.
 */
export async function createRelay(options: RelayOptions): Promise<Relay> {
  const logger = options.logger ?? consoleLogger;
  const now = options.now ?? Date.now;
  const env = options.env ?? process.env;
  await ensurePrivateDir(options.configDir);
  const files = configFiles(options.configDir);
  const configSource = options.configSource ?? (await ConfigStore.open(options.configDir, { watch: true, logger }));
  if (configSource.problem) logger.warn(configSource.problem);
  const secretStore = options.secretStore ?? (await FileSecretStore.open(options.configDir));
  const adminToken = await loadAdminToken(files.adminToken);
  const initial = configSource.get();
  const http =
    options.http ??
    createHttpClient(() => {
      // Read per request: new timeouts apply to the next request.
      const { timeouts } = configSource.get();
      return { connectTimeoutMs: timeouts.connectMs, headersTimeoutMs: timeouts.firstTokenMs + 5_000 };
    });
  const keyPool = new KeyPool();
  const usageLog = new UsageLog();
  const events = new EventEmitter();
  // Each dashboard event stream listens to three events (the admin API caps streams at 32).
  events.setMaxListeners(128);
  const directory = new ProviderDirectory({ secretStore, keyPool, env, http, now, detectLocal: options.detectLocal ?? true, logger });
  await directory.apply(initial);
  const quotas = new QuotaTracker();
  const qos = new QosTracker();
  await restoreQos(qos, files.qos, now(), logger);
  const random = options.random ?? Math.random;
  const engine = new RoutingEngine({ directory, keyPool, quotas, qos, getConfig: () => configSource.get(), now, random });
  let prober: Prober | undefined;
  const service = new Dispatcher({
    directory,
    keyPool,
    quotas,
    engine,
    http,
    usageLog,
    getConfig: () => configSource.get(),
    now,
    onLiveSample: (route, sample) => {
      prober?.noteLive(route);
      metrics.liveSample(route, sample);
      events.emit('qos', routeIdOf(route));
    },
  });
  const metrics = new RelayMetrics(() => engine.views());
  usageLog.subscribe((record) => metrics.request(record));
  prober = new Prober({
    directory,
    keyPool,
    quotas,
    qos,
    http,
    now,
    random,
    contenders: () => engine.contenders(),
    lastLiveAt: () => service.lastLiveAt(),
    settings: () => {
      const { probe } = configSource.get();
      return { enabled: probe.enabled, contenderIntervalMs: probe.contenderIntervalSeconds * 1000, tailIntervalMs: probe.tailIntervalMinutes * 60_000, quotaShare: probe.quotaSharePercent / 100 };
    },
    onProbe: (route, sample) => {
      metrics.probe(route, sample);
      events.emit('qos', routeIdOf(route));
    },
  });
  let keyChecker: KeyChecker | undefined;
  const checkKey = async (provider: string, key: PoolKey) => {
    const { KeyChecker } = await import('./dispatch/key-check.js');
    keyChecker ??= new KeyChecker({ directory, keyPool, http, now, probe: (route, probeOptions) => (prober ? prober.probe(route, probeOptions) : Promise.reject(new Error('The prober is not running.'))) });
    return keyChecker.check(provider, key);
  };
  const qosSaver = new QosSaver(qos, files.qos, logger);
  const probeRoute = async (id: string): Promise<QosSample | undefined> => {
    const route = directory.routes().find((candidate) => routeIdOf(candidate) === id);
    return route && prober ? prober.probe(route) : undefined;
  };
  usageLog.subscribe((record: RequestRecord) => events.emit('request', record));
  keyPool.onChange((providerId) => events.emit('keys', providerId));

  let relayToken = env.SWITCHBOARD_TOKEN?.trim() || (await secretStore.get(RELAY_TOKEN_SECRET));
  const requestBodies = new RequestBodies({
    secrets: async () => [
      ...(await (await import('./admin/key-operations.js')).knownSecrets({ config: configSource, secrets: secretStore, catalog: providerCatalog, env })),
      ...(relayToken ? [relayToken] : []),
      adminToken,
    ],
    recorded: (requestId) => usageLog.get(requestId) !== undefined,
  });
  let firstDiscovery: Promise<void> = Promise.resolve();
  let applying: Promise<void> = Promise.resolve();
  // Resolves once the latest change is applied (before its discovery), for the admin API.
  let applied: Promise<void> = Promise.resolve();
  const unsubscribe = configSource.subscribe((config: Config) => {
    // At once, not after the change is applied: "off" means the bodies are gone now.
    if (!config.requests.keepBodies) requestBodies.clear();
    const apply = applying.then(async () => {
      await directory.apply(config);
      relayToken = env.SWITCHBOARD_TOKEN?.trim() || (await secretStore.get(RELAY_TOKEN_SECRET));
      events.emit('config', config);
    });
    applied = apply.catch(() => undefined);
    applying = apply
      .then(() => directory.discover())
      .catch((error: unknown) => logger.error(`Applying new settings failed: ${String(error)}`));
  });

  const demoIds = new Set<string>(DEMO_PROVIDER_IDS);
  const demo = new DemoMode({
    ...(options.demoSimulation ? { simulation: options.demoSimulation } : {}),
    logger,
    // In the same queue as settings changes: the directory is rebuilt by one change at a time.
    register: (endpoints) => {
      const apply = applying.then(async () => {
        // Measurements from an earlier demo (or restored from an earlier run) describe other simulators.
        for (const key of qos.keys()) if (demoIds.has(key.slice(0, key.indexOf('/')))) qos.forget(key);
        await directory.setRuntimeEndpoints(
          endpoints.map((endpoint) => ({ id: endpoint.id, name: endpoint.name, baseUrl: endpoint.baseUrl, models: endpoint.models.map((model) => ({ ...model })), free: true, simulated: true })),
        );
        events.emit('config', configSource.get());
      });
      applied = apply.catch(() => undefined);
      applying = apply
        .then(() => directory.discover((runtime) => runtime.simulated === true))
        .catch((error: unknown) => logger.warn(`Demo mode could not be applied: ${String(error)}`));
      return apply;
    },
    ...(options.probe === false
      ? {}
      : {
          probe: async () => {
            if (!configSource.get().probe.enabled) return;
            const routes = directory.routes().filter((route) => demoIds.has(route.providerId));
            await Promise.all(routes.map((route) => prober?.probe(route)));
          },
        }),
  });

  let address: RelayAddress | undefined;
  // The admin API and what only it uses (integrations, their parsers, key checks) load with the
  // first admin request: most of a relay's life is serving, and their code would be memory held
  // for nothing until the dashboard or a command asks.
  // Taken now: the admin API itself only loads with its first request.
  const startedAt = now();
  const admin = lazyHandler(async () => (await import('./admin/routes.js')).createAdminRouter({
    adminToken: () => adminToken,
    configSource,
    secretStore,
    directory,
    keyPool,
    usageLog,
    bodies: requestBodies,
    service,
    now,
    catalog: providerCatalog,
    reloadRelayToken: async () => {
      relayToken = env.SWITCHBOARD_TOKEN?.trim() || (await secretStore.get(RELAY_TOKEN_SECRET));
    },
    routing: {
      views: () => engine.views(),
      choice: () => engine.choice(),
      probeNow: (id) => probeRoute(id),
      probesToday: (id) => prober?.probesToday(id) ?? 0,
    },
    server: {
      listening: () => address,
      move: (host, port, save) => moveTo(host, port, save),
    },
    ...(options.desktop ? { desktop: options.desktop } : {}),
    quotas,
    live: {
      checkKey,
      previewModels: async (request) => (await import('./dispatch/endpoint-preview.js')).previewModels(request, { http, now }),
      discover: async (provider) => {
        await directory.discover(provider);
        prober?.expedite(provider);
        // The dashboard refreshes its provider list on `config`: the new models are in now.
        events.emit('config', configSource.get());
      },
    },
    demo: { view: () => demo.state(), set: (running) => demo.set(running) },
    env,
    configDir: options.configDir,
    address: () => address,
    startedAt,
    settled: () => applied,
    logger,
    events,
  }));
  const app = createApp({
    service,
    logger,
    allowedHosts: () => configSource.get().server.allowedHosts.map((host) => host.toLowerCase()),
    allowedOrigins: () => configSource.get().server.allowedOrigins,
    bodyLimitBytes: () => Math.round(configSource.get().server.bodyLimitMb * 1024 * 1024),
    relayToken: () => relayToken,
    metrics: () => metrics.render(),
    requestBodies: { enabled: () => configSource.get().requests.keepBodies, bodies: requestBodies },
    admin,
    adminToken: () => adminToken,
    serveDashboard: options.dashboardDir !== null,
    dashboardDir: options.dashboardDir ?? findDashboardDir(),
  });

  let running: RunningServer | undefined;
  /** Listeners left behind by a move, finishing their requests. */
  const draining = new Set<RunningServer>();

  function drainOld(server: RunningServer): void {
    draining.add(server);
    // Long answers may stream for minutes; after that whatever is left is cut.
    void server.drain(10 * 60_000).finally(() => draining.delete(server));
  }

  async function moveTo(host: string, port: number, save: () => Promise<void> = async () => undefined): Promise<RelayAddress> {
    const old = running;
    if (!old) throw new OperationError('The relay is not listening.', 409, 'not_listening');
    if (!isLoopbackHost(host) && !relayToken) throw new OperationError(`Refusing to listen on ${host}: beyond loopback the relay needs a token.`, 409, 'token_required');
    const taken = () =>
      new OperationError(`Port ${port} on ${host} is already in use; the relay stays at ${address?.url ?? `${old.host}:${old.port}`}. Choose another port.`, 409, 'port_in_use');
    let next: RunningServer;
    let oldStopped = false;
    try {
      next = await listen(app, host, port);
    } catch (error) {
      // The same port on another address (loopback ↔ all addresses) collides with our own
      // socket: stop accepting on it first, and take it back if the new address fails.
      if (!(error instanceof PortInUseError)) throw error;
      if (port !== old.port) throw taken();
      drainOld(old);
      oldStopped = true;
      try {
        next = await listen(app, host, port);
      } catch (retry) {
        running = await listen(app, old.host, old.port);
        throw retry instanceof PortInUseError ? taken() : retry;
      }
    }
    try {
      await save();
    } catch (error) {
      await next.close();
      if (oldStopped) running = await listen(app, old.host, old.port);
      throw error;
    }
    running = next;
    address = { host: next.host, port: next.port, url: `http://${next.host.includes(':') ? `[${next.host}]` : next.host}:${next.port}` };
    if (!oldStopped) drainOld(old);
    // The CLI finds the relay through this file; it keeps the time the relay started listening.
    let startedAt = new Date(now()).toISOString();
    try {
      const previous = JSON.parse((await readFileIfExists(files.runtime)) ?? '{}') as { startedAt?: unknown };
      if (typeof previous.startedAt === 'string') startedAt = previous.startedAt;
    } catch {
      // rewritten below either way
    }
    await writeFileAtomic(files.runtime, `${JSON.stringify({ pid: process.pid, ...address, startedAt }, null, 2)}\n`, { mode: 0o600 });
    logger.info(`Switchboard moved to ${address.url}.`);
    return address;
  }
  /** A local server started since the last look (Ollama, LM Studio): found, and the dashboard told. */
  async function redetectLocal(): Promise<void> {
    const missing = directory.list().filter((runtime) => runtime.local && runtime.detected !== true);
    if (missing.length === 0) return;
    await directory.discover((runtime) => runtime.local && runtime.detected !== true).catch(() => undefined);
    if (missing.some((runtime) => directory.get(runtime.id)?.detected === true)) events.emit('config', configSource.get());
  }
  let discoveryTimer: NodeJS.Timeout | undefined;
  let localTimer: NodeJS.Timeout | undefined;

  return {
    events,
    service,
    configSource,
    secretStore,
    adminToken,
    discovered: () => firstDiscovery,
    settled: () => applied,
    routing: {
      views: () => engine.views(),
      probeNow: (id) => probeRoute(id),
      runProbes: () => prober?.tick() ?? Promise.resolve(),
      probesToday: (id) => prober?.probesToday(id) ?? 0,
      contenders: () => engine.contenders(),
    },
    address: () => (running ? address : undefined),
    providerStatuses: () => directory.list().map((runtime) => ({ id: runtime.id, status: directory.status(runtime) })),
    rebind: (host, port) =>
      moveTo(host, port).catch((error: unknown) => {
        throw error instanceof OperationError && error.code === 'port_in_use' ? new PortInUseError(host, port) : error;
      }),
    async listen() {
      const config = configSource.get();
      const host = options.host ?? config.server.host;
      const port = options.port ?? config.server.port;
      if (!isLoopbackHost(host) && !relayToken) {
        throw new Error(
          `Refusing to listen on ${host}: beyond loopback the relay needs a token. Set one with \`switchboard token set\` or SWITCHBOARD_TOKEN.`,
        );
      }
      running = await listen(app, host, port);
      applyHeapGrowth(heapGrowthPercent(env));
      address = { host: running.host, port: running.port, url: `http://${running.host.includes(':') ? `[${running.host}]` : running.host}:${running.port}` };
      if (options.demo === true) await demo.set(true);
      await writeFileAtomic(files.runtime, `${JSON.stringify({ pid: process.pid, ...address, startedAt: new Date(now()).toISOString() }, null, 2)}\n`, { mode: 0o600 });
      // Discovery never delays serving: the catalog's lists are used until it answers.
      firstDiscovery = directory.discover().catch((error: unknown) => logger.warn(`Model discovery failed: ${String(error)}`));
      if (options.probe !== false) void firstDiscovery.then(() => prober?.start());
      qosSaver.start();
      discoveryTimer = setInterval(() => void directory.discover().catch(() => undefined), options.discoveryIntervalMs ?? 30 * 60_000);
      discoveryTimer.unref();
      // A local Ollama or LM Studio started after the relay is found within a minute; asking a
      // closed local port costs nothing.
      localTimer = setInterval(() => void redetectLocal(), 60_000);
      localTimer.unref();
      return address;
    },
    async close() {
      await demo.set(false).catch(() => undefined);
      unsubscribe();
      if (discoveryTimer) clearInterval(discoveryTimer);
      if (localTimer) clearInterval(localTimer);
      prober?.stop();
      await qosSaver.stop();
      if (running) {
        await running.close();
        running = undefined;
        address = undefined;
        await rm(files.runtime, { force: true });
      }
      await Promise.all([...draining].map((server) => server.close()));
      await applying;
      if (configSource instanceof ConfigStore) await configSource.close();
    },
  };
}
