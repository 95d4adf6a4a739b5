/**
 * Key, endpoint and provider operations shared by the admin API and the offline CLI. Plain
 * functions over a ConfigSource (settings) and a SecretStore (key material); they never return
 * or log a key, only masks.
 *
 * Order of writes: a new secret is stored before the settings entry that names it, and deleted
 * again when the settings cannot be saved, so the settings never point at a missing secret. A
 * removal drops the settings entry first, then the secret.
 *
 * This module is the public face; the work is split by subject into key-operations.ts,
 * endpoint-operations.ts, provider-operations.ts, validate.ts and operation-context.ts.
 */

export { OperationError, type CatalogEntry, type OperationErrorType, type OperationsContext } from './operation-context.js';
export { addKey, keyForTest, knownSecrets, listKeys, removeKey, updateKey, type AddKeyOptions, type KeyForTest, type UpdateKeyOptions } from './key-operations.js';
export { addEndpoint, listEndpoints, removeEndpoint, type AddEndpointOptions } from './endpoint-operations.js';
export { updateProvider } from './provider-operations.js';
export { checkBaseUrl, normalizeKey } from './validate.js';
export { applyImport, exportToken, previewImport, type ExportTokenOptions, type ImportTokenOptions } from './config-token.js';
export { tokenKind, type TokenKind } from './config-token-format.js';
