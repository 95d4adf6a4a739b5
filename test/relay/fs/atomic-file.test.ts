import { lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from '../../../relay/fs/atomic-file.js';

const fault = vi.hoisted(() => ({ renameError: undefined as string | undefined }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const rename: typeof actual.rename = async (from, to) => {
    if (fault.renameError !== undefined) {
      throw Object.assign(new Error(`${fault.renameError}: simulated`), { code: fault.renameError });
    }
    return actual.rename(from, to);
  };
  return { ...actual, rename, default: { ...actual, rename } };
});

const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('atomic-file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-atomic-'));
    fault.renameError = undefined;
  });

  afterEach(async () => {
    fault.renameError = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  posixOnly('writes a new file with mode 0600 and leaves no temp files', async () => {
    const target = join(dir, 'config.json');
    await writeFileAtomic(target, '{"a":1}\n');
    expect(await readFile(target, 'utf8')).toBe('{"a":1}\n');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  posixOnly('replaces existing content and resets a wider mode', async () => {
    const target = join(dir, 'secrets.json');
    await writeFile(target, 'old content that is longer than the new one', { mode: 0o644 });
    await writeFileAtomic(target, 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['secrets.json']);
  });

  posixOnly('honours an explicit mode', async () => {
    const target = join(dir, 'relay.json');
    await writeFileAtomic(target, '{}', { mode: 0o640 });
    expect((await stat(target)).mode & 0o777).toBe(0o640);
  });

  posixOnly('refuses to write through a symbolic link', async () => {
    const real = join(dir, 'real.json');
    const link = join(dir, 'config.json');
    await writeFile(real, 'original');
    await symlink(real, link);
    await expect(writeFileAtomic(link, 'evil')).rejects.toThrow(/symbolic link/);
    expect(await readFile(real, 'utf8')).toBe('original');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'real.json']);
  });

  posixOnly('falls back to copy and unlink when rename crosses devices', async () => {
    const target = join(dir, 'config.json');
    await writeFile(target, 'old', { mode: 0o644 });
    fault.renameError = 'EXDEV';
    await writeFileAtomic(target, 'copied');
    expect(await readFile(target, 'utf8')).toBe('copied');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('leaves the target and no temp file behind when the rename fails', async () => {
    const target = join(dir, 'config.json');
    await writeFile(target, 'old');
    fault.renameError = 'EPERM';
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow(/EPERM/);
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  posixOnly('ensurePrivateDir creates nested directories with mode 0700 and accepts existing ones', async () => {
    const nested = join(dir, 'a', 'b');
    await ensurePrivateDir(nested);
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
    await expect(ensurePrivateDir(nested)).resolves.toBeUndefined();
  });

  it('readFileIfExists returns undefined for a missing file and the text otherwise', async () => {
    expect(await readFileIfExists(join(dir, 'missing.json'))).toBeUndefined();
    await writeFile(join(dir, 'x.txt'), 'héllo');
    expect(await readFileIfExists(join(dir, 'x.txt'))).toBe('héllo');
    await expect(readFileIfExists(dir)).rejects.toThrow();
  });
});
