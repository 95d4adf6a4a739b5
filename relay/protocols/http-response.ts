import type { Response } from 'express';
import { Cancellation, type CancelSignal } from '../core/cancellation.js';
import type { AttemptRecord, RouteInfo, RoutingDecision } from '../core/relay-service.js';
import { takeReadyEvent, type StreamEvent } from '../core/stream-event.js';
import type { FrameEncoder } from '../streams/frame-encoder.js';

/**
 * Response plumbing every wire's routes share: noticing a client that leaves, the headers that
 * name the route, and writing a stream with back-pressure. Wire formats stay in each wire.
 */

/** Aborts when the client goes away before the response is complete. */
export function clientAbortSignal(response: Response): CancelSignal {
  const cancellation = new Cancellation();
  response.on('close', () => {
    if (!response.writableFinished) cancellation.abort();
  });
  return cancellation;
}

const UNSAFE_IN_HEADER = /[^\x20-\x7e]/;
const UNSAFE_IN_HEADER_ALL = /[^\x20-\x7e]/g;

function headerSafe(value: string): string {
  return UNSAFE_IN_HEADER.test(value) ? value.replace(UNSAFE_IN_HEADER_ALL, '?') : value;
}

/** The headers that say which route served a request; the key appears by label only. */
export function setRouteHeaders(response: Response, route: RouteInfo | undefined, attempts: readonly AttemptRecord[], pin?: RoutingDecision['pin']): void {
  if (response.headersSent) return;
  if (pin) response.setHeader('x-switchboard-pin', pin.honoured ? 'pinned' : 'fallback');
  if (route) {
    response.setHeader('x-switchboard-provider', headerSafe(route.provider));
    response.setHeader('x-switchboard-model', headerSafe(route.model));
    if (route.keyLabel) response.setHeader('x-switchboard-key', headerSafe(route.keyLabel));
  }
  response.setHeader('x-switchboard-attempts', String(attempts.length));
}

/** Writes frames with back-pressure and ends the response; stops (cancelling upstream) when the client leaves. */
export async function writeFrames(response: Response, frames: AsyncIterable<string>, signal: CancelSignal): Promise<void> {
  for await (const frame of frames) {
    if (signal.aborted) break;
    if (!response.write(frame) && !(await drained(response, signal))) break;
  }
  response.end();
}

/**
 * Encodes events and writes their frames as they come, with back-pressure, then ends the
 * response; stops (cancelling upstream) when the client leaves. The frames of the events one
 * upstream chunk carried leave in one write: Node corks the socket until the next tick.
 */
export async function writeEvents(response: Response, events: AsyncIterable<StreamEvent>, encoder: FrameEncoder, signal: CancelSignal): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      // The events the stream already holds are taken without a promise each (see ReadyEvents).
      let event = takeReadyEvent(iterator);
      if (event === undefined) {
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        event = step.value;
      }
      if (signal.aborted) break;
      const frames = encoder.encode(event);
      if (frames !== '' && !response.write(frames) && !(await drained(response, signal))) break;
      if (encoder.stopped) break;
    }
  } finally {
    // As `for await` does when it stops early: release the stream (which cancels the upstream).
    if (!exhausted) await iterator.return?.()?.catch(() => undefined);
  }
  if (!encoder.stopped && !signal.aborted) response.write(encoder.finish());
  response.end();
}

/** Waits until the response can take more: true on 'drain', false when the client left or the request was cancelled. */
function drained(response: Response, signal: CancelSignal): Promise<boolean> {
  if (signal.aborted || response.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (value: boolean) => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      signal.removeEventListener('abort', onClose);
      resolve(value);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    response.on('drain', onDrain);
    response.on('close', onClose);
    signal.addEventListener('abort', onClose, { once: true });
  });
}

/**
 * Sends `value` as the JSON body, as Express's `response.json` does with the relay's settings
 * (no ETag, no replacer, no spaces) — the same headers in the same order — without its
 * content-type negotiation on every answer.
 */
export function sendJson(response: Response, value: unknown): void {
  const body = JSON.stringify(value);
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(body, 'utf8');
}

/** Sends the status and headers of a stream now, so the client sees the answer has started. */
export function startStream(response: Response, headers: Readonly<Record<string, string>>): void {
  response.writeHead(200, headers);
  response.flushHeaders();
}
