/**
 * What turns a source's chunks into items, synchronously: one upstream chunk often carries many
 * SSE messages and each of those several events, and handing them on from a queue costs one
 * resolved promise per item where a chain of async generators costs several per item and stage.
 */
export interface ChunkHandler<C, T> {
  /** Appends the items of one chunk; true when the answer is complete and nothing more is read. */
  chunk(chunk: C, out: T[]): boolean;
  /** The source ended: appends the last items. */
  end(out: T[]): void;
  /**
   * The source failed (or `chunk`/`end` threw): appends the items that say so, or throws to pass
   * the failure on.
   */
  fail(error: unknown, out: T[]): void;
}

/**
 * Reads `source` only when the items of its previous chunk are used up. When the handler says
 * the answer is complete, the source is released at once (its `return()`), without waiting for
 * it: an HTTP body drains what is left in the background.
 */
export function readQueued<C, T>(source: AsyncIterable<C>, handler: ChunkHandler<C, T>): QueuedIterator<T> {
  return new QueuedReader(source[Symbol.asyncIterator](), handler);
}

export interface QueuedIterator<T> extends AsyncIterableIterator<T> {
  /** An item already read, without a promise; undefined when the next one has to be read. */
  takeReady(): T | undefined;
}

class QueuedReader<C, T> implements QueuedIterator<T> {
  private items: T[] = [];
  private index = 0;

  /** Undefined once the source ended, failed or was released. */
  constructor(
    private source: AsyncIterator<C> | undefined,
    private readonly handler: ChunkHandler<C, T>,
  ) {}

  [Symbol.asyncIterator](): QueuedIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.index < this.items.length) return Promise.resolve({ done: false, value: this.items[this.index++] as T });
    return this.fill();
  }

  takeReady(): T | undefined {
    return this.index < this.items.length ? (this.items[this.index++] as T) : undefined;
  }

  async return(): Promise<IteratorResult<T>> {
    const source = this.source;
    this.source = undefined;
    this.items = [];
    this.index = 0;
    await source?.return?.();
    return { done: true, value: undefined };
  }

  private async fill(): Promise<IteratorResult<T>> {
    while (this.index >= this.items.length) {
      const source = this.source;
      if (source === undefined) return { done: true, value: undefined };
      // Every item was handed out: the array is reused for the next chunk's.
      this.items.length = 0;
      this.index = 0;
      let step: IteratorResult<C>;
      try {
        step = await source.next();
      } catch (error) {
        this.source = undefined;
        this.handler.fail(error, this.items);
        continue;
      }
      try {
        if (step.done) {
          this.source = undefined;
          this.handler.end(this.items);
        } else if (this.handler.chunk(step.value, this.items)) {
          this.source = undefined;
          release(source);
        }
      } catch (error) {
        // A chunk the handler could not take counts as a broken source.
        if (this.source !== undefined) release(source);
        this.source = undefined;
        this.handler.fail(error, this.items);
      }
    }
    return { done: false, value: this.items[this.index++] as T };
  }
}

function release(source: AsyncIterator<unknown>): void {
  try {
    source.return?.()?.then(undefined, () => undefined);
  } catch {
    // a source that cannot be released has nothing left to give
  }
}
