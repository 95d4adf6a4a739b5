import { invalidRequest } from '../../core/errors.js';

/**
 * What `/api/ps` reports as "loaded". The relay loads nothing, but Ollama clients show which
 * models are warm and until when; the honest equivalent is "recently used", kept for the
 * request's `keep_alive` (Ollama's default is 5 minutes; negative means forever, 0 unloads).
 */

export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
/** Ollama's "forever" is the largest Go duration, about 292 years. */
const FOREVER_MS = 292 * 365.25 * 86_400_000;

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

/**
 * `keep_alive` in milliseconds: a number is seconds, a string a Go duration (`"5m"`, `"1h30m"`,
 * `"-1"`, `"0"`) or a plain number of seconds. Negative means forever. Undefined when absent.
 */
export function parseKeepAlive(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value < 0 ? FOREVER_MS : value * 1000;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    const seconds = Number(text);
    return seconds < 0 ? FOREVER_MS : seconds * 1000;
  }
  const match = GO_DURATION.exec(text);
  if (!match?.[2]) throw invalidRequest(`keep_alive '${text.slice(0, 40)}' is not a duration; use for example "5m", "1h", 0 or -1.`, 'keep_alive');
  let ms = 0;
  for (const part of match[2].matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(part[1]) * (UNIT_MS[part[2] ?? 's'] ?? 1000);
  return match[1] === '-' && ms > 0 ? FOREVER_MS : ms;
}

export interface LoadedModel {
  id: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export class LoadedModels {
  private readonly models = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limit = 64,
  ) {}

  /** Marks a model as used now; `keepAliveMs` 0 unloads it. */
  touch(id: string, keepAliveMs: number | undefined): void {
    if (keepAliveMs === 0) {
      this.unload(id);
      return;
    }
    this.models.delete(id);
    this.models.set(id, this.now() + Math.min(keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS, FOREVER_MS));
    // Oldest first in insertion order: drop from the front.
    for (const oldest of this.models.keys()) {
      if (this.models.size <= this.limit) break;
      this.models.delete(oldest);
    }
  }

  unload(id: string): void {
    this.models.delete(id);
  }

  /** The models still "loaded", most recently used first. */
  list(): LoadedModel[] {
    const now = this.now();
    const out: LoadedModel[] = [];
    for (const [id, expiresAt] of this.models) {
      if (expiresAt <= now) this.models.delete(id);
      else out.unshift({ id, expiresAt });
    }
    return out;
  }
}
