import { once } from 'node:events';
import type { Response } from 'express';
import type { AttemptRecord, RouteInfo, RoutingDecision } from '../core/relay-service.js';

/**
 * Response plumbing every wire's routes share: noticing a client that leaves, the headers that
 * name the route, and writing a stream with back-pressure. Wire formats stay in each wire.
 */

/** Aborts when the client goes away before the response is complete. */
export function clientAbortSignal(response: Response): AbortSignal {
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

/** The headers that say which route served a request; the key appears by label only. */
export function setRouteHeaders(response: Response, route: RouteInfo | undefined, attempts: readonly AttemptRecord[], decision?: RoutingDecision): void {
  if (response.headersSent) return;
  if (decision?.pin) response.setHeader('x-switchboard-pin', decision.pin.honoured ? 'pinned' : 'fallback');
  if (route) {
    response.setHeader('x-switchboard-provider', headerSafe(route.provider));
    response.setHeader('x-switchboard-model', headerSafe(route.model));
    if (route.keyLabel) response.setHeader('x-switchboard-key', headerSafe(route.keyLabel));
  }
  response.setHeader('x-switchboard-attempts', String(attempts.length));
}

/** Writes frames with back-pressure and ends the response; stops (cancelling upstream) when the client leaves. */
export async function writeFrames(response: Response, frames: AsyncIterable<string>, signal: AbortSignal): Promise<void> {
  for await (const frame of frames) {
    if (signal.aborted) break;
    if (!response.write(frame)) {
      try {
        await once(response, 'drain', { signal });
      } catch {
        break;
      }
    }
  }
  response.end();
}

/** Sends the status and headers of a stream now, so the client sees the answer has started. */
export function startStream(response: Response, headers: Readonly<Record<string, string>>): void {
  response.writeHead(200, headers);
  response.flushHeaders();
}
