import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RelayError, type ErrorKind } from '../../../../relay/core/errors.js';
import type { StreamEvent } from '../../../../relay/core/stream-event.js';
import { collectOllamaResponse } from '../../../../relay/protocols/ollama/encode-response.js';
import { encodeNdjsonStream, type OllamaEncodingOptions } from '../../../../relay/protocols/ollama/encode-stream.js';

/**
 * Recorded shapes: each `<scenario>.json` under test/fixtures/protocols/ollama holds a canonical
 * event list; `<scenario>.ndjson` is the exact NDJSON the encoder must write for it and
 * `<scenario>.response.json` the non-streaming answer (or the error it fails with).
 * `UPDATE_FIXTURES=1` rewrites the expected files (review the diff before keeping it).
 */

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/protocols/ollama');
const update = process.env.UPDATE_FIXTURES === '1';
const CREATED_AT = '2026-01-01T00:00:00.000Z';

interface Fixture {
  description: string;
  kind: 'chat' | 'generate';
  model: string;
  hideThinking?: boolean;
  /** What the clock answers, call by call (the request started at 0). */
  clockMs: number[];
  events: Array<Record<string, unknown>>;
}

function eventsOf(fixture: Fixture): StreamEvent[] {
  return fixture.events.map((event) => {
    if (event.type !== 'error') return event as StreamEvent;
    const error = event.error as { message: string; status: number; kind: ErrorKind };
    return { type: 'error', error: new RelayError(error.message, { status: error.status, kind: error.kind }) };
  });
}

async function* replay(events: StreamEvent[]): AsyncGenerator<StreamEvent> {
  for (const event of events) yield event;
}

function optionsOf(fixture: Fixture): OllamaEncodingOptions {
  const clock = [...fixture.clockMs];
  return {
    kind: fixture.kind,
    model: fixture.model,
    startedAt: 0,
    now: () => {
      const value = clock.shift();
      if (value === undefined) throw new Error('the fixture clock ran out');
      return value;
    },
    createdAt: () => CREATED_AT,
    hideThinking: fixture.hideThinking === true,
  };
}

function expected(path: string, actual: string): string {
  if (update || !existsSync(path)) writeFileSync(path, actual);
  return readFileSync(path, 'utf8');
}

const scenarios = readdirSync(dir)
  .filter((name) => name.endsWith('.json') && !name.endsWith('.response.json'))
  .map((name) => name.slice(0, -'.json'.length))
  .sort();

describe('Ollama NDJSON encoder against recorded shapes', () => {
  it('has fixtures', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(6);
  });

  it.each(scenarios)('%s', async (scenario) => {
    const fixture = JSON.parse(readFileSync(join(dir, `${scenario}.json`), 'utf8')) as Fixture;
    let ndjson = '';
    for await (const line of encodeNdjsonStream(replay(eventsOf(fixture)), optionsOf(fixture))) ndjson += line;
    expect(ndjson).toBe(expected(join(dir, `${scenario}.ndjson`), ndjson));

    // Every line is one JSON object; exactly one of done:true or {error} ends the stream.
    const lines = ndjson.split('\n');
    expect(lines.pop()).toBe('');
    const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = objects.at(-1) ?? {};
    expect(objects.slice(0, -1).every((object) => object.done === false)).toBe(true);
    expect(last.done === true || Object.keys(last).join() === 'error').toBe(true);

    const collected = await collectOllamaResponse(replay(eventsOf(fixture)), optionsOf(fixture)).then(
      (value) => value as unknown,
      (error: unknown) => ({ thrown: { message: (error as Error).message, status: (error as RelayError).status } }),
    );
    const text = `${JSON.stringify(collected, null, 2)}\n`;
    expect(text).toBe(expected(join(dir, `${scenario}.response.json`), text));
  });
});
