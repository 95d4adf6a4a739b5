import type { ModelCapabilities, ModelDescriptor, RequestQuirks } from './provider.js';

/**
 * The built-in provider catalog: plain data, no I/O. Source of truth for every value is
 * `shared/reference/providers.md` (base URLs, env names, free tiers, §4 request rewrites); free
 * tiers and model lists change monthly, so the curated lists are a starting point and live
 * discovery (`GET {baseUrl}/models`) is expected to refresh them.
 *
 * URL joining: a base URL may end with a slash (Gemini's documented form does). Adapters must
 * join paths as `${baseUrl.replace(/\/+$/, '')}/chat/completions`; {@link joinBaseUrl} does that.
 */

/**
 * - `free`: the whole catalog is usable without paying, within rate limits.
 * - `free-tier`: a paid service with a subset of free models (OpenRouter `:free`, Zen `-free`).
 * - `credits`: a one-off or monthly credit allowance, then billing or 402.
 * - `paid`: every call costs money.
 * - `local`: a server on this machine.
 */
export type ProviderTier = 'free' | 'free-tier' | 'credits' | 'paid' | 'local';

/**
 * Which discovered models to keep. Lists may come as `{data: [...]}` or, for Together and
 * GitHub's catalog, a bare array; Gemini ids come prefixed `models/` (see `quirks.stripModelPrefix`).
 * Once discovery succeeds only the models it lists survive, so a filter must keep every curated id.
 */
export interface DiscoveryFilter {
  /** Keep only models the list prices at zero (OpenRouter: `pricing.prompt` and `.completion` are "0"). */
  freeOnly?: boolean;
  /** Keep only ids ending with this (OpenRouter `:free`). */
  idSuffix?: string;
  /**
   * Drop ids matching any of these regular-expression sources, tested case-insensitively and
   * unanchored (`new RegExp(pattern, 'i').test(id)`) after `quirks.stripModelPrefix` is removed.
   * Used for lists that mix in embedding, image, speech or other non-chat models.
   */
  excludePatterns?: string[];
}

export interface ProviderDefinition {
  /** Stable lower-case id, also the settings key (`providers.<id>`). */
  id: string;
  name: string;
  /** The adapter: OpenAI chat completions, or Anthropic's native Messages API. */
  kind: 'openai-compatible' | 'anthropic';
  /** OpenAI-compatible base (for `anthropic`, the origin: paths start with /v1); join paths with {@link joinBaseUrl}. */
  baseUrl: string;
  /** Env var names holding a key, conventional first (`_2`, `_3` suffixes are the caller's business). */
  keyEnv: string[];
  /** False only for local servers, which accept any or no bearer. */
  keyRequired: boolean;
  /** Probed at 127.0.0.1 and enabled when something answers. */
  local?: boolean;
  tier: ProviderTier;
  /** Where to get a key. */
  signupUrl?: string;
  docsUrl?: string;
  /** Whether `GET {baseUrl}/models` works and should be used for live discovery. */
  discovery: boolean;
  discoveryFilter?: DiscoveryFilter;
  /** Request rewrites this upstream needs (providers.md §4). */
  quirks: RequestQuirks;
  /** Extra headers sent on every request (settings may add more). */
  headers?: Record<string, string>;
  /** Curated models, served even when discovery is off or fails. `free` marks zero cost to the user. */
  models: ModelDescriptor[];
  /** One line of caveats for the UI. */
  notes?: string;
  /**
   * Free requests per day, conservatively (the lowest published figure), and whether the quota
   * is per model or shared by the whole account. Bounds how much the prober may spend; paid and
   * credit-based providers get a small nominal figure so probes cost next to nothing.
   */
  freeQuota?: { requestsPerDay: number; scope: 'model' | 'account' };
}

/** When the curated model lists were taken (year-month). */
export const CATALOG_DATE = '2026-07';

/** Joins an API path to a base URL that may or may not end with `/`. */
export function joinBaseUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Fields only OpenAI understands; providers.md §4 "all non-OpenAI". */
const openAiOnlyFields = [
  'store',
  'metadata',
  'service_tier',
  'prediction',
  'modalities',
  'audio',
  'prompt_cache_key',
  'safety_identifier',
];

/** Quirks every upstream but OpenAI (and OpenRouter, which routes to OpenAI too) needs. */
function nonOpenAi(extra: RequestQuirks = {}): RequestQuirks {
  const { dropFields = [], ...rest } = extra;
  return { dropFields: [...new Set([...openAiOnlyFields, ...dropFields])], ...rest };
}

/** Mistral's API shape, shared by La Plateforme and the Codestral endpoint. */
const mistralQuirks = nonOpenAi({ useMaxTokens: true, seedField: 'random_seed', toolCallIdLength: 9 });

interface Limits {
  contextWindow?: number;
  maxOutputTokens?: number;
}

function model(id: string, free: boolean, capabilities: ModelCapabilities = {}, limits: Limits = {}): ModelDescriptor {
  return { id, ...limits, capabilities, free };
}

// Capability shorthands; a missing flag means "unknown", not "no".
const chat: ModelCapabilities = { tools: true, json: true };
const thinking: ModelCapabilities = { tools: true, json: true, reasoning: true };
const multimodal: ModelCapabilities = { tools: true, json: true, vision: true };
const multimodalThinking: ModelCapabilities = { tools: true, json: true, vision: true, reasoning: true };

// Widely published windows of model families, used only where the provider serves the full window.
const k128 = 131_072;
const gemini25: Limits = { contextWindow: 1_048_576, maxOutputTokens: 65_536 };
/** GitHub Models free tier: 8,000 input and 4,000 output tokens per request (providers.md §1.10). */
const githubFree: Limits = { contextWindow: 8_000, maxOutputTokens: 4_000 };

const catalog: ProviderDefinition[] = [
  {
    id: 'groq',
    name: 'Groq',
    kind: 'openai-compatible',
    baseUrl: 'https://api.groq.com/openai/v1',
    keyEnv: ['GROQ_API_KEY'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 1_000, scope: 'model' },
    signupUrl: 'https://console.groq.com/keys',
    docsUrl: 'https://console.groq.com/docs',
    discovery: true,
    // n must be 1; logprobs/logit_bias answer 400; messages[].name and reasoning fields are rejected.
    quirks: nonOpenAi({
      dropFields: ['logprobs', 'top_logprobs', 'logit_bias', 'n'],
      dropMessageName: true,
    }),
    models: [
      model('llama-3.1-8b-instant', true, chat, { contextWindow: k128 }),
      model('llama-3.3-70b-versatile', true, chat, { contextWindow: k128, maxOutputTokens: 32_768 }),
      model('openai/gpt-oss-120b', true, thinking, { contextWindow: k128 }),
      model('openai/gpt-oss-20b', true, thinking, { contextWindow: k128 }),
      model('qwen/qwen3-32b', true, thinking, { contextWindow: k128 }),
      model('meta-llama/llama-4-scout-17b-16e-instruct', true, multimodal, { contextWindow: k128 }),
      model('groq/compound', true, {}, { contextWindow: k128, maxOutputTokens: 8_192 }),
    ],
    notes: 'Free plan: 6K–30K tokens per minute per model, too small for large agent prompts.',
  },
  {
    id: 'cerebras',
    name: 'Cerebras',
    kind: 'openai-compatible',
    baseUrl: 'https://api.cerebras.ai/v1',
    keyEnv: ['CEREBRAS_API_KEY'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 14_400, scope: 'model' },
    signupUrl: 'https://cloud.cerebras.ai',
    docsUrl: 'https://inference-docs.cerebras.ai',
    discovery: true,
    // Cerebras pre-charges input + max_completion_tokens against the token quota, so always send a
    // modest cap (providers.md §1.2); the dropped fields answer 400 (third-party lists, unverified).
    quirks: nonOpenAi({
      dropFields: ['frequency_penalty', 'presence_penalty', 'logit_bias', 'parallel_tool_calls'],
      defaultMaxOutputTokens: 8_192,
    }),
    models: [
      // Free-tier window (65K vs 131K paid) is a third-party figure.
      model('gpt-oss-120b', true, thinking, { contextWindow: 65_536 }),
      model('zai-glm-4.7', true, { tools: true, reasoning: true }),
    ],
    notes: 'Catalog churns fast; free tier has a smaller context than paid.',
  },
  {
    id: 'nvidia',
    name: 'NVIDIA NIM',
    kind: 'openai-compatible',
    baseUrl: 'https://integrate.api.nvidia.com/v1',
    keyEnv: ['NVIDIA_API_KEY'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 1_000, scope: 'account' },
    signupUrl: 'https://build.nvidia.com',
    docsUrl: 'https://docs.api.nvidia.com',
    discovery: true,
    // The hosted catalog mixes in embedding, reranking, reward, safety, speech and image models.
    discoveryFilter: {
      excludePatterns: [
        'embed',
        'rerank',
        'reward',
        'guard',
        'safety',
        'clip',
        'bge-',
        'parakeet',
        'whisper',
        'stable-diffusion',
        'sdxl',
        'flux',
      ],
    },
    quirks: nonOpenAi(),
    models: [
      model('meta/llama-3.3-70b-instruct', true, { tools: true }),
      model('moonshotai/kimi-k2-instruct-0905', true, { tools: true }),
      model('mistralai/mistral-small-4-119b-2603', true),
    ],
    notes: 'Developer trial access (about 40 RPM, unverified); context limits are not always published.',
  },
  {
    id: 'openrouter',
    name: 'OpenRouter',
    kind: 'openai-compatible',
    baseUrl: 'https://openrouter.ai/api/v1',
    keyEnv: ['OPENROUTER_API_KEY'],
    keyRequired: true,
    tier: 'free-tier',
    freeQuota: { requestsPerDay: 50, scope: 'account' },
    signupUrl: 'https://openrouter.ai/settings/keys',
    docsUrl: 'https://openrouter.ai/docs',
    discovery: true,
    discoveryFilter: { freeOnly: true, idSuffix: ':free' },
    // Nothing required (§4): OpenRouter forwards to OpenAI models too, so OpenAI fields stay.
    quirks: {},
    // Optional attribution (§1.4). HTTP-Referer is left out until the project has a public URL.
    headers: { 'X-Title': 'Switchboard', 'X-OpenRouter-Title': 'Switchboard' },
    models: [model('openai/gpt-oss-120b:free', true, thinking)],
    notes: ':free models: 20 RPM, 50 requests/day (1,000 after buying 10 credits); router id openrouter/free.',
  },
  {
    id: 'gemini',
    name: 'Google Gemini',
    kind: 'openai-compatible',
    // Documented with a trailing slash; joinBaseUrl gives .../v1beta/openai/chat/completions.
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 250, scope: 'model' },
    signupUrl: 'https://aistudio.google.com/apikey',
    docsUrl: 'https://ai.google.dev/gemini-api/docs/openai',
    discovery: true,
    discoveryFilter: { excludePatterns: ['embedding', 'image', 'tts'] },
    // Schema-keyword stripping, thought-signature re-attachment and tool-call index repair
    // (§1.5) are stream/adapter work, not field rewrites.
    quirks: nonOpenAi({ stripModelPrefix: 'models/' }),
    models: [
      model('gemini-2.5-flash', true, multimodalThinking, gemini25),
      model('gemini-2.5-flash-lite', true, multimodalThinking, gemini25),
      model('gemini-2.5-pro', true, multimodalThinking, gemini25),
      model('gemini-flash-latest', true, multimodalThinking),
      model('gemini-3-flash-preview', true, multimodalThinking),
    ],
    notes: 'Free quota per Google Cloud project; some Pro/preview models have none (429 on first call).',
  },
  {
    id: 'mistral',
    name: 'Mistral',
    kind: 'openai-compatible',
    baseUrl: 'https://api.mistral.ai/v1',
    keyEnv: ['MISTRAL_API_KEY'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 5_000, scope: 'account' },
    signupUrl: 'https://console.mistral.ai/api-keys',
    docsUrl: 'https://docs.mistral.ai',
    discovery: true,
    quirks: mistralQuirks,
    models: [model('mistral-small-latest', true, chat), model('codestral-latest', true, chat)],
    notes: 'Free Experiment plan needs phone verification; prompts may be used for training.',
  },
  {
    id: 'codestral',
    name: 'Codestral (Mistral)',
    kind: 'openai-compatible',
    baseUrl: 'https://codestral.mistral.ai/v1',
    keyEnv: ['CODESTRAL_API_KEY'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 2_000, scope: 'account' },
    signupUrl: 'https://console.mistral.ai/codestral',
    docsUrl: 'https://docs.mistral.ai',
    // No model list is documented on this endpoint.
    discovery: false,
    quirks: mistralQuirks,
    models: [model('codestral-latest', true, chat)],
    notes: 'Separate key from the Codestral console page; "free during beta" terms may change.',
  },
  {
    id: 'sambanova',
    name: 'SambaNova Cloud',
    kind: 'openai-compatible',
    baseUrl: 'https://api.sambanova.ai/v1',
    keyEnv: ['SAMBANOVA_API_KEY'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 1_000, scope: 'model' },
    signupUrl: 'https://cloud.sambanova.ai',
    docsUrl: 'https://docs.sambanova.ai',
    discovery: true,
    quirks: nonOpenAi(),
    // Ids are case-sensitive and mixed case.
    models: [
      model('Meta-Llama-3.3-70B-Instruct', true, { tools: true }),
      model('DeepSeek-V3.1', true, { tools: true, reasoning: true }),
      model('gpt-oss-120b', true, thinking),
      model('Llama-4-Maverick-17B-128E-Instruct', true, { tools: true, vision: true }),
      model('Qwen3-32B', true, { reasoning: true }),
    ],
    notes: 'Free tier while no payment method is linked (adds a tokens-per-day cap); preview models vanish.',
  },
  {
    id: 'huggingface',
    name: 'Hugging Face Inference Providers',
    kind: 'openai-compatible',
    baseUrl: 'https://router.huggingface.co/v1',
    keyEnv: ['HF_TOKEN'],
    keyRequired: true,
    tier: 'credits',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://huggingface.co/settings/tokens',
    docsUrl: 'https://huggingface.co/docs/inference-providers',
    discovery: true,
    quirks: nonOpenAi(),
    models: [
      model('meta-llama/Llama-3.3-70B-Instruct', false, { tools: true }),
      model('openai/gpt-oss-120b', false, thinking),
    ],
    notes: 'Monthly credits: under $0.10 for free users, $2 for PRO; a ":provider" suffix picks the backend.',
  },
  {
    id: 'github',
    name: 'GitHub Models',
    kind: 'openai-compatible',
    baseUrl: 'https://models.github.ai/inference',
    keyEnv: ['GITHUB_TOKEN'],
    keyRequired: true,
    tier: 'free',
    freeQuota: { requestsPerDay: 50, scope: 'model' },
    signupUrl: 'https://github.com/settings/personal-access-tokens',
    docsUrl: 'https://docs.github.com/en/github-models',
    // The list lives at https://models.github.ai/catalog/models, not under the base URL.
    discovery: false,
    quirks: nonOpenAi({ defaultMaxOutputTokens: githubFree.maxOutputTokens }),
    models: [
      model('openai/gpt-4.1', true, multimodal, githubFree),
      model('meta/Llama-3.3-70B-Instruct', true, {}, githubFree),
      model('deepseek/DeepSeek-V3-0324', true, {}, githubFree),
      model('microsoft/Phi-4', true, {}, githubFree),
    ],
    notes: 'Free tier: 8K input / 4K output tokens per request; the token needs models:read.',
  },
  {
    id: 'together',
    name: 'Together AI',
    kind: 'openai-compatible',
    baseUrl: 'https://api.together.xyz/v1',
    keyEnv: ['TOGETHER_API_KEY'],
    keyRequired: true,
    tier: 'paid',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://api.together.ai/settings/api-keys',
    docsUrl: 'https://docs.together.ai',
    // GET /models answers a bare array; keep type "chat"; free = pricing.input and .output are 0.
    discovery: true,
    quirks: nonOpenAi(),
    models: [],
    notes: 'API use needs a minimum credit purchase; whether any free models remain is unverified.',
  },
  {
    id: 'deepseek',
    name: 'DeepSeek',
    kind: 'openai-compatible',
    baseUrl: 'https://api.deepseek.com',
    keyEnv: ['DEEPSEEK_API_KEY'],
    keyRequired: true,
    tier: 'paid',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://platform.deepseek.com/api_keys',
    docsUrl: 'https://api-docs.deepseek.com',
    discovery: true,
    quirks: nonOpenAi({ reasoningInToolLoop: true }),
    models: [
      model('deepseek-v4-flash', false, thinking, { contextWindow: 1_000_000 }),
      model('deepseek-v4-pro', false, thinking, { contextWindow: 1_000_000 }),
    ],
    notes: 'Paid only; the deepseek-chat and deepseek-reasoner aliases retire on 2026-07-24.',
  },
  {
    id: 'scaleway',
    name: 'Scaleway Generative APIs',
    kind: 'openai-compatible',
    // A project-scoped base (https://api.scaleway.ai/{project_id}/v1) can be set in settings.
    baseUrl: 'https://api.scaleway.ai/v1',
    keyEnv: ['SCW_SECRET_KEY', 'SCALEWAY_API_KEY'],
    keyRequired: true,
    tier: 'credits',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://console.scaleway.com/iam/api-keys',
    docsUrl: 'https://www.scaleway.com/en/docs/generative-apis/',
    discovery: true,
    quirks: nonOpenAi(),
    models: [
      model('llama-3.3-70b-instruct', false, { tools: true }),
      model('gpt-oss-120b', false, thinking),
    ],
    notes: 'First 1,000,000 tokens free (one-off), then pay-as-you-go; EU data residency.',
  },
  {
    id: 'hyperbolic',
    name: 'Hyperbolic',
    kind: 'openai-compatible',
    baseUrl: 'https://api.hyperbolic.xyz/v1',
    keyEnv: ['HYPERBOLIC_API_KEY'],
    keyRequired: true,
    tier: 'credits',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://app.hyperbolic.xyz',
    docsUrl: 'https://docs.hyperbolic.xyz',
    discovery: true,
    quirks: nonOpenAi(),
    models: [
      model('meta-llama/Llama-3.3-70B-Instruct', false, { tools: true }),
      model('deepseek-ai/DeepSeek-V3', false, { tools: true }),
      model('Qwen/Qwen3-Coder-480B-A35B-Instruct', false, { tools: true }),
    ],
    notes: 'Small sign-up credit, then pay-as-you-go; 402 when the balance is empty.',
  },
  {
    id: 'opencode-zen',
    name: 'OpenCode Zen',
    kind: 'openai-compatible',
    baseUrl: 'https://opencode.ai/zen/v1',
    keyEnv: ['OPENCODE_API_KEY'],
    keyRequired: true,
    tier: 'free-tier',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://opencode.ai/auth',
    docsUrl: 'https://opencode.ai/docs/zen',
    discovery: true,
    // Discovery lists paid models too: keep `-free` ids and `big-pickle` only. Claude, GPT and
    // Gemini models need other wire formats (Messages, Responses, Gemini native).
    discoveryFilter: { excludePatterns: ['^(?!big-pickle$).*(?<!-free)$', '^(claude|gpt|gemini)-'] },
    quirks: nonOpenAi(),
    // Served to OpenCode's agent, hence tool-capable; `big-pickle` is free without the suffix.
    models: [
      model('big-pickle', true, { tools: true }),
      model('deepseek-v4-flash-free', true, { tools: true }),
      model('mimo-v2.5-free', true, { tools: true }),
      model('nemotron-3-ultra-free', true, { tools: true }),
      model('north-mini-code-free', true, { tools: true }),
    ],
    notes: 'Free models rotate and may log prompts; billing setup may be needed even for free models.',
  },
  {
    id: 'openai',
    name: 'OpenAI',
    kind: 'openai-compatible',
    baseUrl: 'https://api.openai.com/v1',
    keyEnv: ['OPENAI_API_KEY'],
    keyRequired: true,
    tier: 'paid',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://platform.openai.com/api-keys',
    docsUrl: 'https://platform.openai.com/docs',
    discovery: true,
    quirks: {},
    models: [
      model('gpt-4.1', false, multimodal, { contextWindow: 1_047_576, maxOutputTokens: 32_768 }),
      model('gpt-5', false, multimodalThinking, { contextWindow: 400_000, maxOutputTokens: 128_000 }),
    ],
    notes: 'Paid; reasoning models reject max_tokens and temperature other than 1.',
  },
  {
    id: 'anthropic',
    name: 'Anthropic',
    // Native Messages API: keeps thinking signatures, cache_control and anthropic-beta for Claude Code.
    kind: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    keyEnv: ['ANTHROPIC_API_KEY'],
    keyRequired: true,
    tier: 'paid',
    freeQuota: { requestsPerDay: 200, scope: 'account' },
    signupUrl: 'https://console.anthropic.com/settings/keys',
    docsUrl: 'https://docs.claude.com/en/api/messages',
    // GET /v1/models answers in Anthropic's shape (the adapter reads it).
    discovery: true,
    quirks: {},
    headers: { 'anthropic-version': '2023-06-01' },
    // None curated: Claude ids and windows change faster than this catalog (the SDK already lists
    // newer families than the reference notes), so discovery is the only source of truth.
    models: [],
    notes: 'Paid; 529 overloaded under load. No JSON mode: response_format is not sent.',
  },
  {
    id: 'ollama',
    name: 'Ollama',
    kind: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:11434/v1',
    // OLLAMA_HOST moves the server but is not a key; Ollama ignores any bearer.
    keyEnv: [],
    keyRequired: false,
    local: true,
    tier: 'local',
    docsUrl: 'https://docs.ollama.com',
    discovery: true,
    quirks: nonOpenAi(),
    models: [],
    notes: 'Default context is small; agent clients need num_ctx of 32K or more.',
  },
  {
    id: 'lmstudio',
    name: 'LM Studio',
    kind: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:1234/v1',
    keyEnv: ['LMSTUDIO_API_KEY'],
    keyRequired: false,
    local: true,
    tier: 'local',
    docsUrl: 'https://lmstudio.ai/docs',
    discovery: true,
    quirks: nonOpenAi(),
    models: [],
    notes: 'Start the server first (lms server start).',
  },
];

// Cloudflare Workers AI is left out: its base URL needs the account id
// (https://api.cloudflare.com/client/v4/accounts/{ACCOUNT_ID}/ai/v1) and it has no /models there.
// Users can add it as a custom endpoint.

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every built-in provider, deeply frozen: copy before changing anything. */
export const providerCatalog: readonly ProviderDefinition[] = deepFreeze(catalog);

const byId = new Map(providerCatalog.map((definition) => [definition.id, definition]));

/** The built-in provider with this id, if any (ids are exact, lower-case). */
export function findProvider(id: string): ProviderDefinition | undefined {
  return byId.get(id);
}

/** All keyEnv names by provider id, for env key discovery; fresh arrays the caller may keep. */
export function catalogKeyEnv(): { id: string; keyEnv: string[] }[] {
  return providerCatalog.map((definition) => ({ id: definition.id, keyEnv: [...definition.keyEnv] }));
}
