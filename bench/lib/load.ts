/**
 * The load generator: a closed loop of `concurrency` workers over one keep-alive undici Pool
 * (one connection per worker), each sending the next request as soon as the previous answer is
 * fully read. Latency is measured from just before `request()` to the last body byte; for
 * streams the time to the first content chunk (TTFT) is measured too.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { Samples } from './stats.js';

export interface RequestSpec {
  path: string;
  /** Returns the JSON body of the next request (`stream` selects SSE). */
  body: (stream: boolean) => string;
  /** Expected assistant text, to check every answer. */
  expectText: string;
}

export interface WindowHooks {
  /** Called as the measured window opens and closes (e.g. to sample the proxy's CPU time). */
  start?: () => Promise<void>;
  end?: () => Promise<void>;
}

export interface TimedLoad {
  origin: string;
  spec: RequestSpec;
  concurrency: number;
  stream: boolean;
  warmupMs: number;
  durationMs: number;
  hooks?: WindowHooks;
}

export interface LoadResult {
  latency: Samples;
  /** Streams only: time to the first content chunk. */
  ttft: Samples;
  completed: number;
  errors: number;
  firstError?: string;
  /** Length of the measured window, ms. */
  windowMs: number;
  /** CPU time this process (load generator + in-process upstream) used in the window, µs. */
  generatorCpuUs: number;
}

interface Outcome {
  ok: boolean;
  error?: string;
  ttftMs?: number;
}

const decoder = new TextDecoder();

/** One request; resolves when the whole answer is read and checked. */
async function once(pool: Pool, spec: RequestSpec, stream: boolean, started: number): Promise<Outcome> {
  const { statusCode, body } = await pool.request({
    path: spec.path,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', authorization: 'Bearer bench' },
    body: spec.body(stream),
  });
  if (!stream) {
    const text = await body.text();
    if (statusCode !== 200) return { ok: false, error: `HTTP ${statusCode}: ${text.slice(0, 200)}` };
    // A cheap check that the answer is the upstream's, without parsing every body.
    if (!text.includes(spec.expectText)) return { ok: false, error: `unexpected body: ${text.slice(0, 200)}` };
    return { ok: true };
  }
  if (statusCode !== 200) {
    const text = await body.text();
    return { ok: false, error: `HTTP ${statusCode}: ${text.slice(0, 200)}` };
  }
  let ttftMs: number | undefined;
  let buffer = '';
  let scanned = 0;
  let text = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    // Frames end with a blank line; look at each complete frame once.
    for (;;) {
      const end = buffer.indexOf('\n\n', scanned);
      if (end < 0) break;
      const frame = buffer.slice(scanned, end);
      scanned = end + 2;
      if (!frame.startsWith('data: ') || frame === 'data: [DONE]') continue;
      const delta = (JSON.parse(frame.slice(6)) as { choices?: Array<{ delta?: { content?: unknown } }> }).choices?.[0]?.delta;
      if (typeof delta?.content === 'string' && delta.content !== '') {
        if (ttftMs === undefined) ttftMs = performance.now() - started;
        text += delta.content;
      }
    }
  }
  if (!buffer.endsWith('data: [DONE]\n\n')) return { ok: false, error: `stream without [DONE]: ${buffer.slice(-200)}` };
  if (text !== spec.expectText) return { ok: false, error: `unexpected stream text: ${text.slice(0, 200)}` };
  return ttftMs === undefined ? { ok: false, error: 'no content chunk' } : { ok: true, ttftMs };
}

/** One request, for a correctness check before anything is timed; resolves to an error message or undefined. */
export async function checkOnce(origin: string, spec: RequestSpec, stream: boolean): Promise<string | undefined> {
  const pool = new Pool(origin, { connections: 1 });
  try {
    const outcome = await once(pool, spec, stream, performance.now());
    return outcome.ok ? undefined : outcome.error ?? 'failed';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await pool.close();
  }
}

/** Warm up, then measure for `durationMs`. */
export async function runTimed(options: TimedLoad): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const latency = new Samples();
  const ttft = new Samples();
  let measuring = false;
  let stopped = false;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;

  const worker = async (): Promise<void> => {
    while (!stopped) {
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await once(pool, options.spec, options.stream, started);
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      const elapsed = performance.now() - started;
      if (!measuring) continue;
      if (!outcome.ok) {
        errors++;
        firstError ??= outcome.error;
        await sleep(1);
        continue;
      }
      completed++;
      latency.push(elapsed);
      if (outcome.ttftMs !== undefined) ttft.push(outcome.ttftMs);
    }
  };

  const workers = Array.from({ length: options.concurrency }, () => worker());
  await sleep(options.warmupMs);
  await options.hooks?.start?.();
  const cpuBefore = process.cpuUsage();
  const windowStart = performance.now();
  measuring = true;
  await sleep(options.durationMs);
  measuring = false;
  const windowMs = performance.now() - windowStart;
  const cpu = process.cpuUsage(cpuBefore);
  await options.hooks?.end?.();
  stopped = true;
  await Promise.all(workers);
  await pool.close();
  const result: LoadResult = { latency, ttft, completed, errors, windowMs, generatorCpuUs: cpu.user + cpu.system };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

export interface CountedLoad {
  origin: string;
  spec: RequestSpec;
  concurrency: number;
  total: number;
  /** Which requests stream (e.g. every other one). */
  stream: (index: number) => boolean;
  /** Called (awaited, load paused for nobody) every `every` completed requests and at the end. */
  every: number;
  onProgress: (completed: number) => Promise<void>;
}

/** Sends exactly `total` requests, reporting progress along the way. */
export async function runCounted(options: CountedLoad): Promise<{ completed: number; errors: number; firstError?: string; elapsedMs: number }> {
  const pool = new Pool(options.origin, { connections: options.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  let issued = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let nextReport = options.every;
  let reporting: Promise<void> = Promise.resolve();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < options.total) {
      const index = issued++;
      try {
        const outcome = await once(pool, options.spec, options.stream(index), performance.now());
        if (!outcome.ok) {
          errors++;
          firstError ??= outcome.error;
        }
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      completed++;
      if (completed >= nextReport) {
        const at = completed;
        nextReport += options.every;
        reporting = reporting.then(() => options.onProgress(at));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  await reporting;
  const elapsedMs = performance.now() - started;
  await pool.close();
  return firstError === undefined ? { completed, errors, elapsedMs } : { completed, errors, firstError, elapsedMs };
}
