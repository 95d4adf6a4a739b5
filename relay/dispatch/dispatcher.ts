import picomatch from 'picomatch';
import { requestNeeds, type ChatRequest } from '../core/chat-request.js';
import { RelayError, modelNotFound } from '../core/errors.js';
import type {
  ChatDispatchResult,
  DispatchOptions,
  EmbeddingDispatchResult,
  EmbeddingRequest,
  ModelListing,
  RelayService,
  RoutingDecision,
} from '../core/relay-service.js';
import type { Config } from '../config/schema.js';
import type { KeyPool } from '../keys/key-pool.js';
import type { QuotaTracker } from '../keys/quota-tracker.js';
import type { HttpClient } from '../providers/http-client.js';
import type { QosSample } from '../routing/qos-tracker.js';
import type { RouteEntry } from '../routing/route-entry.js';
import { resolveModel, type Resolution } from '../routing/select-route.js';
import { AttemptTimeout, providerContext } from './attempt-target.js';
import { startChatAttempt } from './chat-attempt.js';
import { runFailover, type FailoverDependencies } from './failover-loop.js';
import { capabilitiesOf, listModels } from './model-listing.js';
import type { ProviderDirectory } from './provider-directory.js';
import { conversationKey, type RoutingEngine } from './routing-engine.js';
import { decisionOf, finishOk, finishWithError, type RequestRecord, type UsageLog } from './usage-log.js';

export interface DispatcherOptions {
  directory: ProviderDirectory;
  keyPool: KeyPool;
  quotas: QuotaTracker;
  engine: RoutingEngine;
  http: HttpClient;
  usageLog: UsageLog;
  getConfig: () => Config;
  now: () => number;
  /** Every live measurement (success or failure) of a route, e.g. to push its next probe back. */
  onLiveSample?: (route: RouteEntry, sample: QosSample) => void;
}

/**
 * The application service: resolve the asked model to candidate routes, rank them by measured
 * speed and health, then try them with key rotation, cooldowns and failover until one starts
 * answering. Failover happens only before the first content event; after it, failures arrive
 * in-band. Every attempt feeds the QoS tracker.
 */
export class Dispatcher implements RelayService {
  private lastLive = 0;

  constructor(private readonly options: DispatcherOptions) {}

  /** When the relay last served a live request (the prober slows down when idle). */
  lastLiveAt(): number {
    return this.lastLive;
  }

  listModels(): ModelListing[] {
    return listModels(this.options.directory, this.options.now());
  }

  findModel(id: string): ModelListing | undefined {
    const listed = this.listModels().find((model) => model.id === id);
    if (listed) return listed;
    const resolution = resolveModel(id, this.options.directory.routes(), { policy: 'any' });
    if (resolution.kind !== 'routes') return undefined;
    const providers = new Set(resolution.candidates.map((route) => route.providerId));
    const contextWindow = Math.max(0, ...resolution.candidates.map((route) => route.contextWindow ?? 0));
    const capabilities = capabilitiesOf(resolution.candidates);
    return {
      id,
      ownedBy: providers.size === 1 ? [...providers][0] ?? 'switchboard' : 'switchboard',
      created: Math.floor(this.options.now() / 1000),
      virtual: resolution.virtual || providers.size > 1,
      ...(contextWindow > 0 ? { contextWindow } : {}),
      ...(capabilities === undefined ? {} : { capabilities }),
    };
  }

  /** Starts the request log entry of a live request. */
  private openRecord(dispatch: DispatchOptions, endpoint: RequestRecord['endpoint'], askedModel: string): RequestRecord {
    const now = this.options.now();
    this.lastLive = now;
    return this.options.usageLog.add({ requestId: dispatch.requestId, startedAt: now, clientWire: dispatch.clientWire, endpoint, askedModel, attempts: [], outcome: 'pending' });
  }

  private recordSample(route: RouteEntry, sample: QosSample): void {
    this.options.engine.record(route, sample);
    this.options.onLiveSample?.(route, sample);
  }

  private failoverDeps(): FailoverDependencies {
    const { directory, keyPool, engine, now } = this.options;
    return { directory, keyPool, engine, now, onFailure: (route, sample) => this.recordSample(route, sample) };
  }

  async chat(request: ChatRequest, dispatch: DispatchOptions): Promise<ChatDispatchResult> {
    const { now, usageLog, engine } = this.options;
    const config = this.options.getConfig();
    const record = this.openRecord(dispatch, 'chat', request.model);
    try {
      const needs = { ...requestNeeds(request), minContextTokens: estimateTokens(request) + (request.maxOutputTokens ?? 0) };
      const routes = this.options.directory.routes();
      const options = { policy: config.routing.policy, needs, bans: config.routing.bans };
      let resolution = resolveModel(request.model, routes, options);
      // Ids a client hard-codes (Claude Code's claude-*) go where the model map says, unless
      // some upstream really serves them.
      const mapped = resolution.kind === 'not-found' ? mapModel(request.model, config.anthropic.modelMap) : undefined;
      if (mapped !== undefined) resolution = resolveModel(mapped, routes, options);
      const resolved = this.resolved(resolution, request.model);
      const sessionId = dispatch.sessionId ?? conversationKey(request);
      const ranked = engine.rank(resolved, request, sessionId);
      record.explain = mapped === undefined ? ranked.explain : explainMapped(ranked.explain, request.model);
      const result = await runFailover(this.failoverDeps(), ranked.ordered, record, dispatch.signal, config, (target, control) =>
        startChatAttempt({
          request,
          target,
          control,
          firstTokenMs: config.timeouts.firstTokenMs,
          idleMs: config.timeouts.idleMs,
          record,
          usageLog,
          http: this.options.http,
          quotas: this.options.quotas,
          now,
          onSample: (sample) => this.recordSample(target.route, sample),
        }),
      );
      engine.noteWinner(result.target.route, sessionId);
      return {
        events: result.value.events,
        route: result.route,
        attempts: result.attempts,
        ...(ranked.pin ? { pin: ranked.pin } : {}),
        get decision() {
          return decisionOf(record);
        },
      };
    } catch (error) {
      finishWithError(usageLog, record, error, now());
      throw error;
    }
  }

  async embed(request: EmbeddingRequest, dispatch: DispatchOptions): Promise<EmbeddingDispatchResult> {
    const { now, usageLog, engine } = this.options;
    const config = this.options.getConfig();
    const record = this.openRecord(dispatch, 'embeddings', request.model);
    try {
      const resolution = this.resolved(
        resolveModel(request.model, this.options.directory.routes(), { policy: config.routing.policy, embeddings: true, bans: config.routing.bans }),
        request.model,
      );
      const ranked = engine.rank(resolution, undefined, undefined);
      record.explain = ranked.explain;
      const result = await runFailover(this.failoverDeps(), ranked.ordered, record, dispatch.signal, config, async (target, { controller, dispose }) => {
        // Embeddings have no stream: the first-token limit bounds the whole call.
        const timer = setTimeout(() => controller.abort(new AttemptTimeout('first-token')), config.timeouts.firstTokenMs);
        const started = now();
        try {
          const value = await target.runtime.adapter.embed(request, target.route.model, providerContext(target, controller.signal, this.options.http));
          this.recordSample(target.route, { at: started, source: 'live', outcome: 'ok', totalMs: now() - started });
          return value;
        } catch (error) {
          throw controller.signal.reason instanceof AttemptTimeout ? controller.signal.reason : error;
        } finally {
          clearTimeout(timer);
          dispose();
        }
      });
      record.route = result.route;
      record.usage = { inputTokens: result.value.inputTokens, outputTokens: 0 };
      finishOk(usageLog, record, now());
      return { result: result.value, route: result.route, attempts: result.attempts };
    } catch (error) {
      finishWithError(usageLog, record, error, now());
      throw error;
    }
  }

  private resolved(resolution: Resolution, asked: string): Extract<Resolution, { kind: 'routes' }> {
    if (resolution.kind === 'not-found') {
      if (this.options.directory.routes().length === 0) throw noProvidersError();
      throw modelNotFound(asked, resolution.suggestions);
    }
    if (resolution.kind === 'unsuitable') {
      if (this.options.directory.routes().length === 0) throw noProvidersError();
      throw new RelayError(`Cannot route '${asked}': ${resolution.reason}.`, { status: 400, kind: 'invalid-request', code: 'no_suitable_model', param: 'model' });
    }
    return resolution;
  }
}

function noProvidersError(): RelayError {
  return new RelayError(
    'No provider is ready: add a key (for example `switchboard keys add groq`), set GROQ_API_KEY or another provider key variable, or start a local Ollama.',
    { status: 503, kind: 'overloaded', code: 'no_providers_configured' },
  );
}

/** An explanation that says the id was routed through the model map (a closure of its own: it must not hold the request). */
function explainMapped(explain: () => RoutingDecision, asked: string): () => RoutingDecision {
  return () => {
    const decision = explain();
    return { ...decision, target: `${decision.target} (mapped from ${asked})` };
  };
}

/** The first model-map rule whose glob matches the id, as the id to route instead. */
export function mapModel(model: string, rules: ReadonlyArray<{ match: string; model: string }>): string | undefined {
  const lower = model.toLowerCase();
  return rules.find((rule) => picomatch.isMatch(lower, rule.match.toLowerCase()))?.model;
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
