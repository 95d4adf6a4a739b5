import { parse as parseToml } from 'smol-toml';
import { fieldDrift, isObject } from './drift.js';
import { envValue, expandPath, homeOf, IntegrationError, pathApi, RELAY_PROVIDER_ID, type ApplyOptions, type ClientDefinition, type Inspection, type IntegrationContext, type RelayTarget } from './integration.js';

/**
 * Codex CLI (`@openai/codex`). Its config is `$CODEX_HOME/config.toml`, CODEX_HOME defaulting to
 * `~/.codex` (Windows `%USERPROFILE%\.codex`). We own one table, `[model_providers.switchboard]`
 * (name, base_url, env_key, wire_api = "responses": Codex speaks only the Responses API), and
 * the top-level `model_provider` / `model` only when asked. See shared/reference/clients.md §8.
 *
 * Codex reads a custom provider's key from the environment variable `env_key` names, never from
 * the file: SWITCHBOARD_API_KEY must hold the relay token (any value when none is set) when Codex
 * starts; `switchboard run codex` sets it.
 *
 * The file is read with `smol-toml` (to validate it and to inspect) but edited as text: our keys'
 * lines are replaced or added and nothing else is touched, so every other byte — comments, key
 * order, blank lines, quoting — stays as it was (no TOML library re-serializes losslessly).
 */

export const CODEX_PROVIDER = RELAY_PROVIDER_ID;
/** The environment variable Codex reads the relay token from. */
export const CODEX_KEY_VARIABLE = 'SWITCHBOARD_API_KEY';
const WIRE_API = 'responses';

function codexHome(context: IntegrationContext): string {
  const override = envValue(context, 'CODEX_HOME');
  if (override !== undefined) return expandPath(context, override);
  return pathApi(context).join(homeOf(context), '.codex');
}

function configPath(context: IntegrationContext): string {
  return pathApi(context).join(codexHome(context), 'config.toml');
}

/** Our table's keys as apply writes them, in order. */
export function codexProvider(target: RelayTarget): Record<string, string> {
  return {
    name: 'Switchboard',
    base_url: target.baseUrl,
    env_key: CODEX_KEY_VARIABLE,
    env_key_instructions: `Set ${CODEX_KEY_VARIABLE} to the Switchboard relay token (any value when none is set), or start Codex with \`switchboard run codex\`.`,
    wire_api: WIRE_API,
  };
}

function defaultModelOf(target: RelayTarget): string {
  return target.defaultModel ?? 'auto-fastest';
}

/** A TOML basic string (JSON's escapes are a subset of TOML's, except \u2028-style characters are fine either way). */
function tomlString(value: string): string {
  return JSON.stringify(value).replace(/[\u007f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parse(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  try {
    return parseToml(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new IntegrationError(`Codex's config is not valid TOML (${message}).`, 'invalid-file');
  }
}

function providerIn(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const providers = value.model_providers;
  const entry = isObject(providers) ? providers[CODEX_PROVIDER] : undefined;
  return isObject(entry) ? entry : undefined;
}

function inspect(text: string | undefined, target: RelayTarget | undefined): Inspection {
  const value = parse(text);
  const provider = typeof value.model_provider === 'string' ? value.model_provider : undefined;
  const model = typeof value.model === 'string' ? value.model : undefined;
  // `provider/model` like the other clients, so a default of ours reads `switchboard/auto-fastest`.
  const defaultModel = model === undefined ? undefined : `${provider ?? 'openai'}/${model}`;
  const withDefault = defaultModel === undefined ? {} : { defaultModel };
  const entry = providerIn(value);
  if (entry === undefined) return { present: false, modelIds: [], ...withDefault, drift: [] };
  const baseUrl = typeof entry.base_url === 'string' ? entry.base_url : undefined;
  const drift: string[] = [];
  if (target !== undefined) {
    const expected = codexProvider(target);
    drift.push(
      ...fieldDrift([
        { label: 'base_url', actual: baseUrl, expected: expected.base_url },
        { label: 'wire_api', actual: entry.wire_api, expected: WIRE_API },
        { label: 'env_key', actual: entry.env_key, expected: CODEX_KEY_VARIABLE },
      ]),
    );
  }
  return { present: true, ...(baseUrl === undefined ? {} : { baseUrl }), modelIds: model !== undefined && provider === CODEX_PROVIDER ? [model] : [], ...withDefault, drift };
}

// --- Text editing ------------------------------------------------------------------------------

interface Lines {
  lines: string[];
  eol: string;
  bom: string;
  /** The file ended with a line break. */
  finalEol: boolean;
}

function splitLines(text: string): Lines {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const finalEol = body.endsWith('\n');
  const lines = body === '' ? [] : body.replace(/\r?\n$/, '').split(/\r?\n/);
  return { lines, eol, bom, finalEol };
}

function joinLines({ lines, eol, bom }: Lines): string {
  return lines.length === 0 ? '' : `${bom}${lines.join(eol)}${eol}`;
}

/** A table header line (`[a.b]`, `[[a]]`), with an optional comment. */
const HEADER = /^\s*\[\[?\s*([^\]#]+?)\s*\]\]?\s*(#.*)?$/;
const OUR_HEADER = new RegExp(`^\\s*\\[\\s*model_providers\\s*\\.\\s*(${CODEX_PROVIDER}|"${CODEX_PROVIDER}"|'${CODEX_PROVIDER}')\\s*\\]\\s*(#.*)?$`);

function keyLine(key: string): RegExp {
  return new RegExp(`^\\s*(${key}|"${key}"|'${key}')\\s*=`);
}

/** Index of the first line of the next table after `from` (or the line count). */
function tableEnd(lines: readonly string[], from: number): number {
  for (let index = from; index < lines.length; index++) if (HEADER.test(lines[index] ?? '')) return index;
  return lines.length;
}

/**
 * Sets `key = value` in lines [start, end): replaces the line that sets it (keeping its indentation
 * and a trailing comment), else inserts it after the section's last non-blank line. Returns the new end.
 */
function setKey(lines: string[], start: number, end: number, key: string, value: string): number {
  const pattern = keyLine(key);
  for (let index = start; index < end; index++) {
    const line = lines[index] ?? '';
    if (!pattern.test(line)) continue;
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    const comment = /\s+#[^"']*$/.exec(line)?.[0] ?? '';
    const replaced = `${indent}${key} = ${value}${comment}`;
    const current = line.slice(line.indexOf('=') + 1).replace(/\s+#[^"']*$/, '').trim();
    if (current !== value) lines[index] = replaced;
    return end;
  }
  let at = end;
  while (at > start && (lines[at - 1] ?? '').trim() === '') at--;
  lines.splice(at, 0, `${key} = ${value}`);
  return end + 1;
}

function render(text: string | undefined, options: ApplyOptions): string {
  const value = parse(text);
  const { target } = options;
  const file = splitLines(text ?? '');
  const { lines } = file;
  const entries = Object.entries(codexProvider(target)).map(([key, item]) => [key, tomlString(item)] as const);

  const header = lines.findIndex((line) => OUR_HEADER.test(line));
  if (header >= 0) {
    let end = tableEnd(lines, header + 1);
    for (const [key, item] of entries) end = setKey(lines, header + 1, end, key, item);
  } else {
    if (providerIn(value) !== undefined) {
      throw new IntegrationError(
        `Codex's config defines model_providers.${CODEX_PROVIDER} in a form Switchboard does not edit (not as a [model_providers.${CODEX_PROVIDER}] table); change it by hand or remove it.`,
        'invalid-file',
      );
    }
    if (lines.length > 0 && (lines[lines.length - 1] ?? '').trim() !== '') lines.push('');
    lines.push(`[model_providers.${CODEX_PROVIDER}]`, ...entries.map(([key, item]) => `${key} = ${item}`));
  }

  if (options.setDefault === true) {
    for (const [key, item] of [
      ['model_provider', CODEX_PROVIDER],
      ['model', defaultModelOf(target)],
    ] as const) {
      setTopLevel(lines, key, tomlString(item));
    }
  }
  const rendered = joinLines(file);
  if (text !== undefined && !file.finalEol && rendered === `${text}${file.eol}`) return text;
  check(rendered, options);
  return rendered;
}

/**
 * A top-level key: replaced where it is set, else added at the end of the top-level section —
 * before the first table and the comment lines that introduce it, a blank line after it.
 */
function setTopLevel(lines: string[], key: string, value: string): void {
  const first = tableEnd(lines, 0);
  const pattern = keyLine(key);
  if (lines.slice(0, first).some((line) => pattern.test(line))) {
    setKey(lines, 0, first, key, value);
    return;
  }
  let at = first;
  while (at > 0 && (lines[at - 1] ?? '').trim() === '') at--;
  if (first < lines.length) while (at > 0 && (lines[at - 1] ?? '').trim().startsWith('#')) at--;
  while (at > 0 && (lines[at - 1] ?? '').trim() === '') at--;
  const added = [`${key} = ${value}`];
  if (at < lines.length && (lines[at] ?? '').trim() !== '' && !pattern.test(lines[at] ?? '') && !/^\s*[A-Za-z0-9_"'.-]+\s*=/.test(lines[at] ?? '')) added.push('');
  lines.splice(at, 0, ...added);
}

/** The edited text must parse and say what we meant; a slip of the line editing never reaches the file. */
function check(rendered: string, options: ApplyOptions): void {
  const value = parse(rendered);
  const entry = providerIn(value) ?? {};
  const wanted = codexProvider(options.target);
  const wrong = Object.entries(wanted).some(([key, item]) => entry[key] !== item);
  const topWrong = options.setDefault === true && (value.model_provider !== CODEX_PROVIDER || value.model !== defaultModelOf(options.target));
  if (wrong || topWrong) {
    throw new IntegrationError(`Switchboard cannot edit Codex's config safely (its layout is unusual); add the [model_providers.${CODEX_PROVIDER}] table by hand (see \`switchboard snippets\`).`, 'invalid-file');
  }
}

/** `-c key=value` overrides: Codex parses each value as TOML. */
function overrides(target: RelayTarget): string[] {
  const args: string[] = [];
  for (const [key, item] of Object.entries(codexProvider(target))) args.push('-c', `model_providers.${CODEX_PROVIDER}.${key}=${tomlString(item)}`);
  args.push('-c', `model_provider=${tomlString(CODEX_PROVIDER)}`, '-c', `model=${tomlString(defaultModelOf(target))}`);
  return args;
}

export const codex: ClientDefinition = {
  id: 'codex',
  name: 'Codex CLI',
  binaries: ['codex'],
  installHint: 'npm install -g @openai/codex',
  summary: (target, setDefault) => [
    `Codex now has the provider "${CODEX_PROVIDER}" at ${target.baseUrl} (Responses API).`,
    setDefault ? `Its default is now model_provider = "${CODEX_PROVIDER}", model = "${defaultModelOf(target)}".` : `Its default is unchanged (add --set-default, or use \`codex -c model_provider=${CODEX_PROVIDER} -m auto-fastest\`).`,
    `Codex reads the key from ${CODEX_KEY_VARIABLE}: export ${CODEX_KEY_VARIABLE}=<relay token> (any value when none is set) before starting it, or use \`switchboard run codex\`.`,
  ],
  configPath,
  installDirs: (context) => [codexHome(context)],
  inspect,
  render,
  /**
   * `-c` overrides (placed before the user's arguments, where both `codex` and `codex exec` read
   * them) name our provider and model; the token goes in SWITCHBOARD_API_KEY. No file changes.
   */
  async runPlan(_context, target) {
    return { env: { [CODEX_KEY_VARIABLE]: target.apiKey }, args: overrides(target) };
  },
};
