import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from '../fs/atomic-file.js';
import type { SecretStore } from './secret-store.js';

/**
 * The file name inside the config directory. Same value as SECRETS_FILE in config/paths.ts
 * (a test checks); kept here so keys/ does not import config/ (they are sibling layers).
 */
export const SECRETS_FILE_NAME = 'secrets.json';

/** Ids of stored secrets: letters, digits, `_ : . -`, 1 to 128 characters. */
export const SECRET_ID_PATTERN = /^[A-Za-z0-9_:.-]{1,128}$/;

const SECRETS_FORMAT_VERSION = 1;

/** Checks an id; throws a clear error when it is not acceptable. */
export function assertSecretId(id: string): void {
  if (typeof id !== 'string' || !SECRET_ID_PATTERN.test(id)) {
    throw new Error('Invalid secret id: use 1 to 128 letters, digits, "_", ":", "." or "-".');
  }
}

/**
 * Trims a pasted secret and checks it. Throws (without echoing the secret) when it is empty or
 * contains CR, LF or NUL, which would corrupt HTTP headers.
 */
export function normalizeSecret(secret: string): string {
  if (typeof secret !== 'string') throw new Error('A secret must be a string.');
  const trimmed = secret.trim();
  if (trimmed === '') throw new Error('The secret is empty.');
  if (/[\r\n\0]/.test(trimmed)) throw new Error('The secret contains a line break or NUL character; paste the key on one line.');
  return trimmed;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Parses the secrets file; throws a message (no secret values) when it is malformed. */
function parseSecretsFile(text: string): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected a JSON object');
  const document = raw as Record<string, unknown>;
  if (document.version !== SECRETS_FORMAT_VERSION) {
    throw new Error(`unsupported "version" ${JSON.stringify(document.version)} (expected ${SECRETS_FORMAT_VERSION})`);
  }
  const secrets = document.secrets;
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw new Error('"secrets" must be an object of id → secret');
  }
  const map = new Map<string, string>();
  // Object.entries sees own properties only, so an id like "__proto__" is safe here.
  for (const [id, secret] of Object.entries(secrets)) {
    if (typeof secret !== 'string') throw new Error(`the secret "${id}" is not a string`);
    map.set(id, secret);
  }
  return map;
}

function serializeSecrets(secrets: ReadonlyMap<string, string>): string {
  // Object.fromEntries defines own properties, so "__proto__" survives as an ordinary key.
  return `${JSON.stringify({ version: SECRETS_FORMAT_VERSION, secrets: Object.fromEntries(secrets) }, null, 2)}\n`;
}

interface FileStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

/**
 * The headless SecretStore: `secrets.json` in the config directory (0700), written atomically
 * with mode 0600 as `{ "version": 1, "secrets": { "<id>": "<secret>" } }`.
 *
 * Operations run one at a time. Each one first checks whether the file changed on disk (another
 * process, e.g. the CLI, may have added a key) and re-reads it, so writes never drop someone
 * else's change. A malformed file is never overwritten: `open` and later operations throw an
 * error naming the file instead.
 */
export class FileSecretStore implements SecretStore {
  readonly protection = 'file-0600' as const;
  /** The full path of the secrets file. */
  readonly file: string;

  private secrets = new Map<string, string>();
  private stamp: FileStamp | undefined;
  private queue: Promise<void> = Promise.resolve();

  private constructor(file: string) {
    this.file = file;
  }

  static async open(dir: string): Promise<FileSecretStore> {
    await ensurePrivateDir(dir);
    const store = new FileSecretStore(join(dir, SECRETS_FILE_NAME));
    await store.enqueue(() => store.refresh());
    return store;
  }

  get(id: string): Promise<string | undefined> {
    return this.enqueue(async () => {
      await this.refresh();
      return this.secrets.get(id);
    });
  }

  async set(id: string, secret: string): Promise<void> {
    // Checked before queueing; `async` turns a bad argument into a rejection, not a throw.
    assertSecretId(id);
    const value = normalizeSecret(secret);
    return this.enqueue(async () => {
      await this.refresh();
      const next = new Map(this.secrets);
      next.set(id, value);
      await this.save(next);
    });
  }

  delete(id: string): Promise<void> {
    return this.enqueue(async () => {
      await this.refresh();
      if (!this.secrets.has(id)) return;
      const next = new Map(this.secrets);
      next.delete(id);
      await this.save(next);
    });
  }

  list(): Promise<string[]> {
    return this.enqueue(async () => {
      await this.refresh();
      return [...this.secrets.keys()];
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async currentStamp(): Promise<FileStamp | undefined> {
    try {
      const stats = await stat(this.file);
      return { mtimeMs: stats.mtimeMs, size: stats.size, ino: stats.ino };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Re-reads the file when it changed since we last read or wrote it. */
  private async refresh(): Promise<void> {
    const stamp = await this.currentStamp();
    if (stamp === undefined) {
      this.secrets = new Map();
      this.stamp = undefined;
      return;
    }
    const known = this.stamp;
    if (known !== undefined && known.mtimeMs === stamp.mtimeMs && known.size === stamp.size && known.ino === stamp.ino) return;
    const text = await readFileIfExists(this.file);
    if (text === undefined) {
      this.secrets = new Map();
      this.stamp = undefined;
      return;
    }
    try {
      this.secrets = parseSecretsFile(text);
    } catch (error) {
      this.stamp = undefined;
      throw new Error(
        `The secrets file ${this.file} is unreadable: ${error instanceof Error ? error.message : String(error)}. ` +
          'It was left untouched; fix it or move it away.',
      );
    }
    this.stamp = stamp;
  }

  private async save(next: Map<string, string>): Promise<void> {
    await writeFileAtomic(this.file, serializeSecrets(next), { mode: 0o600 });
    this.secrets = next;
    this.stamp = await this.currentStamp();
  }
}
