import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

/**
 * Turns bytes into SSE messages, one chunk at a time and without waiting: each `push` returns
 * the messages that chunk completed. Parsing is eventsource-parser's (it handles CRLF,
 * multi-line data and comments); a character split across chunks is kept for the next one.
 */
export class SseDecoder {
  private readonly parser: EventSourceParser;
  private readonly text = new TextDecoder();
  private completed: EventSourceMessage[] = [];

  constructor() {
    this.parser = createParser({ onEvent: (message) => this.completed.push(message) });
  }

  /** The messages completed by this chunk, in order. */
  push(chunk: Uint8Array): readonly EventSourceMessage[] {
    this.parser.feed(this.text.decode(chunk, { stream: true }));
    return this.take();
  }

  /**
   * The messages completed at the end of the body. A final event without its blank line is
   * incomplete by the SSE rules; the parser drops it.
   */
  end(): readonly EventSourceMessage[] {
    this.parser.feed(this.text.decode());
    return this.take();
  }

  private take(): readonly EventSourceMessage[] {
    if (this.completed.length === 0) return NONE;
    const messages = this.completed;
    this.completed = [];
    return messages;
  }
}

const NONE: readonly EventSourceMessage[] = [];

/** A byte stream as SSE messages, for readers that want one message at a time. */
export async function* decodeSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const decoder = new SseDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
  yield* decoder.end();
}
