import { lstatSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-file.js';
import { fieldDrift, isObject } from './drift.js';
import { envValue, expandPath, homeOf, pathApi, RELAY_PROVIDER_ID, type ApplyOptions, type ClientDefinition, type Inspection, type IntegrationContext, type RelayTarget } from './integration.js';
import { jsonEqual } from './json-document.js';
import { openYamlFile } from './yaml-document.js';

/**
 * Continue (the IDE extension, and its `cn` CLI, `@continuedev/cli`). Its global config is
 * `~/.continue/config.yaml` (`CONTINUE_GLOBAL_DIR` relocates `~/.continue`; Windows
 * `%USERPROFILE%\.continue`), which takes precedence over the legacy config.json. We own one
 * entry of `models`, the one named "Switchboard": provider openai (Continue's OpenAI-compatible
 * client), apiBase the relay's /v1 URL, the relay token as apiKey, model auto-fastest for chat,
 * edit and apply. Continue takes the first chat model as the default until one is picked, so
 * "set default" puts our entry first; otherwise it is added at the end and left where it is.
 * See shared/reference/clients.md §9.
 */

export const CONTINUE_MODEL_NAME = 'Switchboard';
const ROLES = ['chat', 'edit', 'apply'];

function configDir(context: IntegrationContext): string {
  const override = envValue(context, 'CONTINUE_GLOBAL_DIR');
  if (override !== undefined) return expandPath(context, override);
  return pathApi(context).join(homeOf(context), '.continue');
}

function configPath(context: IntegrationContext): string {
  return pathApi(context).join(configDir(context), 'config.yaml');
}

/** Our models entry as apply writes it. */
export function continueModel(target: RelayTarget): Record<string, unknown> {
  const id = target.defaultModel ?? 'auto-fastest';
  const entry: Record<string, unknown> = { name: CONTINUE_MODEL_NAME, provider: 'openai', model: id, apiBase: target.baseUrl, apiKey: target.apiKey, roles: [...ROLES] };
  const contextWindow = target.models.find((model) => model.id === id)?.contextWindow;
  if (contextWindow !== undefined) entry.defaultCompletionOptions = { contextLength: contextWindow };
  return entry;
}

function modelsOf(value: unknown): unknown[] {
  return isObject(value) && Array.isArray(value.models) ? value.models : [];
}

function isOurs(entry: unknown): entry is Record<string, unknown> {
  return isObject(entry) && entry.name === CONTINUE_MODEL_NAME;
}

/** `provider/model` of the first chat model: what Continue uses until the user picks another. */
function firstChatModel(models: readonly unknown[]): string | undefined {
  for (const entry of models) {
    if (!isObject(entry) || typeof entry.model !== 'string') continue;
    if (Array.isArray(entry.roles) && !entry.roles.includes('chat')) continue;
    return entry.name === CONTINUE_MODEL_NAME ? `${RELAY_PROVIDER_ID}/${entry.model}` : `${String(entry.provider)}/${entry.model}`;
  }
  return undefined;
}

function inspect(text: string | undefined, target: RelayTarget | undefined): Inspection {
  const value: unknown = openYamlFile(text, 'Continue').document.toJS();
  const models = modelsOf(value);
  const defaultModel = firstChatModel(models);
  const withDefault = defaultModel === undefined ? {} : { defaultModel };
  const entry = models.find(isOurs);
  if (entry === undefined) return { present: false, modelIds: [], ...withDefault, drift: [] };
  const baseUrl = typeof entry.apiBase === 'string' ? entry.apiBase : undefined;
  const drift: string[] = [];
  if (target !== undefined) {
    const expected = continueModel(target);
    drift.push(
      ...fieldDrift([
        { label: 'provider', actual: entry.provider, expected: expected.provider },
        { label: 'apiBase', actual: baseUrl, expected: target.baseUrl },
        { label: 'apiKey', actual: entry.apiKey, expected: target.apiKey, secret: true },
        { label: 'model', actual: entry.model, expected: expected.model },
        { label: 'roles', actual: entry.roles, expected: expected.roles },
      ]),
    );
  }
  return { present: true, ...(baseUrl === undefined ? {} : { baseUrl }), modelIds: typeof entry.model === 'string' ? [entry.model] : [], ...withDefault, drift };
}

function render(text: string | undefined, options: ApplyOptions): string {
  const file = openYamlFile(text, 'Continue');
  const { document } = file;
  const { target } = options;
  const wanted = continueModel(target);
  const models = modelsOf(document.toJS());
  const index = models.findIndex(isOurs);
  const current = index >= 0 ? (models[index] as Record<string, unknown>) : undefined;
  // Our fields, with what the user added to our entry (e.g. capabilities) kept.
  const merged = current === undefined ? wanted : { ...current, ...wanted, defaultCompletionOptions: { ...(isObject(current.defaultCompletionOptions) ? current.defaultCompletionOptions : {}), ...(isObject(wanted.defaultCompletionOptions) ? wanted.defaultCompletionOptions : {}) } };
  if (current !== undefined && !isObject(wanted.defaultCompletionOptions) && !isObject(current.defaultCompletionOptions)) delete merged.defaultCompletionOptions;
  const placeFirst = options.setDefault === true && index !== 0;
  if (current !== undefined && jsonEqual(current, merged) && !placeFirst) return text ?? '';

  if (file.fresh) document.contents = document.createNode({ name: 'Local config', version: '1.0.0', schema: 'v1' }) as YAMLMap;
  const node = document.createNode(merged) as YAMLMap;
  const roles = node.get('roles', true);
  if (isSeq(roles)) roles.flow = true;
  let list = document.get('models', true);
  if (list === undefined || list === null) {
    document.set('models', document.createNode([]));
    list = document.get('models', true);
  }
  if (!isSeq(list)) throw new Error('its "models" is not a list');
  if (index >= 0) {
    const old = list.items[index];
    // Keep the comments around our entry (they belong to the list item).
    if (isMap(old)) {
      node.commentBefore = old.commentBefore;
      node.comment = old.comment;
    }
    list.items.splice(index, 1);
    list.items.splice(placeFirst ? 0 : index, 0, node);
  } else if (options.setDefault === true) {
    list.items.unshift(node);
  } else {
    list.items.push(node);
  }
  return file.print();
}

/** Something is at `path` (a symbolic link counts). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export const continueDev: ClientDefinition = {
  id: 'continue',
  name: 'Continue',
  binaries: ['cn'],
  installHint: 'npm install -g @continuedev/cli',
  summary: (target, setDefault) => [
    `Continue now lists the model "${CONTINUE_MODEL_NAME}" (${target.defaultModel ?? 'auto-fastest'} at ${target.baseUrl}).`,
    setDefault ? 'It is first in the list, so Continue uses it until you pick another.' : 'It is last in the list (add --set-default to put it first); pick it in Continue\'s model menu.',
  ],
  configPath,
  installDirs: (context) => [configDir(context)],
  inspect,
  render,
  blocker(context, configExists) {
    const legacy = pathApi(context).join(configDir(context), 'config.json');
    if (configExists || !present(legacy)) return undefined;
    return `Continue still uses the legacy ${legacy}; a new config.yaml would replace it. Convert it to config.yaml first (Continue offers this), then run this again.`;
  },
  /**
   * `cn --config <file>`: a private temporary copy of the user's config.yaml with our entry
   * first, deleted when it exits (the IDE extension has no such switch: use configure).
   */
  async runPlan(context, target) {
    const text = await readFileIfExists(configPath(context));
    const rendered = render(text, { target, setDefault: true });
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-continue-'));
    const file = join(dir, 'config.yaml');
    await writeFileAtomic(file, rendered, { mode: 0o600 });
    return { env: {}, args: ['--config', file], cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
};
