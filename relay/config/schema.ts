import { z } from 'zod';

/**
 * The settings document: one validated, versioned JSON file. It never holds key material, only
 * key ids and labels; the secrets themselves live in a SecretStore.
 */

export const CONFIG_VERSION = 1;

const idPattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const keyIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
// Names that would collide with Object.prototype when used as record keys.
const reservedIds = new Set(['__proto__', 'constructor', 'prototype', 'tostring', 'hasownproperty', 'valueof']);

export const providerIdSchema = z
  .string()
  .regex(idPattern, 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64')
  .refine((id) => !reservedIds.has(id.toLowerCase()), 'reserved name');

const headerValue = z.string().refine((value) => !/[\r\n\0]/.test(value), 'header values may not contain CR, LF or NUL');
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'not a valid HTTP header name');
const headersSchema = z.record(headerName, headerValue);

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//i.test(value), 'must be an http:// or https:// URL');

/** A reference to one stored key: the key itself lives in the SecretStore under `id`. */
export const keyRefSchema = z.object({
  id: z.string().regex(keyIdPattern),
  label: z.string().min(1).max(64),
  /** Glob patterns of upstream model ids this key may serve; absent means every model. */
  models: z.array(z.string().min(1).max(200)).optional(),
  addedAt: z.string().optional(),
});

export const providerSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Overrides the catalog's base URL. */
  baseUrl: httpUrl.optional(),
  keys: z.array(keyRefSchema).default([]),
  headers: headersSchema.optional(),
  /** Live model discovery (`GET /models`); the catalog's curated list is used either way. */
  discovery: z.boolean().optional(),
});

export const customEndpointSchema = z.object({
  id: providerIdSchema,
  baseUrl: httpUrl,
  enabled: z.boolean().default(true),
  keys: z.array(keyRefSchema).default([]),
  headers: headersSchema.optional(),
  discovery: z.boolean().default(true),
  /** Model ids to serve without discovery (or in addition to it). */
  models: z.array(z.string().min(1).max(200)).default([]),
  /** Whether using this endpoint costs money; only matters to the routing policy. */
  free: z.boolean().default(false),
});

export const timeoutsSchema = z.object({
  /** TCP and TLS connect. */
  connectMs: z.number().int().min(100).max(120_000).default(10_000),
  /** From sending the request to the first content event; then the next candidate is tried. */
  firstTokenMs: z.number().int().min(100).max(600_000).default(60_000),
  /** Longest silence between events once streaming. */
  idleMs: z.number().int().min(100).max(600_000).default(120_000),
  /** The whole budget for finding an upstream that answers, all attempts and waits included. */
  totalMs: z.number().int().min(100).max(1_800_000).default(180_000),
});

export const serverSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(4747),
  /** Extra Host names accepted besides loopback (for LAN use; requires the relay token). */
  allowedHosts: z.array(z.string().min(1).max(253)).default([]),
  /** Origins allowed to call the relay endpoints from a browser (exact match, never `*`). */
  allowedOrigins: z.array(z.string().url()).default([]),
  bodyLimitMb: z.number().min(1).max(512).default(32),
});

export const routingSchema = z.object({
  /** Provider ids in the order auto-fastest tries them until latency routing has data. */
  priority: z.array(providerIdSchema).default([]),
  policy: z.enum(['free-only', 'free-first', 'any']).default('free-first'),
  /** Longest wait for a cooling key before failing over or answering 429. */
  maxRetryWaitMs: z.number().int().min(0).max(60_000).default(2_000),
  /**
   * Steers auto-fastest to a model group (any provider serving it) or one exact
   * `provider/model` route while it is healthy; never overrides an explicit model id.
   */
  pin: z
    .object({
      kind: z.enum(['group', 'route']),
      target: z.string().min(1).max(300),
      /** Whether the aliases (fast, coding, ...) follow the pin too. */
      aliases: z.boolean().default(false),
    })
    .nullable()
    .default(null),
  /** Groups or `provider/model` routes never chosen for virtual ids and groups. */
  bans: z.array(z.string().min(1).max(300)).default([]),
  /** Chance of trying an unmeasured or recovering route first, to notice recoveries. */
  exploration: z.number().min(0).max(0.2).default(0.02),
});

/** One rule of the Claude model map: the first rule whose glob matches the asked id wins. */
export const modelMapRuleSchema = z.object({
  match: z.string().min(1).max(200),
  model: z.string().min(1).max(300),
});

export const anthropicWireSchema = z.object({
  /**
   * What the Claude model ids Claude Code sends (`claude-*`) are routed to. By default
   * haiku-class ids go to `fast` and every other Claude id to `auto-fastest`.
   */
  modelMap: z.array(modelMapRuleSchema).default([
    { match: 'claude-*haiku*', model: 'fast' },
    { match: 'claude-*', model: 'auto-fastest' },
  ]),
});

export const probeSchema = z.object({
  /** Measure routes in the background; off, auto-fastest goes by live traffic alone. */
  enabled: z.boolean().default(true),
  /** How often the routes competing for first place are measured, in seconds. */
  contenderIntervalSeconds: z.number().int().min(15).max(3_600).default(90),
  /** How often every other route is measured, in minutes. */
  tailIntervalMinutes: z.number().int().min(5).max(1_440).default(60),
  /** The share of a provider's free daily requests probes may spend, in percent. */
  quotaSharePercent: z.number().min(0).max(20).default(2),
});

export const requestsSchema = z.object({
  /** Keep prompt and answer bodies in the request log (memory only, truncated). Off by default. */
  keepBodies: z.boolean().default(false),
});

export const desktopSchema = z.object({
  /** Native notifications when every provider is down or a key is rejected. Off by default. */
  notifications: z.boolean().default(false),
});

export const uiSchema = z.object({
  /** The dashboard's colours: follow the OS, or always light or dark. */
  theme: z.enum(['system', 'light', 'dark']).default('system'),
});

export const configSchema = z.object({
  version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
  server: serverSchema.default(serverSchema.parse({})),
  providers: z.record(providerIdSchema, providerSettingsSchema).default({}),
  endpoints: z.array(customEndpointSchema).default([]),
  routing: routingSchema.default(routingSchema.parse({})),
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
  anthropic: anthropicWireSchema.default(anthropicWireSchema.parse({})),
  probe: probeSchema.default(probeSchema.parse({})),
  requests: requestsSchema.default(requestsSchema.parse({})),
  desktop: desktopSchema.default(desktopSchema.parse({})),
  ui: uiSchema.default(uiSchema.parse({})),
});

export type Config = z.infer<typeof configSchema>;
export type ProviderSettings = z.infer<typeof providerSettingsSchema>;
export type CustomEndpoint = z.infer<typeof customEndpointSchema>;
export type KeyRef = z.infer<typeof keyRefSchema>;
export type Timeouts = z.infer<typeof timeoutsSchema>;

export function defaultConfig(): Config {
  return configSchema.parse({});
}
