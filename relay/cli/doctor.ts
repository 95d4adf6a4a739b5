import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { listKeys } from '../admin/operations.js';
import { providerViews } from '../admin/views.js';
import type { ProviderView } from '../admin/dto.js';
import { configFiles } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import { isLoopbackHost } from '../http/server.js';
import { readEnvKeys } from '../keys/env-keys.js';
import { FileSecretStore } from '../keys/file-secret-store.js';
import { maskKey } from '../keys/redact.js';
import { MemorySecretStore, type SecretStore } from '../keys/secret-store.js';
import { catalogKeyEnv, joinBaseUrl, providerCatalog } from '../providers/catalog.js';
import type { Command } from './args.js';
import { exists, findRunningRelay, offlineDirectory, readConfig, ReadOnlyConfig, type CommandContext } from './context.js';
import { FAIL, INFO, OK } from './format.js';

/**
 * `switchboard doctor`: read-only checks, each printed with ✓ (fine), ✗ (a problem, with the
 * fix) or - (optional and absent). Exits 1 when any check fails.
 */

interface Check {
  result: 'ok' | 'fail' | 'info';
  message: string;
  fix?: string;
  details?: string[];
}

const MIN_NODE: readonly [number, number] = [20, 18];
const LOCAL_PROBE_MS = 1_500;
/** The SecretStore id relay/index.ts keeps the relay token under. */
const RELAY_TOKEN_SECRET = 'relay-token';

function checkNode(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? { result: 'ok', message: `Node.js ${process.versions.node}` }
    : { result: 'fail', message: `Node.js ${process.versions.node} is too old`, fix: `install Node.js ${MIN_NODE.join('.')} or newer (https://nodejs.org)` };
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');
const checkModes = process.platform !== 'win32';

async function checkConfigDir(dir: string): Promise<Check> {
  const mode = await modeOf(dir);
  if (mode === undefined) return { result: 'info', message: `Config directory ${dir} does not exist yet`, fix: 'it is created by `switchboard serve` or `switchboard keys add`' };
  if (checkModes && (mode & 0o077) !== 0) return { result: 'fail', message: `Config directory ${dir} is readable by others (mode ${octal(mode)})`, fix: `chmod 700 '${dir}'` };
  return { result: 'ok', message: `Config directory ${dir}${checkModes ? ' (mode 0700)' : ''}` };
}

function checkConfig(file: string, present: boolean, problem: string | undefined): Check {
  if (problem) {
    return { result: 'fail', message: problem, fix: `correct ${file} by hand (the relay keeps the last good settings and never overwrites an invalid file), or move it away to start from the defaults` };
  }
  return { result: 'ok', message: present ? `Settings ${file} are valid` : 'No config.json yet: the defaults are in use' };
}

async function checkPrivateFile(file: string, what: string): Promise<Check | undefined> {
  const mode = await modeOf(file);
  if (mode === undefined) return undefined;
  if (checkModes && (mode & 0o077) !== 0) return { result: 'fail', message: `${what} ${file} is readable by others (mode ${octal(mode)})`, fix: `chmod 600 '${file}'` };
  return { result: 'ok', message: `${what} ${file}${checkModes ? ' (mode 0600)' : ''}` };
}

function checkProviders(providers: readonly ProviderView[]): Check[] {
  const checks: Check[] = [];
  const ready = providers.filter((provider) => provider.status === 'ready' && !provider.local);
  const needKey = providers.filter((provider) => provider.status === 'needs-key');
  const keyCount = (provider: ProviderView) => `${provider.keyCount} key${provider.keyCount === 1 ? '' : 's'}`;
  // Custom endpoints that list no models by hand learn them from discovery when the relay starts.
  const discovering = providers.filter((provider) => provider.custom && provider.enabled && provider.status === 'no-models');
  if (ready.length > 0) {
    checks.push({ result: 'ok', message: `Ready: ${ready.map((provider) => `${provider.id} (${provider.keyRequired ? keyCount(provider) : 'no key needed'})`).join(', ')}` });
  } else if (discovering.length > 0) {
    checks.push({
      result: 'info',
      message: `No provider has models before discovery; ${discovering.map((provider) => provider.id).join(', ')} list${discovering.length === 1 ? 's' : ''} its models when the relay starts`,
      fix: 'run `switchboard serve` and then `switchboard models` to see them',
    });
  } else {
    const first = needKey.find((provider) => provider.signupUrl !== undefined);
    checks.push({
      result: 'fail',
      message: 'No cloud provider is ready: none has a key',
      fix: first ? `get a key at ${first.signupUrl} and run \`switchboard keys add ${first.id}\`` : 'run `switchboard keys add PROVIDER`',
    });
  }
  if (needKey.length > 0) {
    const width = Math.max(...needKey.map((provider) => provider.id.length));
    checks.push({
      result: 'info',
      message: `Need a key (add with \`switchboard keys add PROVIDER\`): ${needKey.length}`,
      details: needKey.map((provider) => `${provider.id.padEnd(width)}  ${provider.signupUrl ?? ''}`.trimEnd()),
    });
  }
  for (const provider of providers) {
    for (const key of provider.keys.filter((candidate) => candidate.missing)) {
      checks.push({
        result: 'fail',
        message: `Key '${key.label}' of ${provider.id} is in the settings but its secret is missing`,
        fix: `switchboard keys remove ${provider.id} ${key.id}, then add the key again`,
      });
    }
  }
  return checks;
}

function portFree(host: string, port: number): Promise<'free' | 'in-use' | string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'in-use' : error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

async function checkPort(cc: CommandContext, config: Config): Promise<Check[]> {
  const { host, port } = config.server;
  const running = await findRunningRelay(cc.configDir);
  const checks: Check[] = [];
  if (running) {
    checks.push({ result: 'ok', message: `Switchboard ${running.status.version} is running at ${running.runtime.url} (pid ${running.runtime.pid})` });
    if (running.runtime.port === port) return checks;
  }
  if (port === 0) return [...checks, { result: 'ok', message: 'server.port is 0: the relay picks a free port' }];
  const state = await portFree(host, port);
  if (state === 'free') checks.push({ result: 'ok', message: `Port ${port} on ${host} is free` });
  else if (state === 'in-use') {
    checks.push({ result: 'fail', message: `Port ${port} on ${host} is used by another program`, fix: 'stop that program, or choose another port with `switchboard serve --port N` or server.port in config.json' });
  } else checks.push({ result: 'fail', message: `Cannot listen on ${host}:${port}: ${state}`, fix: 'check server.host in config.json (an address of this machine, e.g. 127.0.0.1)' });
  return checks;
}

async function checkRelayToken(cc: CommandContext, config: Config, secrets: SecretStore): Promise<Check> {
  const { host } = config.server;
  if (isLoopbackHost(host)) return { result: 'ok', message: `Listens on loopback (${host}) only: no relay token needed` };
  const token = cc.env.SWITCHBOARD_TOKEN?.trim() || (await secrets.get(RELAY_TOKEN_SECRET).catch(() => undefined));
  return token
    ? { result: 'ok', message: `Listens on ${host} and a relay token is set` }
    : { result: 'fail', message: `server.host is ${host}, beyond loopback, but no relay token is set: the relay refuses to start`, fix: 'set SWITCHBOARD_TOKEN, or set server.host back to 127.0.0.1' };
}

async function checkLocalServers(config: Config): Promise<Check[]> {
  const locals = providerCatalog.filter((entry) => entry.local === true);
  return Promise.all(
    locals.map(async (entry): Promise<Check> => {
      const settings = config.providers[entry.id];
      if (settings?.enabled === false) return { result: 'info', message: `${entry.name} is disabled in the settings` };
      const baseUrl = settings?.baseUrl ?? entry.baseUrl;
      try {
        const response = await fetch(joinBaseUrl(baseUrl, 'models'), { redirect: 'error', signal: AbortSignal.timeout(LOCAL_PROBE_MS) });
        const body = (await response.json().catch(() => undefined)) as { data?: unknown[] } | undefined;
        if (!response.ok) throw new Error(`it answered ${response.status}`);
        const count = Array.isArray(body?.data) ? ` (${body.data.length} models)` : '';
        return { result: 'ok', message: `${entry.name} answers at ${baseUrl}${count}` };
      } catch {
        const start = entry.id === 'ollama' ? 'run `ollama serve`' : 'start its server (`lms server start`)';
        return { result: 'info', message: `${entry.name} is not reachable at ${baseUrl}`, fix: `to use local models, ${start}` };
      }
    }),
  );
}

function checkEnvKeys(env: Record<string, string | undefined>): Check {
  const keys = readEnvKeys(env, catalogKeyEnv());
  if (keys.length === 0) return { result: 'info', message: 'No provider keys in the environment (GROQ_API_KEY, GEMINI_API_KEY, ... are read when set)' };
  return { result: 'ok', message: `Keys in the environment: ${keys.length}`, details: keys.map((key) => `${key.label} ${maskKey(key.secret)} (${key.providerId})`) };
}

async function doctor(cc: CommandContext): Promise<number> {
  const files = configFiles(cc.configDir);
  const checks: Check[] = [checkNode(), await checkConfigDir(cc.configDir)];
  const { config, problem, present } = await readConfig(cc.configDir);
  checks.push(checkConfig(files.config, present, problem));

  let secrets: SecretStore = new MemorySecretStore();
  const secretsFile = await checkPrivateFile(files.secrets, 'Secrets file');
  if (secretsFile) checks.push(secretsFile);
  else checks.push({ result: 'ok', message: 'No secrets.json yet (no stored keys)' });
  if (await exists(cc.configDir)) {
    try {
      secrets = await FileSecretStore.open(cc.configDir);
      await secrets.list();
    } catch (error) {
      checks.push({ result: 'fail', message: error instanceof Error ? error.message : String(error), fix: `repair or move away ${files.secrets}` });
      secrets = new MemorySecretStore();
    }
  }
  const adminToken = await checkPrivateFile(files.adminToken, 'Admin token');
  if (adminToken?.result === 'fail') checks.push(adminToken);

  const ops = { config: new ReadOnlyConfig(config, problem), secrets, catalog: providerCatalog, env: cc.env };
  const { directory } = await offlineDirectory(ops);
  checks.push(...checkProviders(providerViews(directory, await listKeys(ops), providerCatalog)));
  checks.push(...(await checkPort(cc, config)));
  checks.push(await checkRelayToken(cc, config, secrets));
  checks.push(...(await checkLocalServers(config)));
  checks.push(checkEnvKeys(cc.env));

  const marks = { ok: OK, fail: FAIL, info: INFO };
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${marks[check.result]} ${check.message}`);
    for (const detail of check.details ?? []) lines.push(`    ${detail}`);
    if (check.fix) lines.push(`  ${check.result === 'fail' ? 'fix' : 'hint'}: ${check.fix}`);
  }
  const failures = checks.filter((check) => check.result === 'fail').length;
  lines.push('', failures === 0 ? 'No problems found.' : `${failures} problem${failures === 1 ? '' : 's'} found.`);
  cc.io.stdout(`${lines.join('\n')}\n`);
  return failures === 0 ? 0 : 1;
}

export const doctorCommands: Command<CommandContext>[] = [{ name: 'doctor', options: {}, positionals: { min: 0, max: 0, names: '' }, run: doctor }];
