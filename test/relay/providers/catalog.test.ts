import { describe, expect, it } from 'vitest';
import {
  CATALOG_DATE,
  catalogKeyEnv,
  findProvider,
  joinBaseUrl,
  providerCatalog,
} from '../../../relay/providers/catalog.js';
import type { ProviderDefinition } from '../../../relay/providers/catalog.js';

const promised = [
  'groq',
  'cerebras',
  'nvidia',
  'openrouter',
  'gemini',
  'mistral',
  'codestral',
  'sambanova',
  'huggingface',
  'github',
  'together',
  'deepseek',
  'scaleway',
  'hyperbolic',
  'opencode-zen',
  'ollama',
  'lmstudio',
];

function provider(id: string): ProviderDefinition {
  const definition = findProvider(id);
  if (!definition) throw new Error(`missing provider ${id}`);
  return definition;
}

describe('providerCatalog', () => {
  it('has unique ids of the settings id form', () => {
    const ids = providerCatalog.map((definition) => definition.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/);
  });

  it('contains every provider the product promises', () => {
    const ids = new Set(providerCatalog.map((definition) => definition.id));
    for (const id of promised) expect(ids.has(id), id).toBe(true);
  });

  it('uses https for remote providers and http://127.0.0.1 for local ones', () => {
    for (const definition of providerCatalog) {
      const url = new URL(definition.baseUrl);
      if (definition.local) {
        expect(url.protocol, definition.id).toBe('http:');
        expect(url.hostname, definition.id).toBe('127.0.0.1');
      } else {
        expect(url.protocol, definition.id).toBe('https:');
      }
      expect(url.search + url.hash, definition.id).toBe('');
    }
  });

  it('joins /chat/completions to every base URL without a double slash', () => {
    for (const definition of providerCatalog) {
      const joined = new URL(`${definition.baseUrl.replace(/\/+$/, '')}/chat/completions`);
      expect(joined.pathname, definition.id).toMatch(/\/chat\/completions$/);
      expect(joined.pathname, definition.id).not.toContain('//');
      expect(joinBaseUrl(definition.baseUrl, '/chat/completions')).toBe(joined.href);
    }
  });

  it('keeps Gemini on its documented OpenAI endpoint', () => {
    expect(joinBaseUrl(provider('gemini').baseUrl, 'chat/completions')).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
    );
  });

  it('names keys in env var form and requires them except for local servers', () => {
    for (const definition of providerCatalog) {
      for (const name of definition.keyEnv) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(definition.keyRequired, definition.id).toBe(!definition.local);
      if (definition.keyRequired) expect(definition.keyEnv.length, definition.id).toBeGreaterThan(0);
      expect(definition.tier === 'local', definition.id).toBe(definition.local === true);
    }
    expect(provider('groq').keyEnv[0]).toBe('GROQ_API_KEY');
    expect(provider('gemini').keyEnv).toEqual(['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY']);
    expect(provider('huggingface').keyEnv[0]).toBe('HF_TOKEN');
    expect(provider('scaleway').keyEnv).toEqual(['SCW_SECRET_KEY', 'SCALEWAY_API_KEY']);
  });

  it('lists curated models with unique ids and sane limits', () => {
    for (const definition of providerCatalog) {
      const ids = definition.models.map((model) => model.id);
      expect(new Set(ids).size, definition.id).toBe(ids.length);
      for (const model of definition.models) {
        expect(model.id.trim(), definition.id).toBe(model.id);
        expect(model.id.length, definition.id).toBeGreaterThan(0);
        for (const limit of [model.contextWindow, model.maxOutputTokens]) {
          if (limit !== undefined) expect(Number.isInteger(limit) && limit > 0, model.id).toBe(true);
        }
      }
    }
  });

  it('marks models free only where the tier allows it', () => {
    for (const definition of providerCatalog) {
      if (definition.tier === 'paid' || definition.tier === 'credits') {
        for (const model of definition.models) expect(model.free, `${definition.id} ${model.id}`).toBe(false);
      }
      if (definition.local) expect(definition.models, definition.id).toEqual([]);
    }
  });

  it('curates only :free OpenRouter models and discovers free ones only', () => {
    const openrouter = provider('openrouter');
    const free = openrouter.models.filter((model) => model.free);
    expect(free.length).toBeGreaterThan(0);
    for (const model of free) expect(model.id.endsWith(':free'), model.id).toBe(true);
    expect(openrouter.discoveryFilter).toMatchObject({ freeOnly: true, idSuffix: ':free' });
    expect(openrouter.headers?.['X-Title']).toBe('Switchboard');
  });

  it('encodes the documented request quirks', () => {
    const groq = provider('groq').quirks;
    expect(groq.dropMessageName).toBe(true);
    expect(groq.dropFields).toEqual(expect.arrayContaining(['logprobs', 'top_logprobs', 'logit_bias', 'n']));

    for (const id of ['mistral', 'codestral']) {
      const quirks = provider(id).quirks;
      expect(quirks.useMaxTokens, id).toBe(true);
      expect(quirks.seedField, id).toBe('random_seed');
      expect(quirks.toolCallIdLength, id).toBe(9);
    }

    const cerebras = provider('cerebras').quirks;
    expect(cerebras.dropFields).toEqual(
      expect.arrayContaining(['frequency_penalty', 'presence_penalty', 'logit_bias', 'parallel_tool_calls', 'service_tier']),
    );
    expect(cerebras.defaultMaxOutputTokens).toBeGreaterThan(0);

    expect(provider('gemini').quirks.stripModelPrefix).toBe('models/');
    expect(provider('deepseek').quirks.reasoningInToolLoop).toBe(true);
    expect(provider('openai').quirks).toEqual({});
  });

  it('drops OpenAI-only fields for every other upstream', () => {
    for (const definition of providerCatalog) {
      // Quirks rewrite OpenAI chat-completions bodies; the native Anthropic adapter builds its own.
      if (definition.id === 'openai' || definition.id === 'openrouter' || definition.kind !== 'openai-compatible') continue;
      expect(definition.quirks.dropFields, definition.id).toEqual(
        expect.arrayContaining(['store', 'metadata', 'service_tier', 'prediction', 'prompt_cache_key']),
      );
      const fields = definition.quirks.dropFields ?? [];
      expect(new Set(fields).size, definition.id).toBe(fields.length);
    }
  });

  it('reaches Anthropic through its native adapter', () => {
    expect(provider('anthropic')).toMatchObject({ kind: 'anthropic', baseUrl: 'https://api.anthropic.com', keyEnv: ['ANTHROPIC_API_KEY'], tier: 'paid', discovery: true });
    expect(provider('anthropic').headers?.['anthropic-version']).toBe('2023-06-01');
  });

  it('sends only valid header names and values', () => {
    for (const definition of providerCatalog) {
      for (const [name, value] of Object.entries(definition.headers ?? {})) {
        expect(name).toMatch(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/);
        expect(value).not.toMatch(/[\r\n\0]/);
      }
    }
  });

  it('is frozen so callers cannot change the shared definitions', () => {
    const groq = provider('groq');
    expect(Object.isFrozen(providerCatalog)).toBe(true);
    expect(Object.isFrozen(groq)).toBe(true);
    expect(Object.isFrozen(groq.quirks.dropFields)).toBe(true);
    expect(Object.isFrozen(groq.models[0])).toBe(true);
  });
});

/** The filter semantics documented on `DiscoveryFilter`. */
function keeps(definition: ProviderDefinition, id: string, free?: boolean): boolean {
  const filter = definition.discoveryFilter;
  if (!filter) return true;
  if (filter.idSuffix !== undefined && !id.endsWith(filter.idSuffix)) return false;
  if (filter.freeOnly && free === false) return false;
  return !(filter.excludePatterns ?? []).some((pattern) => new RegExp(pattern, 'i').test(id));
}

describe('discoveryFilter', () => {
  it('keeps every curated model, so discovery cannot hide one', () => {
    for (const definition of providerCatalog) {
      for (const model of definition.models) expect(keeps(definition, model.id, model.free), `${definition.id} ${model.id}`).toBe(true);
    }
  });

  it('drops non-chat and non-free models from discovered lists', () => {
    const zen = provider('opencode-zen');
    expect(keeps(zen, 'big-pickle')).toBe(true);
    expect(keeps(zen, 'some-new-model-free')).toBe(true);
    expect(keeps(zen, 'big-pickle-2')).toBe(false);
    expect(keeps(zen, 'glm-5')).toBe(false);
    expect(keeps(zen, 'claude-sonnet-free')).toBe(false);
    expect(keeps(zen, 'gpt-5-nano-free')).toBe(false);

    expect(keeps(provider('openrouter'), 'openai/gpt-oss-120b')).toBe(false);
    expect(keeps(provider('openrouter'), 'vendor/model:free', false)).toBe(false);
    expect(keeps(provider('gemini'), 'gemini-embedding-001')).toBe(false);
    expect(keeps(provider('gemini'), 'gemini-2.5-flash')).toBe(true);
    expect(keeps(provider('nvidia'), 'nvidia/nv-embedqa-e5-v5')).toBe(false);
    expect(keeps(provider('nvidia'), 'meta/llama-3.3-70b-instruct')).toBe(true);
  });
});

describe('findProvider', () => {
  it('finds by exact id and returns undefined otherwise', () => {
    expect(findProvider('groq')?.name).toBe('Groq');
    expect(findProvider('GROQ')).toBeUndefined();
    expect(findProvider('constructor')).toBeUndefined();
    expect(findProvider('')).toBeUndefined();
  });
});

describe('catalogKeyEnv', () => {
  it('lists every provider with copies of its env names', () => {
    const entries = catalogKeyEnv();
    expect(entries.map((entry) => entry.id)).toEqual(providerCatalog.map((definition) => definition.id));
    const groq = entries.find((entry) => entry.id === 'groq');
    expect(groq?.keyEnv).toEqual(['GROQ_API_KEY']);
    groq?.keyEnv.push('OTHER');
    expect(provider('groq').keyEnv).toEqual(['GROQ_API_KEY']);
  });
});

describe('CATALOG_DATE', () => {
  it('is a year-month', () => {
    expect(CATALOG_DATE).toMatch(/^\d{4}-(0[1-9]|1[0-2])$/);
  });
});
