import { fieldDrift, isObject } from './drift.js';
import { homeOf, pathApi, type ApplyOptions, type ClientDefinition, type Inspection, type IntegrationContext, type RelayTarget } from './integration.js';
import { openYamlFile } from './yaml-document.js';

/**
 * Aider (PyPI `aider-chat`). It reads `.aider.conf.yml` from the home directory, then the git
 * root, then the working directory (later wins); we edit the home one (Windows
 * `%USERPROFILE%\.aider.conf.yml`). Flat YAML keys mirror its options: we own `openai-api-base`
 * (the relay's /v1 URL, where LiteLLM sends every `openai/<id>` model) and `openai-api-key` (the
 * relay token), and `model: openai/auto-fastest` only when asked. See shared/reference/clients.md §10.
 */

const BASE = 'openai-api-base';
const KEY = 'openai-api-key';
const MODEL = 'model';
/** LiteLLM's prefix for "an OpenAI-compatible server at openai-api-base". */
const PREFIX = 'openai/';

function configPath(context: IntegrationContext): string {
  return pathApi(context).join(homeOf(context), '.aider.conf.yml');
}

function modelOf(target: RelayTarget): string {
  return `${PREFIX}${target.defaultModel ?? 'auto-fastest'}`;
}

/** The keys apply writes. */
export function aiderSettings(target: RelayTarget, setDefault: boolean): Record<string, string> {
  return { [BASE]: target.baseUrl, [KEY]: target.apiKey, ...(setDefault ? { [MODEL]: modelOf(target) } : {}) };
}

function valueOf(text: string | undefined): Record<string, unknown> {
  const value: unknown = openYamlFile(text, 'Aider').document.toJS();
  return isObject(value) ? value : {};
}

function inspect(text: string | undefined, target: RelayTarget | undefined): Inspection {
  const value = valueOf(text);
  const model = typeof value[MODEL] === 'string' ? value[MODEL] : undefined;
  const withDefault = model === undefined ? {} : { defaultModel: model };
  const baseUrl = value[BASE];
  if (typeof baseUrl !== 'string' || baseUrl === '') return { present: false, modelIds: [], ...withDefault, drift: [], usesRelay: false };
  const drift: string[] = [];
  if (target !== undefined) {
    drift.push(
      ...fieldDrift([
        { label: BASE, actual: baseUrl, expected: target.baseUrl },
        { label: KEY, actual: value[KEY], expected: target.apiKey, secret: true },
      ]),
    );
  }
  // Every `openai/...` model goes to openai-api-base, i.e. the relay.
  const usesRelay = model?.startsWith(PREFIX) === true;
  return { present: true, baseUrl, modelIds: usesRelay && model !== undefined ? [model.slice(PREFIX.length)] : [], ...withDefault, drift, usesRelay };
}

function render(text: string | undefined, options: ApplyOptions): string {
  const file = openYamlFile(text, 'Aider');
  const { document } = file;
  const wanted = aiderSettings(options.target, options.setDefault === true);
  const current = valueOf(text);
  if (Object.entries(wanted).every(([key, item]) => current[key] === item)) return text ?? '';
  if (file.fresh) document.contents = document.createNode({});
  // Key by key: the user's other options, comments and order stay.
  for (const [key, item] of Object.entries(wanted)) document.set(key, item);
  return file.print();
}

export const aider: ClientDefinition = {
  id: 'aider',
  name: 'Aider',
  binaries: ['aider'],
  installHint: 'python -m pip install aider-install && aider-install',
  summary: (target, setDefault) => [
    `Aider now sends openai/<id> models to Switchboard at ${target.baseUrl} (e.g. aider --model openai/coding).`,
    setDefault ? `Its default model is now ${modelOf(target)}.` : `Its default model is unchanged (add --set-default to make it ${modelOf(target)}).`,
  ],
  configPath,
  installDirs: () => [],
  inspect,
  render,
  /**
   * AIDER_* variables beat every .aider.conf.yml (command line > environment > config files), so
   * a project's own file cannot send this run elsewhere; OPENAI_API_BASE / OPENAI_API_KEY for
   * LiteLLM itself. Relay ids are unknown to LiteLLM's model table: its warning is turned off.
   */
  async runPlan(_context, target) {
    return {
      env: {
        AIDER_OPENAI_API_BASE: target.baseUrl,
        AIDER_OPENAI_API_KEY: target.apiKey,
        AIDER_MODEL: modelOf(target),
        AIDER_SHOW_MODEL_WARNINGS: 'false',
        OPENAI_API_BASE: target.baseUrl,
        OPENAI_API_KEY: target.apiKey,
      },
    };
  },
};
