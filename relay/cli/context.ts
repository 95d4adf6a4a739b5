import { access } from 'node:fs/promises';
import { ConfigStore, parseConfigText, type ConfigSource } from '../config/config-store.js';
import { configFiles, resolveConfigDir } from '../config/paths.js';
import { defaultConfig, type Config } from '../config/schema.js';
import type { StatusResponse } from '../admin/dto.js';
import type { OperationsContext } from '../admin/operations.js';
import { ProviderDirectory } from '../dispatch/provider-directory.js';
import { readFileIfExists } from '../fs/atomic-file.js';
import { FileSecretStore } from '../keys/file-secret-store.js';
import { KeyPool } from '../keys/key-pool.js';
import { MemorySecretStore, type SecretStore } from '../keys/secret-store.js';
import { providerCatalog } from '../providers/catalog.js';
import type { HttpClient } from '../providers/http-client.js';
import { AdminClient } from './admin-client.js';
import type { CliIo } from './io.js';

/** What every command gets: where the config lives, the environment and the output. */
export interface CommandContext {
  io: CliIo;
  configDir: string;
  env: Record<string, string | undefined>;
}

export function configDirOf(flag: string | undefined, env: Record<string, string | undefined>): string {
  return resolveConfigDir({ ...(flag === undefined ? {} : { flag }), env: env as NodeJS.ProcessEnv });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// A running relay
// ---------------------------------------------------------------------------------------------

/** The runtime file a listening relay writes (relay.json). */
export interface RuntimeInfo {
  pid: number;
  host: string;
  port: number;
  url: string;
  startedAt?: string;
}

export async function readRuntimeFile(configDir: string): Promise<RuntimeInfo | undefined> {
  let text: string | undefined;
  try {
    text = await readFileIfExists(configFiles(configDir).runtime);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const raw = JSON.parse(text) as Partial<RuntimeInfo>;
    if (typeof raw.pid !== 'number' || typeof raw.port !== 'number' || typeof raw.url !== 'string' || typeof raw.host !== 'string') return undefined;
    return { pid: raw.pid, host: raw.host, port: raw.port, url: raw.url, ...(typeof raw.startedAt === 'string' ? { startedAt: raw.startedAt } : {}) };
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where to reach a relay that listens on `url`: the unspecified address means loopback. */
function reachableOrigin(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

export interface RunningRelay {
  runtime: RuntimeInfo;
  client: AdminClient;
  status: StatusResponse;
}

/**
 * The relay running for this config directory, if any: its runtime file is present, its process
 * alive, and its admin API answers GET /admin/status with the admin token.
 */
export async function findRunningRelay(configDir: string, timeoutMs = 3_000): Promise<RunningRelay | undefined> {
  const runtime = await readRuntimeFile(configDir);
  if (!runtime || !processAlive(runtime.pid)) return undefined;
  const token = (await readFileIfExists(configFiles(configDir).adminToken).catch(() => undefined))?.trim();
  if (!token) return undefined;
  const client = new AdminClient(reachableOrigin(runtime.url), token, timeoutMs);
  try {
    const status = await client.get<StatusResponse>('/status');
    return { runtime, client: new AdminClient(client.origin, token), status };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The config directory, without a relay
// ---------------------------------------------------------------------------------------------

/** Settings read from disk without creating or changing anything; `update` refuses. */
export class ReadOnlyConfig implements ConfigSource {
  constructor(
    private readonly config: Config,
    readonly problem: string | undefined,
  ) {}

  get(): Config {
    return this.config;
  }

  update(): Promise<Config> {
    return Promise.reject(new Error('These settings were opened read-only.'));
  }

  subscribe(): () => void {
    return () => undefined;
  }
}

export interface OfflineContext {
  ops: OperationsContext;
  close(): Promise<void>;
}

/**
 * Operations straight on the config directory. `write`: a ConfigStore (no watching) and the
 * 0600 FileSecretStore, creating the directory when needed. Read-only: nothing is created; a
 * missing directory reads as the defaults with no keys.
 */
export async function openOffline(cc: CommandContext, write: boolean): Promise<OfflineContext> {
  const base = { catalog: providerCatalog, env: cc.env };
  if (write) {
    const config = await ConfigStore.open(cc.configDir, { watch: false, logger: { warn: () => undefined } });
    const secrets = await FileSecretStore.open(cc.configDir);
    return { ops: { ...base, config, secrets }, close: () => config.close() };
  }
  const { config, problem } = await readConfig(cc.configDir);
  const secrets: SecretStore = (await exists(cc.configDir)) ? await FileSecretStore.open(cc.configDir) : new MemorySecretStore();
  return { ops: { ...base, config: new ReadOnlyConfig(config, problem), secrets }, close: async () => undefined };
}

/** The settings file parsed and validated; the defaults (and the reason) when missing or invalid. */
export async function readConfig(configDir: string): Promise<{ config: Config; problem: string | undefined; present: boolean }> {
  const file = configFiles(configDir).config;
  let text: string | undefined;
  try {
    text = await readFileIfExists(file);
  } catch (error) {
    return { config: defaultConfig(), problem: `${file} cannot be read (${(error as Error).message}).`, present: true };
  }
  if (text === undefined) return { config: defaultConfig(), problem: undefined, present: false };
  const result = parseConfigText(text, file);
  return result.ok ? { config: result.config, problem: undefined, present: true } : { config: defaultConfig(), problem: result.message, present: true };
}

const noNetwork: HttpClient = () => Promise.reject(new Error('The offline CLI does not call providers.'));

/** A ProviderDirectory over the settings and keys on disk: catalog models only, no discovery. */
export async function offlineDirectory(ops: OperationsContext): Promise<{ directory: ProviderDirectory; keyPool: KeyPool }> {
  const keyPool = new KeyPool();
  const directory = new ProviderDirectory({
    secretStore: ops.secrets,
    keyPool,
    env: ops.env ?? {},
    http: noNetwork,
    now: Date.now,
    detectLocal: false,
    logger: { warn: () => undefined },
  });
  await directory.apply(ops.config.get());
  return { directory, keyPool };
}
