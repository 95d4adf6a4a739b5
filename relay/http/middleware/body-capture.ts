import type { RequestHandler, Response } from 'express';
import type { BodyCapture, RequestBodies } from '../../dispatch/request-bodies.js';

export interface BodyCaptureOptions {
  /** `requests.keepBodies`, read per request so a change applies to the next one. */
  enabled: () => boolean;
  bodies: RequestBodies;
}

/**
 * Keeps what a relayed request sent and what the client received, when the user turned that on.
 * It sits at the HTTP layer because only there is every wire's raw body and every byte of every
 * answer (streamed, collected or an error) in one place. With the setting off nothing is
 * wrapped, so the hot path stays as it was.
 */
export function bodyCapture(options: BodyCaptureOptions): RequestHandler {
  return function captureBodies(request, response, next) {
    // Every relayed request is a POST; model lists and other reads are not worth a slot.
    if (request.method !== 'POST' || !options.enabled()) {
      next();
      return;
    }
    const capture = options.bodies.capture(String(response.locals.requestId));
    response.locals.bodyCapture = capture;
    const write = response.write;
    const end = response.end;
    response.write = function captureWrite(this: Response, chunk: unknown, ...rest: unknown[]) {
      capture.written(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as Response['write'];
    response.end = function captureEnd(this: Response, chunk?: unknown, ...rest: unknown[]) {
      capture.written(chunk, rest[0]);
      return (end as (...args: unknown[]) => Response).call(this, chunk, ...rest);
    } as Response['end'];
    // 'close' comes for finished and abandoned responses alike.
    response.once('close', () => capture.close());
    next();
  };
}

/** Hands the raw request body to the capture of this request, if there is one. */
export function captureRequestBody(response: Response, body: Buffer): void {
  (response.locals.bodyCapture as BodyCapture | undefined)?.request(body);
}
