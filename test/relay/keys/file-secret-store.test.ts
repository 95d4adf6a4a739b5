import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SECRETS_FILE } from '../../../relay/config/paths.js';
import { FileSecretStore, SECRETS_FILE_NAME } from '../../../relay/keys/file-secret-store.js';
import type { SecretStore } from '../../../relay/keys/secret-store.js';

const posixOnly = process.platform === 'win32' ? it.skip : it;
const KEY = 'gsk_live_1234567890abcdef';

describe('FileSecretStore', () => {
  let root: string;
  let dir: string;
  let file: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'switchboard-secrets-'));
    dir = join(root, 'cfg');
    file = join(dir, 'secrets.json');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('uses the same file name as config/paths', () => {
    expect(SECRETS_FILE_NAME).toBe(SECRETS_FILE);
  });

  it('starts empty without writing a file, and reports its protection', async () => {
    const store: SecretStore = await FileSecretStore.open(dir);
    expect(store.protection).toBe('file-0600');
    expect(await store.list()).toEqual([]);
    expect(await store.get('groq-1')).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  posixOnly('writes the documented format with mode 0600 in a 0700 directory', async () => {
    const store = await FileSecretStore.open(dir);
    await store.set('groq-1', KEY);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, secrets: { 'groq-1': KEY } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual(['secrets.json']);
  });

  it('stores a pasted key trimmed', async () => {
    const store = await FileSecretStore.open(dir);
    await store.set('groq-1', `  ${KEY}\n`);
    expect(await store.get('groq-1')).toBe(KEY);
    expect(await readFile(file, 'utf8')).not.toContain(`${KEY}\\n`);
  });

  it('rejects secrets with CR, LF or NUL inside, and empty ones, without echoing them', async () => {
    const store = await FileSecretStore.open(dir);
    for (const bad of ['abc\ndef-secret', 'abc\rdef-secret', 'abc\0def-secret']) {
      const error = await store.set('k', bad).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/line break or NUL/);
      expect(error?.message).not.toContain('def-secret');
    }
    await expect(store.set('k', '   \n')).rejects.toThrow(/empty/);
    expect(await store.list()).toEqual([]);
  });

  it('rejects invalid ids', async () => {
    const store = await FileSecretStore.open(dir);
    for (const bad of ['', 'has space', 'slash/id', 'x'.repeat(129), 'ünïcode']) {
      await expect(store.set(bad, KEY)).rejects.toThrow(/Invalid secret id/);
    }
    await expect(store.set('env:GROQ_API_KEY.2-a_b', KEY)).resolves.toBeUndefined();
    await expect(store.set('x'.repeat(128), KEY)).resolves.toBeUndefined();
  });

  it('reads back after reopening, and deletes', async () => {
    const first = await FileSecretStore.open(dir);
    await first.set('a', 'secret-a-12345');
    await first.set('b', 'secret-b-12345');
    await first.set('__proto__', 'secret-p-12345');
    const second = await FileSecretStore.open(dir);
    expect(await second.list()).toEqual(['a', 'b', '__proto__']);
    expect(await second.get('__proto__')).toBe('secret-p-12345');
    await second.delete('a');
    await second.delete('missing');
    const third = await FileSecretStore.open(dir);
    expect(await third.list()).toEqual(['b', '__proto__']);
    expect(await third.get('a')).toBeUndefined();
  });

  it('sees changes made by another instance (another process) and does not drop them', async () => {
    const relay = await FileSecretStore.open(dir);
    const cli = await FileSecretStore.open(dir);
    await relay.set('a', 'secret-a-12345');
    await cli.set('b', 'secret-b-12345');
    expect(await relay.get('b')).toBe('secret-b-12345');
    await relay.set('c', 'secret-c-12345');
    expect(await cli.list()).toEqual(['a', 'b', 'c']);
  });

  it('serializes concurrent operations', async () => {
    const store = await FileSecretStore.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, `secret-${i}-abcdefgh`)));
    const reopened = await FileSecretStore.open(dir);
    expect((await reopened.list()).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
  });

  it('refuses a corrupt file on open, naming it, and never overwrites it', async () => {
    await FileSecretStore.open(dir);
    for (const corrupt of ['{ "version": 1, "secrets": { "a": "x", } }', '{"version": 2, "secrets": {}}', '{"version": 1, "secrets": {"a": 5}}', '[]']) {
      await writeFile(file, corrupt);
      await expect(FileSecretStore.open(dir)).rejects.toThrow(file);
      expect(await readFile(file, 'utf8')).toBe(corrupt);
    }
  });

  it('refuses to write when the file became corrupt after opening', async () => {
    const store = await FileSecretStore.open(dir);
    await store.set('a', 'secret-a-12345');
    await writeFile(file, 'garbage');
    await expect(store.set('b', 'secret-b-12345')).rejects.toThrow(/left untouched/);
    expect(await readFile(file, 'utf8')).toBe('garbage');
  });
});
