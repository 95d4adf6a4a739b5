import { describe, expect, it } from 'vitest';
import type { ProviderView } from '../../relay/admin/dto.js';
import { AdminApiError } from '../../renderer/lib/api/admin-client.js';
import { confirmKeysReason, isOverridden, keysWouldMove } from '../../renderer/lib/components/providers/base-url.js';
import { freeProvidersNeedingKey, groupProviders, protectionNote, sectionOf, statusBadge } from '../../renderer/lib/components/providers/provider-sections.js';

function provider(id: string, overrides: Partial<ProviderView> = {}): ProviderView {
  return {
    id,
    name: id,
    custom: false,
    local: false,
    status: 'needs-key',
    enabled: true,
    keyRequired: true,
    keyCount: 0,
    keys: [],
    baseUrl: `https://${id}.example/v1`,
    keyEnv: [],
    free: true,
    modelCount: 3,
    ...overrides,
  };
}

describe('sectionOf', () => {
  it('puts custom endpoints under custom whatever their state, and other providers that are off under off', () => {
    expect(sectionOf(provider('mine', { custom: true, keyRequired: false, status: 'disabled', enabled: false }))).toBe('custom');
    expect(sectionOf(provider('mine', { custom: true, keyRequired: false, status: 'ready' }))).toBe('custom');
    expect(sectionOf(provider('groq', { enabled: false, status: 'disabled' }))).toBe('off');
    expect(sectionOf(provider('ollama', { local: true, keyRequired: false, enabled: false, status: 'disabled' }))).toBe('off');
  });

  it('lists local servers under local whether found or not, then by key status', () => {
    expect(sectionOf(provider('ollama', { local: true, keyRequired: false, status: 'not-detected' }))).toBe('local');
    expect(sectionOf(provider('lmstudio', { local: true, keyRequired: false, status: 'ready' }))).toBe('local');
    expect(sectionOf(provider('groq', { status: 'needs-key' }))).toBe('needs-key');
    expect(sectionOf(provider('groq', { status: 'ready', keyCount: 1 }))).toBe('ready');
  });
});

describe('groupProviders', () => {
  it('returns every section in display order, keeps the relay order, and lists free providers needing a key first', () => {
    const list = [
      provider('openai', { free: false }),
      provider('groq', { status: 'ready', keyCount: 1 }),
      provider('cerebras'),
      provider('ollama', { local: true, keyRequired: false, status: 'not-detected' }),
      provider('mine', { custom: true, keyRequired: false, status: 'ready' }),
      provider('gemini', { enabled: false, status: 'disabled' }),
      provider('anthropic', { free: false }),
      provider('mistral'),
    ];
    const sections = groupProviders(list);
    expect(sections.map((section) => section.id)).toEqual(['ready', 'needs-key', 'local', 'custom', 'off']);
    expect(sections.map((section) => section.title)).toEqual(['Ready', 'Need a key', 'Local', 'Custom endpoints', 'Off']);
    const ids = Object.fromEntries(sections.map((section) => [section.id, section.providers.map((member) => member.id)]));
    expect(ids).toEqual({ ready: ['groq'], 'needs-key': ['cerebras', 'mistral', 'openai', 'anthropic'], local: ['ollama'], custom: ['mine'], off: ['gemini'] });
  });

  it('gives empty sections for an empty list and does not change its input', () => {
    const list = [provider('openai', { free: false }), provider('groq')];
    expect(groupProviders([]).every((section) => section.providers.length === 0)).toBe(true);
    groupProviders(list);
    expect(list.map((member) => member.id)).toEqual(['openai', 'groq']);
  });
});

describe('freeProvidersNeedingKey', () => {
  it('keeps free built-in providers that take a key, with or without one already', () => {
    const list = [
      provider('groq', { status: 'ready', keyCount: 1 }),
      provider('openai', { free: false }),
      provider('ollama', { local: true, keyRequired: false }),
      provider('mine', { custom: true, keyRequired: false, free: true }),
      provider('cerebras'),
    ];
    expect(freeProvidersNeedingKey(list).map((member) => member.id)).toEqual(['groq', 'cerebras']);
  });
});

describe('statusBadge and protectionNote', () => {
  it('names every status', () => {
    expect(statusBadge({ status: 'ready', local: false })).toEqual({ tone: 'ok', text: 'ready' });
    expect(statusBadge({ status: 'needs-key', local: false }).text).toBe('needs a key');
    expect(statusBadge({ status: 'not-detected', local: true }).text).toBe('not running');
    expect(statusBadge({ status: 'no-models', local: false }).tone).toBe('warn');
    expect(statusBadge({ status: 'disabled', local: false }).text).toBe('off');
  });

  it('says honestly how keys are kept', () => {
    expect(protectionNote('file-0600').text).toContain('readable only by you');
    expect(protectionNote('file-0600').text).toContain('not protected by a keyring');
    expect(protectionNote('none')).toMatchObject({ tone: 'error' });
    expect(protectionNote('none').text).toContain('not protected by a keyring');
    expect(protectionNote('keychain').text).toContain('keychain');
    expect(protectionNote('memory').text).toContain('forgotten');
  });
});

describe('keysWouldMove', () => {
  const groq = provider('groq', { baseUrl: 'https://api.groq.com/openai/v1', defaultBaseUrl: 'https://api.groq.com/openai/v1' });

  it('asks only when the provider has keys and the URL really changes', () => {
    expect(keysWouldMove({ ...groq, keyCount: 0 }, 'http://127.0.0.1:9/v1')).toBe(false);
    expect(keysWouldMove({ ...groq, keyCount: 2 }, 'http://127.0.0.1:9/v1')).toBe(true);
    expect(keysWouldMove({ ...groq, keyCount: 2 }, 'https://api.groq.com/openai/v1/')).toBe(false);
  });

  it('treats a reset (null) as a move to the built-in URL', () => {
    const moved = { ...groq, keyCount: 1, baseUrl: 'http://127.0.0.1:9/v1' };
    expect(keysWouldMove(moved, null)).toBe(true);
    expect(keysWouldMove({ ...moved, keyCount: 0 }, null)).toBe(false);
    expect(keysWouldMove({ ...groq, keyCount: 1, defaultBaseUrl: undefined }, null)).toBe(false);
    expect(isOverridden(moved)).toBe(true);
    expect(isOverridden(groq)).toBe(false);
    expect(isOverridden({ baseUrl: 'http://x/v1' })).toBe(false);
  });
});

describe('confirmKeysReason', () => {
  it("gives the relay's reason for a 409 confirm_keys_required and nothing for other errors", () => {
    const refusal = new AdminApiError('groq has 1 key; a new base URL (http://x/v1) will receive it.', 409, 'confirm_keys_required');
    expect(confirmKeysReason(refusal)).toBe('groq has 1 key; a new base URL (http://x/v1) will receive it.');
    expect(confirmKeysReason(new AdminApiError('taken', 409, 'name_taken'))).toBeNull();
    expect(confirmKeysReason(new AdminApiError('bad', 400, 'invalid_base_url'))).toBeNull();
    expect(confirmKeysReason(new Error('confirm_keys_required'))).toBeNull();
  });
});
