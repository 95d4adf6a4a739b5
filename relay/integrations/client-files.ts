import { lstat, readFile } from 'node:fs/promises';

/**
 * The file discipline every client integration shares: what is at a path (a symbolic link is
 * refused, reliability-security.md T5), byte-exact reads, and the backup or creation marker that
 * lets undo restore the state before Switchboard's first write.
 */

/** Refusals and unreadable files: the message is meant for the user as it is. */
export class IntegrationError extends Error {
  constructor(
    message: string,
    readonly code: 'symlink' | 'invalid-file' | 'unknown-client' | 'io',
  ) {
    super(message);
    this.name = 'IntegrationError';
  }
}

export const BACKUP_SUFFIX = '.switchboard-backup';
export const CREATED_SUFFIX = '.switchboard-created';

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code?: unknown }).code) : undefined;
}

export async function kindOf(path: string): Promise<'missing' | 'file' | 'symlink' | 'other'> {
  try {
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) return 'symlink';
    return stats.isFile() ? 'file' : 'other';
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return 'missing';
    throw error;
  }
}

/** Throws unless `path` is a regular file or missing (a symbolic link is refused, T5). */
export async function refuseOddTarget(path: string, clientName: string): Promise<'missing' | 'file'> {
  const kind = await kindOf(path);
  if (kind === 'symlink') {
    throw new IntegrationError(
      `Refusing to change ${path}: it is a symbolic link, and Switchboard does not write through links. Edit the file it points to by hand, or replace the link with a regular file and run this again.`,
      'symlink',
    );
  }
  if (kind === 'other') throw new IntegrationError(`Refusing to change ${path}: it is not a regular file (${clientName}'s config should be).`, 'io');
  return kind;
}

export async function readBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

export interface FileState {
  exists: boolean;
  text: string | undefined;
}

export async function readTarget(path: string, clientName: string): Promise<FileState> {
  const kind = await refuseOddTarget(path, clientName);
  if (kind === 'missing') return { exists: false, text: undefined };
  return { exists: true, text: (await readBytes(path))?.toString('utf8') };
}

/** The backup or creation marker of `path`, if one exists (a symbolic link there is refused). */
export async function undoRecord(path: string): Promise<{ kind: 'backup'; bytes: Buffer } | { kind: 'created' } | undefined> {
  const backup = path + BACKUP_SUFFIX;
  const backupKind = await kindOf(backup);
  if (backupKind === 'symlink' || backupKind === 'other') throw new IntegrationError(`Refusing to use ${backup}: it is not a regular file.`, 'symlink');
  if (backupKind === 'file') {
    const bytes = await readBytes(backup);
    if (bytes !== undefined) return { kind: 'backup', bytes };
  }
  const marker = await kindOf(path + CREATED_SUFFIX);
  if (marker === 'symlink' || marker === 'other') throw new IntegrationError(`Refusing to use ${path + CREATED_SUFFIX}: it is not a regular file.`, 'symlink');
  return marker === 'file' ? { kind: 'created' } : undefined;
}

