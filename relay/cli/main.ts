import { OperationError } from '../admin/operation-context.js';
import { packageVersion } from '../admin/version.js';
import { AdminApiError } from './admin-client.js';
import { CliError, parseCommandArgs, splitCommand, stringValue, UsageError, type Command } from './args.js';
import { configDirOf, type CommandContext } from './context.js';
import { processIo, type CliIo } from './io.js';
import { COMMAND_USAGE, MAIN_USAGE } from './usage.js';

/**
 * The headless command line. `main` takes the arguments (without `node` and the script) and
 * the outside world as a CliIo, and resolves to the exit code: 0 done, 1 failed (one line on
 * stderr), 2 bad arguments (usage on stderr).
 */

type Commands = readonly Command<CommandContext>[];

/**
 * Where each command lives, by its first word. A module is loaded only for the command that
 * runs, so a long-running `serve` does not hold the integrations, their file parsers or the
 * diagnostics in memory.
 */
const serve = async () => (await import('./serve.js')).serveCommands;
const status = async () => (await import('./status.js')).statusCommands;
const integrations = async () => (await import('./integrations.js')).integrationCommands;

export const COMMAND_MODULES: ReadonlyMap<string, () => Promise<Commands>> = new Map(
  Object.entries({
    serve,
    start: serve,
    demo: async () => (await import('./demo.js')).demoCommands,
    status,
    models: status,
    keys: async () => (await import('./keys.js')).keysCommands,
    endpoints: async () => (await import('./endpoints.js')).endpointsCommands,
    token: async () => (await import('./token.js')).tokenCommands,
    doctor: async () => (await import('./doctor.js')).doctorCommands,
    config: async () => (await import('./config.js')).configCommands,
    configure: integrations,
    run: integrations,
    snippets: integrations,
  }),
);
const GROUPS = new Set(['keys', 'endpoints', 'token', 'config']);

function usageOf(topic: string | undefined): string {
  return (topic === undefined ? undefined : COMMAND_USAGE[topic]) ?? MAIN_USAGE;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let topic: string | undefined;
  try {
    const { words, rest } = splitCommand(argv);
    const [first, second] = words;

    if (first === undefined) {
      if (rest.includes('--version')) {
        io.stdout(`${packageVersion()}\n`);
        return 0;
      }
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(`${MAIN_USAGE}\n`);
        return 0;
      }
      throw new UsageError(rest.length > 0 ? `Unexpected '${rest[0]?.slice(0, 40)}' before a command.` : 'No command given.', undefined);
    }
    if (first === 'help') {
      const wanted = words.slice(1).join(' ');
      if (wanted !== '' && COMMAND_USAGE[wanted] === undefined) throw new UsageError(`Unknown command '${wanted.slice(0, 40)}'.`, undefined);
      io.stdout(`${usageOf(wanted === '' ? undefined : wanted)}\n`);
      return 0;
    }

    const name = GROUPS.has(first) ? (second === undefined ? first : `${first} ${second}`) : first;
    topic = COMMAND_USAGE[name] === undefined ? (GROUPS.has(first) ? first : undefined) : name;
    const command = (await COMMAND_MODULES.get(first)?.())?.find((candidate) => candidate.name === name);
    if (!command) {
      if (GROUPS.has(first) && second === undefined) {
        if (rest.includes('--help') || rest.includes('-h')) {
          io.stdout(`${usageOf(first)}\n`);
          return 0;
        }
        throw new UsageError(`Missing the ${first} subcommand: ${first === 'token' ? 'set, clear or show' : first === 'config' ? 'export or import' : 'add, list or remove'}.`, first);
      }
      throw new UsageError(GROUPS.has(first) ? `Unknown subcommand '${second?.slice(0, 40)}' of ${first}.` : `Unknown command '${first.slice(0, 40)}'.`, topic);
    }

    const args = command.parse ? command.parse(rest) : parseCommandArgs(name, rest, command.options, command.positionals);
    if (args.values.help === true) {
      io.stdout(`${usageOf(name)}\n`);
      return 0;
    }
    if (args.values.version === true) {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    const context: CommandContext = { io, env: io.env, configDir: configDirOf(stringValue(args.values, 'config-dir'), io.env) };
    return await command.run(context, args);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`switchboard: ${error.message}\n\n${usageOf(error.command ?? topic)}\n`);
      return 2;
    }
    const known = error instanceof CliError || error instanceof OperationError || error instanceof AdminApiError;
    // One line: messages of unexpected errors may span lines; keys never appear in them.
    io.stderr(`switchboard: ${known ? error.message : messageOf(error).split('\n')[0]}\n`);
    return 1;
  }
}
