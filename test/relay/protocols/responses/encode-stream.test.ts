import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RelayError, type ErrorKind } from '../../../../relay/core/errors.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { encodeResponseStream } from '../../../../relay/protocols/responses/encode-stream.js';
import { collectText, counterIds, fromArray, plainContext, sseFrames, type SseFrame } from './helpers.js';

/**
 * Recorded shapes: for each canonical event list under test/fixtures/protocols/responses/, the
 * exact Responses SSE sequence the encoder must produce (ids from a counter, a fixed clock).
 * Regenerate after a deliberate change with UPDATE_FIXTURES=1, then review the diff.
 */

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/protocols/responses');

interface Fixture {
  description: string;
  customTools: string[];
  events: Array<Record<string, unknown>>;
  frames: SseFrame[];
}

function canonical(events: Fixture['events']): StreamEvent[] {
  return events.map((event) => {
    if (event.type !== 'error') return event as StreamEvent;
    const error = event.error as { message: string; status: number; kind: ErrorKind; code?: string };
    return { type: 'error', error: new RelayError(error.message, { status: error.status, kind: error.kind, ...(error.code ? { code: error.code } : {}) }) };
  });
}

async function encode(fixture: Fixture): Promise<SseFrame[]> {
  const text = await collectText(
    encodeResponseStream(fromArray(canonical(fixture.events)), { id: 'resp_test', createdAt: 1730000000, newId: counterIds(), context: plainContext(fixture.customTools) }),
  );
  return sseFrames(text);
}

const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();

describe('Responses stream encoder, recorded shapes', () => {
  it('has the fixtures', () => {
    expect(files).toEqual(expect.arrayContaining(['text-only.json', 'reasoning-then-text.json', 'two-function-calls.json']));
  });

  it.each(files)('%s', async (file) => {
    const path = join(dir, file);
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
    const frames = await encode(fixture);
    if (process.env.UPDATE_FIXTURES) writeFileSync(path, `${JSON.stringify({ ...fixture, frames }, null, 2)}\n`);
    else expect(frames).toEqual(fixture.frames);

    // Invariants every recorded shape must keep, whatever it records.
    expect(frames.every((frame) => frame.event === frame.data.type)).toBe(true);
    expect(frames.map((frame) => frame.data.sequence_number)).toEqual(frames.map((_, index) => index));
    expect(frames.slice(0, 2).map((frame) => frame.event)).toEqual(['response.created', 'response.in_progress']);
    const terminal = frames.filter((frame) => ['response.completed', 'response.failed', 'error'].includes(frame.event ?? ''));
    expect(terminal.length).toBeGreaterThan(0);
    if (terminal.some((frame) => frame.event === 'error')) {
      expect(terminal.map((frame) => frame.event)).toEqual(['error', 'response.failed']);
    } else {
      expect(terminal.map((frame) => frame.event)).toEqual(['response.completed']);
      expect(frames.at(-1)?.event).toBe('response.completed');
      // The completed response lists exactly the items the output_item.done events carried.
      const done = frames.filter((frame) => frame.event === 'response.output_item.done').sort((a, b) => a.data.output_index - b.data.output_index);
      expect(frames.at(-1)?.data.response.output).toEqual(done.map((frame) => frame.data.item));
    }
  });
});
