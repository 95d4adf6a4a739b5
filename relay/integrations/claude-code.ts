import { fieldDrift, isObject } from './drift.js';
import { envValue, expandPath, homeOf, originOf, pathApi, type ApplyOptions, type ClientDefinition, type Inspection, type IntegrationContext, type RelayTarget } from './integration.js';
import { openJsonDocument } from './json-document.js';

/**
 * Claude Code (`@anthropic-ai/claude-code`). Its user settings are `~/.claude/settings.json`
 * (`CLAUDE_CONFIG_DIR` relocates `~/.claude`; Windows `%USERPROFILE%\.claude`), plain JSON whose
 * `env` block Claude Code puts into its own environment. We own four variables there:
 * ANTHROPIC_BASE_URL (the relay's origin: Claude Code appends /v1/messages itself),
 * ANTHROPIC_AUTH_TOKEN (the relay token, sent as `Authorization: Bearer`), and ANTHROPIC_API_KEY
 * set to "" so that an Anthropic key of the user's is neither preferred nor sent to the relay.
 * The model variables only when asked: the relay maps `claude-*` ids itself, so Claude Code
 * works unchanged without them. See shared/reference/clients.md §7.
 */

const BASE_URL = 'ANTHROPIC_BASE_URL';
const AUTH_TOKEN = 'ANTHROPIC_AUTH_TOKEN';
const API_KEY = 'ANTHROPIC_API_KEY';
/** The main model, and the tiers Claude Code picks from (`/model opus`, background work on haiku). */
const MAIN_MODEL = 'ANTHROPIC_MODEL';
const TIER_MODELS = ['ANTHROPIC_DEFAULT_OPUS_MODEL', 'ANTHROPIC_DEFAULT_SONNET_MODEL'] as const;
/** The small model for titles and quota probes: ANTHROPIC_SMALL_FAST_MODEL is the 1.x name, still read. */
const SMALL_MODELS = ['ANTHROPIC_DEFAULT_HAIKU_MODEL', 'ANTHROPIC_SMALL_FAST_MODEL'] as const;

function configDir(context: IntegrationContext): string {
  const override = envValue(context, 'CLAUDE_CONFIG_DIR');
  if (override !== undefined) return expandPath(context, override);
  return pathApi(context).join(homeOf(context), '.claude');
}

function configPath(context: IntegrationContext): string {
  return pathApi(context).join(configDir(context), 'settings.json');
}

/** The variables apply writes, in order. */
export function claudeCodeEnv(target: RelayTarget, setDefault: boolean): Record<string, string> {
  const env: Record<string, string> = { [BASE_URL]: originOf(target.baseUrl), [AUTH_TOKEN]: target.apiKey, [API_KEY]: '' };
  if (setDefault) {
    const main = target.defaultModel ?? 'auto-fastest';
    // `fast` when the relay serves it: background calls want speed, not the main model's strength.
    const small = target.models.some((model) => model.id === 'fast') ? 'fast' : main;
    env[MAIN_MODEL] = main;
    for (const name of TIER_MODELS) env[name] = main;
    for (const name of SMALL_MODELS) env[name] = small;
  }
  return env;
}

function inspect(text: string | undefined, target: RelayTarget | undefined): Inspection {
  const document = openJsonDocument(text, { json5: false });
  const block = document.get(['env']);
  const env = isObject(block) ? block : {};
  const model = env[MAIN_MODEL];
  const defaultModel = typeof model === 'string' && model !== '' ? model : undefined;
  const withDefault = defaultModel === undefined ? {} : { defaultModel };
  const baseUrl = env[BASE_URL];
  if (typeof baseUrl !== 'string' || baseUrl === '') return { present: false, modelIds: [], ...withDefault, drift: [], usesRelay: false };
  const modelIds = [...new Set([MAIN_MODEL, ...TIER_MODELS, ...SMALL_MODELS].map((name) => env[name]).filter((id): id is string => typeof id === 'string' && id !== ''))];
  const drift: string[] = [];
  if (target !== undefined) {
    drift.push(
      ...fieldDrift([
        { label: BASE_URL, actual: baseUrl, expected: originOf(target.baseUrl) },
        { label: AUTH_TOKEN, actual: env[AUTH_TOKEN], expected: target.apiKey, secret: true },
      ]),
    );
    if (env[API_KEY] !== undefined && env[API_KEY] !== '') drift.push(`its ${API_KEY} is set, so Claude Code may send that key instead of the relay token`);
  }
  // With ANTHROPIC_BASE_URL at the relay, every model Claude Code uses goes through it.
  return { present: true, baseUrl, modelIds, ...withDefault, drift, usesRelay: true };
}

function render(text: string | undefined, options: ApplyOptions): string {
  const document = openJsonDocument(text, { json5: false });
  if (document.get(['env']) !== undefined && !isObject(document.get(['env']))) throw new Error('its "env" is not an object');
  // One variable at a time: the user's other variables (and their order) stay.
  for (const [name, value] of Object.entries(claudeCodeEnv(options.target, options.setDefault === true))) document.set(['env', name], value);
  return document.text;
}

export const claudeCode: ClientDefinition = {
  id: 'claude',
  name: 'Claude Code',
  binaries: ['claude'],
  installHint: 'npm install -g @anthropic-ai/claude-code',
  summary: (target, setDefault) => [
    `Claude Code now sends every request to Switchboard at ${originOf(target.baseUrl)} (the relay maps its claude-* model ids).`,
    setDefault ? `Its model variables now name ${target.defaultModel ?? 'auto-fastest'}.` : 'Its model is unchanged (add --set-default to set ANTHROPIC_MODEL and the tier variables to auto-fastest).',
  ],
  configPath,
  installDirs: (context) => [configDir(context)],
  inspect,
  render,
  /**
   * The same variables in Claude Code's environment, model ones included. An `env` block in a
   * settings file still wins over them (Claude Code applies it after start), so a settings.json
   * pointing elsewhere is reported by detect and fixed with `switchboard configure claude`.
   */
  async runPlan(_context, target) {
    return { env: claudeCodeEnv(target, true) };
  },
};
