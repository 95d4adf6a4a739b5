import { requestNeeds, type ChatRequest } from '../core/chat-request.js';
import { RelayError, UpstreamError, modelNotFound, toRelayError } from '../core/errors.js';
import type {
  AttemptRecord,
  ChatDispatchResult,
  DispatchOptions,
  EmbeddingDispatchResult,
  EmbeddingRequest,
  ModelListing,
  RelayService,
  RouteInfo,
} from '../core/relay-service.js';
import { isContentEvent, type StreamEvent } from '../core/stream-event.js';
import type { Config } from '../config/schema.js';
import type { KeyPool, PoolKey } from '../keys/key-pool.js';
import type { HttpClient } from '../providers/http-client.js';
import type { ProviderContext } from '../providers/provider.js';
import { fallbackAction } from '../routing/fallback-policy.js';
import type { RouteEntry } from '../routing/route-entry.js';
import { resolveModel, type Resolution } from '../routing/select-route.js';
import { AbortedError, abortableDelay, linkedAbortController } from '../streams/abort.js';
import { listModels } from './model-listing.js';
import type { ProviderDirectory, ProviderRuntime } from './provider-directory.js';
import { describeFailure, summarizeFailures } from './failure-summary.js';
import type { RequestRecord, UsageLog } from './usage-log.js';

export interface DispatcherOptions {
  directory: ProviderDirectory;
  keyPool: KeyPool;
  http: HttpClient;
  usageLog: UsageLog;
  getConfig: () => Config;
  now: () => number;
}

/** When an upstream says nothing about when to come back after a 429. */
const DEFAULT_COOLDOWN_MS = 30_000;

type AttemptTarget = { route: RouteEntry; runtime: ProviderRuntime; key: PoolKey | undefined };

/** A timer reason we can recognise after an abort. */
class AttemptTimeout extends Error {
  constructor(readonly phase: 'first-token' | 'idle' | 'deadline') {
    super(phase);
  }
}

/**
 * The application service: resolve the asked model to candidate routes, then try them in order
 * with key rotation, cooldowns and failover until one starts answering, all inside a deadline.
 * Failover happens only before the first content event; after it, failures arrive in-band.
 */
export class Dispatcher implements RelayService {
  constructor(private readonly options: DispatcherOptions) {}

  listModels(): ModelListing[] {
    return listModels(this.options.directory, this.options.now());
  }

  async chat(request: ChatRequest, dispatch: DispatchOptions): Promise<ChatDispatchResult> {
    const { now, usageLog } = this.options;
    const config = this.options.getConfig();
    const record = usageLog.add({
      requestId: dispatch.requestId,
      startedAt: now(),
      clientWire: dispatch.clientWire,
      endpoint: 'chat',
      askedModel: request.model,
      attempts: [],
      outcome: 'pending',
    });
    try {
      const needs = { ...requestNeeds(request), minContextTokens: estimateTokens(request) + (request.maxOutputTokens ?? 0) };
      const candidates = this.candidates(resolveModel(request.model, this.options.directory.routes(), { policy: config.routing.policy, needs }), request.model);
      const result = await this.runAttempts(candidates, record, dispatch.signal, config, (target, signal) =>
        this.startChat(request, target, signal, config, record, dispatch.signal),
      );
      return result;
    } catch (error) {
      this.finishRecord(record, error);
      throw error;
    }
  }

  async embed(request: EmbeddingRequest, dispatch: DispatchOptions): Promise<EmbeddingDispatchResult> {
    const { now, usageLog } = this.options;
    const config = this.options.getConfig();
    const record = usageLog.add({
      requestId: dispatch.requestId,
      startedAt: now(),
      clientWire: dispatch.clientWire,
      endpoint: 'embeddings',
      askedModel: request.model,
      attempts: [],
      outcome: 'pending',
    });
    try {
      const resolution = resolveModel(request.model, this.options.directory.routes(), { policy: config.routing.policy, embeddings: true });
      const candidates = this.candidates(resolution, request.model);
      const outcome = await this.runAttempts(candidates, record, dispatch.signal, config, async (target, signal) => {
        const result = await target.runtime.adapter.embed(request, target.route.model, this.context(target, signal));
        return { result };
      });
      record.outcome = 'ok';
      record.status = 200;
      record.durationMs = now() - record.startedAt;
      record.usage = { inputTokens: outcome.result.inputTokens, outputTokens: 0 };
      usageLog.finish(record);
      return outcome;
    } catch (error) {
      this.finishRecord(record, error);
      throw error;
    }
  }

  private candidates(resolution: Resolution, asked: string): RouteEntry[] {
    if (resolution.kind === 'not-found') {
      if (this.options.directory.routes().length === 0) throw noProvidersError();
      throw modelNotFound(asked, resolution.suggestions);
    }
    if (resolution.kind === 'unsuitable') {
      if (this.options.directory.routes().length === 0) throw noProvidersError();
      throw new RelayError(`Cannot route '${asked}': ${resolution.reason}.`, { status: 400, kind: 'invalid-request', code: 'no_suitable_model', param: 'model' });
    }
    return resolution.candidates;
  }

  /**
   * The failover loop. `start` makes one attempt and resolves once it is committed; a thrown
   * UpstreamError says what went wrong and therefore what to try next.
   */
  private async runAttempts<T>(
    candidates: RouteEntry[],
    record: RequestRecord,
    clientSignal: AbortSignal,
    config: Config,
    start: (target: AttemptTarget, signal: AbortSignal) => Promise<T>,
  ): Promise<T & { route: RouteInfo; attempts: AttemptRecord[] }> {
    const { now, keyPool, directory } = this.options;
    const deadline = record.startedAt + config.timeouts.totalMs;
    const { controller: deadlineController, dispose } = linkedAbortController(clientSignal);
    const deadlineTimer = setTimeout(() => deadlineController.abort(new AttemptTimeout('deadline')), config.timeouts.totalMs);
    let lastRequestError: RelayError | undefined;
    try {
      for (let round = 0; round < 2; round++) {
        let soonestCooldown: number | undefined;
        for (const route of candidates) {
          const runtime = directory.get(route.providerId);
          if (!runtime) continue;
          const keys = keyPool.keysFor(route.providerId, route.model, now());
          // Only a provider configured without keys (a local server) is called bare. One that has
          // keys is skipped while they rest or stay disabled: a keyless call would only earn a 401
          // that hides the rate limit, or be served on an identity the user never chose.
          const keyless = !runtime.keyRequired && !keyPool.hasKeys(route.providerId);
          const tryKeys: Array<PoolKey | undefined> = keys.usable.length > 0 ? keys.usable : keyless ? [undefined] : [];
          for (const cooling of keys.cooling) soonestCooldown = Math.min(soonestCooldown ?? Infinity, cooling.until);
          if (tryKeys.length === 0 && keys.cooling.length === 0 && keys.disabled.length > 0 && round === 0) {
            record.attempts.push({ provider: route.providerId, model: route.model, outcome: 'auth', message: 'every key is disabled', durationMs: 0 });
          }
          for (const key of tryKeys) {
            if (deadlineController.signal.aborted) break;
            const target: AttemptTarget = { route, runtime, key };
            const started = now();
            try {
              const result = await start(target, deadlineController.signal);
              record.attempts.push({ ...routeInfo(target), outcome: 'ok', durationMs: now() - started });
              if (key) keyPool.recordSuccess(route.providerId, key.id);
              return { ...result, route: routeInfo(target), attempts: record.attempts };
            } catch (thrown) {
              if (clientSignal.aborted) throw new AbortedError();
              const error = asUpstreamError(thrown, target, deadlineController.signal);
              record.attempts.push({ ...routeInfo(target), ...describeFailure(error), durationMs: now() - started });
              const action = fallbackAction(error.kind);
              if (action === 'give-up') {
                lastRequestError = error;
                throw withAttempts(error, record.attempts);
              }
              if (key && error.kind === 'rate-limited') {
                const until = now() + (error.retryAfterMs ?? DEFAULT_COOLDOWN_MS);
                keyPool.coolDown(route.providerId, key.id, until, error.message);
                soonestCooldown = Math.min(soonestCooldown ?? Infinity, until);
                continue;
              }
              if (key && (error.kind === 'upstream-auth' || error.kind === 'upstream-payment')) {
                keyPool.disable(route.providerId, key.id, error.message, now());
                continue;
              }
              break; // the provider or model is at fault: the next key would fare no better
            }
          }
          if (deadlineController.signal.aborted) break;
        }
        // Every route is resting: wait for the first key to come back if that is soon.
        const wait = soonestCooldown === undefined ? undefined : soonestCooldown - now();
        if (round > 0 || wait === undefined || wait > config.routing.maxRetryWaitMs || now() + wait >= deadline || deadlineController.signal.aborted) break;
        await abortableDelay(Math.max(0, wait), deadlineController.signal).catch(() => undefined);
        if (clientSignal.aborted) throw new AbortedError();
      }
      if (lastRequestError) throw lastRequestError;
      throw summarizeFailures(record.attempts, candidates, this.soonestRetryMs(candidates), deadlineController.signal.aborted);
    } finally {
      clearTimeout(deadlineTimer);
      dispose();
    }
  }

  private soonestRetryMs(candidates: RouteEntry[]): number | undefined {
    const now = this.options.now();
    let soonest: number | undefined;
    for (const route of candidates) {
      for (const cooling of this.options.keyPool.keysFor(route.providerId, route.model, now).cooling) {
        soonest = Math.min(soonest ?? Infinity, cooling.until - now);
      }
    }
    return soonest;
  }

  private context(target: AttemptTarget, signal: AbortSignal): ProviderContext {
    const { runtime, key } = target;
    return {
      providerId: runtime.id,
      baseUrl: runtime.baseUrl,
      ...(key ? { apiKey: key.secret, keyLabel: key.label } : {}),
      headers: runtime.headers,
      quirks: runtime.quirks,
      signal,
      http: this.options.http,
    };
  }

  /**
   * Starts one streamed attempt and reads ahead to its first content event (the commit point),
   * under the first-token timer. Returns the committed stream, which replays what was read.
   */
  private async startChat(
    request: ChatRequest,
    target: AttemptTarget,
    parentSignal: AbortSignal,
    config: Config,
    record: RequestRecord,
    clientSignal: AbortSignal,
  ): Promise<{ events: AsyncIterable<StreamEvent> }> {
    const { now } = this.options;
    // Linked to the client directly as well: the failover loop's signal is detached once the
    // attempt commits, and a client leaving mid-stream must still cancel the upstream at once,
    // not when the next chunk or the idle timer happens to wake the stream up.
    const { controller, dispose } = linkedAbortController(parentSignal, clientSignal);
    const attemptStart = now();
    const firstTokenTimer = setTimeout(() => controller.abort(new AttemptTimeout('first-token')), config.timeouts.firstTokenMs);
    const upstreamRequest = target.route.maxOutputTokens !== undefined && request.maxOutputTokens !== undefined && request.maxOutputTokens > target.route.maxOutputTokens
      ? { ...request, maxOutputTokens: target.route.maxOutputTokens }
      : request;
    const iterator = target.runtime.adapter.streamChat(upstreamRequest, target.route.model, this.context(target, controller.signal))[Symbol.asyncIterator]();
    const buffered: StreamEvent[] = [];
    const release = () => {
      clearTimeout(firstTokenTimer);
      dispose();
    };
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) throw truncated(target);
        if (next.value.type === 'error') throw next.value.error;
        buffered.push(next.value);
        if (isContentEvent(next.value)) break;
      }
    } catch (error) {
      release();
      controller.abort();
      void iterator.return?.(undefined)?.catch(() => undefined);
      // When our own timer cut the attempt, that is the cause, whatever the adapter made of the
      // aborted socket (it may report it as a broken connection).
      throw controller.signal.reason instanceof AttemptTimeout ? controller.signal.reason : error;
    }
    clearTimeout(firstTokenTimer);
    record.ttftMs = now() - record.startedAt;
    record.route = routeInfo(target);
    void attemptStart;
    return { events: this.committed(iterator, buffered, controller, dispose, config.timeouts.idleMs, target, record) };
  }

  /** The stream after the commit point: replays the read-ahead, then relays with an idle timer. */
  private async *committed(
    iterator: AsyncIterator<StreamEvent>,
    buffered: StreamEvent[],
    controller: AbortController,
    dispose: () => void,
    idleMs: number,
    target: AttemptTarget,
    record: RequestRecord,
  ): AsyncGenerator<StreamEvent> {
    let idleTimer: NodeJS.Timeout | undefined;
    let finished = false;
    try {
      for (const event of buffered) {
        if (event.type === 'usage') record.usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
        yield event;
      }
      for (;;) {
        idleTimer = setTimeout(() => controller.abort(new AttemptTimeout('idle')), idleMs);
        let next: IteratorResult<StreamEvent> | undefined;
        let failure: unknown;
        try {
          next = await iterator.next();
        } catch (error) {
          failure = error;
        } finally {
          clearTimeout(idleTimer);
        }
        // Our own abort comes first: the adapter may throw it or report it as a broken connection.
        if (controller.signal.reason instanceof AttemptTimeout) {
          const error = idleError(target, idleMs);
          yield { type: 'error', error };
          this.finishRecord(record, error);
          finished = true;
          return;
        }
        if (controller.signal.aborted) return; // the client went away
        if (next === undefined) {
          const relayError = toRelayError(failure);
          yield { type: 'error', error: relayError };
          this.finishRecord(record, relayError);
          finished = true;
          return;
        }
        if (next.done) break;
        const event = next.value;
        if (event.type === 'usage') {
          const { type: _type, ...usage } = event;
          record.usage = usage;
        }
        yield event;
        if (event.type === 'error') {
          this.finishRecord(record, event.error);
          finished = true;
          return;
        }
      }
      record.outcome = 'ok';
      record.status = 200;
      record.durationMs = this.options.now() - record.startedAt;
      this.options.usageLog.finish(record);
      finished = true;
    } finally {
      clearTimeout(idleTimer);
      if (!finished) {
        // The consumer stopped early (client disconnect): cancel the upstream at once.
        controller.abort();
        void iterator.return?.(undefined)?.catch(() => undefined);
        record.outcome = 'aborted';
        record.durationMs = this.options.now() - record.startedAt;
        this.options.usageLog.finish(record);
      }
      dispose();
    }
  }

  private finishRecord(record: RequestRecord, error: unknown): void {
    if (record.outcome !== 'pending') return;
    record.durationMs = this.options.now() - record.startedAt;
    if (error instanceof AbortedError) {
      record.outcome = 'aborted';
    } else {
      const relayError = toRelayError(error);
      record.outcome = 'error';
      record.status = relayError.status;
      record.error = relayError.message;
    }
    this.options.usageLog.finish(record);
  }
}

function routeInfo(target: AttemptTarget): RouteInfo {
  return { provider: target.route.providerId, model: target.route.model, ...(target.key ? { keyLabel: target.key.label } : {}) };
}

function asUpstreamError(thrown: unknown, target: AttemptTarget, deadlineSignal: AbortSignal): UpstreamError {
  const base = { provider: target.route.providerId, model: target.route.model, ...(target.key ? { keyLabel: target.key.label } : {}) };
  if (thrown instanceof UpstreamError) return thrown;
  if (thrown instanceof AttemptTimeout || deadlineSignal.reason instanceof AttemptTimeout) {
    const phase = thrown instanceof AttemptTimeout ? thrown.phase : (deadlineSignal.reason as AttemptTimeout).phase;
    return new UpstreamError(
      phase === 'deadline' ? `${target.route.providerId}: the relay's total deadline ran out.` : `${target.route.providerId}: no first token in time.`,
      { status: 504, kind: 'upstream-timeout', retryable: true, ...base },
    );
  }
  if (thrown instanceof RelayError) {
    return new UpstreamError(thrown.message, { status: thrown.status, kind: thrown.kind, retryable: thrown.retryable, ...base });
  }
  return new UpstreamError(`${target.route.providerId}: ${thrown instanceof Error ? thrown.message : 'unexpected failure'}.`, {
    status: 502,
    kind: 'upstream-network',
    retryable: true,
    cause: thrown,
    ...base,
  });
}

function truncated(target: AttemptTarget): UpstreamError {
  return new UpstreamError(`${target.route.providerId} closed the stream without answering.`, {
    status: 502,
    kind: 'upstream-bad-response',
    code: 'upstream_stream_truncated',
    retryable: true,
    provider: target.route.providerId,
    model: target.route.model,
  });
}

function idleError(target: AttemptTarget, idleMs: number): UpstreamError {
  const silence = idleMs < 1000 ? `${idleMs} ms` : `${Math.round(idleMs / 1000)} s`;
  return new UpstreamError(`${target.route.providerId} stopped sending for ${silence}; the answer is incomplete.`, {
    status: 504,
    kind: 'upstream-timeout',
    code: 'upstream_stream_stalled',
    provider: target.route.providerId,
    model: target.route.model,
  });
}

function withAttempts(error: RelayError, attempts: AttemptRecord[]): RelayError {
  return Object.assign(error, { attempts: [...attempts] });
}

function noProvidersError(): RelayError {
  return new RelayError(
    'No provider is ready: add a key (for example `switchboard keys add groq`), set GROQ_API_KEY or another provider key variable, or start a local Ollama.',
    { status: 503, kind: 'overloaded', code: 'no_providers_configured' },
  );
}

/** A rough token count (4 characters a token) to keep requests off routes whose context is too small. */
function estimateTokens(request: ChatRequest): number {
  let characters = 0;
  for (const message of request.messages) {
    if (message.role === 'system') characters += message.content.length;
    else for (const part of message.content) characters += part.type === 'text' ? part.text.length : 1000;
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) characters += call.arguments.length + call.name.length;
  }
  for (const tool of request.tools ?? []) characters += JSON.stringify(tool).length;
  return Math.ceil(characters / 4);
}
