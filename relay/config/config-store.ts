import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from '../fs/atomic-file.js';
import { migrateConfig } from './migrations.js';
import { ConfigState } from './config-state.js';
import { CONFIG_FILE } from './paths.js';
import { configSchema } from './schema.js';
import type { Config } from './schema.js';

/**
 * Where the relay reads its settings. Headless it is a ConfigStore (an atomic JSON file); the
 * desktop app may swap in an electron-store backed source with the same contract.
 *
 * Configs handed out by `get()` and to listeners are immutable snapshots (deeply frozen by
 * ConfigStore): change settings only through `update()`.
 */
export interface ConfigSource {
  /** The current settings; synchronous and cheap, no disk I/O. */
  get(): Config;
  /**
   * Applies `mutate` to a private copy of the settings (mutate the draft, or return a new
   * config), validates, saves and notifies subscribers. Rejects, saving nothing, when the result
   * is invalid or the stored settings cannot be safely replaced.
   */
  update(mutate: (draft: Config) => void | Config): Promise<Config>;
  /** Calls `listener` after every change; returns the function that unsubscribes. */
  subscribe(listener: (config: Config) => void): () => void;
  /** Why the stored settings are not in use (an invalid file), or undefined when all is well. */
  readonly problem: string | undefined;
}

export interface ConfigStoreLogger {
  warn(message: string): void;
}

export interface ConfigStoreOptions {
  /** Pick up hand edits of the file while running (default false). */
  watch?: boolean;
  /** Receives problems with the file and watcher (default console). */
  logger?: ConfigStoreLogger;
  /** How long to wait for file events to settle before re-reading (default 100 ms). */
  debounceMs?: number;
}

export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** At most this many validation issues are named in a message. */
const MAX_ISSUES_SHOWN = 5;

/** `providers.groq.baseUrl`, `endpoints[0].id`; the empty path is the document itself. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const name = String(segment);
      out += out === '' ? name : `.${name}`;
    }
  }
  return out === '' ? '(top level)' : out;
}

/** One line per issue set: `server.port: Too big: expected number to be <=65535; ...`. */
export function formatConfigIssues(issues: readonly ConfigIssue[], max = MAX_ISSUES_SHOWN): string {
  const shown = issues.slice(0, max).map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
  const rest = issues.length - shown.length;
  if (rest > 0) shown.push(`and ${rest} more`);
  return shown.join('; ');
}

export type ParseConfigResult = { ok: true; config: Config; migrated: boolean } | { ok: false; message: string };

/** Parses, migrates and validates the text of a settings file; `file` names it in messages. */
export function parseConfigText(text: string, file: string): ParseConfigResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}).` };
  }
  let migrated: { config: unknown; migrated: boolean };
  try {
    migrated = migrateConfig(raw);
  } catch (error) {
    return { ok: false, message: `${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const result = configSchema.safeParse(migrated.config);
  if (!result.success) {
    return { ok: false, message: `${file} has invalid settings: ${formatConfigIssues(result.error.issues)}.` };
  }
  return { ok: true, config: result.data, migrated: migrated.migrated };
}

/** Pretty-printed JSON with a trailing newline, the way the file is written. */
export function serializeConfig(config: Config): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const defaultLogger: ConfigStoreLogger = { warn: (message) => console.warn(message) };

/**
 * The headless ConfigSource: `config.json` in the config directory, written atomically with mode
 * 0600. A missing file is created with the defaults. An invalid file (bad JSON, failed
 * validation, a newer format) is reported through `problem` and the logger, the last good
 * settings (or the defaults) stay in use, and the file is never overwritten: `update()` rejects
 * until the file is fixed. With `watch`, hand edits are picked up live.
 *
 * Disk reads and writes run one at a time on a promise chain, so updates never interleave.
 * Before every update the file is re-read, so a hand edit the watcher has not seen yet (or any
 * hand edit when not watching) is adopted, or blocks the update when invalid, rather than lost.
 */
export class ConfigStore implements ConfigSource {
  /** The config directory. */
  readonly dir: string;
  /** The full path of the settings file. */
  readonly file: string;

  private readonly state: ConfigState;
  private queue: Promise<void> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly logger: ConfigStoreLogger;
  private readonly debounceMs: number;

  private constructor(dir: string, options: ConfigStoreOptions) {
    this.dir = dir;
    this.file = join(dir, CONFIG_FILE);
    this.logger = options.logger ?? defaultLogger;
    this.debounceMs = options.debounceMs ?? 100;
    this.state = new ConfigState(this.file, this.logger);
  }

  static async open(dir: string, options: ConfigStoreOptions = {}): Promise<ConfigStore> {
    await ensurePrivateDir(dir);
    const store = new ConfigStore(dir, options);
    await store.enqueue(() => store.load());
    if (options.watch) store.startWatching();
    return store;
  }

  get problem(): string | undefined {
    return this.state.problem;
  }

  get(): Config {
    return this.state.config;
  }

  subscribe(listener: (config: Config) => void): () => void {
    return this.state.subscribe(listener);
  }

  update(mutate: (draft: Config) => void | Config): Promise<Config> {
    return this.enqueue(async () => {
      await this.syncFromDisk();
      const { text } = this.state.prepare(mutate);
      await writeFileAtomic(this.file, text, { mode: 0o600 });
      return this.state.written(text);
    });
  }

  /** Re-reads the file now (the watcher does this by itself); resolves once done. */
  reload(): Promise<void> {
    return this.enqueue(() => this.syncFromDisk());
  }

  /** Stops watching and waits for pending reads and writes. Updates still work afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
    this.debounceTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    await this.queue;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async load(): Promise<void> {
    const text = await readFileIfExists(this.file);
    if (text === undefined) {
      // First run: write the defaults so there is a file to look at and edit.
      const defaults = serializeConfig(this.state.config);
      await writeFileAtomic(this.file, defaults, { mode: 0o600 });
      this.state.written(defaults, false);
      return;
    }
    await this.syncFromDisk();
  }

  /** Brings memory in line with the file; never writes and never throws. */
  private async syncFromDisk(): Promise<void> {
    try {
      this.state.observed({ text: await readFileIfExists(this.file) });
    } catch (error) {
      this.state.observed({ error });
    }
  }

  private startWatching(): void {
    try {
      // Watch the directory, not the file: editors that save by writing a new file and renaming
      // it over the old one would leave a file watcher on a deleted inode.
      this.watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
        if (filename !== null && filename.toString() !== CONFIG_FILE) return;
        this.scheduleReload();
      });
      this.watcher.on('error', (error) => {
        this.logger.warn(`Stopped watching ${this.dir} for settings changes: ${messageOf(error)}`);
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (error) {
      this.logger.warn(`Cannot watch ${this.dir} for settings changes (${messageOf(error)}); edits need a restart.`);
    }
  }

  private scheduleReload(): void {
    if (this.closed) return;
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      if (this.closed) return;
      void this.reload();
    }, this.debounceMs);
    this.debounceTimer.unref();
  }
}
