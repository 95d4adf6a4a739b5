import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Turns a byte stream into SSE messages. Parsing is eventsource-parser's (it handles CRLF,
 * multi-line data and comments); this only adapts it to async iteration.
 */
export async function* decodeSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift() as EventSourceMessage;
  }
  parser.feed(decoder.decode());
  // A final event without its blank line is incomplete by the SSE rules; the parser drops it.
  while (pending.length > 0) yield pending.shift() as EventSourceMessage;
}
