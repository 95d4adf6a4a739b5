import picomatch from 'picomatch';

/**
 * Per-provider key rotation and health. A 429 rests one key until its reset time; a rejected
 * or unpaid key is disabled with its reason until the user acts (or the key is replaced).
 * State is in memory: a restart retries a disabled key once, which is how a fixed key
 * comes back.
 */

export interface PoolKey {
  /** SecretStore id, or `env:NAME` for keys from the environment. */
  id: string;
  label: string;
  secret: string;
  /** Glob patterns of upstream model ids this key may serve; absent means all. */
  models?: string[];
}

export type KeyState =
  | { status: 'ok' }
  | { status: 'cooling'; until: number; reason: string }
  | { status: 'disabled'; reason: string; since: number };

interface Entry {
  key: PoolKey;
  matchers: Array<(model: string) => boolean> | undefined;
  coolingUntil: number;
  coolingReason: string;
  disabled: { reason: string; since: number } | undefined;
}

export interface KeyChoice {
  key: PoolKey;
}

export class KeyPool {
  private readonly listeners = new Set<(providerId: string) => void>();
  private readonly providers = new Map<string, Entry[]>();
  private readonly cursor = new Map<string, number>();

  /** Replaces a provider's keys, keeping the health of keys that stay. */
  setKeys(providerId: string, keys: readonly PoolKey[]): void {
    const previous = new Map((this.providers.get(providerId) ?? []).map((entry) => [entry.key.id, entry]));
    const entries = keys.map((key): Entry => {
      const old = previous.get(key.id);
      const sameSecret = old?.key.secret === key.secret;
      return {
        key,
        matchers: key.models && key.models.length > 0 ? key.models.map((glob) => picomatch(glob, { dot: true })) : undefined,
        coolingUntil: sameSecret ? old.coolingUntil : 0,
        coolingReason: sameSecret ? old.coolingReason : '',
        disabled: sameSecret ? old.disabled : undefined,
      };
    });
    this.providers.set(providerId, entries);
  }

  hasKeys(providerId: string): boolean {
    return (this.providers.get(providerId)?.length ?? 0) > 0;
  }

  /**
   * Every key allowed for this model: usable ones, cooling ones by reset time, disabled ones.
   * With `rotate`, each call starts the usable list one key further (round-robin); only the
   * code that actually sends requests should rotate, so looking does not skew the rotation.
   */
  keysFor(providerId: string, model: string, now: number, rotate = false): { usable: PoolKey[]; cooling: Array<{ key: PoolKey; until: number }>; disabled: PoolKey[] } {
    const entries = (this.providers.get(providerId) ?? []).filter((entry) => !entry.matchers || entry.matchers.some((match) => match(model)));
    const usable: PoolKey[] = [];
    const cooling: Array<{ key: PoolKey; until: number }> = [];
    const disabled: PoolKey[] = [];
    for (const entry of entries) {
      if (entry.disabled) disabled.push(entry.key);
      else if (entry.coolingUntil > now) cooling.push({ key: entry.key, until: entry.coolingUntil });
      else usable.push(entry.key);
    }
    // Round-robin: each call starts one key further, spreading load over the usable keys.
    if (rotate && usable.length > 1) {
      const start = (this.cursor.get(providerId) ?? 0) % usable.length;
      this.cursor.set(providerId, start + 1);
      usable.push(...usable.splice(0, start));
    }
    cooling.sort((a, b) => a.until - b.until);
    return { usable, cooling, disabled };
  }

  coolDown(providerId: string, keyId: string, until: number, reason: string): void {
    const entry = this.find(providerId, keyId);
    if (entry && until > entry.coolingUntil) {
      entry.coolingUntil = until;
      entry.coolingReason = reason;
      this.changed(providerId);
    }
  }

  disable(providerId: string, keyId: string, reason: string, now: number): void {
    const entry = this.find(providerId, keyId);
    if (entry && !entry.disabled) {
      entry.disabled = { reason, since: now };
      this.changed(providerId);
    }
  }

  /** Marks a key healthy again (a success proves it works). */
  recordSuccess(providerId: string, keyId: string): void {
    const entry = this.find(providerId, keyId);
    if (entry?.disabled) {
      entry.disabled = undefined;
      this.changed(providerId);
    }
  }

  /**
   * Calls `listener` with the provider id whenever one of its keys starts cooling down, is
   * disabled or comes back (not when a cooldown simply runs out: that is a time the state says).
   */
  onChange(listener: (providerId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(providerId: string): void {
    for (const listener of this.listeners) listener(providerId);
  }

  state(providerId: string, keyId: string, now: number): KeyState | undefined {
    const entry = this.find(providerId, keyId);
    if (!entry) return undefined;
    if (entry.disabled) return { status: 'disabled', ...entry.disabled };
    if (entry.coolingUntil > now) return { status: 'cooling', until: entry.coolingUntil, reason: entry.coolingReason };
    return { status: 'ok' };
  }

  private find(providerId: string, keyId: string): Entry | undefined {
    return this.providers.get(providerId)?.find((entry) => entry.key.id === keyId);
  }
}
