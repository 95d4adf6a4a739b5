import type { KeyRef } from '../config/schema.js';
import type { KeyView } from './dto.js';
import {
  configFailure,
  envKeysOf,
  envView,
  findTarget,
  invalid,
  messageOf,
  newSecretId,
  OperationError,
  readSecret,
  resolveTarget,
  storedRefs,
  storedView,
  type OperationsContext,
  type Target,
} from './operation-context.js';
import { normalizeKey, normalizeLabel, normalizeModels } from './validate.js';

/** Adding, listing and removing provider keys (see operations.ts for the rules). */

export interface AddKeyOptions {
  label?: string;
  /** Glob patterns of model ids this key may serve; absent or empty means every model. */
  models?: string[];
}

/** Stores a new key for a built-in provider or a custom endpoint; returns its masked view. */
export async function addKey(ctx: OperationsContext, provider: string, secret: string, options: AddKeyOptions = {}): Promise<KeyView> {
  const target = resolveTarget(ctx, provider);
  const value = normalizeKey(secret);
  const models = normalizeModels(options.models, 'Model patterns');
  const refs = storedRefs(ctx.config.get(), target);

  for (const ref of refs) {
    if ((await readSecret(ctx, ref.id)) === value) throw new OperationError(`This key is already stored for ${target.id} as '${ref.label}'.`, 409, 'duplicate_key');
  }
  const fromEnv = envKeysOf(ctx, target.id).find((key) => key.secret === value);
  if (fromEnv) throw new OperationError(`This key is already used by ${target.id} from the environment variable ${fromEnv.label}.`, 409, 'duplicate_key');

  const envLabels = envKeysOf(ctx, target.id).map((key) => key.label.toLowerCase());
  const labelTaken = (label: string, existing: readonly KeyRef[]) =>
    existing.some((ref) => ref.label.toLowerCase() === label.toLowerCase()) || envLabels.includes(label.toLowerCase());
  let label: string;
  if (options.label !== undefined) {
    label = normalizeLabel(options.label);
    if (labelTaken(label, refs)) throw new OperationError(`${target.id} already has a key labelled '${label}'; choose another label.`, 409, 'duplicate_label');
  } else {
    let n = refs.length + 1;
    while (labelTaken(`key-${n}`, refs)) n++;
    label = `key-${n}`;
  }

  const id = await newSecretId(ctx, target.id);
  const ref: KeyRef = { id, label, addedAt: new Date((ctx.now ?? Date.now)()).toISOString() };
  if (models && models.length > 0) ref.models = models;

  try {
    await ctx.secrets.set(id, value);
  } catch (error) {
    throw new OperationError(`The key could not be stored: ${messageOf(error)}`, 500, 'secret_store_error');
  }
  try {
    await ctx.config.update((draft) => {
      // Re-checked on the freshest settings: they may have changed since we looked.
      const current = findTarget(ctx, draft, target.id);
      if (!current) throw new OperationError(`${target.id} no longer exists in the settings.`, 404, 'unknown_provider');
      const keys = current.kind === 'endpoint' ? current.endpoint.keys : (draft.providers[target.id] ??= { enabled: true, keys: [] }).keys;
      if (keys.some((existing) => existing.label.toLowerCase() === label.toLowerCase())) {
        throw new OperationError(`${target.id} already has a key labelled '${label}'; choose another label.`, 409, 'duplicate_label');
      }
      keys.push(ref);
    });
  } catch (error) {
    await ctx.secrets.delete(id).catch(() => undefined);
    throw configFailure(ctx, error, 'The key was not added');
  }
  return storedView(target.id, ref, value);
}

/** Every key (or one provider's), masked: stored keys first, then environment keys (read-only). */
export async function listKeys(ctx: OperationsContext, provider?: string): Promise<KeyView[]> {
  const config = ctx.config.get();
  const targets: Target[] =
    provider === undefined
      ? [
          ...ctx.catalog.filter((entry) => !config.endpoints.some((endpoint) => endpoint.id === entry.id)).map((entry): Target => ({ kind: 'catalog', id: entry.id, entry })),
          ...config.endpoints.map((endpoint): Target => ({ kind: 'endpoint', id: endpoint.id, endpoint })),
        ]
      : [resolveTarget(ctx, provider)];
  const views: KeyView[] = [];
  for (const target of targets) {
    for (const ref of storedRefs(config, target)) views.push(storedView(target.id, ref, await readSecret(ctx, ref.id)));
    if (target.kind === 'catalog') views.push(...envKeysOf(ctx, target.id).map(envView));
  }
  return views;
}

/** Removes a stored key by id or label. Environment keys cannot be removed here. */
export async function removeKey(ctx: OperationsContext, provider: string, idOrLabel: string): Promise<KeyView> {
  const target = resolveTarget(ctx, provider);
  const wanted = typeof idOrLabel === 'string' ? idOrLabel.trim() : '';
  if (wanted === '') throw invalid('Name the key to remove by its id or label.', 'invalid_key_ref');
  const refs = storedRefs(ctx.config.get(), target);
  const ref =
    refs.find((candidate) => candidate.id === wanted) ??
    refs.find((candidate) => candidate.label === wanted) ??
    refs.find((candidate) => candidate.label.toLowerCase() === wanted.toLowerCase());
  if (!ref) {
    const envKey = envKeysOf(ctx, target.id).find((key) => key.id === wanted || key.label.toLowerCase() === wanted.toLowerCase().replace(/^env:/, ''));
    if (envKey) {
      throw new OperationError(
        `The key ${envKey.label} of ${target.id} comes from the environment and cannot be removed here: unset the variable ${envKey.label} and restart the relay.`,
        400,
        'env_key_read_only',
      );
    }
    const known = refs.map((candidate) => `'${candidate.label}'`).join(', ');
    throw new OperationError(`${target.id} has no stored key '${wanted.slice(0, 64)}'${known ? `; its keys: ${known}` : ' (it has no stored keys)'}.`, 404, 'unknown_key');
  }
  const view = storedView(target.id, ref, await readSecret(ctx, ref.id));
  try {
    await ctx.config.update((draft) => {
      const current = findTarget(ctx, draft, target.id);
      if (!current) return;
      const keys = current.kind === 'endpoint' ? current.endpoint.keys : draft.providers[target.id]?.keys;
      if (!keys) return;
      const index = keys.findIndex((candidate) => candidate.id === ref.id);
      if (index >= 0) keys.splice(index, 1);
    });
  } catch (error) {
    throw configFailure(ctx, error, 'The key was not removed');
  }
  try {
    await ctx.secrets.delete(ref.id);
  } catch (error) {
    throw new OperationError(`The key was removed from the settings, but its secret could not be deleted: ${messageOf(error)}`, 500, 'secret_store_error');
  }
  return view;
}

export interface UpdateKeyOptions {
  label?: string;
  /** Glob patterns of model ids this key may serve; null or empty means every model. */
  models?: string[] | null;
}

/** A stored key found by id or label, or the refusal that names what exists. */
function findStoredRef(ctx: OperationsContext, target: Target, idOrLabel: string, verb: string): KeyRef {
  const wanted = typeof idOrLabel === 'string' ? idOrLabel.trim() : '';
  if (wanted === '') throw invalid(`Name the key to ${verb} by its id or label.`, 'invalid_key_ref');
  const refs = storedRefs(ctx.config.get(), target);
  const ref =
    refs.find((candidate) => candidate.id === wanted) ??
    refs.find((candidate) => candidate.label === wanted) ??
    refs.find((candidate) => candidate.label.toLowerCase() === wanted.toLowerCase());
  if (ref) return ref;
  const envKey = envKeysOf(ctx, target.id).find((key) => key.id === wanted || key.label.toLowerCase() === wanted.toLowerCase().replace(/^env:/, ''));
  if (envKey) {
    throw new OperationError(
      `The key ${envKey.label} of ${target.id} comes from the environment and is read-only here: change the variable ${envKey.label} and restart the relay, or add the key through Switchboard instead.`,
      409,
      'env_key_read_only',
    );
  }
  const known = refs.map((candidate) => `'${candidate.label}'`).join(', ');
  throw new OperationError(`${target.id} has no stored key '${wanted.slice(0, 64)}'${known ? `; its keys: ${known}` : ' (it has no stored keys)'}.`, 404, 'unknown_key');
}

/** Changes a stored key's label and/or model patterns; the secret itself never changes here. */
export async function updateKey(ctx: OperationsContext, provider: string, idOrLabel: string, options: UpdateKeyOptions): Promise<KeyView> {
  const target = resolveTarget(ctx, provider);
  const ref = findStoredRef(ctx, target, idOrLabel, 'change');
  const label = options.label === undefined ? undefined : normalizeLabel(options.label);
  const models = options.models === undefined ? undefined : normalizeModels(options.models, 'Model patterns') ?? [];
  if (label !== undefined && label.toLowerCase() !== ref.label.toLowerCase()) {
    const taken =
      storedRefs(ctx.config.get(), target).some((other) => other.id !== ref.id && other.label.toLowerCase() === label.toLowerCase()) ||
      envKeysOf(ctx, target.id).some((key) => key.label.toLowerCase() === label.toLowerCase());
    if (taken) throw new OperationError(`${target.id} already has a key labelled '${label}'; choose another label.`, 409, 'duplicate_label');
  }
  let updated: KeyRef | undefined;
  try {
    await ctx.config.update((draft) => {
      const current = findTarget(ctx, draft, target.id);
      const keys = current?.kind === 'endpoint' ? current.endpoint.keys : draft.providers[target.id]?.keys;
      const stored = keys?.find((candidate) => candidate.id === ref.id);
      if (!keys || !stored) throw new OperationError(`The key '${ref.label}' of ${target.id} was removed meanwhile.`, 404, 'unknown_key');
      if (label !== undefined) {
        if (keys.some((other) => other.id !== ref.id && other.label.toLowerCase() === label.toLowerCase())) {
          throw new OperationError(`${target.id} already has a key labelled '${label}'; choose another label.`, 409, 'duplicate_label');
        }
        stored.label = label;
      }
      if (models !== undefined) {
        if (models.length > 0) stored.models = models;
        else delete stored.models;
      }
      updated = { ...stored };
    });
  } catch (error) {
    throw configFailure(ctx, error, 'The key was not changed');
  }
  return storedView(target.id, updated ?? ref, await readSecret(ctx, ref.id));
}

/** One key, stored or from the environment, with its material: for a live test, never for an answer. */
export interface KeyForTest {
  provider: string;
  view: KeyView;
  id: string;
  label: string;
  /** Undefined when the settings name the key but its secret is missing. */
  secret: string | undefined;
  models?: string[];
}

export async function keyForTest(ctx: OperationsContext, provider: string, idOrLabel: string): Promise<KeyForTest> {
  const target = resolveTarget(ctx, provider);
  const wanted = typeof idOrLabel === 'string' ? idOrLabel.trim() : '';
  const envKey = envKeysOf(ctx, target.id).find((key) => key.id === wanted || key.label.toLowerCase() === wanted.toLowerCase().replace(/^env:/, ''));
  if (envKey && !storedRefs(ctx.config.get(), target).some((ref) => ref.id === wanted || ref.label === wanted)) {
    return { provider: target.id, view: envView(envKey), id: envKey.id, label: envKey.label, secret: envKey.secret };
  }
  const ref = findStoredRef(ctx, target, idOrLabel, 'test');
  const secret = (await readSecret(ctx, ref.id))?.trim();
  return { provider: target.id, view: storedView(target.id, ref, secret), id: ref.id, label: ref.label, secret, ...(ref.models ? { models: [...ref.models] } : {}) };
}

/** Every key material the relay knows (stored and environment), for defensive redaction. */
export async function knownSecrets(ctx: OperationsContext): Promise<string[]> {
  const config = ctx.config.get();
  const ids = [...Object.values(config.providers).flatMap((settings) => settings.keys), ...config.endpoints.flatMap((endpoint) => endpoint.keys)].map((ref) => ref.id);
  const secrets: string[] = [];
  for (const id of ids) {
    const secret = await ctx.secrets.get(id).catch(() => undefined);
    if (secret !== undefined) secrets.push(secret);
  }
  for (const key of envKeysOf(ctx)) secrets.push(key.secret);
  return secrets;
}

// ---------------------------------------------------------------------------------------------
