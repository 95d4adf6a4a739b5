import type { UpdateProviderRequest } from './dto.js';
import { configFailure, envKeysOf, findTarget, invalid, OperationError, resolveTarget, storedRefs, type OperationsContext } from './operation-context.js';
import { checkBaseUrl } from './validate.js';

/**
 * Turns a provider on or off, or moves it to another base URL. Moving a provider that has keys
 * (stored or from the environment) needs `confirmKeys: true`: those keys go to the new server,
 * so a forged edit must not be able to redirect them silently.
 */
export async function updateProvider(ctx: OperationsContext, provider: string, patch: UpdateProviderRequest): Promise<{ warnings: string[] }> {
  const target = resolveTarget(ctx, provider);
  if (patch.enabled !== undefined && typeof patch.enabled !== 'boolean') throw invalid('enabled must be true or false.');
  if (patch.confirmKeys !== undefined && typeof patch.confirmKeys !== 'boolean') throw invalid('confirmKeys must be true or false.');
  const warnings: string[] = [];
  let newBaseUrl: string | undefined | null;
  if (patch.baseUrl === null) {
    if (target.kind === 'endpoint') throw invalid('A custom endpoint needs a base URL; remove the endpoint instead.', 'invalid_base_url');
    newBaseUrl = null;
  } else if (patch.baseUrl !== undefined) {
    const checked = checkBaseUrl(patch.baseUrl);
    newBaseUrl = checked.url;
    warnings.push(...checked.warnings);
  }
  if (patch.enabled === undefined && newBaseUrl === undefined) throw invalid('Nothing to change: give enabled or baseUrl.', 'empty_patch');

  const config = ctx.config.get();
  if (newBaseUrl !== undefined) {
    const current = target.kind === 'endpoint' ? target.endpoint.baseUrl : config.providers[target.id]?.baseUrl ?? target.entry.baseUrl;
    const next = newBaseUrl ?? (target.kind === 'catalog' ? target.entry.baseUrl : current);
    const keyCount = storedRefs(config, target).length + (target.kind === 'catalog' ? envKeysOf(ctx, target.id).length : 0);
    if (next !== current && keyCount > 0 && patch.confirmKeys !== true) {
      throw new OperationError(
        `${target.id} has ${keyCount} key${keyCount === 1 ? '' : 's'}; a new base URL (${next}) will receive ${keyCount === 1 ? 'it' : 'them'}. Repeat the change with confirmKeys: true to confirm.`,
        409,
        'confirm_keys_required',
      );
    }
  }
  try {
    await ctx.config.update((draft) => {
      const current = findTarget(ctx, draft, target.id);
      if (!current) throw new OperationError(`${target.id} no longer exists in the settings.`, 404, 'unknown_provider');
      if (current.kind === 'endpoint') {
        if (patch.enabled !== undefined) current.endpoint.enabled = patch.enabled;
        if (typeof newBaseUrl === 'string') current.endpoint.baseUrl = newBaseUrl;
        return;
      }
      const settings = (draft.providers[target.id] ??= { enabled: true, keys: [] });
      if (patch.enabled !== undefined) settings.enabled = patch.enabled;
      if (newBaseUrl === null) delete settings.baseUrl;
      else if (newBaseUrl !== undefined) settings.baseUrl = newBaseUrl;
    });
  } catch (error) {
    throw configFailure(ctx, error, 'The provider was not changed');
  }
  return { warnings };
}
