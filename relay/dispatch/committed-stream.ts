import { UpstreamError, toRelayError, type RelayError } from '../core/errors.js';
import { takeReadyEvent, type ReadyEvents, type StreamEvent } from '../core/stream-event.js';
import type { QosSample } from '../routing/qos-tracker.js';
import { sampleOutcome } from './attempt-outcome.js';
import { AttemptTimeout, type AttemptTarget } from './attempt-target.js';
import { finishOk, finishWithError, type RequestRecord, type UsageLog } from './usage-log.js';
import type { Cancellation } from '../core/cancellation.js';

export interface CommittedStreamOptions {
  target: AttemptTarget;
  record: RequestRecord;
  usageLog: UsageLog;
  idleMs: number;
  now: () => number;
  /** Receives the live measurement of this route when the answer ends (or fails mid-stream). */
  onSample: (sample: QosSample) => void;
  /** The attempt's own controller: aborting it cancels the upstream request. */
  controller: Cancellation;
  /** Detaches the controller from its parents' signals. */
  dispose: () => void;
  /** When the attempt was sent, and when its first content event arrived. */
  started: number;
  firstTokenAt: number;
}

const DONE: IteratorResult<StreamEvent> = { done: true, value: undefined };

/**
 * An attempt's stream after the commit point: replays the events read ahead, then relays the
 * upstream's under an idle timer, keeps the request log and the route's QoS up to date, and
 * turns a failure into a final `error` event. Written as an iterator rather than a generator
 * because every event of every answer passes here: an event the upstream already holds is
 * handed on without a promise (`takeReady`), or with one.
 */
export class CommittedStream implements AsyncIterableIterator<StreamEvent>, ReadyEvents {
  private replayed = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Waiting on the upstream: only then does the idle timer count. */
  private waiting = false;
  /** The request log entry is closed (served or failed). */
  private finished = false;
  /** Nothing more is handed out; timers and listeners are released. */
  private closed = false;
  /**
   * The answer's last event reached the consumer: stopping after it is completion, not a
   * disconnect (the Anthropic encoders stop reading once their message is complete).
   */
  private answered = false;
  private pieces = 0;
  private outputTokens: number | undefined;

  constructor(
    private readonly options: CommittedStreamOptions,
    private readonly upstream: AsyncIterator<StreamEvent>,
    private readonly buffered: readonly StreamEvent[],
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamEvent> {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    const ready = this.takeReady();
    if (ready !== undefined) return Promise.resolve({ done: false, value: ready });
    if (this.closed) return Promise.resolve(DONE);
    return this.read();
  }

  /** The next event when it is already here (read ahead, or in the upstream's queue); see ReadyEvents. */
  takeReady(): StreamEvent | undefined {
    if (this.closed) return undefined;
    // One timer for the whole stream, re-armed before each wait: it only counts while we wait
    // for the upstream, never while a slow client is still taking the previous event.
    this.idleTimer ??= setTimeout(() => {
      if (this.waiting) this.options.controller.abort(new AttemptTimeout('idle'));
    }, this.options.idleMs);
    if (this.replayed < this.buffered.length) {
      const event = this.buffered[this.replayed++] as StreamEvent;
      this.observe(event);
      return event;
    }
    // After an abort, `next()` finds out why.
    if (this.options.controller.signal.aborted) return undefined;
    const event = takeReadyEvent(this.upstream);
    return event === undefined ? undefined : this.accept(event);
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    this.close();
    return DONE;
  }

  private async read(): Promise<IteratorResult<StreamEvent>> {
    const { controller } = this.options;
    this.waiting = true;
    this.idleTimer?.refresh();
    let step: IteratorResult<StreamEvent> | undefined;
    let failure: unknown;
    try {
      step = await this.upstream.next();
    } catch (error) {
      failure = error;
    } finally {
      this.waiting = false;
    }
    if (this.closed) return DONE;
    // Our own abort comes first: the adapter may throw it or report it as a broken connection.
    if (controller.signal.reason instanceof AttemptTimeout) return { done: false, value: this.fail(idleError(this.options.target, this.options.idleMs)) };
    if (controller.signal.aborted) {
      // The client went away.
      this.close();
      return DONE;
    }
    if (step === undefined) return { done: false, value: this.fail(toRelayError(failure)) };
    if (step.done) {
      this.finished = true;
      finishAfterAnswer(this.options, this.measured);
      this.close();
      return DONE;
    }
    return { done: false, value: this.accept(step.value) };
  }

  /** An upstream event as it goes on: an error ends the stream, anything else is observed. */
  private accept(event: StreamEvent): StreamEvent {
    if (event.type === 'error') return this.fail(event.error);
    this.observe(event);
    return event;
  }

  private observe(event: StreamEvent): void {
    switch (event.type) {
      case 'text-delta':
      case 'reasoning-delta':
      case 'tool-call-delta':
        this.pieces++;
        break;
      case 'message-end':
        this.answered = true;
        break;
      case 'usage': {
        const { type: _type, ...usage } = event;
        this.options.record.usage = usage;
        this.outputTokens = usage.outputTokens;
        break;
      }
      default:
        break;
    }
  }

  private readonly measured = (end: number): QosSample => {
    const { started, firstTokenAt } = this.options;
    const tokens = this.outputTokens ?? this.pieces;
    const sample: QosSample = { at: started, source: 'live', outcome: 'ok', ttftMs: firstTokenAt - started, totalMs: end - started, outputTokens: tokens };
    if (tokens > 1 && end > firstTokenAt) sample.tokensPerSecond = ((tokens - 1) * 1000) / (end - firstTokenAt);
    return sample;
  };

  /** The last event: the failure, in band. */
  private fail(error: UpstreamError | RelayError): StreamEvent {
    const { usageLog, record, now, started } = this.options;
    finishWithError(usageLog, record, error, now());
    this.options.onSample({ at: started, source: 'live', outcome: error instanceof UpstreamError ? sampleOutcome(error) : 'bad-response', error: error.message });
    this.finished = true;
    this.close();
    return { type: 'error', error };
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    const { controller, record, usageLog, now, started, firstTokenAt } = this.options;
    if (!this.finished) {
      // The consumer stopped early: cancel the upstream at once.
      controller.abort();
      void this.upstream.return?.(undefined)?.catch(() => undefined);
      if (this.answered) {
        finishAfterAnswer(this.options, this.measured);
      } else {
        // A client disconnect. The route answered, so its first token still counts as a measurement.
        record.outcome = 'aborted';
        record.durationMs = now() - record.startedAt;
        usageLog.finish(record);
        this.options.onSample({ at: started, source: 'live', outcome: 'ok', ttftMs: firstTokenAt - started });
      }
    }
    this.options.dispose();
  }
}

/**
 * Closes the record of a served answer and reports its measurement once the answer has left:
 * the consumer writes the last bytes in the microtasks that follow, and the request log, the
 * metrics and the QoS tracker have no reason to hold the client up. The times are taken now.
 */
function finishAfterAnswer(options: CommittedStreamOptions, measured: (end: number) => QosSample): void {
  const end = options.now();
  const sample = measured(end);
  setImmediate(() => {
    finishOk(options.usageLog, options.record, end);
    options.onSample(sample);
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
