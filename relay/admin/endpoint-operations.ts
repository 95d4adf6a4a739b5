import { providerIdSchema, type Config, type CustomEndpoint } from '../config/schema.js';
import type { EndpointView, KeyView } from './dto.js';
import { configFailure, invalid, messageOf, newSecretId, normalizeId, OperationError, readSecret, storedView, type OperationsContext } from './operation-context.js';
import { checkBaseUrl, normalizeHeaders, normalizeKey, normalizeModels } from './validate.js';

/** Custom OpenAI-compatible endpoints: add (with a key), list, remove (with its keys). */

export interface AddEndpointOptions {
  key?: string;
  headers?: Record<string, string>;
  discovery?: boolean;
  models?: string[];
  free?: boolean;
}

async function endpointView(ctx: OperationsContext, endpoint: CustomEndpoint): Promise<EndpointView> {
  const keys: KeyView[] = [];
  for (const ref of endpoint.keys) keys.push(storedView(endpoint.id, ref, await readSecret(ctx, ref.id)));
  return {
    id: endpoint.id,
    baseUrl: endpoint.baseUrl,
    enabled: endpoint.enabled,
    discovery: endpoint.discovery,
    models: [...endpoint.models],
    headerNames: Object.keys(endpoint.headers ?? {}),
    free: endpoint.free,
    keys,
  };
}

/** Adds an OpenAI-compatible endpoint, with its key stored as a secret when one is given. */
export async function addEndpoint(
  ctx: OperationsContext,
  name: string,
  baseUrl: string,
  options: AddEndpointOptions = {},
): Promise<{ endpoint: EndpointView; warnings: string[] }> {
  const id = typeof name === 'string' ? name.trim() : '';
  const parsedId = providerIdSchema.safeParse(id);
  if (!parsedId.success) {
    throw invalid(`'${id.slice(0, 64)}' is not a usable endpoint name: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64.`, 'invalid_name');
  }
  if (ctx.catalog.some((entry) => entry.id === id)) {
    throw new OperationError(`'${id}' is a built-in provider; choose another name (a built-in provider's base URL is changed in its own settings).`, 409, 'name_taken');
  }
  if (ctx.config.get().endpoints.some((endpoint) => endpoint.id === id)) throw new OperationError(`An endpoint named '${id}' already exists.`, 409, 'name_taken');
  const { url, warnings } = checkBaseUrl(baseUrl);
  const headers = normalizeHeaders(options.headers);
  const models = normalizeModels(options.models, 'Models') ?? [];
  if (options.discovery !== undefined && typeof options.discovery !== 'boolean') throw invalid('discovery must be true or false.');
  if (options.free !== undefined && typeof options.free !== 'boolean') throw invalid('free must be true or false.');
  const discovery = options.discovery ?? true;
  if (!discovery && models.length === 0) warnings.push(`${id} serves no models until you list some (--model) or turn discovery on.`);
  const secret = options.key === undefined ? undefined : normalizeKey(options.key);

  const endpoint: CustomEndpoint = { id, baseUrl: url, enabled: true, keys: [], discovery, models, free: options.free ?? false };
  if (headers && Object.keys(headers).length > 0) endpoint.headers = headers;
  let secretId: string | undefined;
  if (secret !== undefined) {
    secretId = await newSecretId(ctx, id);
    endpoint.keys.push({ id: secretId, label: 'key-1', addedAt: new Date((ctx.now ?? Date.now)()).toISOString() });
    try {
      await ctx.secrets.set(secretId, secret);
    } catch (error) {
      throw new OperationError(`The endpoint's key could not be stored: ${messageOf(error)}`, 500, 'secret_store_error');
    }
  }
  let saved: Config;
  try {
    saved = await ctx.config.update((draft) => {
      if (draft.endpoints.some((existing) => existing.id === id)) throw new OperationError(`An endpoint named '${id}' already exists.`, 409, 'name_taken');
      draft.endpoints.push(structuredClone(endpoint));
    });
  } catch (error) {
    if (secretId !== undefined) await ctx.secrets.delete(secretId).catch(() => undefined);
    throw configFailure(ctx, error, 'The endpoint was not added');
  }
  const stored = saved.endpoints.find((candidate) => candidate.id === id) ?? endpoint;
  return { endpoint: await endpointView(ctx, stored), warnings };
}

export async function listEndpoints(ctx: OperationsContext): Promise<EndpointView[]> {
  const views: EndpointView[] = [];
  for (const endpoint of ctx.config.get().endpoints) views.push(await endpointView(ctx, endpoint));
  return views;
}

/** Removes a custom endpoint and deletes its stored keys. */
export async function removeEndpoint(ctx: OperationsContext, name: string): Promise<{ removed: EndpointView; deletedKeys: number }> {
  const id = normalizeId(name);
  const endpoint = ctx.config.get().endpoints.find((candidate) => candidate.id === id);
  if (!endpoint) {
    const known = ctx.config.get().endpoints.map((candidate) => candidate.id);
    throw new OperationError(`There is no custom endpoint '${String(name).slice(0, 64)}'${known.length > 0 ? `; endpoints: ${known.join(', ')}` : ' (none are configured)'}.`, 404, 'unknown_endpoint');
  }
  const removed = await endpointView(ctx, endpoint);
  let keyIds: string[] = endpoint.keys.map((ref) => ref.id);
  try {
    await ctx.config.update((draft) => {
      const index = draft.endpoints.findIndex((candidate) => candidate.id === id);
      if (index < 0) return;
      const [gone] = draft.endpoints.splice(index, 1);
      if (gone) keyIds = gone.keys.map((ref) => ref.id);
      draft.routing.priority = draft.routing.priority.filter((entry) => entry !== id);
    });
  } catch (error) {
    throw configFailure(ctx, error, 'The endpoint was not removed');
  }
  const failures: string[] = [];
  for (const keyId of keyIds) {
    try {
      await ctx.secrets.delete(keyId);
    } catch (error) {
      failures.push(messageOf(error));
    }
  }
  if (failures.length > 0) {
    throw new OperationError(`The endpoint was removed, but ${failures.length} of its keys could not be deleted: ${failures[0]}`, 500, 'secret_store_error');
  }
  return { removed, deletedKeys: keyIds.length };
}
