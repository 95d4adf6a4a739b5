/**
 * What each key has left, read from the rate-limit headers of every upstream answer, so traffic
 * moves off a key before it hits zero instead of after a 429. Kept per (provider, key, model)
 * because most free tiers count per model.
 */

export interface QuotaState {
  remainingRequests?: number;
  limitRequests?: number;
  /** Epoch milliseconds when the request allowance refills. */
  requestsResetAt?: number;
  remainingTokens?: number;
  limitTokens?: number;
  tokensResetAt?: number;
  updatedAt: number;
}

export class QuotaTracker {
  private readonly states = new Map<string, QuotaState>();

  private static key(provider: string, keyId: string, model: string): string {
    return `${provider}\u0000${keyId}\u0000${model}`;
  }

  /** Records what an answer's headers say; headers without rate-limit fields change nothing. */
  update(provider: string, keyId: string, model: string, headers: Record<string, string>, now: number, parseDurationMs: (value: string) => number | undefined): void {
    const state: QuotaState = { ...(this.states.get(QuotaTracker.key(provider, keyId, model)) ?? {}), updatedAt: now };
    let seen = false;
    for (const [name, value] of Object.entries(headers)) {
      const match = /^x-ratelimit-(limit|remaining|reset)-(requests|tokens)(?:-(day|minute|hour))?$/.exec(name);
      if (!match) continue;
      const [, field, unit, period] = match;
      // A daily request window is the one that exhausts free tiers; prefer it over per-minute ones.
      if (period === 'minute' && unit === 'requests' && headers[`x-ratelimit-${field}-requests-day`] !== undefined) continue;
      seen = true;
      if (field === 'reset') {
        const ms = parseDurationMs(value);
        if (ms === undefined) continue;
        if (unit === 'requests') state.requestsResetAt = now + ms;
        else state.tokensResetAt = now + ms;
        continue;
      }
      const number = Number(value);
      if (!Number.isFinite(number)) continue;
      if (field === 'limit' && unit === 'requests') state.limitRequests = number;
      if (field === 'limit' && unit === 'tokens') state.limitTokens = number;
      if (field === 'remaining' && unit === 'requests') state.remainingRequests = number;
      if (field === 'remaining' && unit === 'tokens') state.remainingTokens = number;
    }
    if (seen) this.states.set(QuotaTracker.key(provider, keyId, model), state);
  }

  get(provider: string, keyId: string, model: string): QuotaState | undefined {
    return this.states.get(QuotaTracker.key(provider, keyId, model));
  }

  /** What the provider said last about this key, whichever model it answered for. */
  latest(provider: string, keyId: string): QuotaState | undefined {
    const prefix = `${provider}\u0000${keyId}\u0000`;
    let found: QuotaState | undefined;
    for (const [key, state] of this.states) {
      if (key.startsWith(prefix) && (found === undefined || state.updatedAt >= found.updatedAt)) found = state;
    }
    return found;
  }

  /**
   * When the key should rest for this model: it has at most `reserve` requests (or fewer tokens
   * than the request needs) left before its reset. Undefined when it may be used.
   */
  restUntil(provider: string, keyId: string, model: string, now: number, needTokens = 0, reserve = 1): number | undefined {
    const state = this.get(provider, keyId, model);
    if (!state) return undefined;
    if (state.remainingRequests !== undefined && state.remainingRequests <= reserve && state.requestsResetAt !== undefined && state.requestsResetAt > now) {
      return state.requestsResetAt;
    }
    if (needTokens > 0 && state.remainingTokens !== undefined && state.remainingTokens < needTokens && state.tokensResetAt !== undefined && state.tokensResetAt > now) {
      return state.tokensResetAt;
    }
    return undefined;
  }

  /** The requests-per-day limit an upstream announced for this key and model, if it did. */
  dailyRequestLimit(provider: string, keyId: string, model: string): number | undefined {
    return this.get(provider, keyId, model)?.limitRequests;
  }
}
