import { describe, expect, it } from 'vitest';
import type { ConfigImportPreview } from '../../relay/admin/dto.js';
import { changeCount, importHeadline, summarizeImport } from '../../renderer/lib/components/integrations/import-summary.js';
import { isSealedToken, passphraseProblem } from '../../renderer/lib/components/integrations/token-input.js';

function preview(fields: Partial<ConfigImportPreview> = {}): ConfigImportPreview {
  return {
    mode: 'merge',
    applied: false,
    includesKeys: false,
    createdAt: '2026-01-02T03:04:05.000Z',
    changes: true,
    baseUrls: [],
    providers: { enabled: [], disabled: [], changed: [] },
    endpoints: { added: [], removed: [], changed: [] },
    routing: [],
    settings: [],
    keys: { add: [], skipped: [], removed: [] },
    warnings: [],
    ...fields,
  };
}

const full = preview({
  mode: 'replace',
  includesKeys: true,
  baseUrls: [
    { provider: 'groq', custom: false, from: 'https://api.groq.com/openai/v1', to: 'http://10.0.0.9/v1', keys: 2, warnings: ['plain http to another machine'] },
    { provider: 'lab', custom: true, from: null, to: 'http://127.0.0.1:9/v1', keys: 0, warnings: [] },
  ],
  providers: { enabled: ['groq'], disabled: ['mistral'], changed: [{ id: 'groq', fields: ['baseUrl', 'models'] }] },
  endpoints: { added: ['lab'], removed: ['old'], changed: [{ id: 'kept', fields: ['discovery', 'custom-field'] }] },
  routing: ['routing.policy: "free-first" → "any"'],
  settings: ['timeouts.idleMs: 30000 → 60000'],
  keys: {
    add: [{ provider: 'groq', label: 'main', masked: '…abcd', models: ['llama-*'] }],
    skipped: [{ provider: 'openai', label: 'dup', masked: '…wxyz', reason: 'already stored' }],
    removed: [{ provider: 'old', label: 'k', masked: '…1234' }],
  },
  warnings: ["The settings of 'nope' are skipped: this Switchboard has no such provider."],
});

describe('summarizeImport', () => {
  it('puts where keys would be sent first, flagged, then every other change in plain words', () => {
    const sections = summarizeImport(full);
    expect(sections.map((section) => section.title)).toEqual(['Where requests and keys would be sent', 'Providers', 'Custom endpoints', 'Routing', 'Other settings', 'Keys', 'Warnings']);
    const [baseUrls, providers, endpoints, routing, settings, keys, warnings] = sections;
    expect(baseUrls?.lines).toEqual([
      { key: 'base-urls-0', tone: 'warning', text: 'groq: from https://api.groq.com/openai/v1 to http://10.0.0.9/v1 — 2 keys would be sent there' },
      { key: 'base-urls-1', tone: 'warning', text: 'groq: plain http to another machine' },
      { key: 'base-urls-2', tone: 'warning', text: 'lab (custom endpoint): to http://127.0.0.1:9/v1 — no keys would be sent there' },
    ]);
    expect(providers?.lines.map((line) => [line.tone, line.text])).toEqual([
      ['add', 'Turn on groq'],
      ['remove', 'Turn off mistral'],
      ['plain', 'groq: changes its base URL, models'],
    ]);
    expect(endpoints?.lines.map((line) => line.text)).toEqual(['Add lab', 'Remove old', 'kept: changes its model discovery, custom-field']);
    expect(routing?.lines.map((line) => line.text)).toEqual(['routing.policy: "free-first" → "any"']);
    expect(settings?.lines.map((line) => line.text)).toEqual(['timeouts.idleMs: 30000 → 60000']);
    expect(keys?.lines.map((line) => [line.tone, line.text])).toEqual([
      ['add', "Add groq: 'main' …abcd (models llama-*)"],
      ['plain', "Skip openai: 'dup' …wxyz — already stored"],
      ['remove', "Delete old: 'k' …1234 — its endpoint is removed"],
    ]);
    expect(warnings?.lines.every((line) => line.tone === 'warning')).toBe(true);
  });

  it('leaves out empty sections, and a preview without changes has none', () => {
    expect(summarizeImport(preview({ changes: false }))).toEqual([]);
    expect(summarizeImport(preview({ routing: ['routing.exploration: 0.1 → 0'] })).map((section) => section.key)).toEqual(['routing']);
  });

  it('says in one line what kind of token it is and how it would be applied', () => {
    expect(importHeadline(full)).toMatch(/^A token made .+ \(settings and keys\), replacing the current settings\. Importing would:$/);
    expect(importHeadline(preview({ changes: false }))).toMatch(/\(settings only\): importing it would change nothing\.$/);
    expect(importHeadline(preview({ applied: true, createdAt: 'whenever' }))).toBe('A token (settings only), merged (nothing removed). Imported:');
  });

  it('counts the changes for the success message (skipped keys are not changes)', () => {
    expect(changeCount(full)).toBe(3 + 3 + 1 + 1 + 1 + 1);
    expect(changeCount(preview())).toBe(0);
  });
});

describe('token input checks', () => {
  it('tells a sealed token by its header, ignoring line wraps', () => {
    expect(isSealedToken('sbcfg1.sealed.AAAA')).toBe(true);
    expect(isSealedToken('  sbcfg1.sea\nled.AAAA')).toBe(true);
    expect(isSealedToken('sbcfg1.plain.e30')).toBe(false);
    expect(isSealedToken('')).toBe(false);
  });

  it('asks for 8 characters, then a matching confirmation', () => {
    expect(passphraseProblem('short', '')).toContain('at least 8');
    // Characters, not UTF-16 units: 8 emoji are enough, 7 are not.
    expect(passphraseProblem('🔑'.repeat(7), '🔑'.repeat(7))).toContain('at least 8');
    expect(passphraseProblem('🔑'.repeat(8), '🔑'.repeat(8))).toBeNull();
    expect(passphraseProblem('a long passphrase', '')).toBe('Type the passphrase again to confirm it.');
    expect(passphraseProblem('a long passphrase', 'a long passphrasE')).toBe('The two passphrases differ.');
    // The same text typed in another Unicode form matches, as the relay normalises to NFC.
    expect(passphraseProblem('caf\u00e9 au lait', 'cafe\u0301 au lait')).toBeNull();
  });
});
