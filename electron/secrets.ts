import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { safeStorage } from 'electron';
import { FileSecretStore } from '../relay/index.js';
import type { SecretStore } from '../relay/keys/secret-store.js';

/** The safeStorage ciphertext file in the config directory. */
export const SAFE_STORAGE_FILE = 'keys.safestorage.json';

/** Thrown when the OS offers no real encryption (no keychain, or Linux's `basic_text` backend). */
export class SecretProtectionUnavailableError extends Error {
  constructor(reason: string) {
    super(`Refusing to store API keys: ${reason}. Install and unlock a keyring (GNOME Keyring or KWallet) and restart, or set keys as environment variables.`);
    this.name = 'SecretProtectionUnavailableError';
  }
}

interface SecretFile {
  version: 1;
  /** id -> base64 of safeStorage ciphertext. */
  secrets: Record<string, string>;
}

/** Writes `data` to a temporary sibling with mode 0600, syncs, then renames over `file`. */
async function writeFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Provider keys encrypted with Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet), kept
 * as ciphertext in a 0600 file. Where safeStorage would only obfuscate (Linux `basic_text`) it
 * refuses to store anything rather than pretend.
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly protection = 'keychain' as const;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /** Why keys cannot be stored here, or undefined when safeStorage really encrypts. */
  unavailableReason(): string | undefined {
    if (!safeStorage.isEncryptionAvailable()) return 'the operating system offers no encryption for this app';
    if (this.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'no keyring was found, so Electron would store keys with a hard-coded password (basic_text)';
    }
    return undefined;
  }

  async get(id: string): Promise<string | undefined> {
    const stored = (await this.read()).secrets[id];
    if (stored === undefined) return undefined;
    return safeStorage.decryptString(Buffer.from(stored, 'base64'));
  }

  async set(id: string, secret: string): Promise<void> {
    const reason = this.unavailableReason();
    if (reason) throw new SecretProtectionUnavailableError(reason);
    const ciphertext = safeStorage.encryptString(secret).toString('base64');
    await this.mutate((file) => {
      file.secrets[id] = ciphertext;
    });
  }

  async delete(id: string): Promise<void> {
    await this.mutate((file) => {
      delete file.secrets[id];
    });
  }

  async list(): Promise<string[]> {
    return Object.keys((await this.read()).secrets);
  }

  private async read(): Promise<SecretFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<SecretFile>;
    if (parsed.version !== 1 || typeof parsed.secrets !== 'object' || parsed.secrets === null) {
      throw new Error(`${this.file} is not a Switchboard key file`);
    }
    return { version: 1, secrets: { ...parsed.secrets } };
  }

  /** Read-modify-write, one at a time. */
  private mutate(change: (file: SecretFile) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const file = await this.read();
      change(file);
      await writeFileAtomic(this.file, `${JSON.stringify(file, null, 2)}\n`);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/**
 * The app's key store: safeStorage wherever it really encrypts; otherwise (Linux without a
 * keyring, where safeStorage would fall back to `basic_text`) the same 0600 file the headless
 * relay uses, so keys still work, and the dashboard says plainly that they are not protected by
 * a keyring (`secretProtection: 'file-0600'`) instead of refusing every key.
 */
export async function openDesktopSecretStore(configDir: string, platform: NodeJS.Platform, logger?: { warn(message: string): void }): Promise<SecretStore> {
  const safe = new SafeStorageSecretStore(join(configDir, SAFE_STORAGE_FILE), platform);
  const reason = safe.unavailableReason();
  if (reason === undefined) return safe;
  logger?.warn(`Keys are not protected by a keyring: ${reason}. They are kept in a file only you can read.`);
  return FileSecretStore.open(configDir);
}
