import { spawn } from 'node:child_process';
import type { IntegrationsResponse } from '../admin/dto.js';
import { baseUrlFor, clientBaseUrl, maskToken, relayTarget, relayToken, targetModels } from '../admin/integration-operations.js';
import { findOnPath, IntegrationError, type Integration, type IntegrationContext, type RelayTarget, type TargetModel } from '../integrations/integration.js';
import { integrationById, integrationIds } from '../integrations/registry.js';
import { snippetNames, snippetsFor } from '../integrations/snippets.js';
import { maskKey } from '../keys/redact.js';
import { CliError, portValue, UsageError, type Command, type ParsedArgs } from './args.js';
import { findRunningRelay, offlineDirectory, openOffline, type CommandContext } from './context.js';
import { plural } from './format.js';

/**
 * `switchboard configure <client>`: point a coding agent's own config file at the relay (with a
 * diff first, a backup, and `--undo`), and `switchboard run <client> [args...]`: start it against
 * the relay through environment variables, changing no file. The file work itself lives in
 * relay/integrations; this is the command-line face.
 */

/** `opencode, openclaw, ... or aider`. */
function clientList(): string {
  const ids = integrationIds();
  return ids.length < 2 ? ids.join('') : `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}`;
}

function integrationOf(name: string | undefined, command: string): Integration {
  const integration = name === undefined ? undefined : integrationById(name);
  if (!integration) throw new UsageError(name === undefined ? `Name the client: ${clientList()}.` : `Unknown client '${name.slice(0, 40)}': ${clientList()}.`, command);
  return integration;
}

function failure(error: unknown): unknown {
  return error instanceof IntegrationError ? new CliError(error.message) : error;
}

interface CliTarget {
  target: RelayTarget;
  token: string | undefined;
  running: boolean;
  /** The running relay requires a token this command could not read (another secret store). */
  tokenUnknown: boolean;
}

/**
 * The base URL from the running relay (its runtime file), else `--port` / the configured port; the
 * models from the running relay, else computed from the config directory; the relay token from
 * SWITCHBOARD_TOKEN or the secret store.
 */
async function cliTarget(cc: CommandContext, port: number | undefined): Promise<CliTarget> {
  const offline = await openOffline(cc, false);
  let token: string | undefined;
  let models: TargetModel[] | undefined;
  let baseUrl: string | undefined;
  try {
    token = await relayToken(cc.env, offline.ops.secrets);
    const running = await findRunningRelay(cc.configDir);
    let tokenSet = false;
    if (running) {
      baseUrl = clientBaseUrl(running.runtime.url);
      const answer = await running.client.get<IntegrationsResponse>('/integrations').catch(() => undefined);
      models = answer?.target.models;
      tokenSet = answer?.target.tokenSet === true;
    }
    if (models === undefined) {
      const { directory } = await offlineDirectory(offline.ops);
      models = targetModels(directory.routes(), offline.ops.config.get());
    }
    const config = offline.ops.config.get();
    if (port !== undefined) baseUrl = baseUrlFor(config.server.host, port);
    baseUrl ??= baseUrlFor(config.server.host, config.server.port);
    return { target: relayTarget(baseUrl, token, models), token, running: running !== undefined, tokenUnknown: tokenSet && token === undefined };
  } finally {
    await offline.close();
  }
}

function notRunningNote(target: CliTarget): string {
  if (target.tokenUnknown) {
    return 'warning: the running relay requires a relay token that this command cannot read (its secrets are not in the config directory); set SWITCHBOARD_TOKEN to it and run this again, or the client will be refused.\n';
  }
  return target.running
    ? ''
    : 'Switchboard is not running: the model list comes from the config directory (catalog models; nothing discovered live). Start it with `switchboard serve`.\n';
}

/** y/N on the terminal; false when there is no terminal to ask on. */
async function confirm(cc: CommandContext, question: string): Promise<boolean | undefined> {
  if (cc.io.stdinIsTerminal !== true) return undefined;
  const terminal = cc.io.openTerminal?.();
  if (!terminal) return undefined;
  try {
    const answer = await terminal.ask(`${question} [y/N] `, { hidden: false });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    terminal.close();
  }
}

/** Whether to go ahead: --yes, or a "y" on the terminal. Says why not, otherwise. */
async function goAhead(cc: CommandContext, args: ParsedArgs, question: string, rerun: string): Promise<boolean> {
  if (args.values.yes === true) return true;
  const answer = await confirm(cc, question);
  if (answer === undefined) {
    cc.io.stdout(`Nothing written: re-run with --yes to make this change (\`${rerun} --yes\`).\n`);
    return false;
  }
  if (!answer) cc.io.stdout('Nothing written.\n');
  return answer;
}

async function configure(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const integration = integrationOf(args.positionals[0], 'configure');
  const context: IntegrationContext = { env: cc.env };
  const rerun = `switchboard configure ${integration.id}${args.values.undo === true ? ' --undo' : ''}`;
  if (args.values.undo === true) {
    const planned = await integration.previewUndo(context).catch((error: unknown) => Promise.reject(failure(error)));
    if (planned.outcome === 'nothing') {
      cc.io.stdout(`Nothing to undo: Switchboard has no backup of ${planned.configPath} (it never changed it, or it was already undone).\n`);
      return 0;
    }
    cc.io.stdout(planned.outcome === 'removed' ? `Switchboard created ${planned.configPath}; undo deletes it.\n${planned.diff}` : planned.diff);
    const question = planned.outcome === 'removed' ? `Delete ${planned.configPath}?` : `Restore ${planned.configPath} as it was before Switchboard changed it?`;
    if (!(await goAhead(cc, args, question, rerun))) return 0;
    const done = await integration.undo(context).catch((error: unknown) => Promise.reject(failure(error)));
    cc.io.stdout(done.outcome === 'removed' ? `Deleted ${done.configPath}; the backup marker is gone too.\n` : `Restored ${done.configPath} from its backup and removed the backup.\n`);
    return 0;
  }

  const setDefault = args.values['set-default'] === true;
  const found = await cliTarget(cc, portValue(args.values, 'configure'));
  const { target, token } = found;
  cc.io.stderr(notRunningNote(found));
  const options = { target, setDefault };
  const preview = await integration.preview(context, options).catch((error: unknown) => Promise.reject(failure(error)));
  if (!preview.changed) {
    cc.io.stdout(`${integration.name} is already set up for Switchboard at ${target.baseUrl} (${preview.configPath}): nothing to change.\n`);
    return 0;
  }
  cc.io.stdout(maskToken(preview.diff, token));
  if (!(await goAhead(cc, args, `Write this to ${preview.configPath}?`, `${rerun}${setDefault ? ' --set-default' : ''}`))) return 0;
  const result = await integration.apply(context, options).catch((error: unknown) => Promise.reject(failure(error)));
  const lines = [
    result.before === null ? `Created ${result.configPath} (mode 0600).` : `Updated ${result.configPath} (mode 0600).`,
    result.backupPath !== null
      ? `The original is saved as ${result.backupPath}; \`switchboard configure ${integration.id} --undo\` puts it back.`
      : `\`switchboard configure ${integration.id} --undo\` removes it again.`,
    ...(integration.summary?.(target, setDefault) ?? [
      `${integration.name} now lists ${plural(target.models.length, 'Switchboard model')} as switchboard/<id> (e.g. switchboard/auto-fastest) at ${target.baseUrl}.`,
      setDefault ? `Its default model is now switchboard/${target.defaultModel ?? 'auto-fastest'}.` : 'Its default model is unchanged (add --set-default to make it switchboard/auto-fastest).',
    ]),
  ];
  if (token === undefined) lines.push(`No relay token is set, so its API key is the placeholder '${target.apiKey}' (fine on this machine). After \`switchboard token set\`, run this again.`);
  cc.io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/**
 * `run`'s own arguments: options up to the client's name, then everything after it belongs to
 * the client, untouched (`switchboard run opencode run "say hi" -m switchboard/coding`).
 */
function parseRunArgs(rest: readonly string[]): ParsedArgs {
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const token = rest[index] ?? '';
    if (positionals.length > 0) {
      positionals.push(token);
      continue;
    }
    const [flag, inline] = token.startsWith('--') && token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    if (flag === '--help' || flag === '-h') values.help = true;
    else if (flag === '--version') values.version = true;
    else if (flag === '--port' || flag === '--config-dir') {
      const value = inline ?? rest[++index];
      if (value === undefined) throw new UsageError(`${flag} needs a value.`, 'run');
      values[flag.slice(2)] = value;
    } else if (flag === '--') continue;
    else if (flag.startsWith('-')) throw new UsageError(`Unknown option '${flag.slice(0, 40)}' before the client's name (options for the client go after it).`, 'run');
    else positionals.push(token);
  }
  if (values.help !== true && positionals.length === 0) throw new UsageError(`Name the client: ${clientList()}.`, 'run');
  return { values, positionals };
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

async function runClient(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [name, ...clientArgs] = args.positionals;
  const integration = integrationOf(name, 'run');
  const context: IntegrationContext = { env: cc.env };
  const binary = await findOnPath(context, integration.binaries);
  if (binary === undefined) {
    throw new CliError(`${integration.name} is not installed here: no '${integration.binaries[0] ?? integration.id}' on PATH. Install it (${integration.installHint ?? `npm install -g ${integration.id}`}) and run this again.`);
  }
  const found = await cliTarget(cc, portValue(args.values, 'run'));
  const { target } = found;
  const plan = await integration.runPlan(context, target).catch((error: unknown) => Promise.reject(failure(error)));
  cc.io.stderr(
    `${notRunningNote(found)}Starting ${integration.name} against Switchboard at ${target.baseUrl} (model switchboard/${target.defaultModel ?? 'auto-fastest'}); no config file is changed.\n`,
  );
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(binary, [...(plan.args ?? []), ...clientArgs], {
        stdio: 'inherit',
        env: { ...cc.env, ...plan.env },
        // npm's .cmd shims on Windows only start through a shell.
        shell: process.platform === 'win32' && /\.(cmd|bat)$/i.test(binary),
      });
      // Ctrl-C on the terminal already reaches the client (same process group) and it decides
      // how to stop; a SIGTERM sent to us alone is passed on. Either way we wait for it to exit.
      const stopListening = cc.io.onSignal((signal) => {
        if (signal === 'SIGTERM') child.kill('SIGTERM');
      });
      child.once('error', (error) => {
        stopListening();
        reject(new CliError(`Could not start ${binary}: ${error.message}.`));
      });
      child.once('exit', (code, signal) => {
        stopListening();
        resolve(code ?? (signal !== null ? 128 + (SIGNAL_NUMBERS[signal] ?? 1) : 1));
      });
    });
  } finally {
    await plan.cleanup?.().catch(() => undefined);
  }
}

/** `switchboard snippets [CLIENT] [--reveal]`: copy-paste setup for clients we do not configure. */
async function printSnippets(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const client = args.positionals[0];
  if (client !== undefined && !snippetNames().includes(client.trim().toLowerCase())) {
    throw new UsageError(`Unknown client '${client.slice(0, 40)}': ${snippetNames().join(', ')}.`, 'snippets');
  }
  const found = await cliTarget(cc, portValue(args.values, 'snippets'));
  const { target, token } = found;
  cc.io.stderr(notRunningNote(found));
  const apiKey = token !== undefined && args.values.reveal !== true ? maskKey(token) : target.apiKey;
  const blocks = snippetsFor({ baseUrl: target.baseUrl, apiKey }, client).map((snippet) => `## ${snippet.title}\n\n${snippet.text}\n${snippet.note === undefined ? '' : `\nNote: ${snippet.note}\n`}`);
  cc.io.stdout(blocks.join('\n'));
  if (token !== undefined && args.values.reveal !== true) cc.io.stderr('The relay token is shown masked; add --reveal to print it in full.\n');
  return 0;
}

export const integrationCommands: Command<CommandContext>[] = [
  {
    name: 'configure',
    options: { yes: { type: 'boolean', short: 'y' }, undo: { type: 'boolean' }, 'set-default': { type: 'boolean' }, port: { type: 'string' } },
    positionals: { min: 1, max: 1, names: 'CLIENT (opencode, openclaw, claude, codex, continue or aider)' },
    run: configure,
  },
  {
    name: 'run',
    options: { port: { type: 'string' } },
    positionals: { min: 1, max: Number.MAX_SAFE_INTEGER, names: 'CLIENT [ARGS...]' },
    parse: parseRunArgs,
    run: runClient,
  },
  {
    name: 'snippets',
    options: { reveal: { type: 'boolean' }, port: { type: 'string' } },
    positionals: { min: 0, max: 1, names: 'CLIENT' },
    run: printSnippets,
  },
];
