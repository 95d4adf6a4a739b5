/**
 * The admin API's request and response shapes. The dashboard (and the desktop shell) import
 * these with `import type` only, so this file holds types and nothing else: no runtime code and
 * no imports, not even of other relay types, which keeps the renderer's compilation free of
 * relay internals.
 *
 * Times are ISO 8601 strings; durations are milliseconds. No shape here ever carries a provider
 * key: keys are write-only and come back masked (`…abcd`).
 */

/** Every error response: `{ error: { message, type, code } }` with the matching HTTP status. */
export interface ApiErrorBody {
  error: {
    message: string;
    /** `invalid_request_error`, `authentication_error`, `permission_error`, `not_found_error`, `conflict_error`, `server_error`. */
    type: string;
    /** A short machine code (`unknown_provider`, `duplicate_key`, `confirm_keys_required`, ...), or null. */
    code: string | null;
  };
}

/** Why a provider is or is not serving right now. */
export type ProviderStatus = 'ready' | 'needs-key' | 'disabled' | 'not-detected' | 'no-models';

/** How well stored keys are protected at rest. */
export type SecretProtection = 'keychain' | 'file-0600' | 'memory' | 'none';

// ---------------------------------------------------------------------------------------------
// GET /admin/status
// ---------------------------------------------------------------------------------------------

export interface StatusResponse {
  version: string;
  /** When this relay process started. */
  startedAt: string;
  uptimeMs: number;
  /** The listening origin (`http://127.0.0.1:4747`), or null before listening. */
  url: string | null;
  /** The OpenAI-compatible base URL clients use (`http://127.0.0.1:4747/v1`), or null. */
  baseUrl: string | null;
  /** The config directory, when known. */
  configDir: string | null;
  /** Why the settings file is not in use (invalid file), or null when all is well. */
  problem: string | null;
  /** How many providers are in each status. */
  providers: Record<ProviderStatus, number>;
  /** Ids of the providers that are ready. */
  readyProviders: string[];
  /** How many (provider, model) routes can be served right now. */
  routes: number;
  secretProtection: SecretProtection;
  /** Demo mode: simulated providers are serving (see DemoView). */
  demo: boolean;
}

// ---------------------------------------------------------------------------------------------
// Keys: GET /admin/keys, GET|POST /admin/keys/:provider, DELETE /admin/keys/:provider/:key
// ---------------------------------------------------------------------------------------------

/** A key's health as the relay sees it; absent when the relay has not loaded the key. */
export type KeyStateView =
  | { status: 'ok' }
  | { status: 'cooling'; until: string; reason: string }
  | { status: 'disabled'; reason: string; since: string };

export interface KeyView {
  provider: string;
  /** The key's id: a SecretStore id for stored keys, `env:NAME` for environment keys. */
  id: string;
  label: string;
  /** The last four characters only (`…abcd`), or `…` for a very short key. */
  masked: string;
  /** `stored`: added by the user, removable. `env`: from an environment variable, read-only. */
  source: 'stored' | 'env';
  /** Glob patterns of model ids this key may serve; absent means every model. */
  models?: string[];
  addedAt?: string;
  /** True when the settings name this key but its secret is missing from the store. */
  missing?: boolean;
  state?: KeyStateView;
  /** The rate limit the provider reported on its last response to this key, if any. */
  rateLimit?: KeyRateLimitView;
}

export interface KeysResponse {
  keys: KeyView[];
}

/** POST /admin/keys/:provider (or POST /admin/keys with `provider` in the body). */
export interface AddKeyRequest {
  /** The key itself; trimmed. Never returned by any endpoint. */
  key: string;
  label?: string;
  models?: string[];
  provider?: string;
}

export interface AddKeyResponse {
  key: KeyView;
}

export interface RemoveKeyResponse {
  removed: KeyView;
}

// ---------------------------------------------------------------------------------------------
// Custom endpoints: GET|POST /admin/endpoints, DELETE /admin/endpoints/:name
// ---------------------------------------------------------------------------------------------

export interface EndpointView {
  id: string;
  baseUrl: string;
  enabled: boolean;
  discovery: boolean;
  /** Model ids listed by hand (served in addition to discovery). */
  models: string[];
  /** Names of the extra headers sent (values are not shown). */
  headerNames: string[];
  free: boolean;
  keys: KeyView[];
}

export interface EndpointsResponse {
  endpoints: EndpointView[];
}

export interface AddEndpointRequest {
  /** The endpoint's id: lower-case letters, digits, `.`, `_`, `-`. */
  name: string;
  /** An OpenAI-compatible base URL, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; stored as a secret, never in the settings. */
  key?: string;
  /** Extra non-secret headers. Credential headers (Authorization, api-key, ...) are refused: use `key`. */
  headers?: Record<string, string>;
  /** Ask the endpoint for its models (`GET /models`); default true. */
  discovery?: boolean;
  models?: string[];
  /** Whether calls cost nothing (matters to the free-first / free-only routing policy); default false. */
  free?: boolean;
}

export interface AddEndpointResponse {
  endpoint: EndpointView;
  /** Things worth knowing but not wrong (plain http to another host, no models). */
  warnings: string[];
}

export interface RemoveEndpointResponse {
  removed: EndpointView;
  /** How many stored keys were deleted with it. */
  deletedKeys: number;
}

// ---------------------------------------------------------------------------------------------
// Providers: GET /admin/providers, PATCH /admin/providers/:id
// ---------------------------------------------------------------------------------------------

export interface ProviderView {
  id: string;
  name: string;
  /** A custom endpoint rather than a built-in provider. */
  custom: boolean;
  /** A server on this machine (Ollama, LM Studio). */
  local: boolean;
  status: ProviderStatus;
  enabled: boolean;
  keyRequired: boolean;
  keyCount: number;
  keys: KeyView[];
  baseUrl: string;
  /** The built-in base URL, when this is a built-in provider. */
  defaultBaseUrl?: string;
  signupUrl?: string;
  docsUrl?: string;
  /** Environment variables read for keys (`GROQ_API_KEY`, then `_2`, `_3`, ...). */
  keyEnv: string[];
  /** Whether calls cost nothing (free tier or local). */
  free: boolean;
  modelCount: number;
  discoveredAt?: string;
  /** Why the last model discovery failed. */
  discoveryError?: string;
  /** A simulated provider of demo mode (no real model behind it); absent for real ones. */
  simulated?: boolean;
}

export interface ProvidersResponse {
  providers: ProviderView[];
}

export interface UpdateProviderRequest {
  enabled?: boolean;
  /** A new base URL; null goes back to the built-in one. */
  baseUrl?: string | null;
  /**
   * Required (true) to change the base URL of a provider that has keys: they will be sent to
   * the new server. Without it the change is refused with 409 `confirm_keys_required`.
   */
  confirmKeys?: boolean;
}

export interface UpdateProviderResponse {
  provider: ProviderView;
}

// ---------------------------------------------------------------------------------------------
// GET /admin/models
// ---------------------------------------------------------------------------------------------

export interface ModelCapabilitiesView {
  tools?: boolean;
  vision?: boolean;
  json?: boolean;
  embeddings?: boolean;
  reasoning?: boolean;
}

export interface ModelView {
  /** `provider/model`, the unambiguous id a client may ask for. */
  id: string;
  provider: string;
  /** The upstream's own id, which clients may also ask for. */
  model: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  capabilities: ModelCapabilitiesView;
  free: boolean;
}

export interface ModelsResponse {
  models: ModelView[];
}

// ---------------------------------------------------------------------------------------------
// GET /admin/requests?limit=N
// ---------------------------------------------------------------------------------------------

export interface RouteView {
  provider: string;
  model: string;
  keyLabel?: string;
}

export interface AttemptView extends RouteView {
  outcome: string;
  status?: number;
  message?: string;
  durationMs: number;
}

export interface UsageView {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

/** One relayed request; bodies are never recorded. */
export interface RequestView {
  requestId: string;
  startedAt: string;
  clientWire: string;
  endpoint: string;
  askedModel: string;
  route?: RouteView;
  attempts: AttemptView[];
  ttftMs?: number;
  durationMs?: number;
  usage?: UsageView;
  outcome: 'pending' | 'ok' | 'error' | 'aborted';
  status?: number;
  error?: string;
  decision?: RoutingDecisionView;
  /** Bodies were kept (settings: requests.keepBodies); GET /admin/requests/:id returns them. */
  hasBodies?: boolean;
}

/** GET /admin/requests/:id: one request, with its bodies when they were kept. */
export interface RequestDetailResponse {
  request: RequestView;
  /** The request body as the client sent it (truncated to 64 KB), when kept. */
  requestBody?: string;
  /** The answer as the client received it (truncated to 64 KB), when kept. */
  responseBody?: string;
  truncated?: boolean;
}

export interface RequestsResponse {
  /** Oldest first. */
  requests: RequestView[];
}

/** One candidate as a routing decision saw it. */
export interface CandidateView {
  route: string;
  score?: number;
  ttftP50Ms?: number;
  tokensPerSecond?: number;
  health?: string;
  note?: string;
}

/** Why a request went where it went. */
export interface RoutingDecisionView {
  target: string;
  candidates: CandidateView[];
  pin?: { target: string; honoured: boolean; reason?: string };
  explored?: string;
  affinity?: boolean;
}

export type RouteStatusView = 'up' | 'slow' | 'rate-limited' | 'down' | 'key-missing' | 'key-rejected' | 'disabled' | 'unknown';

/** One route's live quality of service, as the Models view and `switchboard models` show it. */
export interface QosRouteView {
  /** `provider/model`. */
  id: string;
  provider: string;
  model: string;
  /** The canonical group (one id for the same model across providers). */
  group: string;
  status: RouteStatusView;
  servable: boolean;
  free: boolean;
  contextWindow?: number;
  capabilities: { tools?: boolean; vision?: boolean; json?: boolean; embeddings?: boolean; reasoning?: boolean };
  ttftP50Ms?: number;
  ttftP95Ms?: number;
  tokensPerSecond?: number;
  /** 0..1 */
  successRate1h?: number;
  uptime1h?: number;
  uptime24h?: number;
  samples: number;
  recentTtftMs: number[];
  lastError?: { message: string; at: string };
  /** Lower is better; absent for routes that cannot be served. */
  score?: number;
  restingUntil?: string;
  /** Probes spent on this route in the last 24 hours. */
  probesToday: number;
  /** The keys that may serve this route (labels only), in the order they are tried, and their state. */
  keys: Array<{ label: string; state: 'ok' | 'cooling' | 'disabled' }>;
}

export interface QosResponse {
  routes: QosRouteView[];
  /** The route auto-fastest would choose right now, and why. */
  autoFastest: { route: string; decision: RoutingDecisionView } | null;
  pin: { kind: 'group' | 'route'; target: string; aliases: boolean } | null;
  bans: string[];
}

export interface ProbeRequest {
  route: string;
}

export interface ProbeResponse {
  route: string;
  outcome: string;
  ttftMs?: number;
  tokensPerSecond?: number;
  error?: string;
}

export interface PinRequest {
  /** Null removes the pin. */
  pin: { kind: 'group' | 'route'; target: string; aliases?: boolean } | null;
}

export interface BansRequest {
  bans: string[];
}

// ---------------------------------------------------------------------------------------------
// Config tokens: POST /admin/config/export, POST /admin/config/import
// ---------------------------------------------------------------------------------------------

/**
 * POST /admin/config/export. Keys go into the token only with `includeKeys: true`, and then a
 * passphrase (at least 8 characters, never stored) is required: the token is encrypted with it.
 */
export interface ConfigExportRequest {
  includeKeys: boolean;
  passphrase?: string;
}

export interface ConfigExportResponse {
  /** `sbcfg1.plain.…` (settings only) or `sbcfg1.sealed.…` (settings and keys, encrypted). */
  token: string;
  includesKeys: boolean;
  /** How many stored keys the token carries (0 without includeKeys). */
  keyCount: number;
  /** What was left out and why (a key whose secret is missing, a credential header). */
  warnings: string[];
}

/** POST /admin/config/import: the preview, and the import itself with `apply: true`. */
export interface ConfigImportRequest {
  token: string;
  /** Required for a sealed token (one with keys). */
  passphrase?: string;
  /** `merge` (default): add and update, remove nothing. `replace`: the settings become the token's. */
  mode?: 'merge' | 'replace';
  /** False (default): only say what would change. */
  apply?: boolean;
}

/** A key an import adds, skips or removes; masked like every key the admin API shows. */
export interface ImportKeyView {
  provider: string;
  label: string;
  /** The last four characters only (`…abcd`). */
  masked: string;
  models?: string[];
  /** Why it is skipped (already stored, unknown provider). */
  reason?: string;
}

/**
 * A base URL the import adds or changes. Check every one: the provider's keys (`keys` of them)
 * are sent there, and a crafted token could point a provider at a server that collects keys.
 */
export interface ImportBaseUrlView {
  provider: string;
  /** A custom endpoint rather than a built-in provider. */
  custom: boolean;
  /** Null for a new custom endpoint. */
  from: string | null;
  to: string;
  /** How many keys (stored, imported and from the environment) would be sent to `to`. */
  keys: number;
  /** Plain http to another machine, ... */
  warnings: string[];
}

export interface ImportChangeView {
  id: string;
  /** The settings that change: `enabled`, `baseUrl`, `headers`, `discovery`, `models`, `free`. */
  fields: string[];
}

export interface ConfigImportPreview {
  mode: 'merge' | 'replace';
  /** True when the import was applied (the request said `apply: true` and it succeeded). */
  applied: boolean;
  /** Whether the token carried keys (it was sealed). */
  includesKeys: boolean;
  /** When the token was made, as it says. */
  createdAt: string;
  /** False when importing would change nothing. */
  changes: boolean;
  baseUrls: ImportBaseUrlView[];
  providers: { enabled: string[]; disabled: string[]; changed: ImportChangeView[] };
  endpoints: { added: string[]; removed: string[]; changed: ImportChangeView[] };
  /** `routing.policy: "free-first" → "any"`, ... */
  routing: string[];
  /** Timeouts and the Claude model map, in the same form. */
  settings: string[];
  keys: {
    add: ImportKeyView[];
    skipped: ImportKeyView[];
    /** Stored keys deleted with the custom endpoints a replace removes. */
    removed: ImportKeyView[];
  };
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Client integrations: GET /admin/integrations, POST /admin/integrations/:id/{preview,apply,undo}
// ---------------------------------------------------------------------------------------------

/** Whether a coding agent's config points at this relay. `drift`: our entry exists but differs. */
export type IntegrationState = 'not-configured' | 'configured' | 'drift' | 'invalid';

/** One client we can configure (OpenCode, OpenClaw, ...), as found on this machine. */
export interface IntegrationView {
  /** `opencode`, `openclaw`. */
  id: string;
  name: string;
  /** Its config directory exists or its executable is on PATH. */
  installed: boolean;
  /** The executable found on PATH, if any. */
  binary: string | null;
  /** The config file Switchboard edits for it. */
  configPath: string;
  configExists: boolean;
  state: IntegrationState;
  /** Where our entry points (`http://127.0.0.1:4747/v1`) and its port, when configured. */
  baseUrl: string | null;
  port: number | null;
  /** Model ids our entry lists. */
  models: string[];
  /** The client's default model, whoever set it. */
  defaultModel: string | null;
  /** The default model is one of ours (`switchboard/...`). */
  usesRelayByDefault: boolean;
  /** How our entry differs from what apply would write now (offer a repair: apply again). */
  drift: string[];
  /** Why the file cannot be read or written (invalid syntax, a symbolic link). */
  problem: string | null;
  /** A backup exists, so undo can restore the file as it was before Switchboard first wrote it. */
  undoAvailable: boolean;
}

/** One model id as apply lists it in a client's config. */
export interface IntegrationModelView {
  id: string;
  name: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  vision?: boolean;
  reasoning?: boolean;
}

/** What apply points clients at. The key itself is never returned. */
export interface IntegrationTargetView {
  baseUrl: string;
  /** A relay token is set, so clients get it as their API key (else a placeholder). */
  tokenSet: boolean;
  models: IntegrationModelView[];
}

export interface IntegrationsResponse {
  integrations: IntegrationView[];
  target: IntegrationTargetView;
}

/** Body of POST /admin/integrations/:id/preview and /apply. */
export interface IntegrationApplyRequest {
  /** Also make `switchboard/auto-fastest` the client's default model (default false). */
  setDefault?: boolean;
}

export interface IntegrationPreviewResponse {
  id: string;
  configPath: string;
  /** False when the file already says exactly this (apply would write nothing). */
  changed: boolean;
  /** Unified diff of the file, before → after, with the relay token masked. */
  diff: string;
}

export interface IntegrationApplyResponse extends IntegrationPreviewResponse {
  /** Where the original file was saved before the first write (null: the file was new or unchanged). */
  backupPath: string | null;
  integration: IntegrationView;
}

export interface IntegrationUndoResponse {
  id: string;
  configPath: string;
  /** `restored` from the backup, `removed` (Switchboard had created the file), or `nothing` to undo. */
  outcome: 'restored' | 'removed' | 'nothing';
  diff: string;
  integration: IntegrationView;
}

// ---------------------------------------------------------------------------------------------
// Copy-paste snippets: GET /admin/integrations/snippets[?client=langchain][&reveal=true]
// ---------------------------------------------------------------------------------------------

/** Ready-to-paste setup for a client Switchboard does not configure itself (Cursor, SDKs, curl, ...). */
export interface SnippetView {
  /** `cursor`, `open-webui`, `langchain-python`, `openai-js`, `curl-anthropic`, ... */
  id: string;
  /** The client its variants share: `cursor`, `open-webui`, `langchain`, `openai-sdk`, `anthropic-sdk`, `curl`. */
  client: string;
  title: string;
  /** `text`, `shell`, `python` or `javascript`. */
  language: string;
  /** The wire the snippet speaks, and the base URL it uses for it (Anthropic and Ollama: no /v1). */
  wire: 'openai' | 'anthropic' | 'ollama';
  baseUrl: string;
  text: string;
  note?: string;
}

export interface IntegrationSnippetsResponse {
  /** The relay's OpenAI base URL the snippets derive from. */
  baseUrl: string;
  /** A relay token is set; `revealed`: the snippets show it in full (`?reveal=true`), else masked. */
  tokenSet: boolean;
  revealed: boolean;
  snippets: SnippetView[];
}

// ---------------------------------------------------------------------------------------------
// Settings: GET /admin/settings, PATCH /admin/settings
// ---------------------------------------------------------------------------------------------

export type RoutingPolicy = 'free-only' | 'free-first' | 'any';
export type ThemeSetting = 'system' | 'light' | 'dark';

/** What the Settings view shows and edits. Every field of a PATCH is optional. */
export interface SettingsView {
  server: {
    /** The configured address (`127.0.0.1`, or `0.0.0.0` with LAN exposure). */
    host: string;
    port: number;
    /** Reachable from other machines (host is not a loopback address). Needs the relay token. */
    lan: boolean;
    /** Extra Host names allowed (the machine's LAN name, ...). */
    allowedHosts: string[];
    /** A relay token is set (clients must send it; required for LAN exposure). */
    tokenSet: boolean;
    bodyLimitMb: number;
    /** Where the relay listens right now (it moves at once when host or port change). */
    listening: { host: string; port: number; url: string } | null;
  };
  routing: { policy: RoutingPolicy; exploration: number; maxRetryWaitMs: number };
  timeouts: { connectMs: number; firstTokenMs: number; idleMs: number; totalMs: number };
  probe: { enabled: boolean; contenderIntervalSeconds: number; tailIntervalMinutes: number; quotaSharePercent: number };
  requests: { keepBodies: boolean };
  ui: { theme: ThemeSetting };
  /** What only the desktop app can do; null fields are not available here (headless). */
  desktop: {
    /** Starts at login (null: not available, e.g. headless). */
    startAtLogin: boolean | null;
    /** Native notifications (null: not available). */
    notifications: boolean | null;
  };
}

export interface SettingsUpdate {
  server?: { port?: number; lan?: boolean; allowedHosts?: string[]; bodyLimitMb?: number };
  routing?: Partial<SettingsView['routing']>;
  timeouts?: Partial<SettingsView['timeouts']>;
  probe?: Partial<SettingsView['probe']>;
  requests?: Partial<SettingsView['requests']>;
  ui?: Partial<SettingsView['ui']>;
  desktop?: { startAtLogin?: boolean; notifications?: boolean };
}

/** PATCH /admin/settings answers the settings as they now are. */
export interface SettingsResponse {
  settings: SettingsView;
  /** Set when the relay moved (port or LAN changed): the page should continue at this origin. */
  movedTo?: string;
}

// ---------------------------------------------------------------------------------------------
// Keys: PATCH /admin/keys/:provider/:key, POST /admin/keys/:provider/:key/test
// ---------------------------------------------------------------------------------------------

export interface UpdateKeyRequest {
  label?: string;
  /** Glob patterns of model ids this key may serve; null or [] means every model. */
  models?: string[] | null;
}

export interface UpdateKeyResponse {
  key: KeyView;
}

/** The rate limit a provider reported on its last response to this key. */
export interface KeyRateLimitView {
  remainingRequests?: number;
  limitRequests?: number;
  remainingTokens?: number;
  limitTokens?: number;
  /** When the window resets. */
  resetAt?: string;
  /** When the provider said so. */
  observedAt: string;
}

/** A live check of one key: the provider's model list with it, then one tiny streamed request. */
export interface KeyTestResponse {
  provider: string;
  key: KeyView;
  ok: boolean;
  /** `ok`, `rejected` (401/403), `no-credit` (402), `rate-limited`, `unreachable`, `error`. */
  outcome: string;
  status?: number;
  /** What happened, in words (the provider's own error message when it failed). */
  message: string;
  /** Models the key can see. */
  models?: number;
  /** The model the tiny request went to, with its time to first token. */
  probe?: { model: string; ttftMs?: number; tokensPerSecond?: number };
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Custom endpoints: POST /admin/endpoints/preview
// ---------------------------------------------------------------------------------------------

/** What adding this endpoint would find, before anything is saved. */
export interface EndpointPreviewRequest {
  baseUrl: string;
  key?: string;
  headers?: Record<string, string>;
}

export interface EndpointPreviewResponse {
  ok: boolean;
  /** Model ids the endpoint lists (`GET /models`). */
  models: string[];
  /** Why it could not be listed (the endpoint still may be added with models by hand). */
  error?: string;
  warnings: string[];
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Demo mode: GET|POST /admin/demo
// ---------------------------------------------------------------------------------------------

/** Three simulated providers on this machine (fast, slow, flaky), for trying Switchboard without keys. */
export interface DemoView {
  running: boolean;
  /** The simulated providers' ids (`demo-fast`, `demo-slow`, `demo-flaky`) while running. */
  providers: string[];
}

export interface DemoRequest {
  running: boolean;
}

// ---------------------------------------------------------------------------------------------
// Dashboard events: GET /admin/events (server-sent events, `event: <name>` + one JSON `data:` line)
// ---------------------------------------------------------------------------------------------

/** `event: snapshot`, first on every connection: what GET /admin/status and GET /admin/qos answer. */
export interface SnapshotEvent {
  status: StatusResponse;
  qos: QosResponse;
}

/** `event: qos`, at most once a second: the routes whose measurements changed, and the current choice. */
export interface QosEvent {
  routes: QosRouteView[];
  /** True when `routes` is every route (not only the changed ones). */
  full: boolean;
  autoFastest: QosResponse['autoFastest'];
}

/** `event: config`, after settings changed and were applied. */
export interface ConfigEvent {
  pin: QosResponse['pin'];
  bans: string[];
  providers: Array<{ id: string; enabled: boolean; status: ProviderStatus }>;
  autoFastest: QosResponse['autoFastest'];
  /** The relay's status after the change, so the page need not ask (the relay may have moved). */
  status: StatusResponse;
}

/** `event: keys`, at most once a second: the providers whose keys started cooling down, were disabled or came back. */
export interface KeysEvent {
  providers: string[];
}

/** Each event name of GET /admin/events and its data. `request` is one finished request (never bodies). */
export interface AdminEventMap {
  snapshot: SnapshotEvent;
  request: RequestView;
  qos: QosEvent;
  config: ConfigEvent;
  keys: KeysEvent;
}
