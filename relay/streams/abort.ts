/** Abort plumbing: timers and waits that end at once when the request is cancelled. */

export class AbortedError extends Error {
  constructor(message = 'The request was cancelled.') {
    super(message);
    this.name = 'AbortedError';
  }
}

/** Resolves after `ms`, or rejects with AbortedError as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
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
 * A child AbortController that aborts when any parent does. Returns a dispose function that
 * detaches the listeners, so long-lived parents do not accumulate them.
 */
export function linkedAbortController(...parents: AbortSignal[]): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const listeners: Array<() => void> = [];
  for (const parent of parents) {
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const onAbort = () => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    listeners.push(() => parent.removeEventListener('abort', onAbort));
  }
  return { controller, dispose: () => listeners.forEach((remove) => remove()) };
}
