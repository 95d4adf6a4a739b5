import { createRelay, PortInUseError, type Relay, type RelayAddress } from '../index.js';
import { CliError, portValue, stringValue, type Command, type ParsedArgs } from './args.js';
import { findRunningRelay, type CommandContext } from './context.js';
import type { TerminationSignal } from './io.js';

/** `switchboard serve` and `switchboard start`: the relay in the foreground. */

/** How long the ready/needs-key line waits for the first discovery (local servers, live lists). */
const DISCOVERY_WAIT_MS = 3_000;

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Which providers can serve now and which still need a key, in one line. */
function providerSummary(relay: Relay): string {
  const providers = relay.providerStatuses();
  const ids = (status: string) =>
    providers
      .filter((provider) => provider.status === status)
      .map((provider) => provider.id)
      .join(', ');
  const ready = ids('ready');
  const needKey = ids('needs-key');
  const parts = [ready ? `Ready: ${ready}.` : 'No provider is ready yet.'];
  if (needKey) parts.push(`Need a key: ${needKey} (switchboard keys add PROVIDER; signup links: switchboard doctor).`);
  return parts.join(' ');
}

function waitForSignal(cc: CommandContext): Promise<TerminationSignal> {
  return new Promise((resolve) => {
    const stop = cc.io.onSignal((signal) => {
      stop();
      resolve(signal);
    });
  });
}

/** What a command built on serve adds (`switchboard demo`). */
export interface ServeMode {
  demo?: boolean;
  /** Lines printed after the dashboard link. */
  intro?: (relay: Relay, address: RelayAddress) => Promise<string[]>;
}

export async function serve(cc: CommandContext, args: ParsedArgs, command: string, mode: ServeMode = {}): Promise<number> {
  const port = portValue(args.values, command);
  const host = stringValue(args.values, 'host');
  const { io } = cc;
  const already = await findRunningRelay(cc.configDir);
  if (already) {
    throw new CliError(
      `Switchboard is already running for ${cc.configDir} at ${already.runtime.url} (pid ${already.runtime.pid}); stop it first, or use another --config-dir.`,
    );
  }
  const relay = await createRelay({
    configDir: cc.configDir,
    env: cc.env,
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(mode.demo === true ? { demo: true } : {}),
    logger: {
      info: (message) => io.stderr(`${message}\n`),
      warn: (message) => io.stderr(`warning: ${message}\n`),
      error: (message) => io.stderr(`error: ${message}\n`),
    },
  });
  let address: RelayAddress;
  try {
    address = await relay.listen();
  } catch (error) {
    await relay.close().catch(() => undefined);
    if (error instanceof PortInUseError) throw new CliError(error.message);
    throw error;
  }
  const signal = waitForSignal(cc);
  io.stdout(`Switchboard is listening at ${address.url}/v1\n`);
  // The link carries the admin token once; the page trades it for an HttpOnly cookie and drops it from the address bar.
  io.stdout(`Dashboard: ${dashboardLink(address.url, relay.adminToken)}\n`);
  for (const line of (await mode.intro?.(relay, address)) ?? []) io.stdout(`${line}\n`);
  await Promise.race([relay.discovered(), wait(DISCOVERY_WAIT_MS), signal]);
  io.stdout(`${providerSummary(relay)}\n`);
  io.stdout('Press Ctrl-C to stop.\n');
  const received = await signal;
  io.stderr(`Stopping (${received})…\n`);
  await relay.close();
  return 0;
}

export const serveCommands: Command<CommandContext>[] = [
  {
    name: 'serve',
    options: { port: { type: 'string' }, host: { type: 'string' } },
    positionals: { min: 0, max: 0, names: '' },
    run: (cc, args) => serve(cc, args, 'serve'),
  },
  {
    name: 'start',
    options: { port: { type: 'string' }, host: { type: 'string' } },
    positionals: { min: 0, max: 0, names: '' },
    run: (cc, args) => {
      cc.io.stdout('The desktop app is not available here; running the relay headless.\n');
      return serve(cc, args, 'start');
    },
  },
];

/** The one-time dashboard link: opening it signs this browser in to the dashboard. */
export function dashboardLink(origin: string, adminToken: string): string {
  return `${origin}/?admin=${encodeURIComponent(adminToken)}`;
}
