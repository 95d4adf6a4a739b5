import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad command-line arguments: the command's usage goes to stderr and the exit code is 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command: string | undefined) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure to report as one line on stderr, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  'config-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies OptionSpecs;

/** Commands that take a subcommand. */
const GROUPS = new Set(['keys', 'endpoints', 'token', 'config']);

export interface SplitArgs {
  /** `['keys', 'add']`, `['serve']`, or `[]`. */
  words: string[];
  /** Everything else, in order, for parseArgs. */
  rest: string[];
}

/**
 * Separates the command words from options and operands: the first bare word is the command,
 * and for `keys` and `endpoints` the next bare word is the subcommand. A global option's value
 * (`--config-dir D` before the command) is not mistaken for a command.
 */
export function splitCommand(argv: readonly string[]): SplitArgs {
  const words: string[] = [];
  const rest: string[] = [];
  const wanted = () => (words.length === 0 ? 1 : GROUPS.has(words[0] ?? '') || words[0] === 'help' ? 2 : 1);
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] ?? '';
    if (token === '--') {
      rest.push(...argv.slice(index));
      break;
    }
    if (token.startsWith('-') && token !== '-') {
      rest.push(token);
      if (token === '--config-dir' && index + 1 < argv.length) rest.push(argv[++index] ?? '');
      continue;
    }
    if (words.length < wanted()) words.push(token);
    else rest.push(token);
  }
  // `help keys add`: the third word belongs to the help topic.
  if (words[0] === 'help' && GROUPS.has(words[1] ?? '') && rest[0] !== undefined && !rest[0].startsWith('-')) words.push(rest.shift() ?? '');
  return { words, rest };
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** parseArgs in strict mode; its complaints become a UsageError for `command`. */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionSpecs, positionals: { min: number; max: number; names: string }): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    const result = parseArgs({ args: [...args], options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    parsed = { values: result.values as ParsedArgs['values'], positionals: result.positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
  if (parsed.values.help === true) return parsed;
  if (parsed.positionals.length < positionals.min) throw new UsageError(`Missing ${positionals.names}.`, command);
  if (parsed.positionals.length > positionals.max) {
    // The value is not echoed: it may be a key typed in the wrong place.
    throw new UsageError(`Too many arguments: at most ${positionals.max}${positionals.max > 0 ? ` (${positionals.names})` : ''}.`, command);
  }
  return parsed;
}

export function stringValue(values: ParsedArgs['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listValue(values: ParsedArgs['values'], name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

/** `--port N`: an integer from 0 to 65535. */
export function portValue(values: ParsedArgs['values'], command: string): number | undefined {
  const text = stringValue(values, 'port');
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port must be a number from 0 to 65535, not '${text.slice(0, 20)}'.`, command);
  return Number(text);
}

/** One runnable command: `serve`, `keys add`, ... */
export interface Command<Context> {
  name: string;
  options: OptionSpecs;
  positionals: { min: number; max: number; names: string };
  /** Parses the arguments itself instead of parseArgs (a command that passes arguments through). */
  parse?(rest: readonly string[]): ParsedArgs;
  run(context: Context, args: ParsedArgs): Promise<number>;
}
