import { CONFIG_VERSION } from './schema.js';

/**
 * Upgrades settings documents written by older versions of Switchboard. Each entry of the map
 * turns a document of version `n - 1` into one of version `n` (the key); migrating from version
 * `v` applies the entries `v + 1 .. CONFIG_VERSION` in order. A document without a `version` is
 * version 1, the first format. A document from a newer Switchboard is refused, never rewritten.
 *
 * To change the format: bump CONFIG_VERSION in schema.ts and add an entry here keyed by the new
 * version.
 */

export type ConfigDocument = Record<string, unknown>;
export type Migration = (document: ConfigDocument) => ConfigDocument;

/** The version a document without a `version` field has. */
export const FIRST_CONFIG_VERSION = 1;

export const CONFIG_MIGRATIONS: ReadonlyMap<number, Migration> = new Map<number, Migration>([
  // Version 1 is the first format: there is nothing older to migrate from.
  [1, (document) => document],
]);

/** Thrown for a settings file written by a newer Switchboard; the file must be left alone. */
export class NewerConfigVersionError extends Error {
  readonly fileVersion: number;
  readonly supportedVersion: number;

  constructor(fileVersion: number, supportedVersion: number) {
    super(
      `The settings were written by a newer Switchboard (format version ${fileVersion}; this version understands up to ${supportedVersion}). ` +
        'They will not be touched: upgrade Switchboard, or move the file away to start over.',
    );
    this.name = 'NewerConfigVersionError';
    this.fileVersion = fileVersion;
    this.supportedVersion = supportedVersion;
  }
}

function isPlainObject(value: unknown): value is ConfigDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Runs `migrations` from the document's version up to `targetVersion`. Anything that is not an
 * object, or whose `version` is not a positive integer, is returned unchanged for the schema to
 * report. The input is never mutated.
 */
export function runMigrations(
  raw: unknown,
  migrations: ReadonlyMap<number, Migration>,
  targetVersion: number,
): { config: unknown; migrated: boolean } {
  if (!isPlainObject(raw)) return { config: raw, migrated: false };
  const version = raw.version === undefined ? FIRST_CONFIG_VERSION : raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < FIRST_CONFIG_VERSION) {
    return { config: raw, migrated: false };
  }
  if (version > targetVersion) throw new NewerConfigVersionError(version, targetVersion);
  if (version === targetVersion) return { config: raw, migrated: false };

  let document: ConfigDocument = structuredClone(raw);
  for (let next = version + 1; next <= targetVersion; next++) {
    const migrate = migrations.get(next);
    if (migrate === undefined) throw new Error(`No migration to settings format version ${next}.`);
    document = { ...migrate(document), version: next };
  }
  return { config: document, migrated: true };
}

/** Brings a parsed settings file up to CONFIG_VERSION (see the module comment). */
export function migrateConfig(raw: unknown): { config: unknown; migrated: boolean } {
  return runMigrations(raw, CONFIG_MIGRATIONS, CONFIG_VERSION);
}
