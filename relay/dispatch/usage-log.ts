import type { AttemptRecord, ClientWire, RouteInfo, RoutingDecision } from '../core/relay-service.js';
import { toRelayError } from '../core/errors.js';
import type { Usage } from '../core/stream-event.js';
import { AbortedError } from '../streams/abort.js';

/** One relayed request, as the request log shows it. Bodies are never kept here (see request-bodies.ts). */
export interface RequestRecord {
  requestId: string;
  startedAt: number;
  clientWire: ClientWire;
  endpoint: 'chat' | 'embeddings';
  askedModel: string;
  route?: RouteInfo;
  attempts: AttemptRecord[];
  /** Why the route was chosen: the candidates considered and their scores (read it with `decisionOf`). */
  decision?: RoutingDecision;
  /** Builds `decision` from what was known when the routes were ranked, for a record whose decision nobody has read yet. */
  explain?: () => RoutingDecision;
  /** Milliseconds from the request to the first content byte. */
  ttftMs?: number;
  durationMs?: number;
  usage?: Usage;
  /** 'ok', or the error kind that ended the request. */
  outcome: 'pending' | 'ok' | 'error' | 'aborted';
  status?: number;
  error?: string;
}

/** Why a request went where it did, worked out on first reading. */
export function decisionOf(record: RequestRecord): RoutingDecision | undefined {
  if (record.decision === undefined && record.explain !== undefined) {
    record.decision = record.explain();
    // What the explanation was built from can go now.
    delete record.explain;
  }
  return record.decision;
}

/** A bounded in-memory ring of recent requests, newest last. */
export class UsageLog {
  private readonly records: RequestRecord[] = [];
  private readonly listeners = new Set<(record: RequestRecord) => void>();

  constructor(private readonly capacity = 500) {}

  add(record: RequestRecord): RequestRecord {
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.shift();
    return record;
  }

  /** Call when a record is complete; listeners see each finished request once. */
  finish(record: RequestRecord): void {
    for (const listener of this.listeners) listener(record);
  }

  /** One recent request; newest are searched first, as those are the ones asked about. */
  get(requestId: string): RequestRecord | undefined {
    for (let index = this.records.length - 1; index >= 0; index--) {
      const record = this.records[index];
      if (record?.requestId === requestId) return record;
    }
    return undefined;
  }

  recent(limit = 100): RequestRecord[] {
    return this.records.slice(-limit);
  }

  subscribe(listener: (record: RequestRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Closes a pending record with the error that ended its request (once; later calls do nothing). */
export function finishWithError(log: UsageLog, record: RequestRecord, error: unknown, now: number): void {
  if (record.outcome !== 'pending') return;
  record.durationMs = now - record.startedAt;
  if (error instanceof AbortedError) {
    record.outcome = 'aborted';
  } else {
    const relayError = toRelayError(error);
    record.outcome = 'error';
    record.status = relayError.status;
    record.error = relayError.message;
  }
  log.finish(record);
}

/** Closes a pending record as served. */
export function finishOk(log: UsageLog, record: RequestRecord, now: number): void {
  if (record.outcome !== 'pending') return;
  record.outcome = 'ok';
  record.status = 200;
  record.durationMs = now - record.startedAt;
  log.finish(record);
}
