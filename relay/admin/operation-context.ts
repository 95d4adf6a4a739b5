import { randomBytes } from 'node:crypto';
import type { ConfigSource } from '../config/config-store.js';
import type { Config, CustomEndpoint, KeyRef } from '../config/schema.js';
import { readEnvKeys, type EnvKey } from '../keys/env-keys.js';
import { maskKey } from '../keys/redact.js';
import type { SecretStore } from '../keys/secret-store.js';
import type { KeyView } from './dto.js';

/** What every admin operation works with, and the helpers they share (see operations.ts). */

/** What the operations need to know about a built-in provider (the catalog is injected). */
export interface CatalogEntry {
  readonly id: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly keyEnv: readonly string[];
  readonly keyRequired: boolean;
  readonly signupUrl?: string;
  readonly docsUrl?: string;
}

export interface OperationsContext {
  config: ConfigSource;
  secrets: SecretStore;
  /** The built-in providers (relay/providers/catalog.ts), injected by the composition root. */
  catalog: readonly CatalogEntry[];
  /** Environment variables, for the read-only environment keys (default: none). */
  env?: Record<string, string | undefined>;
  now?: () => number;
  /** The random part of new key ids (tests); default 8 random lower-case letters and digits. */
  randomSuffix?: () => string;
}

export type OperationErrorType = 'invalid_request_error' | 'permission_error' | 'not_found_error' | 'conflict_error' | 'server_error';

/** A refused or failed operation: the message is meant for the user and never contains a key. */
export class OperationError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: OperationErrorType;

  constructor(message: string, status: number, code: string) {
    super(message);
    this.name = 'OperationError';
    this.status = status;
    this.code = code;
    this.type =
      status === 403 ? 'permission_error' : status === 404 ? 'not_found_error' : status === 409 ? 'conflict_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  }
}

export const invalid = (message: string, code = 'invalid_request') => new OperationError(message, 400, code);

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A settings write that failed: refused operations pass through, an unusable file is a conflict. */
export function configFailure(ctx: OperationsContext, error: unknown, what: string): OperationError {
  if (error instanceof OperationError) return error;
  if (ctx.config.problem !== undefined) return new OperationError(`${what}: ${messageOf(error)}`, 409, 'config_invalid');
  return new OperationError(`${what}: ${messageOf(error)}`, 500, 'config_error');
}

// ---------------------------------------------------------------------------------------------
// Targets: a built-in provider or a custom endpoint
// ---------------------------------------------------------------------------------------------

export type Target = { kind: 'endpoint'; id: string; endpoint: CustomEndpoint } | { kind: 'catalog'; id: string; entry: CatalogEntry };

/** Custom endpoints first: an endpoint with a built-in id replaces the built-in provider. */
export function findTarget(ctx: OperationsContext, config: Config, id: string): Target | undefined {
  const endpoint = config.endpoints.find((candidate) => candidate.id === id);
  if (endpoint) return { kind: 'endpoint', id, endpoint };
  const entry = ctx.catalog.find((candidate) => candidate.id === id);
  return entry ? { kind: 'catalog', id, entry } : undefined;
}

export function normalizeId(value: string): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

export function resolveTarget(ctx: OperationsContext, provider: string): Target {
  const config = ctx.config.get();
  const id = normalizeId(provider);
  const target = findTarget(ctx, config, id);
  if (target) return target;
  const given = String(provider);
  // A long value is more likely a key typed in the wrong place than a provider id: never echo it.
  const shown = given.length > 24 || /[^a-z0-9._-]/i.test(given) ? 'Unknown provider (that is not a provider id; the provider comes first, then the key)' : `Unknown provider '${given}'`;
  const builtIn = ctx.catalog.map((entry) => entry.id).join(', ');
  const custom = config.endpoints.map((endpoint) => endpoint.id);
  throw new OperationError(
    `${shown}. Valid ids: ${builtIn}${custom.length > 0 ? `; custom endpoints: ${custom.join(', ')}` : ' (no custom endpoints)'}.`,
    404,
    'unknown_provider',
  );
}

export function storedRefs(config: Config, target: Target): KeyRef[] {
  if (target.kind === 'endpoint') return config.endpoints.find((endpoint) => endpoint.id === target.id)?.keys ?? [];
  return config.providers[target.id]?.keys ?? [];
}

export function envKeysOf(ctx: OperationsContext, providerId?: string): EnvKey[] {
  const providers = ctx.catalog.filter((entry) => providerId === undefined || entry.id === providerId);
  return readEnvKeys(ctx.env ?? {}, providers.map((entry) => ({ id: entry.id, keyEnv: [...entry.keyEnv] })));
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Keys as stored and shown
// ---------------------------------------------------------------------------------------------

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function defaultSuffix(): string {
  return [...randomBytes(8)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}

export async function newSecretId(ctx: OperationsContext, providerId: string): Promise<string> {
  // Key ids allow letters, digits, "_" and "-" only (provider ids may also hold ".").
  const prefix = providerId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 48);
  const taken = new Set(await ctx.secrets.list());
  for (let attempt = 0; attempt < 10; attempt++) {
    const id = `${prefix}-${(ctx.randomSuffix ?? defaultSuffix)()}`;
    if (!taken.has(id)) return id;
  }
  throw new OperationError('Could not find a free id for the key; try again.', 500, 'id_exhausted');
}

export function storedView(provider: string, ref: KeyRef, secret: string | undefined): KeyView {
  const view: KeyView = { provider, id: ref.id, label: ref.label, masked: secret === undefined ? '(missing)' : maskKey(secret), source: 'stored' };
  if (ref.models) view.models = [...ref.models];
  if (ref.addedAt !== undefined) view.addedAt = ref.addedAt;
  if (secret === undefined) view.missing = true;
  return view;
}

export function envView(key: EnvKey): KeyView {
  return { provider: key.providerId, id: key.id, label: key.label, masked: maskKey(key.secret), source: 'env' };
}

export async function readSecret(ctx: OperationsContext, id: string): Promise<string | undefined> {
  try {
    return await ctx.secrets.get(id);
  } catch (error) {
    throw new OperationError(`The secret store cannot be read: ${messageOf(error)}`, 500, 'secret_store_error');
  }
}
