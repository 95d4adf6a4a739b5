import { describe, expect, it } from 'vitest';
import { CONFIG_VERSION } from '../../../relay/config/schema.js';
import { NewerConfigVersionError, migrateConfig, runMigrations } from '../../../relay/config/migrations.js';
import type { Migration } from '../../../relay/config/migrations.js';

describe('migrateConfig', () => {
  it('treats a document without a version as version 1 and leaves it alone', () => {
    const raw = { server: { port: 5000 } };
    expect(migrateConfig(raw)).toEqual({ config: raw, migrated: false });
  });

  it('leaves a current document alone', () => {
    const raw = { version: CONFIG_VERSION, providers: {} };
    const result = migrateConfig(raw);
    expect(result.migrated).toBe(false);
    expect(result.config).toBe(raw);
  });

  it('refuses a document written by a newer Switchboard', () => {
    expect(() => migrateConfig({ version: CONFIG_VERSION + 1 })).toThrow(NewerConfigVersionError);
    expect(() => migrateConfig({ version: CONFIG_VERSION + 1 })).toThrow(/newer Switchboard.*will not be touched/s);
  });

  it('passes through what is not a versioned object, for the schema to report', () => {
    expect(migrateConfig([1, 2])).toEqual({ config: [1, 2], migrated: false });
    expect(migrateConfig(null)).toEqual({ config: null, migrated: false });
    expect(migrateConfig({ version: 'two' })).toEqual({ config: { version: 'two' }, migrated: false });
  });
});

describe('runMigrations', () => {
  const table = new Map<number, Migration>([
    [1, (doc) => doc],
    [2, (doc) => ({ ...doc, renamed: doc.old, old: undefined })],
    [3, (doc) => ({ ...doc, added: true })],
  ]);

  it('applies each step from the document version up to the target, without mutating the input', () => {
    const raw = { old: 'x' };
    const result = runMigrations(raw, table, 3);
    expect(result).toEqual({ config: { renamed: 'x', old: undefined, added: true, version: 3 }, migrated: true });
    expect(raw).toEqual({ old: 'x' });
  });

  it('starts from the stated version', () => {
    expect(runMigrations({ version: 2, renamed: 'y' }, table, 3)).toEqual({ config: { version: 3, renamed: 'y', added: true }, migrated: true });
  });

  it('fails clearly when a step is missing', () => {
    expect(() => runMigrations({ version: 1 }, new Map(), 2)).toThrow(/No migration to settings format version 2/);
  });
});
