import { RelayError } from '../../core/errors.js';
import type { StreamEvent, Usage } from '../../core/stream-event.js';
import { sseEvent } from '../../streams/sse-encoder.js';
import { streamErrorFields } from './encode-error.js';
import {
  customToolCallItem,
  customToolInput,
  functionCallItem,
  itemIdMaker,
  messageItem,
  outputTextPart,
  reasoningItem,
  responseEnvelope,
  terminalStatus,
  type ResponseContext,
  type ResponseIdentity,
  type ResponseStatus,
} from './response-object.js';

export interface ResponseStreamOptions extends ResponseIdentity {
  context: ResponseContext;
}

interface OpenText {
  outputIndex: number;
  itemId: string;
  text: string;
}

interface OpenCall {
  outputIndex: number;
  itemId: string;
  callId: string;
  name: string;
  args: string;
  custom: boolean;
}

/**
 * Canonical events → Responses SSE (`event: <type>` + `data: {"type":<type>,"sequence_number":n,…}`).
 *
 * Each canonical block becomes one output item: reasoning → a `reasoning` item with one summary
 * part, text → a `message` item with one `output_text` part, a tool call → a `function_call` item,
 * or a `custom_tool_call` item for the client's freeform tools (its input arrives in one delta when
 * the call ends, since it is the `input` string inside the upstream's JSON arguments). Output
 * indexes follow the order items open, so any interleaving of canonical blocks stays consistent.
 *
 * A clean finish ends with `response.completed` (status `incomplete` for length or content
 * filter: Codex needs `response.completed` to accept a turn at all). A failure ends with an
 * `error` event and then `response.failed`, and never `response.completed`; see fail().
 */
export async function* encodeResponseStream(events: AsyncIterable<StreamEvent>, options: ResponseStreamOptions): AsyncGenerator<string> {
  const encoder = new ResponseStreamEncoder(options);
  let ended = false;
  for await (const event of events) {
    if (ended) continue;
    if (event.type === 'error') {
      yield encoder.fail(event.error);
      return;
    }
    const frames = encoder.event(event);
    if (frames !== '') yield frames;
    if (event.type === 'message-end') ended = true;
  }
  if (!ended) {
    yield encoder.fail(new RelayError('The upstream stream ended before the answer was complete.', { status: 502, kind: 'upstream-bad-response', code: 'upstream_stream_truncated' }));
  }
}

/** The encoder's state machine; each call returns the SSE text to write (possibly ''). */
export class ResponseStreamEncoder {
  private sequence = 0;
  private started = false;
  private model = '';
  private usage: Usage | undefined;
  private readonly output: Array<Record<string, unknown>> = [];
  private readonly texts = new Map<number, OpenText>();
  private readonly reasonings = new Map<number, OpenText>();
  private readonly calls = new Map<number, OpenCall>();
  private readonly newId: (prefix: string) => string;
  private frames: string[] = [];

  constructor(private readonly options: ResponseStreamOptions) {
    this.newId = itemIdMaker(options);
  }

  event(event: StreamEvent): string {
    switch (event.type) {
      case 'message-start':
        this.model = event.model;
        this.start();
        break;
      case 'reasoning-delta':
        this.reasoningDelta(event.index, event.delta);
        break;
      case 'reasoning-end':
        this.closeReasoning(event.index);
        break;
      case 'text-delta':
        this.textDelta(event.index, event.delta);
        break;
      case 'text-end':
        this.closeText(event.index);
        break;
      case 'tool-call-start':
        this.callStart(event.index, event.id, event.name);
        break;
      case 'tool-call-delta':
        this.callDelta(event.index, event.argumentsDelta);
        break;
      case 'tool-call-end':
        this.closeCall(event.index);
        break;
      case 'usage': {
        const { type: _type, ...usage } = event;
        this.usage = usage;
        break;
      }
      case 'message-end': {
        this.start();
        const { status, incompleteDetails } = terminalStatus(event.finishReason);
        // A cut-off (length, content filter) leaves the message that was being written incomplete.
        this.closeAll(status === 'incomplete' ? 'incomplete' : 'completed');
        this.emit('response.completed', { response: this.envelope(status, { incompleteDetails }) });
        break;
      }
      default:
        break;
    }
    return this.flush();
  }

  /**
   * A failure after the first byte. The `error` event carries OpenAI's documented flat fields
   * (`code`, `message`, `param`) and the same values nested under `error`, the shape OpenAI's own
   * servers also send: openai-node throws an APIError on any frame with a top-level `error` object
   * (it does not for the flat shape alone), and readers of either shape find the code. Codex
   * ignores `error` events but classifies `response.failed` by `response.error.code` (rate limit
   * with retry delay, context window, quota), so `response.failed` follows. Neither is ever
   * followed by `response.completed`.
   */
  fail(error: RelayError): string {
    this.start();
    const fields = streamErrorFields(error);
    this.emit('error', { code: fields.code, message: fields.message, param: fields.param, error: fields });
    this.emit('response.failed', { response: this.envelope('failed', { error: { code: fields.code, message: fields.message } }) });
    return this.flush();
  }

  private emit(type: string, data: Record<string, unknown>): void {
    this.frames.push(sseEvent(type, JSON.stringify({ type, sequence_number: this.sequence++, ...data })));
  }

  private flush(): string {
    const text = this.frames.join('');
    this.frames = [];
    return text;
  }

  private envelope(status: ResponseStatus, extra: { incompleteDetails?: { reason: string } | null; error?: { code: string; message: string } } = {}): Record<string, unknown> {
    return responseEnvelope(this.options, this.options.context, {
      status,
      model: this.model,
      output: structuredClone(this.output),
      usage: this.usage,
      ...extra,
    });
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const response = this.envelope('in_progress');
    this.emit('response.created', { response });
    this.emit('response.in_progress', { response });
  }

  private addItem(item: Record<string, unknown>): number {
    const outputIndex = this.output.length;
    this.output.push(item);
    this.emit('response.output_item.added', { output_index: outputIndex, item: structuredClone(item) });
    return outputIndex;
  }

  private doneItem(outputIndex: number, item: Record<string, unknown>): void {
    this.output[outputIndex] = item;
    this.emit('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) });
  }

  // --- reasoning: one item, one summary part ----------------------------------------------------

  private reasoningDelta(index: number, delta: string): void {
    this.start();
    let open = this.reasonings.get(index);
    if (!open) {
      const itemId = this.newId('rs');
      open = { outputIndex: this.addItem(reasoningItem(itemId, undefined)), itemId, text: '' };
      this.reasonings.set(index, open);
      const ids = { item_id: itemId, output_index: open.outputIndex, summary_index: 0 };
      this.emit('response.reasoning_summary_part.added', { ...ids, part: { type: 'summary_text', text: '' } });
    }
    open.text += delta;
    this.emit('response.reasoning_summary_text.delta', { item_id: open.itemId, output_index: open.outputIndex, summary_index: 0, delta });
  }

  private closeReasoning(index: number): void {
    const open = this.reasonings.get(index);
    if (!open) return;
    this.reasonings.delete(index);
    const ids = { item_id: open.itemId, output_index: open.outputIndex, summary_index: 0 };
    this.emit('response.reasoning_summary_text.done', { ...ids, text: open.text });
    this.emit('response.reasoning_summary_part.done', { ...ids, part: { type: 'summary_text', text: open.text } });
    this.doneItem(open.outputIndex, reasoningItem(open.itemId, open.text));
  }

  // --- text: one message item, one output_text part ----------------------------------------------

  private textDelta(index: number, delta: string): void {
    this.start();
    let open = this.texts.get(index);
    if (!open) {
      const itemId = this.newId('msg');
      open = { outputIndex: this.addItem(messageItem(itemId, '', 'in_progress')), itemId, text: '' };
      this.texts.set(index, open);
      this.emit('response.content_part.added', { item_id: itemId, output_index: open.outputIndex, content_index: 0, part: outputTextPart('') });
      // The snapshot gets its part the way a client's accumulator adds it.
      (this.output[open.outputIndex]?.content as unknown[] | undefined)?.push(outputTextPart(''));
    }
    open.text += delta;
    const part = (this.output[open.outputIndex]?.content as Array<{ text: string }> | undefined)?.[0];
    if (part) part.text = open.text;
    this.emit('response.output_text.delta', { item_id: open.itemId, output_index: open.outputIndex, content_index: 0, delta, logprobs: [] });
  }

  private closeText(index: number, status: 'completed' | 'incomplete' = 'completed'): void {
    const open = this.texts.get(index);
    if (!open) return;
    this.texts.delete(index);
    const ids = { item_id: open.itemId, output_index: open.outputIndex, content_index: 0 };
    this.emit('response.output_text.done', { ...ids, text: open.text, logprobs: [] });
    this.emit('response.content_part.done', { ...ids, part: outputTextPart(open.text) });
    this.doneItem(open.outputIndex, messageItem(open.itemId, open.text, status));
  }

  // --- tool calls ---------------------------------------------------------------------------------

  private callStart(index: number, callId: string, name: string): void {
    this.start();
    if (this.calls.has(index)) return;
    const custom = this.options.context.customTools.has(name);
    const itemId = this.newId(custom ? 'ctc' : 'fc');
    const outputIndex = this.addItem(custom ? customToolCallItem(itemId, callId, name, '', 'in_progress') : functionCallItem(itemId, callId, name, '', 'in_progress'));
    this.calls.set(index, { outputIndex, itemId, callId, name, args: '', custom });
  }

  private callDelta(index: number, delta: string): void {
    const open = this.calls.get(index);
    if (!open) return;
    open.args += delta;
    if (open.custom) return;
    const item = this.output[open.outputIndex];
    if (item) item.arguments = open.args;
    this.emit('response.function_call_arguments.delta', { item_id: open.itemId, output_index: open.outputIndex, delta });
  }

  private closeCall(index: number): void {
    const open = this.calls.get(index);
    if (!open) return;
    this.calls.delete(index);
    if (!open.custom) {
      this.emit('response.function_call_arguments.done', { item_id: open.itemId, output_index: open.outputIndex, name: open.name, arguments: open.args });
      this.doneItem(open.outputIndex, functionCallItem(open.itemId, open.callId, open.name, open.args, 'completed'));
      return;
    }
    const input = customToolInput(open.args);
    const ids = { item_id: open.itemId, output_index: open.outputIndex };
    if (input !== '') this.emit('response.custom_tool_call_input.delta', { ...ids, delta: input });
    this.emit('response.custom_tool_call_input.done', { ...ids, input });
    this.doneItem(open.outputIndex, customToolCallItem(open.itemId, open.callId, open.name, input, 'completed'));
  }

  /** Closes whatever is still open at the end, in the order the items were opened. */
  private closeAll(textStatus: 'completed' | 'incomplete'): void {
    const pending: Array<[number, () => void]> = [];
    for (const [index, open] of this.reasonings) pending.push([open.outputIndex, () => this.closeReasoning(index)]);
    for (const [index, open] of this.texts) pending.push([open.outputIndex, () => this.closeText(index, textStatus)]);
    for (const [index, open] of this.calls) pending.push([open.outputIndex, () => this.closeCall(index)]);
    pending.sort(([a], [b]) => a - b).forEach(([, close]) => close());
  }
}
