import type { ChatRequest } from '../core/chat-request.js';
import { UpstreamError } from '../core/errors.js';
import { isContentEvent, takeReadyEvent, type StreamEvent } from '../core/stream-event.js';
import type { QuotaTracker } from '../keys/quota-tracker.js';
import type { HttpClient } from '../providers/http-client.js';
import { parseDurationMs } from '../providers/rate-limit-headers.js';
import type { QosSample } from '../routing/qos-tracker.js';
import { AttemptTimeout, providerContext, routeInfo, type AttemptTarget } from './attempt-target.js';
import { CommittedStream } from './committed-stream.js';
import type { AttemptControl } from './failover-loop.js';
import type { RequestRecord, UsageLog } from './usage-log.js';

export interface ChatAttemptOptions {
  request: ChatRequest;
  target: AttemptTarget;
  /**
   * This attempt's controller from the failover loop: linked to the client (which must still
   * cancel the upstream after the loop is done) and aborted by the total deadline.
   */
  control: AttemptControl;
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
  const { controller, dispose } = options.control;
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
      // Events the adapter already holds are taken without a promise each (see ReadyEvents).
      let event = takeReadyEvent(iterator);
      if (event === undefined) {
        const next = await iterator.next();
        if (next.done) throw truncated(target);
        event = next.value;
      }
      if (event.type === 'error') throw event.error;
      buffered.push(event);
      if (isContentEvent(event)) break;
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
  const { record, usageLog, idleMs, onSample } = options;
  return { events: new CommittedStream({ target, record, usageLog, idleMs, now, onSample, controller, dispose, started, firstTokenAt }, iterator, buffered) };
}

function clampOutput(request: ChatRequest, limit: number | undefined): ChatRequest {
  if (limit === undefined || request.maxOutputTokens === undefined || request.maxOutputTokens <= limit) return request;
  return { ...request, maxOutputTokens: limit };
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
