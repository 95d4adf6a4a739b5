import type { ProviderView } from '../../../../relay/admin/dto.js';
import { AdminApiError } from '../../api/admin-client.js';

function comparable(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/**
 * Whether moving this provider to `next` (null: back to the built-in URL) sends its keys to a
 * different server, so the user must confirm first. The relay checks the same and answers 409
 * `confirm_keys_required` when we did not ask; asking up front saves that round trip.
 */
export function keysWouldMove(provider: Pick<ProviderView, 'keyCount' | 'baseUrl' | 'defaultBaseUrl'>, next: string | null): boolean {
  if (provider.keyCount === 0) return false;
  const target = next ?? provider.defaultBaseUrl;
  if (target === undefined) return false;
  return comparable(target) !== comparable(provider.baseUrl);
}

/** The provider's base URL is overridden (a built-in provider not at its built-in URL). */
export function isOverridden(provider: Pick<ProviderView, 'baseUrl' | 'defaultBaseUrl'>): boolean {
  return provider.defaultBaseUrl !== undefined && comparable(provider.defaultBaseUrl) !== comparable(provider.baseUrl);
}

/**
 * The relay's reason when it refused a base URL change until the user confirms that the
 * provider's keys go to the new server (409 `confirm_keys_required`); null for any other error.
 */
export function confirmKeysReason(error: unknown): string | null {
  return error instanceof AdminApiError && error.status === 409 && error.code === 'confirm_keys_required' ? error.message : null;
}
