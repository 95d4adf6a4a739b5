import type { ChatRequest } from '../core/chat-request.js';
import { UpstreamError, toRelayError } from '../core/errors.js';
import { isContentEvent, type StreamEvent } from '../core/stream-event.js';
import type { QuotaTracker } from '../keys/quota-tracker.js';
import type { HttpClient } from '../providers/http-client.js';
import { parseDurationMs } from '../providers/rate-limit-headers.js';
import type { QosSample } from '../routing/qos-tracker.js';
import { linkedAbortController } from '../streams/abort.js';
import { sampleOutcome } from './attempt-outcome.js';
import { AttemptTimeout, providerContext, routeInfo, type AttemptTarget } from './attempt-target.js';
import { finishOk, finishWithError, type RequestRecord, type UsageLog } from './usage-log.js';

export interface ChatAttemptOptions {
  request: ChatRequest;
  target: AttemptTarget;
  /** The failover loop's signal (client + total deadline). */
  parentSignal: AbortSignal;
  /** The client's own signal, which must still cancel the upstream after the loop is done. */
  clientSignal: AbortSignal;
  firstTokenMs: number;
  idleMs: number;
  record: RequestRecord;
  usageLog: UsageLog;
  http: HttpClient;
  quotas: QuotaTracker;
  now: () => number;
  /** Receives the live measurement of this route when the answer ends (or fails mid-stream). */
  onSample: (sample: QosSample) => void;
}

/**
 * Starts one streamed attempt and reads ahead to its first content event (the commit point),
 * under the first-token timer. Throws before the commit point, so the loop can fail over;
 * returns the committed stream, which replays what was read.
 */
export async function startChatAttempt(options: ChatAttemptOptions): Promise<{ events: AsyncIterable<StreamEvent> }> {
  const { target, now, quotas } = options;
  // Linked to the client directly as well: the failover loop's signal is detached once the
  // attempt commits, and a client leaving mid-stream must still cancel the upstream at once.
  const { controller, dispose } = linkedAbortController(options.parentSignal, options.clientSignal);
  const started = now();
  const firstTokenTimer = setTimeout(() => controller.abort(new AttemptTimeout('first-token')), options.firstTokenMs);
  const request = clampOutput(options.request, target.route.maxOutputTokens);
  const onHeaders = target.key
    ? (headers: Record<string, string>) => quotas.update(target.route.providerId, (target.key as { id: string }).id, target.route.model, headers, now(), parseDurationMs)
    : undefined;
  const iterator = target.runtime.adapter
    .streamChat(request, target.route.model, providerContext(target, controller.signal, options.http, onHeaders))
    [Symbol.asyncIterator]();
  const buffered: StreamEvent[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) throw truncated(target);
      if (next.value.type === 'error') throw next.value.error;
      buffered.push(next.value);
      if (isContentEvent(next.value)) break;
    }
  } catch (error) {
    clearTimeout(firstTokenTimer);
    dispose();
    controller.abort();
    void iterator.return?.(undefined)?.catch(() => undefined);
    // When our own timer cut the attempt, that is the cause, whatever the adapter made of the
    // aborted socket (it may report it as a broken connection).
    throw controller.signal.reason instanceof AttemptTimeout ? controller.signal.reason : error;
  }
  clearTimeout(firstTokenTimer);
  const firstTokenAt = now();
  options.record.ttftMs = firstTokenAt - options.record.startedAt;
  options.record.route = routeInfo(target);
  return { events: committed(options, iterator, buffered, controller, dispose, started, firstTokenAt) };
}

function clampOutput(request: ChatRequest, limit: number | undefined): ChatRequest {
  if (limit === undefined || request.maxOutputTokens === undefined || request.maxOutputTokens <= limit) return request;
  return { ...request, maxOutputTokens: limit };
}

/** The stream after the commit point: replays the read-ahead, then relays under an idle timer. */
async function* committed(
  options: ChatAttemptOptions,
  iterator: AsyncIterator<StreamEvent>,
  buffered: StreamEvent[],
  controller: AbortController,
  dispose: () => void,
  started: number,
  firstTokenAt: number,
): AsyncGenerator<StreamEvent> {
  const { record, usageLog, now, target } = options;
  // One timer for the whole stream, re-armed before each wait: it only counts while we wait for
  // the upstream, never while a slow client is still taking the previous event.
  let waiting = false;
  const idleTimer = setTimeout(() => {
    if (waiting) controller.abort(new AttemptTimeout('idle'));
  }, options.idleMs);
  let finished = false;
  // The answer's last event reached the consumer: stopping after it is completion, not a
  // disconnect (the Anthropic encoders stop reading once their message is complete).
  let answered = false;
  let pieces = 0;
  let outputTokens: number | undefined;
  const observe = (event: StreamEvent) => {
    if (event.type === 'text-delta' || event.type === 'reasoning-delta' || event.type === 'tool-call-delta') pieces++;
    if (event.type === 'message-end') answered = true;
    if (event.type === 'usage') {
      const { type: _type, ...usage } = event;
      record.usage = usage;
      outputTokens = usage.outputTokens;
    }
  };
  const measured = (): QosSample => {
    const end = now();
    const tokens = outputTokens ?? pieces;
    const sample: QosSample = { at: started, source: 'live', outcome: 'ok', ttftMs: firstTokenAt - started, totalMs: end - started, outputTokens: tokens };
    if (tokens > 1 && end > firstTokenAt) sample.tokensPerSecond = ((tokens - 1) * 1000) / (end - firstTokenAt);
    return sample;
  };
  const fail = (error: UpstreamError | ReturnType<typeof toRelayError>): StreamEvent => {
    finishWithError(usageLog, record, error, now());
    options.onSample({ at: started, source: 'live', outcome: error instanceof UpstreamError ? sampleOutcome(error) : 'bad-response', error: error.message });
    finished = true;
    return { type: 'error', error };
  };
  try {
    for (const event of buffered) {
      observe(event);
      yield event;
    }
    for (;;) {
      waiting = true;
      idleTimer.refresh();
      let next: IteratorResult<StreamEvent> | undefined;
      let failure: unknown;
      try {
        next = await iterator.next();
      } catch (error) {
        failure = error;
      } finally {
        waiting = false;
      }
      // Our own abort comes first: the adapter may throw it or report it as a broken connection.
      if (controller.signal.reason instanceof AttemptTimeout) {
        yield fail(idleError(target, options.idleMs));
        return;
      }
      if (controller.signal.aborted) return; // the client went away
      if (next === undefined) {
        yield fail(toRelayError(failure));
        return;
      }
      if (next.done) break;
      const event = next.value;
      if (event.type === 'error') {
        yield fail(event.error);
        return;
      }
      observe(event);
      yield event;
    }
    finishOk(usageLog, record, now());
    options.onSample(measured());
    finished = true;
  } finally {
    clearTimeout(idleTimer);
    if (!finished && answered) {
      controller.abort();
      void iterator.return?.(undefined)?.catch(() => undefined);
      finishOk(usageLog, record, now());
      options.onSample(measured());
    } else if (!finished) {
      // The consumer stopped early (client disconnect): cancel the upstream at once. The route
      // answered, so its first token still counts as a measurement.
      controller.abort();
      void iterator.return?.(undefined)?.catch(() => undefined);
      record.outcome = 'aborted';
      record.durationMs = now() - record.startedAt;
      usageLog.finish(record);
      options.onSample({ at: started, source: 'live', outcome: 'ok', ttftMs: firstTokenAt - started });
    }
    dispose();
  }
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
