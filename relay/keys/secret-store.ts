/**
 * Where key material lives. The relay only sees this interface: headless it is a 0600 file,
 * in the desktop app Electron's safeStorage, in tests memory.
 */
export interface SecretStore {
  get(id: string): Promise<string | undefined>;
  set(id: string, secret: string): Promise<void>;
  delete(id: string): Promise<void>;
  list(): Promise<string[]>;
  /** Says how well secrets are protected at rest, for the UI and `doctor`. */
  readonly protection: 'keychain' | 'file-0600' | 'memory' | 'none';
}

export class MemorySecretStore implements SecretStore {
  readonly protection = 'memory' as const;
  private readonly secrets = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [id, secret] of Object.entries(initial)) this.secrets.set(id, secret);
  }

  async get(id: string): Promise<string | undefined> {
    return this.secrets.get(id);
  }

  async set(id: string, secret: string): Promise<void> {
    this.secrets.set(id, secret);
  }

  async delete(id: string): Promise<void> {
    this.secrets.delete(id);
  }

  async list(): Promise<string[]> {
    return [...this.secrets.keys()];
  }
}
