import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../fs/atomic-file.js';
import { BACKUP_SUFFIX, CREATED_SUFFIX, errorCode, IntegrationError, kindOf, readBytes, readTarget, refuseOddTarget, undoRecord } from './client-files.js';
import { findOnPath } from './client-paths.js';
import { unifiedDiff } from './text-diff.js';

export { BACKUP_SUFFIX, CREATED_SUFFIX, IntegrationError } from './client-files.js';
export { envValue, expandPath, findOnPath, homeOf, pathApi, platformOf } from './client-paths.js';

/**
 * The shared core of the client integrations: one `ClientDefinition` per coding agent says where
 * its config lives and how our entry looks in it; `createIntegration` turns it into the
 * detect / preview / apply / undo operations, with the same file discipline for every client:
 *
 * - the target is refused when it is a symbolic link (reliability-security.md T5);
 * - the original is backed up once, before the first write, next to it (`<file>.switchboard-backup`,
 *   0600), or a marker records that the file did not exist (`<file>.switchboard-created`);
 * - writes are atomic (temp file + rename) with mode 0600, directories 0700 (T9);
 * - an apply that changes nothing writes nothing, so a second apply is byte-for-byte a no-op;
 * - undo restores the state before the first write exactly, then removes the backup.
 *
 * Adding a client (Claude Code, Codex, Continue, Aider) is one file exporting a ClientDefinition
 * plus one line in registry.ts.
 */

/** The environment a client's paths are resolved in (tests pass a temporary HOME). */
export interface IntegrationContext {
  env: Record<string, string | undefined>;
  /** Default process.platform. */
  platform?: NodeJS.Platform;
}

/** One model id the relay serves, as clients should list it. */
export interface TargetModel {
  id: string;
  /** A human name for pickers, e.g. "Auto (fastest)". */
  name: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  vision?: boolean;
  reasoning?: boolean;
}

/** What a client should point at: the relay's OpenAI-compatible base URL, its token, its models. */
export interface RelayTarget {
  /** `http://127.0.0.1:4747/v1`. */
  baseUrl: string;
  /** The relay token when one is set, else a placeholder. Never an upstream provider key. */
  apiKey: string;
  models: TargetModel[];
  /** The model made the client's default with `setDefault` (default `auto-fastest`). */
  defaultModel?: string;
}

export interface ApplyOptions {
  target: RelayTarget;
  /** Also make our model the client's default model. Off unless asked. */
  setDefault?: boolean;
}

/** What a client's file says about us. */
export interface Inspection {
  /** Our provider entry is present. */
  present: boolean;
  baseUrl?: string;
  modelIds: string[];
  /** The client's default model, whoever set it. */
  defaultModel?: string;
  /** How our entry differs from what apply would write (empty when it matches). */
  drift: string[];
  /**
   * The default model goes through the relay. Left out, it is read from `defaultModel` starting
   * with `switchboard/`; clients without provider prefixes (Claude Code, Aider) say it themselves.
   */
  usesRelay?: boolean;
}

/** The client-specific half of an integration. */
export interface ClientDefinition {
  id: string;
  name: string;
  /** Executable names looked up on PATH (without spawning anything). */
  binaries: readonly string[];
  /** How to install it, for `switchboard run` when it is missing (`npm install -g opencode-ai`). */
  installHint?: string;
  /** What `configure` did, for people (default: the models listed as switchboard/<id>). */
  summary?(target: RelayTarget, setDefault: boolean): string[];
  /** The config file we edit. */
  configPath(context: IntegrationContext): string;
  /** Directories whose existence says the client is installed (its config or state dir). */
  installDirs(context: IntegrationContext): string[];
  /**
   * Why the file must not be written now although it can be read (e.g. creating Continue's
   * config.yaml would hide a legacy config.json); undefined when nothing stands in the way.
   */
  blocker?(context: IntegrationContext, configExists: boolean): string | undefined;
  /** Reads our entry from the file's text (undefined: no file); throws on a file it cannot read. */
  inspect(text: string | undefined, target: RelayTarget | undefined): Inspection;
  /** The file's new text with our entries; everything else kept. Throws on a file it cannot read. */
  render(text: string | undefined, options: ApplyOptions): string;
  /**
   * How `switchboard run <client>` starts the client against the relay without changing the
   * user's files: extra environment variables (and a cleanup for anything temporary).
   */
  runPlan(context: IntegrationContext, target: RelayTarget): Promise<RunPlan>;
}

export interface RunPlan {
  env: Record<string, string>;
  /** Arguments put before the user's own (Codex's `-c key=value` overrides). */
  args?: string[];
  /** Removes temporary files the plan made; called after the client exits. */
  cleanup?: () => Promise<void>;
}

/** The provider name our entries use in every client (`switchboard/auto-fastest`). */
export const RELAY_PROVIDER_ID = 'switchboard';

/** The relay's origin (`http://127.0.0.1:4747`) from its OpenAI base URL: Anthropic and Ollama clients add their own paths. */
export function originOf(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export type IntegrationState = 'not-configured' | 'configured' | 'drift' | 'invalid';

export interface Detection {
  id: string;
  name: string;
  /** Its config directory exists or its executable is on PATH. */
  installed: boolean;
  /** The executable found on PATH, if any. */
  binary: string | null;
  configPath: string;
  configExists: boolean;
  state: IntegrationState;
  /** The base URL our entry points at, and its port. */
  baseUrl: string | null;
  port: number | null;
  /** Model ids our entry lists. */
  models: string[];
  /** The client's default model (any provider). */
  defaultModel: string | null;
  /** The default model is one of ours (`switchboard/...`). */
  usesRelayByDefault: boolean;
  /** How our entry differs from what the relay would write now; the UI offers a repair. */
  drift: string[];
  /** Why the file cannot be read or written (invalid syntax, a symbolic link). */
  problem: string | null;
  /** A backup (or creation marker) exists, so undo can restore the earlier state. */
  undoAvailable: boolean;
}

export interface Preview {
  id: string;
  configPath: string;
  changed: boolean;
  /** Unified diff of the file text, before → after; empty when nothing changes. */
  diff: string;
  before: string | null;
  after: string | null;
}

export interface ApplyResult extends Preview {
  /** Where the original was saved (null when the file is new, or nothing was written). */
  backupPath: string | null;
}

export interface UndoResult {
  id: string;
  configPath: string;
  /** `restored`: the backup is back; `removed`: we had created the file; `nothing`: no backup. */
  outcome: 'restored' | 'removed' | 'nothing';
  diff: string;
}

export interface Integration {
  readonly id: string;
  readonly name: string;
  detect(context: IntegrationContext, target?: RelayTarget): Promise<Detection>;
  preview(context: IntegrationContext, options: ApplyOptions): Promise<Preview>;
  apply(context: IntegrationContext, options: ApplyOptions): Promise<ApplyResult>;
  /** What undo would do, without doing it. */
  previewUndo(context: IntegrationContext): Promise<UndoResult>;
  undo(context: IntegrationContext): Promise<UndoResult>;
  /** Executable names of the client. */
  readonly binaries: readonly string[];
  readonly installHint: string | undefined;
  readonly summary: ((target: RelayTarget, setDefault: boolean) => string[]) | undefined;
  runPlan(context: IntegrationContext, target: RelayTarget): Promise<RunPlan>;
}


function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function portOf(url: string | undefined): number | null {
  if (url === undefined) return null;
  try {
    const parsed = new URL(url);
    if (parsed.port !== '') return Number(parsed.port);
    return parsed.protocol === 'https:' ? 443 : parsed.protocol === 'http:' ? 80 : null;
  } catch {
    return null;
  }
}

/** Builds the detect / preview / apply / undo operations for one client. */
export function createIntegration(client: ClientDefinition): Integration {
  function render(text: string | undefined, options: ApplyOptions): string {
    try {
      return client.render(text, options);
    } catch (error) {
      if (error instanceof IntegrationError) throw error;
      throw new IntegrationError(`Cannot update ${client.name}'s config: ${messageOf(error)}.`, 'invalid-file');
    }
  }

  async function preview(context: IntegrationContext, options: ApplyOptions): Promise<Preview> {
    const path = client.configPath(context);
    const { text } = await readTarget(path, client.name);
    const blocked = client.blocker?.(context, text !== undefined);
    if (blocked !== undefined) throw new IntegrationError(blocked, 'invalid-file');
    const after = render(text, options);
    const changed = after !== text;
    return { id: client.id, configPath: path, changed, diff: changed ? unifiedDiff(path, text, after) : '', before: text ?? null, after };
  }

  async function planUndo(context: IntegrationContext): Promise<{ result: UndoResult; restore: Buffer | undefined }> {
    const path = client.configPath(context);
    const { text } = await readTarget(path, client.name);
    const record = await undoRecord(path);
    if (record === undefined) return { result: { id: client.id, configPath: path, outcome: 'nothing', diff: '' }, restore: undefined };
    if (record.kind === 'created') {
      return { result: { id: client.id, configPath: path, outcome: 'removed', diff: text === undefined ? '' : unifiedDiff(path, text, undefined) }, restore: undefined };
    }
    const original = record.bytes.toString('utf8');
    return { result: { id: client.id, configPath: path, outcome: 'restored', diff: unifiedDiff(path, text, original) }, restore: record.bytes };
  }

  return {
    id: client.id,
    name: client.name,
    binaries: client.binaries,
    installHint: client.installHint,
    summary: client.summary?.bind(client),
    runPlan: (context, target) => client.runPlan(context, target),

    async detect(context, target) {
      const path = client.configPath(context);
      const binary = (await findOnPath(context, client.binaries)) ?? null;
      let installed = binary !== null;
      for (const dir of client.installDirs(context)) {
        if (installed) break;
        installed = (await kindOf(dir).catch(() => 'missing' as const)) !== 'missing';
      }
      const base: Detection = {
        id: client.id,
        name: client.name,
        installed,
        binary,
        configPath: path,
        configExists: false,
        state: 'not-configured',
        baseUrl: null,
        port: null,
        models: [],
        defaultModel: null,
        usesRelayByDefault: false,
        drift: [],
        problem: null,
        undoAvailable: false,
      };
      try {
        base.undoAvailable = (await undoRecord(path)) !== undefined;
        const { exists, text } = await readTarget(path, client.name);
        base.configExists = exists;
        const inspection = client.inspect(text, target);
        base.baseUrl = inspection.baseUrl ?? null;
        base.port = portOf(inspection.baseUrl);
        base.models = inspection.modelIds;
        base.defaultModel = inspection.defaultModel ?? null;
        base.usesRelayByDefault = inspection.usesRelay ?? inspection.defaultModel?.startsWith(`${RELAY_PROVIDER_ID}/`) === true;
        base.drift = inspection.drift;
        base.state = !inspection.present ? 'not-configured' : inspection.drift.length > 0 ? 'drift' : 'configured';
        const blocked = client.blocker?.(context, exists);
        if (blocked !== undefined) {
          base.state = 'invalid';
          base.problem = blocked;
        }
      } catch (error) {
        base.state = 'invalid';
        base.problem = error instanceof IntegrationError ? error.message : `${path} cannot be read as ${client.name}'s config: ${messageOf(error)}.`;
        if (error instanceof IntegrationError && error.code === 'symlink') base.configExists = true;
      }
      return base;
    },

    preview,

    async apply(context, options) {
      const planned = await preview(context, options);
      if (!planned.changed || planned.after === null) return { ...planned, backupPath: null };
      const path = planned.configPath;
      await ensurePrivateDir(dirname(path));
      // Re-check right before writing: a link planted since the preview is still refused.
      const kind = await refuseOddTarget(path, client.name);
      let backupPath: string | null = null;
      if ((await undoRecord(path)) === undefined) {
        if (kind === 'file') {
          const original = await readBytes(path);
          backupPath = path + BACKUP_SUFFIX;
          await writeFileAtomic(backupPath, original ?? Buffer.alloc(0), { mode: 0o600 });
        } else {
          await writeFileAtomic(path + CREATED_SUFFIX, '', { mode: 0o600 });
        }
      } else if (await kindOf(path + BACKUP_SUFFIX).then((found) => found === 'file')) {
        backupPath = path + BACKUP_SUFFIX;
      }
      await writeFileAtomic(path, planned.after, { mode: 0o600 });
      return { ...planned, backupPath };
    },

    async previewUndo(context) {
      return (await planUndo(context)).result;
    },

    async undo(context) {
      const { result, restore } = await planUndo(context);
      const path = result.configPath;
      if (result.outcome === 'restored' && restore !== undefined) {
        await writeFileAtomic(path, restore, { mode: 0o600 });
      } else if (result.outcome === 'removed') {
        await unlink(path).catch((error: unknown) => {
          if (errorCode(error) !== 'ENOENT') throw error;
        });
      }
      if (result.outcome !== 'nothing') {
        await unlink(path + BACKUP_SUFFIX).catch(() => undefined);
        await unlink(path + CREATED_SUFFIX).catch(() => undefined);
      }
      return result;
    },
  };
}

