import type { Config, CustomEndpoint, KeyRef } from '../config/schema.js';
import { maskKey } from '../keys/redact.js';
import { decodeToken, encodePlain, encodeSealed, normalizePassphrase, TOKEN_APP, TOKEN_FORMAT, type TokenKey, type TokenPayload } from './config-token-format.js';
import { addKeyRefs, importedSettings, readPortable, refsOf, same, settingsChanges, toPortable, type ImportMode, type PortableConfig } from './config-token-plan.js';
import type { ConfigExportResponse, ConfigImportPreview, ImportKeyView } from './dto.js';
import { configFailure, envKeysOf, invalid, messageOf, newSecretId, normalizeId, OperationError, readSecret, type OperationsContext } from './operation-context.js';
import { normalizeKey, normalizeLabel, normalizeModels } from './validate.js';

/**
 * Config tokens: the settings (and, only when asked, the stored keys) as one versioned string
 * to move a setup to another machine, and the import of such a string.
 *
 * - Export: settings without `server` and without key references (config-token-plan.ts). With
 *   `includeKeys` the stored keys go in too, and the token is sealed with a passphrase
 *   (config-token-format.ts). Environment keys, the relay token and the admin token are never
 *   exported.
 * - Import: the token is untrusted input. It is opened, validated (format, schema, base URLs,
 *   keys) and turned into a preview of every change; with apply, new keys are stored first, the
 *   settings written second, and the new keys deleted again when the settings cannot be saved,
 *   so on any error the settings and the secret store are as they were.
 */

const RELAY_TOKEN_SECRET = 'relay-token';

export interface ExportTokenOptions {
  includeKeys: boolean;
  /** Required with includeKeys (at least 8 characters); refused without. */
  passphrase?: string;
}

export interface ImportTokenOptions {
  passphrase?: string;
  mode?: ImportMode;
}

const iso = (ctx: OperationsContext) => new Date((ctx.now ?? Date.now)()).toISOString();

/** The settings, and with includeKeys the stored keys, as one token (see the module comment). */
export async function exportToken(ctx: OperationsContext, options: ExportTokenOptions): Promise<ConfigExportResponse> {
  if (typeof options.includeKeys !== 'boolean') throw invalid('includeKeys must be true or false.');
  if (!options.includeKeys && options.passphrase !== undefined) {
    throw invalid('A passphrase is only used with includeKeys: a token without keys is not encrypted.', 'unexpected_passphrase');
  }
  let passphrase: string | undefined;
  if (options.includeKeys) {
    if (options.passphrase === undefined || options.passphrase === '') {
      throw invalid('Exporting keys needs a passphrase (at least 8 characters): the token is encrypted with it.', 'passphrase_required');
    }
    passphrase = normalizePassphrase(options.passphrase);
  }
  if (ctx.config.problem !== undefined) throw new OperationError(`The settings cannot be exported until the settings file is fixed: ${ctx.config.problem}`, 409, 'config_invalid');

  const config = ctx.config.get();
  const warnings: string[] = [];
  const payload: TokenPayload = { format: TOKEN_FORMAT, app: TOKEN_APP, createdAt: iso(ctx), config: toPortable(config, warnings) };
  if (passphrase === undefined) return { token: encodePlain(payload), includesKeys: false, keyCount: 0, warnings };
  payload.keys = await storedKeys(ctx, config, warnings);
  return { token: await encodeSealed(payload, passphrase), includesKeys: true, keyCount: payload.keys.length, warnings };
}

/** Every stored provider key named by the settings; never the relay token. */
async function storedKeys(ctx: OperationsContext, config: Config, warnings: string[]): Promise<TokenKey[]> {
  const relayToken = await ctx.secrets.get(RELAY_TOKEN_SECRET).catch(() => undefined);
  const owners: Array<[string, readonly KeyRef[]]> = [
    ...Object.entries(config.providers).map(([id, settings]): [string, readonly KeyRef[]] => [id, settings.keys]),
    ...config.endpoints.map((endpoint): [string, readonly KeyRef[]] => [endpoint.id, endpoint.keys]),
  ];
  const keys: TokenKey[] = [];
  for (const [provider, refs] of owners) {
    for (const ref of refs) {
      const secret = ref.id === RELAY_TOKEN_SECRET ? undefined : await readSecret(ctx, ref.id);
      if (secret === undefined) {
        warnings.push(`The key '${ref.label}' of ${provider} is left out: its secret is missing from the secret store.`);
        continue;
      }
      if (relayToken !== undefined && secret === relayToken) {
        warnings.push(`The key '${ref.label}' of ${provider} is left out: it is the relay token.`);
        continue;
      }
      keys.push({ provider, label: ref.label, ...(ref.models ? { models: [...ref.models] } : {}), secret });
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

interface PlannedKey {
  provider: string;
  label: string;
  models?: string[];
  secret: string;
}

interface ImportPlan {
  mode: ImportMode;
  imported: PortableConfig;
  keys: PlannedKey[];
  preview: ConfigImportPreview;
}

function checkMode(mode: unknown): ImportMode {
  if (mode === undefined) return 'merge';
  if (mode !== 'merge' && mode !== 'replace') throw invalid("mode must be 'merge' or 'replace'.", 'invalid_mode');
  return mode;
}

/** An id from the token, shown in messages only when it looks like one. */
function shownId(id: string): string {
  return /^[a-z0-9][a-z0-9._-]{0,63}$/.test(id) ? id : '(not a provider id)';
}

/** Which of the token's keys would be added, and which skipped (duplicates, unknown providers). */
async function planKeys(ctx: OperationsContext, next: Config, tokenKeys: readonly TokenKey[]): Promise<{ planned: PlannedKey[]; add: ImportKeyView[]; skipped: ImportKeyView[] }> {
  const catalogIds = new Set(ctx.catalog.map((entry) => entry.id));
  const known = new Map<string, { secrets: Map<string, string>; labels: Set<string> }>();
  async function knownFor(provider: string, endpoint: boolean) {
    let state = known.get(provider);
    if (state) return state;
    state = { secrets: new Map(), labels: new Set() };
    for (const ref of refsOf(next, provider)) {
      state.labels.add(ref.label.toLowerCase());
      const secret = await readSecret(ctx, ref.id);
      if (secret !== undefined) state.secrets.set(secret, 'already stored');
    }
    if (!endpoint) {
      for (const key of envKeysOf(ctx, provider)) {
        state.labels.add(key.label.toLowerCase());
        state.secrets.set(key.secret, `already set in the environment (${key.label})`);
      }
    }
    known.set(provider, state);
    return state;
  }

  const planned: PlannedKey[] = [];
  const add: ImportKeyView[] = [];
  const skipped: ImportKeyView[] = [];
  for (const key of tokenKeys) {
    const provider = normalizeId(key.provider);
    let secret: string;
    let label: string;
    let models: string[] | undefined;
    try {
      secret = normalizeKey(key.secret);
      label = normalizeLabel(key.label);
      models = normalizeModels(key.models, 'Model patterns');
    } catch (error) {
      throw invalid(`The token's key for ${shownId(provider)} is not usable: ${messageOf(error)}`, 'invalid_token_key');
    }
    const view: ImportKeyView = { provider: shownId(provider), label, masked: maskKey(secret), ...(models && models.length > 0 ? { models } : {}) };
    const endpoint = next.endpoints.some((candidate) => candidate.id === provider);
    if (!endpoint && !catalogIds.has(provider)) {
      skipped.push({ ...view, reason: 'no such provider or endpoint here' });
      continue;
    }
    const state = await knownFor(provider, endpoint);
    const duplicate = state.secrets.get(secret);
    if (duplicate !== undefined) {
      skipped.push({ ...view, reason: duplicate });
      continue;
    }
    let unique = label;
    for (let n = 2; state.labels.has(unique.toLowerCase()); n++) unique = `${label.slice(0, 64 - `-${n}`.length)}-${n}`;
    state.secrets.set(secret, 'already in this token');
    state.labels.add(unique.toLowerCase());
    planned.push({ provider, label: unique, ...(view.models ? { models: view.models } : {}), secret });
    add.push({ ...view, label: unique });
  }
  return { planned, add, skipped };
}

async function planImport(ctx: OperationsContext, token: unknown, options: ImportTokenOptions): Promise<ImportPlan> {
  const mode = checkMode(options.mode);
  const { kind, payload } = await decodeToken(token, options.passphrase);
  const warnings: string[] = [];
  const imported = readPortable(payload.config, new Set(ctx.catalog.map((entry) => entry.id)), warnings);
  const current = ctx.config.get();
  const { next, removed } = importedSettings(current, imported, mode);
  const keys = await planKeys(ctx, next, payload.keys ?? []);

  const adding = new Map<string, number>();
  for (const key of keys.planned) adding.set(key.provider, (adding.get(key.provider) ?? 0) + 1);
  const keyCount = (id: string) => {
    const endpoint = next.endpoints.some((candidate) => candidate.id === id);
    return refsOf(next, id).length + (adding.get(id) ?? 0) + (endpoint ? 0 : envKeysOf(ctx, id).length);
  };
  const removedKeys: ImportKeyView[] = [];
  for (const endpoint of removed) {
    for (const ref of endpoint.keys) {
      const secret = await readSecret(ctx, ref.id);
      removedKeys.push({ provider: endpoint.id, label: ref.label, masked: secret === undefined ? '(missing)' : maskKey(secret) });
    }
  }
  const preview: ConfigImportPreview = {
    mode,
    applied: false,
    includesKeys: kind === 'sealed',
    createdAt: payload.createdAt,
    changes: !same(current, next) || keys.planned.length > 0,
    ...settingsChanges(ctx, current, next, keyCount),
    keys: { add: keys.add, skipped: keys.skipped, removed: removedKeys },
    warnings,
  };
  return { mode, imported, keys: keys.planned, preview };
}

/** What importing `token` would change; changes nothing. */
export async function previewImport(ctx: OperationsContext, token: unknown, options: ImportTokenOptions = {}): Promise<ConfigImportPreview> {
  return (await planImport(ctx, token, options)).preview;
}

async function forget(ctx: OperationsContext, ids: readonly string[]): Promise<void> {
  for (const id of ids) await ctx.secrets.delete(id).catch(() => undefined);
}

/**
 * Imports `token`: new keys are stored, then the settings written (recomputed on the freshest
 * settings); the new keys are deleted again when the settings cannot be saved. Stored keys of
 * custom endpoints a replace removes are deleted last. Answers the preview, `applied: true`.
 */
export async function applyImport(ctx: OperationsContext, token: unknown, options: ImportTokenOptions = {}): Promise<ConfigImportPreview> {
  const plan = await planImport(ctx, token, options);
  if (ctx.config.problem !== undefined) throw new OperationError(`Nothing was imported: the settings file must be fixed first. ${ctx.config.problem}`, 409, 'config_invalid');
  if (!plan.preview.changes) return { ...plan.preview, applied: true };

  const stored: string[] = [];
  const refs = new Map<string, KeyRef[]>();
  try {
    for (const key of plan.keys) {
      const id = await newSecretId(ctx, key.provider);
      await ctx.secrets.set(id, key.secret);
      stored.push(id);
      const ref: KeyRef = { id, label: key.label, addedAt: iso(ctx), ...(key.models ? { models: key.models } : {}) };
      refs.set(key.provider, [...(refs.get(key.provider) ?? []), ref]);
    }
  } catch (error) {
    await forget(ctx, stored);
    throw error instanceof OperationError ? error : new OperationError(`Nothing was imported: a key could not be stored: ${messageOf(error)}`, 500, 'secret_store_error');
  }

  let removed: CustomEndpoint[] = [];
  try {
    await ctx.config.update((draft) => {
      const result = importedSettings(draft, plan.imported, plan.mode);
      addKeyRefs(result.next, refs);
      removed = result.removed;
      return result.next;
    });
  } catch (error) {
    await forget(ctx, stored);
    throw configFailure(ctx, error, 'Nothing was imported');
  }

  const warnings = [...plan.preview.warnings];
  let failed = 0;
  for (const ref of removed.flatMap((endpoint) => endpoint.keys)) {
    try {
      await ctx.secrets.delete(ref.id);
    } catch {
      failed++;
    }
  }
  if (failed > 0) warnings.push(`The import was applied, but ${failed} stored key${failed === 1 ? '' : 's'} of removed endpoints could not be deleted from the secret store.`);
  return { ...plan.preview, applied: true, warnings };
}
