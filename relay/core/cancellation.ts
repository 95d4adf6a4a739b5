/**
 * Cancellation for the request path. Every relayed request needs two: the client's (it may
 * leave) and the current attempt's (linked to the client, cut by the deadline and the timers).
 * Node builds each AbortSignal with `Object.setPrototypeOf`, which makes it a slow object to V8,
 * and its EventTarget machinery is heavy for one listener or two; measured at concurrency 1, the
 * two AbortControllers cost about 40 µs of every request's latency. A Cancellation is a plain
 * object with the same surface as far as the relay and undici use it.
 */

/** What cancellable work listens to: the part of AbortSignal the relay uses (a real AbortSignal is one). */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A cancellation source that is its own signal. Listeners run once, in the order they were added. */
export class Cancellation implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> = [];

  /** The signal to hand to cancellable work (the object itself, as AbortController#signal is for it). */
  get signal(): CancelSignal {
    return this;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    // As AbortController: without a reason, an AbortError.
    this.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    // As EventTarget: a listener another one removes before its turn is not called.
    for (const listener of [...this.listeners]) {
      const index = this.listeners.indexOf(listener);
      if (index < 0) continue;
      this.listeners.splice(index, 1);
      try {
        listener();
      } catch (error) {
        // A listener's failure must not keep the others from hearing of the abort.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  addEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort' || this.aborted || this.listeners.includes(listener)) return;
    this.listeners.push(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort') return;
    const index = this.listeners.indexOf(listener);
    if (index >= 0) this.listeners.splice(index, 1);
  }
}

/** A real AbortSignal that follows `signal`, for APIs that need one (fetch). */
export function toAbortSignal(signal: CancelSignal): AbortSignal {
  if (signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}
