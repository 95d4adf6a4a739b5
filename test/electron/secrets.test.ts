import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetElectronMock, safeStorageState } from '../mocks/electron.js';
import { openDesktopSecretStore, SafeStorageSecretStore, SecretProtectionUnavailableError } from '../../electron/secrets.js';

vi.mock('electron', () => import('../mocks/electron.js'));

let dir: string;
let file: string;

beforeEach(async () => {
  resetElectronMock();
  dir = await mkdtemp(join(tmpdir(), 'switchboard-secrets-'));
  file = join(dir, 'keys.safestorage.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SafeStorageSecretStore', () => {
  it('stores, lists, reads and deletes keys as ciphertext in a 0600 file', async () => {
    const store = new SafeStorageSecretStore(file, 'linux');
    expect(store.protection).toBe('keychain');
    expect(await store.list()).toEqual([]);
    await store.set('groq', 'gsk_secret_1');
    await store.set('cerebras', 'csk_secret_2');
    expect(await store.get('groq')).toBe('gsk_secret_1');
    expect((await store.list()).sort()).toEqual(['cerebras', 'groq']);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('gsk_secret_1');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    await store.delete('groq');
    expect(await store.get('groq')).toBeUndefined();
    expect(await new SafeStorageSecretStore(file, 'linux').get('cerebras')).toBe('csk_secret_2');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('serialises concurrent writes', async () => {
    const store = new SafeStorageSecretStore(file, 'darwin');
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`k${i}`, `secret-${i}`)));
    expect(await store.list()).toHaveLength(10);
  });

  it("refuses to store keys with Linux's basic_text backend", async () => {
    safeStorageState.backend = 'basic_text';
    const store = new SafeStorageSecretStore(file, 'linux');
    await expect(store.set('groq', 'gsk')).rejects.toThrow(SecretProtectionUnavailableError);
    await expect(store.set('groq', 'gsk')).rejects.toThrow(/basic_text/);
    await expect(readFile(file)).rejects.toThrow();
  });

  it('refuses to store keys when encryption is unavailable', async () => {
    safeStorageState.available = false;
    const store = new SafeStorageSecretStore(file, 'win32');
    expect(store.unavailableReason()).toMatch(/no encryption/);
    await expect(store.set('groq', 'gsk')).rejects.toThrow(/Refusing to store API keys/);
  });

  it('ignores the storage backend outside Linux', async () => {
    safeStorageState.backend = 'basic_text';
    const store = new SafeStorageSecretStore(file, 'darwin');
    await store.set('groq', 'gsk');
    expect(await store.get('groq')).toBe('gsk');
  });

  it('rejects a file that is not a key file', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, '{"hello":1}');
    await expect(new SafeStorageSecretStore(file).list()).rejects.toThrow(/not a Switchboard key file/);
  });
});

describe('the desktop key store', () => {
  it('uses safeStorage where it really encrypts', async () => {
    const store = await openDesktopSecretStore(dir, 'linux');
    expect(store).toBeInstanceOf(SafeStorageSecretStore);
    expect(store.protection).toBe('keychain');
  });

  it.each([
    ['linux', (): void => {
      safeStorageState.backend = 'basic_text';
    }],
    ['darwin', (): void => {
      safeStorageState.available = false;
    }],
  ] as const)('on %s without real encryption keeps keys working in a 0600 file and says they are not protected by a keyring', async (platform, degrade) => {
    degrade();
    const warnings: string[] = [];
    const store = await openDesktopSecretStore(dir, platform, { warn: (message) => warnings.push(message) });
    expect(store.protection).toBe('file-0600');
    expect(warnings.join('\n')).toContain('not protected by a keyring');
    await store.set('groq', 'gsk_secret_fallback_1');
    expect(await store.get('groq')).toBe('gsk_secret_fallback_1');
    const files = await readdir(dir);
    expect(files).not.toContain('keys.safestorage.json');
    const secretsFile = files.find((name) => name.startsWith('secrets'));
    expect(secretsFile).toBeDefined();
    expect((await stat(join(dir, secretsFile!))).mode & 0o777).toBe(0o600);
  });
});
