/** Keep-alive frames for streams that may fall silent (a slow first token, a long tool call). */

const TICK = Symbol('tick');

/**
 * Passes `source` through and yields `ping()` whenever it has been silent for `intervalMs`, so
 * clients and proxies that time out idle connections keep waiting. The pending read is never
 * abandoned: a ping only interleaves, it does not restart the read.
 */
export async function* withKeepAlive<T>(source: AsyncIterable<T>, intervalMs: number, ping: () => T): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let finished = false;
  try {
    for (;;) {
      pending ??= iterator.next();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = new Promise<typeof TICK>((resolve) => {
        timer = setTimeout(() => resolve(TICK), intervalMs);
      });
      const winner = await Promise.race([pending, tick]).finally(() => clearTimeout(timer));
      if (winner === TICK) {
        yield ping();
        continue;
      }
      pending = undefined;
      if (winner.done) {
        finished = true;
        return;
      }
      yield winner.value;
    }
  } finally {
    // The consumer stopped early: release the source without waiting for a read that may never end.
    if (!finished) {
      pending?.catch(() => undefined);
      void iterator.return?.(undefined)?.catch(() => undefined);
    }
  }
}

/**
 * Waits for `promise`, calling `onTick` every `intervalMs` meanwhile (a ping before a stream
 * has anything to say). Settles exactly as `promise` does.
 */
export async function waitWithTicks<T>(promise: Promise<T>, intervalMs: number, onTick: () => void): Promise<T> {
  const timer = setInterval(onTick, intervalMs);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
  }
}

/** Resolves with the promise's outcome, or with `undefined` once `ms` have passed first. */
export async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
