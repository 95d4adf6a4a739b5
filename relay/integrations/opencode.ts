import { lstatSync } from 'node:fs';
import { fieldDrift, isObject, modelDrift } from './drift.js';
import { envValue, expandPath, homeOf, pathApi, RELAY_PROVIDER_ID, type ApplyOptions, type ClientDefinition, type Inspection, type IntegrationContext, type RelayTarget, type TargetModel } from './integration.js';
import { jsonEqual, openJsonDocument } from './json-document.js';

/**
 * OpenCode (`opencode-ai`). Its global config is `opencode.json` or `opencode.jsonc` in
 * `$XDG_CONFIG_HOME/opencode` (default `~/.config/opencode`, on every OS — it uses xdg-basedir);
 * `OPENCODE_CONFIG` names a file that overrides it. JSONC: comments and trailing commas.
 * We add one provider, `provider.switchboard`, through `@ai-sdk/openai-compatible` (which
 * OpenCode ships with), and `model` only when asked. See shared/reference/clients.md §5.
 */

export const OPENCODE_PROVIDER = RELAY_PROVIDER_ID;
const SDK_PACKAGE = '@ai-sdk/openai-compatible';
/** OpenCode asks for min(limit.output, 32000) tokens; without a known limit, a size most upstreams accept. */
const DEFAULT_OUTPUT_TOKENS = 8_192;

function configDir(context: IntegrationContext): string {
  const path = pathApi(context);
  const xdg = envValue(context, 'XDG_CONFIG_HOME');
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homeOf(context), '.config');
  return path.join(base, 'opencode');
}

function dataDir(context: IntegrationContext): string {
  const path = pathApi(context);
  const xdg = envValue(context, 'XDG_DATA_HOME');
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homeOf(context), '.local', 'share');
  return path.join(base, 'opencode');
}

/** Something is at `path` (a symbolic link counts: it is then refused rather than skipped). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** OPENCODE_CONFIG, else the global opencode.jsonc if it exists (it is read last, so it wins), else opencode.json. */
function configPath(context: IntegrationContext): string {
  const override = envValue(context, 'OPENCODE_CONFIG');
  if (override !== undefined) return expandPath(context, override);
  const dir = configDir(context);
  const jsonc = pathApi(context).join(dir, 'opencode.jsonc');
  return present(jsonc) ? jsonc : pathApi(context).join(dir, 'opencode.json');
}

function modelEntry(model: TargetModel): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: model.name };
  if (model.contextWindow !== undefined) {
    const output = Math.min(model.maxOutputTokens ?? DEFAULT_OUTPUT_TOKENS, model.contextWindow);
    entry.limit = { context: model.contextWindow, output };
  }
  if (model.vision === true) entry.modalities = { input: ['text', 'image'], output: ['text'] };
  return entry;
}

function modelsOf(target: RelayTarget): Record<string, unknown> {
  return Object.fromEntries(target.models.map((model) => [model.id, modelEntry(model)]));
}

/** Our provider entry as apply writes it. */
export function openCodeProvider(target: RelayTarget): Record<string, unknown> {
  return {
    npm: SDK_PACKAGE,
    name: 'Switchboard',
    options: { baseURL: target.baseUrl, apiKey: target.apiKey },
    models: modelsOf(target),
  };
}

function defaultModelOf(target: RelayTarget): string {
  return `${OPENCODE_PROVIDER}/${target.defaultModel ?? 'auto-fastest'}`;
}

function inspect(text: string | undefined, target: RelayTarget | undefined): Inspection {
  const document = openJsonDocument(text, { json5: false });
  const model = document.get(['model']);
  const defaultModel = typeof model === 'string' ? model : undefined;
  const entry = document.get(['provider', OPENCODE_PROVIDER]);
  if (!isObject(entry)) return { present: false, modelIds: [], ...(defaultModel === undefined ? {} : { defaultModel }), drift: [] };
  const options = isObject(entry.options) ? entry.options : {};
  const baseUrl = typeof options.baseURL === 'string' ? options.baseURL : undefined;
  const models = isObject(entry.models) ? entry.models : {};
  const modelIds = Object.keys(models);
  const drift: string[] = [];
  if (target !== undefined) {
    drift.push(
      ...fieldDrift([
        { label: 'npm package', actual: entry.npm, expected: SDK_PACKAGE },
        { label: 'baseURL', actual: baseUrl, expected: target.baseUrl },
        { label: 'apiKey', actual: options.apiKey, expected: target.apiKey, secret: true },
      ]),
    );
    const served = target.models.map((item) => item.id);
    const ids = modelDrift(modelIds, served);
    drift.push(...ids);
    if (ids.length === 0 && !jsonEqual(models, modelsOf(target))) drift.push('its model details (names, context limits) differ from what the relay reports');
  }
  return { present: true, ...(baseUrl === undefined ? {} : { baseUrl }), modelIds, ...(defaultModel === undefined ? {} : { defaultModel }), drift };
}

function render(text: string | undefined, options: ApplyOptions): string {
  const document = openJsonDocument(text, { json5: false });
  const { target } = options;
  const entry = document.get(['provider', OPENCODE_PROVIDER]);
  const fresh = text === undefined || text.trim() === '';
  if (fresh) document.set(['$schema'], 'https://opencode.ai/config.json');
  if (!isObject(entry)) {
    document.set(['provider', OPENCODE_PROVIDER], openCodeProvider(target));
  } else {
    // Only the fields we own: a user's own additions (headers, timeout, ...) stay.
    const provider = ['provider', OPENCODE_PROVIDER];
    document.set([...provider, 'npm'], SDK_PACKAGE);
    if (typeof entry.name !== 'string') document.set([...provider, 'name'], 'Switchboard');
    document.set([...provider, 'options', 'baseURL'], target.baseUrl);
    document.set([...provider, 'options', 'apiKey'], target.apiKey);
    document.set([...provider, 'models'], modelsOf(target));
  }
  if (options.setDefault === true) document.set(['model'], defaultModelOf(target));
  return document.text;
}

export const openCode: ClientDefinition = {
  id: 'opencode',
  name: 'OpenCode',
  binaries: ['opencode'],
  installHint: 'npm install -g opencode-ai',
  configPath,
  installDirs: (context) => [configDir(context), dataDir(context)],
  inspect,
  render,
  /**
   * OPENCODE_CONFIG_CONTENT: inline config OpenCode merges over every file (the way
   * `ollama launch opencode` passes its settings), so nothing on disk changes.
   */
  async runPlan(context, target) {
    let inline: Record<string, unknown> = {};
    const existing = context.env.OPENCODE_CONFIG_CONTENT;
    if (existing !== undefined && existing.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(existing);
        if (isObject(parsed)) inline = parsed;
      } catch {
        // Not JSON: OpenCode could not have used it either; ours replaces it.
      }
    }
    const providers = isObject(inline.provider) ? inline.provider : {};
    const content = { ...inline, provider: { ...providers, [OPENCODE_PROVIDER]: openCodeProvider(target) }, model: defaultModelOf(target) };
    return { env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(content) } };
  },
};
