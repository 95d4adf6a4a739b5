import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRelay, type Relay, type RelayLogger } from '../../relay/index.js';
import { MemorySecretStore } from '../../relay/keys/secret-store.js';

export interface TestRelay {
  relay: Relay;
  /** The relay's origin, e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  configDir: string;
  secrets: MemorySecretStore;
  logs: string[];
  close(): Promise<void>;
}

export interface StartRelayOptions {
  /** The settings document written before start (merged over nothing: give only what matters). */
  config?: Record<string, unknown>;
  secrets?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Background probing; off by default so tests see only the requests they make. */
  probe?: boolean;
  now?: () => number;
  random?: () => number;
  http?: import('../../relay/providers/http-client.js').HttpClient;
}

/**
 * Starts a real relay on 127.0.0.1 with a temporary config directory, in-memory secrets, no
 * environment keys and no local-server probing, so tests see only the upstreams they configure.
 */
export async function startTestRelay(options: StartRelayOptions = {}): Promise<TestRelay> {
  const configDir = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
  if (options.config) await writeFile(join(configDir, 'config.json'), JSON.stringify(options.config, null, 2), { mode: 0o600 });
  const secrets = new MemorySecretStore(options.secrets ?? {});
  const logs: string[] = [];
  const logger: RelayLogger = {
    info: (message) => logs.push(message),
    warn: (message) => logs.push(`warning: ${message}`),
    error: (message) => logs.push(`error: ${message}`),
  };
  const relay = await createRelay({
    configDir,
    secretStore: secrets,
    env: options.env ?? {},
    detectLocal: false,
    logger,
    port: 0,
    probe: options.probe ?? false,
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.http ? { http: options.http } : {}),
  });
  const address = await relay.listen();
  return {
    relay,
    url: address.url,
    port: address.port,
    configDir,
    secrets,
    logs,
    async close() {
      await relay.close();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** A settings document with one custom OpenAI-compatible endpoint per fake upstream. */
export function endpointsConfig(endpoints: Array<{ id: string; baseUrl: string; keys?: Array<{ id: string; label: string; models?: string[] }>; models?: string[]; discovery?: boolean }>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    endpoints: endpoints.map((endpoint) => ({ discovery: false, free: true, ...endpoint })),
    routing: { priority: endpoints.map((endpoint) => endpoint.id) },
    ...extra,
  };
}
