import { formatConfigIssues, parseConfigText, serializeConfig } from './config-store.js';
import { configSchema, defaultConfig, type Config } from './schema.js';

/** What reading the settings file gave: its text, no file (`undefined`), or why it could not be read. */
export type ConfigRead = { text: string | undefined } | { error: unknown };

/**
 * The in-memory side of a settings file, shared by every store that keeps one (the headless
 * file store and the desktop's electron-store): the settings in use, why the file is not in use,
 * the file's text as last read or written (so our own writes are not taken for hand edits), and
 * the listeners. It never touches the disk: the stores read and write, and tell it what happened.
 *
 * Settings handed out are deeply frozen snapshots; an invalid file leaves the last good settings
 * in use and blocks every update until it is fixed, so it is never overwritten.
 */
export class ConfigState {
  private current: Config = deepFreeze(defaultConfig());
  private problemText: string | undefined;
  /** The file's content as we last read or wrote it; undefined when there is no file. */
  private diskText: string | undefined;
  private readonly listeners = new Set<(config: Config) => void>();

  constructor(
    private readonly file: string,
    private readonly logger: { warn(message: string): void },
  ) {}

  get config(): Config {
    return this.current;
  }

  get problem(): string | undefined {
    return this.problemText;
  }

  subscribe(listener: (config: Config) => void): () => void {
    // Wrap so that subscribing the same function twice gives two independent subscriptions.
    const entry = (config: Config): void => listener(config);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /**
   * Applies `mutate` to a copy of the settings in use and validates the result; throws while the
   * file is invalid or when the result is. Returns the settings to write (and their text).
   */
  prepare(mutate: (draft: Config) => void | Config): { config: Config; text: string } {
    if (this.problemText !== undefined) {
      throw new Error(`Settings not saved: the settings file must be fixed first, it will not be overwritten. ${this.problemText}`);
    }
    const draft = structuredClone(this.current) as Config;
    const returned = mutate(draft);
    const result = configSchema.safeParse(returned === undefined ? draft : returned);
    if (!result.success) throw new Error(`Settings not saved, they are invalid: ${formatConfigIssues(result.error.issues)}.`);
    return { config: result.data, text: serializeConfig(result.data) };
  }

  /** `text` is on disk now, written by us: it becomes the settings in use (and no hand edit). */
  written(text: string, announce = true): Config {
    this.diskText = text;
    // Keep exactly what is on disk in memory (JSON drops undefined-valued properties).
    this.current = deepFreeze(JSON.parse(text) as Config);
    if (announce) this.notify();
    return this.current;
  }

  /** Brings memory in line with what the file says now; never throws. */
  observed(read: ConfigRead): void {
    if ('error' in read) {
      this.setProblem(`${this.file} cannot be read (${messageOf(read.error)}).`);
      return;
    }
    const { text } = read;
    if (text === undefined) {
      // Deleted by hand: nothing on disk to protect; the next update writes the settings in use.
      this.diskText = undefined;
      this.problemText = undefined;
      return;
    }
    // Unchanged since we last read or wrote it (this is how our own writes are ignored).
    if (text === this.diskText) return;
    this.diskText = text;

    const result = parseConfigText(text, this.file);
    if (!result.ok) {
      this.setProblem(`${result.message} The last good settings stay in use.`);
      return;
    }
    const hadProblem = this.problemText !== undefined;
    this.problemText = undefined;
    const changed = JSON.stringify(result.config) !== JSON.stringify(this.current);
    if (!changed && !hadProblem) return;
    this.current = deepFreeze(result.config);
    this.notify();
  }

  private setProblem(problem: string): void {
    if (problem === this.problemText) return;
    this.problemText = problem;
    this.logger.warn(problem);
  }

  private notify(): void {
    const config = this.current;
    for (const listener of [...this.listeners]) {
      try {
        listener(config);
      } catch (error) {
        this.logger.warn(`A settings listener failed: ${messageOf(error)}`);
      }
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
