import { createAnthropicAdapter } from './anthropic/index.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/index.js';
import type { ProviderAdapter } from './provider.js';

/** Provider kind → adapter. One line per kind. */
const factories: Record<string, () => ProviderAdapter> = {
  'openai-compatible': createOpenAICompatibleAdapter,
  anthropic: createAnthropicAdapter,
};

export function createAdapter(kind: string): ProviderAdapter {
  const factory = factories[kind];
  if (!factory) throw new Error(`Unknown provider kind '${kind}'.`);
  return factory();
}
