import { Cancellation, type CancelSignal } from '../core/cancellation.js';

/** Abort plumbing: timers and waits that end at once when the request is cancelled. */

export class AbortedError extends Error {
  constructor(message = 'The request was cancelled.') {
    super(message);
    this.name = 'AbortedError';
  }
}

/** Resolves after `ms`, or rejects with AbortedError as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: CancelSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A child Cancellation that aborts (with the parent's reason) when the parent does. `dispose`
 * detaches it, so a long-lived parent does not accumulate listeners.
 */
export function linkedCancellation(parent: CancelSignal): { controller: Cancellation; dispose: () => void } {
  const controller = new Cancellation();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => undefined };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}
