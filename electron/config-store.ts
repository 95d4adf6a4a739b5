import { lstatSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, parse, resolve } from 'node:path';
// Before electron-store, which imports `electron` itself (the test double relies on this order).
import { ipcMain } from 'electron';
import ElectronStore from 'electron-store';
import { CONFIG_FILE, ConfigState, configSchema, parseConfigText, serializeConfig, type Config, type ConfigSource } from '../relay/index.js';

export interface ElectronConfigStoreLogger {
  warn(message: string): void;
}

export interface ElectronConfigStoreOptions {
  /** Pick up hand edits of the file while running (default false; the app turns it on). */
  watch?: boolean;
  /** Receives problems with the file (default console). */
  logger?: ElectronConfigStoreLogger;
}

/** The settings document electron-store holds: the relay's Config, as a plain record. */
type StoredDocument = Record<string, unknown>;

/** electron-store registers a sync IPC handler for renderer-side stores; the app has none. */
const ELECTRON_STORE_IPC_PREFIX = 'electron-store-';

const defaultLogger: ElectronConfigStoreLogger = { warn: (message) => console.warn(message) };

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** The file's text, or undefined when there is none. Other errors are thrown. */
function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** The relay's file store refuses to write through a symbolic link; so does this one. */
function refuseSymlink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) {
      throw new Error(`Refusing to write ${path}: it is a symbolic link. Replace it with a regular file or point the config directory at the link's target.`);
    }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
}

/**
 * The desktop app's ConfigSource: the relay's own settings document, `config.json` in the config
 * directory, kept through electron-store. It is the very file `switchboard serve --config-dir`
 * uses, in the same format (the relay's serializer), checked by the relay's zod schema and
 * migrations; electron-store's JSON-schema, defaults, migrations and encryption options are not
 * used, so there is one definition of the settings.
 *
 * What electron-store does: resolve the path (`cwd`, `name`, `fileExtension`), write the file
 * (`atomically`: temp file in the same directory, fsync, rename; `configFileMode` 0600) and watch
 * it (`watch: true`; on Linux it polls the file about every 5 s, on macOS and Windows it watches
 * the directory). What this wrapper adds, to behave like the relay's file-backed ConfigStore:
 *
 * - It reads the file itself: electron-store's reader throws on a broken file (from the
 *   constructor, or as an uncaught error from a change listener), and the exact text is needed
 *   to ignore our own writes and to name the problem. Its `deserialize` is only used by
 *   electron-store internally and never throws.
 * - An invalid file (bad JSON, failed validation, a newer format) is reported through `problem`
 *   and the logger, the last good settings stay in use, and the file is never overwritten:
 *   `update()` re-reads the file first and rejects until it is fixed. Every write goes through
 *   `serialize`, which validates again, so nothing invalid can reach the disk.
 * - It does not write through a symbolic link, and it removes electron-store's IPC handler (the
 *   dashboard is sandboxed and talks HTTP only; there is no renderer-side store).
 *
 * Configs handed out are deeply frozen snapshots; updates run one at a time.
 */
export class ElectronConfigStore implements ConfigSource {
  /** The config directory. */
  readonly dir: string;
  /** The full path of the settings file. */
  readonly file: string;

  private readonly store: ElectronStore<StoredDocument>;
  private readonly state: ConfigState;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly logger: ElectronConfigStoreLogger;
  /** Set while electron-store writes for us (it fires 'change' from inside the write). */
  private writing = false;
  /** electron-store's 'change': a change of the file its watcher saw, or our own write. */
  private readonly onStoreChange = (): void => {
    if (!this.closed && !this.writing) void this.reload();
  };

  private constructor(dir: string, options: ElectronConfigStoreOptions) {
    this.dir = dir;
    this.logger = options.logger ?? defaultLogger;
    const { name, ext } = parse(CONFIG_FILE);
    const file = join(dir, CONFIG_FILE);
    this.state = new ConfigState(file, this.logger);
    this.store = new ElectronStore<StoredDocument>({
      cwd: dir,
      name,
      fileExtension: ext.replace(/^\./, ''),
      configFileMode: 0o600,
      clearInvalidConfig: false,
      watch: options.watch ?? false,
      // Validated again on the way out; the empty document electron-store writes when it starts
      // watching a missing file becomes the defaults.
      serialize: (value) => serializeConfig(configSchema.parse(value)),
      deserialize: (text) => {
        const result = parseConfigText(text, file);
        return result.ok ? (result.config as StoredDocument) : {};
      },
    });
    this.file = file;
    if (this.store.path !== file) {
      this.store._closeWatcher();
      throw new Error(`electron-store resolved the settings file to ${this.store.path}, not ${file}.`);
    }
    for (const channel of ipcMain.eventNames()) {
      if (typeof channel === 'string' && channel.startsWith(ELECTRON_STORE_IPC_PREFIX)) ipcMain.removeAllListeners(channel);
    }
    this.store.events.addEventListener('change', this.onStoreChange);
  }

  /** Opens (and on first run creates, with the defaults) `config.json` in `dir`. */
  static async open(dir: string, options: ElectronConfigStoreOptions = {}): Promise<ElectronConfigStore> {
    // electron-store would take a relative `cwd` as relative to the user-data folder; the relay
    // (and `--config-dir`) take it as relative to the current directory.
    const absolute = resolve(dir);
    await mkdir(absolute, { recursive: true, mode: 0o700 });
    const store = new ElectronConfigStore(absolute, options);
    try {
      await store.enqueue(async () => store.load());
    } catch (error) {
      await store.close();
      throw error;
    }
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
      this.syncFromDisk();
      const { config } = this.state.prepare(mutate);
      return this.state.written(this.write(config));
    });
  }

  /** Re-reads the file now (the watcher does this by itself); resolves once done. */
  reload(): Promise<void> {
    return this.enqueue(async () => this.syncFromDisk());
  }

  /** Stops watching and waits for pending work. Updates still work afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    this.store.events.removeEventListener('change', this.onStoreChange);
    this.store._closeWatcher();
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

  private load(): void {
    // With `watch`, electron-store has already written the defaults to a missing file.
    if (readTextIfExists(this.file) === undefined) {
      this.state.written(this.write(this.state.config), false);
      return;
    }
    this.syncFromDisk();
  }

  /** Writes `config` through electron-store; returns the text now on disk. */
  private write(config: Config): string {
    refuseSymlink(this.file);
    const text = serializeConfig(config);
    this.writing = true;
    try {
      this.store.store = structuredClone(config) as StoredDocument;
    } finally {
      this.writing = false;
    }
    return text;
  }

  /** Brings memory in line with the file; never writes and never throws. */
  private syncFromDisk(): void {
    try {
      this.state.observed({ text: readTextIfExists(this.file) });
    } catch (error) {
      this.state.observed({ error });
    }
  }
}
