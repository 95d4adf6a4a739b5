import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-file.js';
import { fieldDrift, isObject, modelDrift } from './drift.js';
import { envValue, expandPath, homeOf, IntegrationError, pathApi, RELAY_PROVIDER_ID, type ApplyOptions, type ClientDefinition, type Inspection, type IntegrationContext, type RelayTarget, type TargetModel } from './integration.js';
import { jsonEqual, openJsonDocument, type JsonDocument } from './json-document.js';

/**
 * OpenClaw (`openclaw`). Its config is `openclaw.json` in the state directory: `OPENCLAW_CONFIG_PATH`
 * names the file, else `$OPENCLAW_STATE_DIR/openclaw.json`, else `~/.openclaw/openclaw.json`
 * (`OPENCLAW_HOME` replaces the home directory) — as openclaw's src/config/paths.ts resolves it.
 * The file is JSON5 (OpenClaw itself rewrites it as plain JSON). We add one provider,
 * `models.providers.switchboard` with `api: "openai-completions"`, and the default model
 * (`agents.defaults.model.primary`) only when asked. See shared/reference/clients.md §6.
 */

export const OPENCLAW_PROVIDER = RELAY_PROVIDER_ID;
const API = 'openai-completions';

function stateDir(context: IntegrationContext): string {
  const override = envValue(context, 'OPENCLAW_STATE_DIR');
  if (override !== undefined) return expandPath(context, override);
  const home = envValue(context, 'OPENCLAW_HOME');
  return pathApi(context).join(home !== undefined ? expandPath(context, home) : homeOf(context), '.openclaw');
}

function configPath(context: IntegrationContext): string {
  const override = envValue(context, 'OPENCLAW_CONFIG_PATH');
  if (override !== undefined) return expandPath(context, override);
  return pathApi(context).join(stateDir(context), 'openclaw.json');
}

function modelEntry(model: TargetModel): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    id: model.id,
    name: model.name,
    // Images are dropped unless a model says it takes them.
    input: model.vision === true ? ['text', 'image'] : ['text'],
    reasoning: model.reasoning === true,
  };
  if (model.contextWindow !== undefined) entry.contextWindow = model.contextWindow;
  if (model.maxOutputTokens !== undefined) entry.maxTokens = model.maxOutputTokens;
  // The relay does not bill; OpenClaw's usage view then shows no cost rather than a guess.
  entry.cost = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  return entry;
}

/** Our provider entry as apply writes it. */
export function openClawProvider(target: RelayTarget): Record<string, unknown> {
  return { baseUrl: target.baseUrl, apiKey: target.apiKey, api: API, models: target.models.map(modelEntry) };
}

function qualified(target: RelayTarget, id = target.defaultModel ?? 'auto-fastest'): string {
  return `${OPENCLAW_PROVIDER}/${id}`;
}

const DEFAULT_MODEL = ['agents', 'defaults', 'model'];
const ALLOWLIST = ['agents', 'defaults', 'models'];
const PROVIDER = ['models', 'providers', OPENCLAW_PROVIDER];

function defaultModelIn(document: JsonDocument): string | undefined {
  const model = document.get(DEFAULT_MODEL);
  if (typeof model === 'string') return model;
  return isObject(model) && typeof model.primary === 'string' ? model.primary : undefined;
}

function inspect(text: string | undefined, target: RelayTarget | undefined): Inspection {
  const document = openJsonDocument(text, { json5: true });
  const defaultModel = defaultModelIn(document);
  const withDefault = defaultModel === undefined ? {} : { defaultModel };
  const entry = document.get(PROVIDER);
  if (!isObject(entry)) return { present: false, modelIds: [], ...withDefault, drift: [] };
  const baseUrl = typeof entry.baseUrl === 'string' ? entry.baseUrl : undefined;
  const models = Array.isArray(entry.models) ? entry.models : [];
  const modelIds = models.map((model) => (isObject(model) && typeof model.id === 'string' ? model.id : '')).filter((id) => id !== '');
  const drift: string[] = [];
  if (target !== undefined) {
    drift.push(
      ...fieldDrift([
        { label: 'api', actual: entry.api, expected: API },
        { label: 'baseUrl', actual: baseUrl, expected: target.baseUrl },
        { label: 'apiKey', actual: entry.apiKey, expected: target.apiKey, secret: true },
      ]),
    );
    const ids = modelDrift(modelIds, target.models.map((model) => model.id));
    drift.push(...ids);
    if (ids.length === 0 && !jsonEqual(models, target.models.map(modelEntry))) drift.push('its model details (names, context windows) differ from what the relay reports');
    const allowlist = document.get(ALLOWLIST);
    if (isObject(allowlist)) {
      const hidden = target.models.filter((model) => !Object.hasOwn(allowlist, qualified(target, model.id))).map((model) => model.id);
      if (hidden.length > 0) drift.push(`agents.defaults.models (the model allowlist) hides ${hidden.length === 1 ? 'one of its models' : `${hidden.length} of its models`}`);
    }
  }
  return { present: true, ...(baseUrl === undefined ? {} : { baseUrl }), modelIds, ...withDefault, drift };
}

function render(text: string | undefined, options: ApplyOptions): string {
  const document = openJsonDocument(text, { json5: true });
  const { target } = options;
  const entry = document.get(PROVIDER);
  if (!isObject(entry)) {
    document.set(PROVIDER, openClawProvider(target));
  } else {
    // Only the fields we own: a user's own additions (headers, timeouts, ...) stay.
    document.set([...PROVIDER, 'baseUrl'], target.baseUrl);
    document.set([...PROVIDER, 'apiKey'], target.apiKey);
    document.set([...PROVIDER, 'api'], API);
    document.set([...PROVIDER, 'models'], target.models.map(modelEntry));
  }
  // With an allowlist, OpenClaw offers only the models named in it: name ours too (an alias the
  // user gave one of them stays).
  const allowlist = document.get(ALLOWLIST);
  if (isObject(allowlist)) {
    for (const model of target.models) {
      const key = qualified(target, model.id);
      if (!Object.hasOwn(allowlist, key)) document.set([...ALLOWLIST, key], {});
    }
  }
  if (options.setDefault === true) {
    // `model` may be a plain "provider/model" string or { primary, fallbacks }; keep its shape.
    const current = document.get(DEFAULT_MODEL);
    document.set(typeof current === 'string' ? DEFAULT_MODEL : [...DEFAULT_MODEL, 'primary'], qualified(target));
  }
  return document.text;
}

export const openClaw: ClientDefinition = {
  id: 'openclaw',
  name: 'OpenClaw',
  binaries: ['openclaw'],
  installHint: 'npm install -g openclaw',
  configPath,
  installDirs: (context) => [stateDir(context)],
  inspect,
  render,
  /**
   * OpenClaw reads its whole config from one file, so `run` writes the user's config plus our
   * entries to a private temporary file and points OPENCLAW_CONFIG_PATH at it; the user's file is
   * only read. Settings OpenClaw itself saves during that run go to the temporary copy.
   */
  async runPlan(context, target) {
    const source = configPath(context);
    const text = await readFileIfExists(source);
    if (text !== undefined && text.includes('$include')) {
      throw new IntegrationError(
        `${source} uses $include, whose paths are relative to it, so \`switchboard run openclaw\` cannot layer a copy over it. Use \`switchboard configure openclaw\` instead.`,
        'invalid-file',
      );
    }
    let rendered: string;
    try {
      rendered = render(text, { target, setDefault: true });
    } catch (error) {
      throw new IntegrationError(`Cannot read ${source} as OpenClaw's config: ${error instanceof Error ? error.message : String(error)}.`, 'invalid-file');
    }
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-openclaw-'));
    const file = join(dir, 'openclaw.json');
    await writeFileAtomic(file, rendered, { mode: 0o600 });
    return { env: { OPENCLAW_CONFIG_PATH: file }, cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
};
