import type { ModelListing } from '../../core/relay-service.js';
import type { StreamEvent } from '../../core/stream-event.js';
import { MessageEventEncoder, truncatedError, type MessageEncodingOptions } from './encode-stream.js';
import type { ContentBlockWire, MessageWireResponse, StreamEventWire } from './wire-types.js';

/**
 * A non-streaming Messages response. It is folded from the very events the streaming encoder
 * emits, the way the SDK's MessageStream builds its final message, so both paths answer alike.
 * A failure is thrown (the HTTP status is still free), never returned as a partial message.
 */
export async function collectMessage(events: AsyncIterable<StreamEvent>, options: MessageEncodingOptions = {}): Promise<MessageWireResponse> {
  const encoder = new MessageEventEncoder(options);
  const folder = new MessageFolder();
  for await (const event of events) {
    if (event.type === 'error') throw event.error;
    for (const wire of encoder.encode(event)) folder.apply(wire);
    if (encoder.finished) break;
  }
  const message = folder.message();
  if (!message) throw truncatedError();
  return message;
}

class MessageFolder {
  private snapshot: MessageWireResponse | undefined;
  private readonly toolJson = new Map<number, string>();
  private stopped = false;

  apply(event: StreamEventWire): void {
    switch (event.type) {
      case 'message_start':
        this.snapshot = { ...event.message, content: [] };
        break;
      case 'content_block_start':
        this.snapshot?.content.push({ ...event.content_block });
        break;
      case 'content_block_delta':
        this.applyDelta(event.index, event.delta);
        break;
      case 'message_delta':
        if (!this.snapshot) break;
        this.snapshot.stop_reason = event.delta.stop_reason;
        this.snapshot.stop_sequence = event.delta.stop_sequence;
        this.snapshot.usage = event.usage;
        break;
      case 'message_stop':
        this.stopped = true;
        break;
      default:
        break;
    }
  }

  message(): MessageWireResponse | undefined {
    if (!this.snapshot || !this.stopped) return undefined;
    for (const [index, json] of this.toolJson) {
      const block = this.snapshot.content[index];
      if (block?.type === 'tool_use') block.input = parseInput(json);
    }
    return this.snapshot;
  }

  private applyDelta(index: number, delta: Extract<StreamEventWire, { type: 'content_block_delta' }>['delta']): void {
    const block: ContentBlockWire | undefined = this.snapshot?.content[index];
    if (!block) return;
    if (delta.type === 'text_delta' && block.type === 'text') block.text += delta.text;
    else if (delta.type === 'thinking_delta' && block.type === 'thinking') block.thinking += delta.thinking;
    else if (delta.type === 'signature_delta' && block.type === 'thinking') block.signature = delta.signature;
    else if (delta.type === 'input_json_delta') this.toolJson.set(index, (this.toolJson.get(index) ?? '') + delta.partial_json);
  }
}

/** Tool input must be an object; arguments cut off mid-JSON (max_tokens) become an empty one. */
function parseInput(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export interface ModelObjectWire {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

export function modelObject(listing: ModelListing): ModelObjectWire {
  return { type: 'model', id: listing.id, display_name: listing.id, created_at: new Date(listing.created * 1000).toISOString() };
}

export interface ModelPageQuery {
  limit?: unknown;
  after_id?: unknown;
  before_id?: unknown;
}

/** Anthropic's cursor pagination (`limit` 1-1000, default 20; `after_id` / `before_id`), which the SDK follows. */
export function encodeModelPage(listings: readonly ModelListing[], query: ModelPageQuery): Record<string, unknown> {
  const asked = Number(typeof query.limit === 'string' ? query.limit : 20);
  const limit = Number.isInteger(asked) ? Math.min(1000, Math.max(1, asked)) : 20;
  let rows = listings.map(modelObject);
  let hasMore: boolean;
  const before = typeof query.before_id === 'string' ? rows.findIndex((row) => row.id === query.before_id) : -1;
  if (before >= 0) {
    rows = rows.slice(Math.max(0, before - limit), before);
    hasMore = before - limit > 0;
  } else {
    const after = typeof query.after_id === 'string' ? rows.findIndex((row) => row.id === query.after_id) : -1;
    const start = after >= 0 ? after + 1 : 0;
    hasMore = rows.length > start + limit;
    rows = rows.slice(start, start + limit);
  }
  return { data: rows, has_more: hasMore, first_id: rows[0]?.id ?? null, last_id: rows.at(-1)?.id ?? null };
}
