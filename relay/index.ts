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
import { ProviderDirectory } from './dispatch/provider-directory.js';
import { UsageLog, type RequestRecord } from './dispatch/usage-log.js';
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from './fs/atomic-file.js';
import { findDashboardDir } from './http/dashboard.js';
import { createApp } from './http/app.js';
import { isLoopbackHost, listen, type RunningServer } from './http/server.js';
import { FileSecretStore } from './keys/file-secret-store.js';
import { KeyPool } from './keys/key-pool.js';
import type { SecretStore } from './keys/secret-store.js';
import { providerCatalog } from './providers/catalog.js';
import { createHttpClient, type HttpClient } from './providers/http-client.js';
import { createAdminRouter } from './admin/routes.js';

export type { SecretStore } from './keys/secret-store.js';
export type { Config } from './config/schema.js';
export { PortInUseError } from './http/server.js';

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
   * route that just got a measurement, from a probe or live traffic); 'error' is never emitted.
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
    options.http ?? createHttpClient({ connectTimeoutMs: initial.timeouts.connectMs, headersTimeoutMs: initial.timeouts.firstTokenMs + 5_000 });
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
    onProbe: (route, sample) => {
      metrics.probe(route, sample);
      events.emit('qos', routeIdOf(route));
    },
  });
  const qosSaver = new QosSaver(qos, files.qos, logger);
  const probeRoute = async (id: string): Promise<QosSample | undefined> => {
    const route = directory.routes().find((candidate) => routeIdOf(candidate) === id);
    return route && prober ? prober.probe(route) : undefined;
  };
  usageLog.subscribe((record: RequestRecord) => events.emit('request', record));

  let relayToken = env.SWITCHBOARD_TOKEN?.trim() || (await secretStore.get(RELAY_TOKEN_SECRET));
  let firstDiscovery: Promise<void> = Promise.resolve();
  let applying: Promise<void> = Promise.resolve();
  // Resolves once the latest change is applied (before its discovery), for the admin API.
  let applied: Promise<void> = Promise.resolve();
  const unsubscribe = configSource.subscribe((config: Config) => {
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

  let address: RelayAddress | undefined;
  const admin = createAdminRouter({
    adminToken: () => adminToken,
    configSource,
    secretStore,
    directory,
    keyPool,
    usageLog,
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
    env,
    configDir: options.configDir,
    address: () => address,
    startedAt: now(),
    settled: () => applied,
    logger,
    events,
  });
  const app = createApp({
    service,
    logger,
    allowedHosts: () => configSource.get().server.allowedHosts.map((host) => host.toLowerCase()),
    allowedOrigins: () => configSource.get().server.allowedOrigins,
    bodyLimitBytes: () => Math.round(configSource.get().server.bodyLimitMb * 1024 * 1024),
    relayToken: () => relayToken,
    metrics: () => metrics.render(),
    admin,
    adminToken: () => adminToken,
    serveDashboard: options.dashboardDir !== null,
    dashboardDir: options.dashboardDir ?? findDashboardDir(),
  });

  let running: RunningServer | undefined;
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
      address = { host: running.host, port: running.port, url: `http://${running.host.includes(':') ? `[${running.host}]` : running.host}:${running.port}` };
      await writeFileAtomic(files.runtime, `${JSON.stringify({ pid: process.pid, ...address, startedAt: new Date(now()).toISOString() }, null, 2)}\n`, { mode: 0o600 });
      // Discovery never delays serving: the catalog's lists are used until it answers.
      firstDiscovery = directory.discover().catch((error: unknown) => logger.warn(`Model discovery failed: ${String(error)}`));
      if (options.probe !== false) void firstDiscovery.then(() => prober?.start());
      qosSaver.start();
      discoveryTimer = setInterval(() => void directory.discover().catch(() => undefined), options.discoveryIntervalMs ?? 30 * 60_000);
      discoveryTimer.unref();
      // A local Ollama or LM Studio started after the relay is found within a minute; asking a
      // closed local port costs nothing.
      localTimer = setInterval(() => void directory.discover((runtime) => runtime.local && runtime.detected !== true).catch(() => undefined), 60_000);
      localTimer.unref();
      return address;
    },
    async close() {
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
      await applying;
      if (configSource instanceof ConfigStore) await configSource.close();
    },
  };
}
