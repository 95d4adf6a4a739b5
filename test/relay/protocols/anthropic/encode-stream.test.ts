import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RelayError, type ErrorKind } from '../../../../relay/core/errors.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { collectMessage } from '../../../../relay/protocols/anthropic/encode-response.js';
import { anthropicStopReason, encodeStream, usageWire, type MessageEncodingOptions } from '../../../../relay/protocols/anthropic/encode-stream.js';

/**
 * Each fixture is canonical events in, and next to it the exact SSE text Anthropic clients must
 * receive (shaped after Anthropic's recorded streams: event names, field order, empty starts).
 * UPDATE_FIXTURES=1 rewrites the .sse files; review the diff before keeping it.
 */

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/protocols/anthropic');

interface Fixture {
  options: MessageEncodingOptions;
  events: Array<StreamEvent | { type: 'error'; error: { message: string; status: number; kind: ErrorKind } }>;
}

function load(name: string): { options: MessageEncodingOptions; events: StreamEvent[] } {
  const fixture = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as Fixture;
  const events = fixture.events.map((event): StreamEvent =>
    event.type === 'error' && !(event.error instanceof RelayError)
      ? { type: 'error', error: new RelayError(event.error.message, { status: event.error.status, kind: event.error.kind }) }
      : (event as StreamEvent),
  );
  return { options: fixture.options, events };
}

async function* replay(events: StreamEvent[]): AsyncGenerator<StreamEvent> {
  yield* events;
}

async function encode(events: StreamEvent[], options: MessageEncodingOptions): Promise<string> {
  let text = '';
  for await (const frame of encodeStream(replay(events), options)) text += frame;
  return text;
}

const names = readdirSync(fixtures)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length));

describe('Anthropic stream encoding against recorded shapes', () => {
  it('has fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  for (const name of names) {
    it(`encodes ${name} exactly`, async () => {
      const { options, events } = load(name);
      const actual = await encode(events, options);
      const path = join(fixtures, `${name}.sse`);
      if (process.env.UPDATE_FIXTURES === '1') writeFileSync(path, actual);
      expect(actual).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('gives the non-streaming response the same content as the stream', async () => {
    const { options, events } = load('thinking-tool-use');
    const message = await collectMessage(replay(events), options);
    expect(message).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'Let me check the weather.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 25, output_tokens: 89, cache_creation_input_tokens: 20, cache_read_input_tokens: 100 },
    });
  });

  it('throws instead of answering a partial non-streaming message', async () => {
    await expect(collectMessage(replay(load('truncated-no-usage').events))).rejects.toMatchObject({ code: 'upstream_stream_truncated' });
    await expect(collectMessage(replay(load('mid-stream-error').events))).rejects.toMatchObject({ kind: 'upstream-network' });
  });
});

describe('stop reasons and usage (wire-protocols §4.6, §4.7)', () => {
  it('maps canonical reasons and keeps an agreeing Anthropic reason', () => {
    expect(anthropicStopReason('stop', 'stop', undefined)).toBe('end_turn');
    expect(anthropicStopReason('stop', undefined, 'END')).toBe('stop_sequence');
    expect(anthropicStopReason('length', 'length', undefined)).toBe('max_tokens');
    expect(anthropicStopReason('length', 'model_context_window_exceeded', undefined)).toBe('model_context_window_exceeded');
    expect(anthropicStopReason('tool-calls', 'stop', undefined)).toBe('tool_use');
    expect(anthropicStopReason('content-filter', 'content_filter', undefined)).toBe('refusal');
    expect(anthropicStopReason('other', 'pause_turn', undefined)).toBe('pause_turn');
    expect(anthropicStopReason('other', 'error', undefined)).toBe('end_turn');
    // A raw reason that disagrees with the canonical one loses: the canonical one was corrected.
    expect(anthropicStopReason('tool-calls', 'end_turn', undefined)).toBe('tool_use');
  });

  it('takes cached tokens out of input_tokens', () => {
    expect(usageWire({ inputTokens: 150, outputTokens: 5, cachedInputTokens: 100, cacheWriteInputTokens: 20 })).toEqual({
      input_tokens: 30,
      output_tokens: 5,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 20,
    });
    expect(usageWire({ inputTokens: 7, outputTokens: 1 })).toEqual({ input_tokens: 7, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });
});
