import picomatch from 'picomatch';
import { UpstreamError } from '../core/errors.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import { redactSecrets } from '../keys/redact.js';
import type { HttpClient } from '../providers/http-client.js';
import type { QosSample } from '../routing/qos-tracker.js';
import type { RouteEntry } from '../routing/route-entry.js';
import { applyKeyConsequences } from './attempt-outcome.js';
import { BodyTooLargeError, inspectingHttp, providerMessage, type LastAnswer } from './inspecting-http.js';
import type { ProbeOptions } from './prober.js';
import { runtimeContext, type ProviderDirectory } from './provider-directory.js';

/**
 * A live check of one key, asked for by the user: the provider's model list with that key, then
 * one tiny streamed request with it. What it learns teaches the key pool the same lessons live
 * traffic would: a rejected key is disabled with its reason, a working one enabled again.
 */

export type KeyCheckOutcome = 'ok' | 'rejected' | 'no-credit' | 'rate-limited' | 'unreachable' | 'error';

export interface KeyCheckResult {
  ok: boolean;
  outcome: KeyCheckOutcome;
  status?: number;
  message: string;
  models?: number;
  probe?: { model: string; ttftMs?: number; tokensPerSecond?: number };
  durationMs: number;
}

export interface KeyCheckerOptions {
  directory: ProviderDirectory;
  keyPool: KeyPool;
  http: HttpClient;
  now: () => number;
  /** The prober's measurement of one route with a given key. */
  probe: (route: RouteEntry, options: ProbeOptions) => Promise<QosSample>;
  /** The whole check's time limit (default 15 s). */
  timeoutMs?: number;
}

const MODEL_LIST_LIMIT_BYTES = 16 * 1024 * 1024;

function outcomeOfStatus(status: number | undefined, fallback: KeyCheckOutcome): KeyCheckOutcome {
  if (status === 401 || status === 403) return 'rejected';
  if (status === 402) return 'no-credit';
  return fallback;
}

function outcomeOfError(error: UpstreamError): KeyCheckOutcome {
  switch (error.kind) {
    case 'upstream-auth':
      return 'rejected';
    case 'upstream-payment':
      return 'no-credit';
    case 'rate-limited':
      return 'rate-limited';
    case 'upstream-network':
    case 'upstream-timeout':
      return error.upstreamStatus === undefined ? 'unreachable' : 'error';
    default:
      return outcomeOfStatus(error.upstreamStatus, 'error');
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export class KeyChecker {
  constructor(private readonly options: KeyCheckerOptions) {}

  async check(providerId: string, key: PoolKey): Promise<KeyCheckResult> {
    const { directory, keyPool, now } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const started = now();
    const runtime = directory.get(providerId);
    const finish = (result: Omit<KeyCheckResult, 'durationMs'>): KeyCheckResult => ({ ...result, message: redactSecrets(result.message, [key.secret]), durationMs: Math.max(0, now() - started) });
    if (!runtime) return finish({ ok: false, outcome: 'error', message: `${providerId} is not known to the relay.` });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const last: LastAnswer = {};
    const http = inspectingHttp(this.options.http, MODEL_LIST_LIMIT_BYTES, last);
    try {
      let listed: string[];
      try {
        const models = await runtime.adapter.listModels(runtimeContext(runtime, key, controller.signal, http));
        listed = models.map((model) => model.id);
      } catch (error) {
        if (controller.signal.aborted) {
          return finish({ ok: false, outcome: 'unreachable', message: `${runtime.name} did not answer within ${seconds(timeoutMs)} (${runtime.baseUrl}).` });
        }
        if (error instanceof UpstreamError) {
          applyKeyConsequences(keyPool, providerId, key, error, now());
          const outcome = outcomeOfError(error);
          const own = outcome === 'unreachable' ? undefined : providerMessage(last.errorBody);
          const status = error.upstreamStatus;
          return finish({
            ok: false,
            outcome,
            ...(status === undefined ? {} : { status }),
            message: own ? `${runtime.name} answered HTTP ${status ?? '?'}: ${own}` : error.message,
          });
        }
        const reason = error instanceof BodyTooLargeError ? `its model list is ${error.message.replace(/^the answer is /, '')}` : error instanceof Error ? error.message : String(error);
        return finish({ ok: false, outcome: 'error', message: `${runtime.name}: ${reason}` });
      }
      // The provider took the key: a key disabled earlier (or by mistake) serves again.
      keyPool.recordSuccess(providerId, key.id);

      const route = this.chatRoute(providerId, key, listed);
      const counted = `${listed.length} model${listed.length === 1 ? '' : 's'}`;
      if (!route) {
        return finish({ ok: true, outcome: 'ok', status: last.status ?? 200, models: listed.length, message: `The key works: ${runtime.name} lists ${counted} for it (no chat model the relay serves to try it on).` });
      }
      const sample = await this.options.probe(route, { key, signal: controller.signal, http });
      const probe: NonNullable<KeyCheckResult['probe']> = { model: route.model };
      if (sample.ttftMs !== undefined) probe.ttftMs = Math.round(sample.ttftMs);
      if (sample.tokensPerSecond !== undefined) probe.tokensPerSecond = Math.round(sample.tokensPerSecond * 10) / 10;
      if (sample.outcome === 'ok') {
        const speed = probe.ttftMs === undefined ? '' : `, first token after ${probe.ttftMs} ms`;
        return finish({ ok: true, outcome: 'ok', status: last.status ?? 200, models: listed.length, probe, message: `The key works: ${counted}; ${route.model} answered${speed}.` });
      }
      if (controller.signal.aborted) {
        return finish({ ok: false, outcome: 'unreachable', models: listed.length, probe, message: `The key was accepted (${counted}), but ${route.model} did not answer within ${seconds(timeoutMs)}.` });
      }
      const outcome: KeyCheckOutcome =
        sample.outcome === 'rate-limited' ? 'rate-limited' : sample.outcome === 'network' ? 'unreachable' : outcomeOfStatus(last.status, sample.outcome === 'auth' ? 'no-credit' : 'error');
      const own = providerMessage(last.errorBody);
      const why = own ? `${runtime.name} answered HTTP ${last.status ?? '?'}: ${own}` : sample.error ?? sample.outcome;
      const keyProblem = outcome === 'rejected' || outcome === 'no-credit' || outcome === 'rate-limited';
      return finish({
        ok: false,
        outcome,
        ...(last.status === undefined || last.status < 300 ? {} : { status: last.status }),
        models: listed.length,
        probe,
        message: keyProblem ? why : `The key was accepted (${counted}), but the test request to ${route.model} failed: ${why}`,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** A chat model of this provider the key may serve, preferring one the key's own list shows. */
  private chatRoute(providerId: string, key: PoolKey, listed: readonly string[]): RouteEntry | undefined {
    const allowed = key.models && key.models.length > 0 ? key.models.map((glob) => picomatch(glob, { dot: true })) : undefined;
    const routes = this.options.directory
      .routes()
      .filter((route) => route.providerId === providerId && route.capabilities.embeddings !== true && (!allowed || allowed.some((match) => match(route.model))));
    const seen = new Set(listed);
    return routes.find((route) => seen.has(route.model)) ?? routes[0];
  }
}
