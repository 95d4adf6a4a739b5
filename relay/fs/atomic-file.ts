import { randomBytes } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Small file helpers for the settings and secrets files: whole-file atomic replacement, private
 * directories, and reads that treat a missing file as "no file". Node built-ins only, so they work
 * in plain Node and inside Electron alike.
 */

export interface WriteFileAtomicOptions {
  /** Permission bits of the written file (default 0600: owner read and write only). */
  mode?: number;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Throws when `path` is a symbolic link; a missing path is fine. */
async function refuseSymlink(path: string): Promise<void> {
  try {
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) {
      throw new Error(`Refusing to write ${path}: it is a symbolic link. Replace it with a regular file or point the config directory at the link's target.`);
    }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
}

/** Flushes a directory entry change (a rename) to disk where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: some file systems refuse fsync on directories.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Replaces `path` with `data` so that readers see either the old or the new content, never a
 * partial file: the data goes to a temp file in the same directory, is flushed, given `mode` and
 * renamed over the target. If the rename crosses devices (EXDEV, e.g. a bind-mounted file), the
 * temp file is copied over the target instead. Refuses to write through a symbolic link.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  await refuseSymlink(path);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  let tempExists = false;
  try {
    // 'wx' fails if the name exists (and never follows a planted symlink).
    handle = await open(temp, 'wx', mode);
    tempExists = true;
    await handle.writeFile(data, 'utf8');
    // The umask may have narrowed (or a platform widened) the creation mode; set it exactly.
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    try {
      await rename(temp, path);
      tempExists = false;
    } catch (error) {
      if (errorCode(error) !== 'EXDEV') throw error;
      await copyFile(temp, path);
      await chmod(path, mode);
    }
    await syncDirectory(dir);
  } finally {
    await handle?.close().catch(() => undefined);
    if (tempExists) await unlink(temp).catch(() => undefined);
  }
}

/** Creates `dir` (and missing parents) with mode 0700. An existing directory is left as it is. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Reads a UTF-8 file, or returns undefined when it does not exist. Other errors are thrown. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
