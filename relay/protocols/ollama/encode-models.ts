import { createHash } from 'node:crypto';
import type { ListingCapabilities, ModelListing } from '../../core/relay-service.js';
import { modelFamily, parameterSize } from './model-names.js';

/**
 * The model objects of `/api/tags`, `/api/show` and `/api/ps`. Nothing is downloaded or loaded
 * here, so sizes are 0, there is no quantization and the digest is a stable hash of the id; the
 * fields clients read (name and model, details, capabilities, context length) are all there.
 */

/** The Ollama version the relay reports: recent enough that clients enable tools and thinking. */
export const OLLAMA_VERSION = '0.13.0';

/** RFC 3339 with a numeric offset, which every client parses (older Python `fromisoformat` rejects `Z`). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

export function digestOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * Ollama capability names from what the relay knows: `embedding` models do nothing else; tools are
 * assumed unless known missing (routing does the same); vision and thinking only when known.
 */
export function ollamaCapabilities(capabilities: ListingCapabilities | undefined): string[] {
  if (capabilities?.embeddings === true) return ['embedding'];
  const names = ['completion'];
  if (capabilities?.tools !== false) names.push('tools');
  if (capabilities?.vision === true) names.push('vision');
  if (capabilities?.reasoning === true) names.push('thinking');
  return names;
}

export function modelDetails(id: string): Record<string, unknown> {
  const family = modelFamily(id);
  return {
    parent_model: '',
    format: '',
    family,
    families: family === '' ? [] : [family],
    parameter_size: parameterSize(id),
    quantization_level: '',
  };
}

/** One `/api/tags` entry. Open WebUI keys models by `model`, others by `name`: both are the id. */
export function tagEntry(listing: ModelListing): Record<string, unknown> {
  return {
    name: listing.id,
    model: listing.id,
    modified_at: rfc3339(listing.created * 1000),
    size: 0,
    digest: digestOf(listing.id),
    details: modelDetails(listing.id),
    ...(listing.capabilities === undefined ? {} : { capabilities: ollamaCapabilities(listing.capabilities) }),
  };
}

/** `/api/show`: clients read `capabilities` and `model_info["<arch>.context_length"]`. */
export function showResponse(listing: ModelListing): Record<string, unknown> {
  const details = modelDetails(listing.id);
  const architecture = (details.family as string) || 'switchboard';
  const modelInfo: Record<string, unknown> = { 'general.architecture': architecture, 'general.basename': listing.id };
  if (listing.contextWindow !== undefined) modelInfo[`${architecture}.context_length`] = listing.contextWindow;
  return {
    license: '',
    modelfile: `# Served by Switchboard (a relay) from ${listing.virtual ? 'several routes' : listing.ownedBy}; nothing runs locally.\nFROM ${listing.id}\n`,
    parameters: '',
    template: '{{ .Prompt }}',
    details,
    model_info: modelInfo,
    capabilities: ollamaCapabilities(listing.capabilities),
    modified_at: rfc3339(listing.created * 1000),
  };
}

/** One `/api/ps` entry: a recently used model, "loaded" until its keep-alive runs out. */
export function psEntry(id: string, listing: ModelListing | undefined, expiresAt: number): Record<string, unknown> {
  return {
    name: id,
    model: id,
    size: 0,
    digest: digestOf(id),
    details: modelDetails(id),
    expires_at: rfc3339(expiresAt),
    size_vram: 0,
    context_length: listing?.contextWindow ?? 0,
  };
}
