/**
 * Switchboard's performance bench (`npm run bench`; docs/benchmarks.md explains every number).
 *
 * Processes: this one is only the load generator. The zero-latency fake upstream runs in a child
 * process (BENCH_UPSTREAM=inprocess puts it in this one instead), and so does every proxy under
 * test (node:http floor, Express floor, Switchboard with undici, Switchboard with fetch), so each
 * one's CPU time and RSS are its own and a direct request crosses a process boundary like a
 * proxied one.
 *
 * Environment: BENCH_LONG=1 (or --long) for the long run; BENCH_CELL_MS, BENCH_ROUNDS,
 * BENCH_WARMUP_MS, BENCH_REQUESTS, BENCH_STARTUP_RUNS, BENCH_CONCURRENCY=1,16,64,
 * BENCH_STREAM_CONCURRENCY=1,16 override single settings; BENCH_PROFILE=1 writes a CPU profile of
 * the Switchboard process to bench/results/profiles/.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { runRoutingScenario } from './routing-scenario.js';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startFakeUpstream, type Scenario } from '../test/helpers/fake-upstream.js';
import { endpointsConfig } from '../test/helpers/start-relay.js';
import { measureStartup, startServer, type ServerChild, type StartupSample } from './lib/children.js';
import { formatNumber, mb, percent, signed, table } from './lib/format.js';
import { checkOnce, runCounted, runTimed, type RequestSpec } from './lib/load.js';
import { median, round, Samples, type Summary } from './lib/stats.js';
import type { ProcessStats } from './servers/ipc.js';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const LONG = process.env.BENCH_LONG === '1' || process.argv.includes('--long');

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: '${part}' is not a concurrency`);
    return value;
  });
}

const settings = {
  long: LONG,
  /** Discarded warm-up per target before anything is measured (non-streaming, then streaming). */
  targetWarmupMs: envNumber('BENCH_WARMUP_MS', LONG ? 3_000 : 1_000),
  /** Discarded lead-in of every measured cell (connections open, concurrency settles). */
  cellWarmupMs: LONG ? 500 : 300,
  /** Measured time per target and concurrency, split into `rounds` interleaved slices. */
  cellMs: envNumber('BENCH_CELL_MS', LONG ? 8_000 : 2_000),
  rounds: envNumber('BENCH_ROUNDS', LONG ? 8 : 4),
  concurrency: envList('BENCH_CONCURRENCY', [1, 16, 64]),
  streamConcurrency: envList('BENCH_STREAM_CONCURRENCY', [1, 16]),
  memoryRequests: envNumber('BENCH_REQUESTS', LONG ? 100_000 : 20_000),
  memoryConcurrency: 16,
  memoryWarmupRequests: LONG ? 10_000 : 4_000,
  memorySamples: 20,
  startupRuns: envNumber('BENCH_STARTUP_RUNS', LONG ? 15 : 5),
  idleSettleMs: 1_000,
  /**
   * When "idle" is read again: V8's memory reducer gives back the young generation that startup
   * filled, and glibc trims the malloc arenas V8's compiler threads touched, after about 10 s.
   */
  idleSettledMs: 12_000,
  peakSampleMs: 250,
  profile: process.env.BENCH_PROFILE === '1',
  upstream: process.env.BENCH_UPSTREAM === 'inprocess' ? 'inprocess' : 'child',
};

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const resultsDir = resolve(here, '../../bench/results');
const serverScript = (name: string) => join(here, 'servers', `${name}.js`);

// ---------------------------------------------------------------------------------------------
// Workload
// ---------------------------------------------------------------------------------------------

const MODEL = 'fake-small';
/** Nine words, so a stream has nine content chunks (plus the role chunk, the finish chunk, usage and [DONE]). */
const TEXT = 'Hello from the fake upstream, streamed in nine chunks.';
const SCENARIO: Scenario = { text: TEXT };

const bodies = {
  plain: JSON.stringify({
    model: MODEL,
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'Say hello to the benchmark in one short sentence.' },
    ],
    max_tokens: 64,
    temperature: 0,
  }),
  stream: '',
};
bodies.stream = JSON.stringify({ ...(JSON.parse(bodies.plain) as object), stream: true, stream_options: { include_usage: true } });

const spec: RequestSpec = {
  path: '/v1/chat/completions',
  body: (stream) => (stream ? bodies.stream : bodies.plain),
  expectText: TEXT,
};

// ---------------------------------------------------------------------------------------------
// Targets and cells
// ---------------------------------------------------------------------------------------------

type TargetId = 'direct' | 'node-http' | 'express' | 'switchboard' | 'switchboard-fetch';

interface Target {
  id: TargetId;
  label: string;
  origin: string;
  child?: ServerChild;
}

interface CellAccumulator {
  latency: Samples;
  ttft: Samples;
  completed: number;
  errors: number;
  firstError?: string;
  windowMs: number;
  proxyCpuUs: number;
  upstreamCpuUs: number;
  generatorCpuUs: number;
}

interface CellResult {
  target: TargetId;
  concurrency: number;
  stream: boolean;
  requests: number;
  errors: number;
  firstError?: string;
  latencyMs: Summary;
  ttftMs?: Summary;
  throughputRps: number;
  /** CPU time of the proxy process per request, µs (none for direct). */
  proxyCpuPerRequestUs: number | null;
  /** The proxy process's CPU use over the window (1 = one full core). */
  proxyCpuCores: number | null;
  /** The fake upstream process's CPU use over the window (null when it shares the generator's process). */
  upstreamCpuCores: number | null;
  /** The load generator process's CPU use over the window (1 = one full core). */
  generatorCpuCores: number;
}

function cpuUs(stats: ProcessStats): number {
  return stats.cpuUserUs + stats.cpuSystemUs;
}

/** The fake upstream's child process (undefined when it runs in this process). */
let upstreamChild: ServerChild | undefined;

async function measureCell(target: Target, concurrency: number, stream: boolean, durationMs: number, acc: CellAccumulator): Promise<void> {
  let before: ProcessStats | undefined;
  let after: ProcessStats | undefined;
  let upstreamBefore: ProcessStats | undefined;
  let upstreamAfter: ProcessStats | undefined;
  const child = target.child;
  const result = await runTimed({
    origin: target.origin,
    spec,
    concurrency,
    stream,
    warmupMs: settings.cellWarmupMs,
    durationMs,
    hooks: {
      start: async () => {
        [before, upstreamBefore] = await Promise.all([child?.stats(), upstreamChild?.stats()]);
      },
      end: async () => {
        [after, upstreamAfter] = await Promise.all([child?.stats(), upstreamChild?.stats()]);
      },
    },
  });
  acc.latency.merge(result.latency);
  acc.ttft.merge(result.ttft);
  acc.completed += result.completed;
  acc.errors += result.errors;
  if (result.firstError !== undefined) acc.firstError ??= result.firstError;
  acc.windowMs += result.windowMs;
  acc.generatorCpuUs += result.generatorCpuUs;
  if (before && after) acc.proxyCpuUs += cpuUs(after) - cpuUs(before);
  if (upstreamBefore && upstreamAfter) acc.upstreamCpuUs += cpuUs(upstreamAfter) - cpuUs(upstreamBefore);
}

function finishCell(target: Target, concurrency: number, stream: boolean, acc: CellAccumulator): CellResult {
  const seconds = acc.windowMs / 1000;
  const cell: CellResult = {
    target: target.id,
    concurrency,
    stream,
    requests: acc.completed,
    errors: acc.errors,
    latencyMs: roundSummary(acc.latency.summary()),
    throughputRps: round(acc.completed / seconds, 1),
    proxyCpuPerRequestUs: target.child && acc.completed > 0 ? round(acc.proxyCpuUs / acc.completed, 1) : null,
    proxyCpuCores: target.child ? round(acc.proxyCpuUs / 1e6 / seconds, 3) : null,
    upstreamCpuCores: upstreamChild ? round(acc.upstreamCpuUs / 1e6 / seconds, 3) : null,
    generatorCpuCores: round(acc.generatorCpuUs / 1e6 / seconds, 3),
  };
  if (stream) cell.ttftMs = roundSummary(acc.ttft.summary());
  if (acc.firstError !== undefined) cell.firstError = acc.firstError;
  return cell;
}

function roundSummary(summary: Summary): Summary {
  return {
    count: summary.count,
    mean: round(summary.mean, 4),
    p50: round(summary.p50, 4),
    p90: round(summary.p90, 4),
    p99: round(summary.p99, 4),
    max: round(summary.max, 4),
  };
}

/** Every target at one concurrency, in `rounds` interleaved slices (the order rotates each round). */
async function measureLevel(targets: Target[], concurrency: number, stream: boolean): Promise<CellResult[]> {
  const accs = new Map<TargetId, CellAccumulator>();
  for (const target of targets) accs.set(target.id, { latency: new Samples(), ttft: new Samples(), completed: 0, errors: 0, windowMs: 0, proxyCpuUs: 0, upstreamCpuUs: 0, generatorCpuUs: 0 });
  const slice = settings.cellMs / settings.rounds;
  for (let r = 0; r < settings.rounds; r++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + r) % targets.length]!;
      await measureCell(target, concurrency, stream, slice, accs.get(target.id)!);
    }
  }
  const cells = targets.map((target) => finishCell(target, concurrency, stream, accs.get(target.id)!));
  for (const cell of cells) {
    if (cell.errors > 0) log(`  ! ${cell.target} c=${concurrency}${stream ? ' stream' : ''}: ${cell.errors} errors, first: ${cell.firstError}`);
  }
  return cells;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** How much the highest and the lowest RSS of the second half exceed those of the first half. */
function compareHalves(series: number[]): { firstMaxMb: number; secondMaxMb: number; firstMinMb: number; secondMinMb: number; maxGrowthMb: number; minGrowthMb: number } {
  const half = Math.floor(series.length / 2);
  const first = series.slice(0, half);
  const second = series.slice(half);
  if (first.length === 0 || second.length === 0) return { firstMaxMb: NaN, secondMaxMb: NaN, firstMinMb: NaN, secondMinMb: NaN, maxGrowthMb: NaN, minGrowthMb: NaN };
  const firstMaxMb = Math.max(...first);
  const secondMaxMb = Math.max(...second);
  const firstMinMb = Math.min(...first);
  const secondMinMb = Math.min(...second);
  return { firstMaxMb, secondMaxMb, firstMinMb, secondMinMb, maxGrowthMb: round(secondMaxMb - firstMaxMb, 1), minGrowthMb: round(secondMinMb - firstMinMb, 1) };
}

/** Slope of the least-squares line through (x, y) points; 0 for fewer than two. */
function leastSquaresSlope(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function shell(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

async function writeConfigDir(baseUrl: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const config = endpointsConfig([{ id: 'fake', baseUrl, models: [MODEL], discovery: false }]);
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return dir;
}

/** One plain and one streamed request per target, checked, before anything is timed. */
async function sanityCheck(target: Target): Promise<void> {
  for (const stream of [false, true]) {
    const problem = await checkOnce(target.origin, spec, stream);
    if (problem !== undefined) throw new Error(`${target.label} does not answer correctly (${stream ? 'stream' : 'plain'}): ${problem}`);
  }
}

interface PeakTracker {
  /** The sample with the highest RSS per child. */
  max: Map<string, ProcessStats>;
  stop(): void;
}

/** Samples the RSS of the children every few hundred ms; the kernel's maxRSS is reported too. */
function trackPeaks(children: ServerChild[]): PeakTracker {
  const max = new Map<string, ProcessStats>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.all(
      children.map(async (child) => {
        const stats = await child.stats();
        if (stats.rss > (max.get(child.name)?.rss ?? 0)) max.set(child.name, stats);
      }),
    )
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, settings.peakSampleMs);
  return { max, stop: () => clearInterval(timer) };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    nproc: shell('nproc', []) ?? String(availableParallelism()),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemGb: round(totalmem() / 1024 ** 3, 1),
    lscpu: shell('lscpu', [])?.split('\n').slice(0, 10).join('\n'),
    free: shell('free', ['-h']),
    gitRevision: shell('git', ['rev-parse', '--short', 'HEAD']),
    /** Uncommitted changes under relay/ when the bench ran (git status without taking locks). */
    relayUncommittedFiles: shell('git', ['--no-optional-locks', 'status', '--porcelain', '--', 'relay'])?.split('\n').filter(Boolean).length,
  };
  log(`Switchboard bench (${LONG ? 'long' : 'default'} run) on ${machine.nproc} CPU(s), ${machine.cpuModel}, Node ${machine.node}`);

  const tempDirs: string[] = [];
  const children: ServerChild[] = [];
  let closeUpstream = async (): Promise<void> => undefined;

  try {
    let upstreamOrigin: string;
    if (settings.upstream === 'child') {
      upstreamChild = await startServer('upstream', serverScript('upstream'), ['--scenario', JSON.stringify(SCENARIO)]);
      upstreamOrigin = upstreamChild.origin;
      const stopping = upstreamChild;
      closeUpstream = () => stopping.stop();
    } else {
      const upstream = await startFakeUpstream({ behavior: SCENARIO });
      // The fake records every request; forgetting them often keeps them young garbage.
      const forget = setInterval(() => upstream.reset(), 50);
      upstreamOrigin = upstream.origin;
      closeUpstream = async () => {
        clearInterval(forget);
        await upstream.close();
      };
    }
    const upstreamUrl = `${upstreamOrigin}/v1`;

    // --- startup -----------------------------------------------------------------------------
    log(`startup: ${settings.startupRuns} spawns of the relay, offline`);
    const startupDir = await writeConfigDir('http://127.0.0.1:9/v1'); // nothing listens on the discard port
    tempDirs.push(startupDir);
    const startupSamples: StartupSample[] = [];
    for (let i = 0; i < settings.startupRuns; i++) {
      startupSamples.push(await measureStartup(serverScript('switchboard'), (port) => ['--config-dir', startupDir, '--port', String(port)]));
    }

    // --- the proxies ---------------------------------------------------------------------------
    log('starting proxies');
    const sbDir = await writeConfigDir(upstreamUrl);
    const sbFetchDir = await writeConfigDir(upstreamUrl);
    tempDirs.push(sbDir, sbFetchDir);
    const profileArgs = settings.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, 'profiles')}`] : [];
    const nodeHttp = await startServer('node-http', serverScript('http-proxy'), ['--upstream', upstreamOrigin]);
    children.push(nodeHttp);
    const expressFloor = await startServer('express', serverScript('express-proxy'), ['--upstream', upstreamOrigin]);
    children.push(expressFloor);
    const switchboard = await startServer('switchboard', serverScript('switchboard'), ['--config-dir', sbDir], { execArgv: profileArgs });
    children.push(switchboard);
    const switchboardFetch = await startServer('switchboard-fetch', serverScript('switchboard'), ['--config-dir', sbFetchDir, '--client', 'fetch']);
    children.push(switchboardFetch);

    await sleep(settings.idleSettleMs);
    const justStarted = new Map<string, ProcessStats>();
    for (const child of children) justStarted.set(child.name, await child.stats());
    await sleep(settings.idleSettledMs - settings.idleSettleMs);
    const idle = new Map<string, ProcessStats>();
    for (const child of children) idle.set(child.name, await child.stats());

    const targets: Target[] = [
      { id: 'direct', label: 'direct', origin: upstreamOrigin },
      { id: 'node-http', label: 'node:http floor', origin: nodeHttp.origin, child: nodeHttp },
      { id: 'express', label: 'Express floor', origin: expressFloor.origin, child: expressFloor },
      { id: 'switchboard', label: 'Switchboard', origin: switchboard.origin, child: switchboard },
      { id: 'switchboard-fetch', label: 'Switchboard (fetch)', origin: switchboardFetch.origin, child: switchboardFetch },
    ];
    const label = (id: TargetId) => targets.find((target) => target.id === id)!.label;

    for (const target of targets) await sanityCheck(target);
    const peaks = trackPeaks(children);

    log(`warm-up: ${settings.targetWarmupMs} ms plain + ${settings.targetWarmupMs / 2} ms streamed per target`);
    for (const target of targets) {
      await runTimed({ origin: target.origin, spec, concurrency: 16, stream: false, warmupMs: settings.targetWarmupMs, durationMs: 1 });
      await runTimed({ origin: target.origin, spec, concurrency: 16, stream: true, warmupMs: settings.targetWarmupMs / 2, durationMs: 1 });
    }

    // --- non-streaming -----------------------------------------------------------------------
    const plain: CellResult[] = [];
    for (const concurrency of settings.concurrency) {
      log(`non-streaming, concurrency ${concurrency}`);
      plain.push(...(await measureLevel(targets, concurrency, false)));
    }

    // --- streaming -----------------------------------------------------------------------------
    const streamed: CellResult[] = [];
    for (const concurrency of settings.streamConcurrency) {
      log(`streaming, concurrency ${concurrency}`);
      streamed.push(...(await measureLevel(targets, concurrency, true)));
    }
    peaks.stop();

    // --- memory over N requests ------------------------------------------------------------
    log(`memory: ${settings.memoryRequests} requests (half streamed) through Switchboard at concurrency ${settings.memoryConcurrency}`);
    // Requests that just finished can stay reachable for a moment (timers, sockets): let them go first.
    await sleep(2_000);
    const heapBefore = await switchboard.stats(true);
    const series: Array<{ requests: number; rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number }> = [];
    const sample = async (requests: number): Promise<void> => {
      const stats = await switchboard.stats();
      series.push({ requests, rssMb: round(mb(stats.rss), 1), heapUsedMb: round(mb(stats.heapUsed), 1), heapTotalMb: round(mb(stats.heapTotal), 1), externalMb: round(mb(stats.external), 1) });
    };
    // The forced GC shrank the heap: bring it back to its working size before the series starts.
    const warmup = await runCounted({
      origin: switchboard.origin,
      spec,
      concurrency: settings.memoryConcurrency,
      total: settings.memoryWarmupRequests,
      stream: (index) => index % 2 === 1,
      every: settings.memoryWarmupRequests,
      onProgress: async () => undefined,
    });
    if (warmup.errors > 0) log(`  ! memory warm-up: ${warmup.errors} errors, first: ${warmup.firstError}`);
    await sample(0);
    const every = Math.max(1, Math.floor(settings.memoryRequests / settings.memorySamples));
    const counted = await runCounted({
      origin: switchboard.origin,
      spec,
      concurrency: settings.memoryConcurrency,
      total: settings.memoryRequests,
      stream: (index) => index % 2 === 1,
      every,
      onProgress: sample,
    });
    if (series[series.length - 1]?.requests !== counted.completed) await sample(counted.completed);
    await sleep(2_000);
    const heapAfter = await switchboard.stats(true);
    if (counted.errors > 0) log(`  ! memory run: ${counted.errors} errors, first: ${counted.firstError}`);

    const finalStats = new Map<string, ProcessStats>();
    for (const child of children) finalStats.set(child.name, await child.stats());

    // --- results ---------------------------------------------------------------------------------
    const cell = (cells: CellResult[], id: TargetId, concurrency: number) => cells.find((c) => c.target === id && c.concurrency === concurrency);
    const added = (cells: CellResult[], id: TargetId, concurrency: number, pick: (c: CellResult) => Summary | undefined) => {
      const base = cell(cells, 'direct', concurrency);
      const mine = cell(cells, id, concurrency);
      const a = base && pick(base);
      const b = mine && pick(mine);
      return a && b ? { p50: round(b.p50 - a.p50, 4), p99: round(b.p99 - a.p99, 4) } : undefined;
    };

    // The series starts after the warm-up requests, at the heap's working size.
    const steady = series;
    const rssSeries = steady.map((point) => point.rssMb);
    const slope = leastSquaresSlope(steady.map((point) => [point.requests, point.rssMb]));
    const memory = {
      startRssMb: Object.fromEntries([...justStarted].map(([name, stats]) => [name, round(mb(stats.rss), 1)])),
      idleRssMb: Object.fromEntries([...idle].map(([name, stats]) => [name, round(mb(stats.rss), 1)])),
      idleHeapUsedMb: Object.fromEntries([...idle].map(([name, stats]) => [name, round(mb(stats.heapUsed), 1)])),
      /** Kernel high-water mark of the resident set over the process's whole life. */
      peakRssMb: Object.fromEntries([...finalStats].map(([name, stats]) => [name, round(mb(stats.maxRss), 1)])),
      /** The highest RSS seen by periodic sampling during the timed runs. */
      sampledPeakRssMb: Object.fromEntries([...peaks.max].map(([name, stats]) => [name, round(mb(stats.rss), 1)])),
      /** The V8 heap in that same sample: a heap much larger than the live set is garbage not yet collected. */
      sampledPeakHeapMb: Object.fromEntries(
        [...peaks.max].map(([name, stats]) => [name, { heapTotal: round(mb(stats.heapTotal), 1), heapUsed: round(mb(stats.heapUsed), 1), external: round(mb(stats.external), 1) }]),
      ),
      run: {
        requests: settings.memoryRequests,
        concurrency: settings.memoryConcurrency,
        errors: counted.errors,
        elapsedMs: round(counted.elapsedMs, 0),
        throughputRps: round(counted.completed / (counted.elapsedMs / 1000), 1),
        /** Requests sent before the series (after the forced GC), not counted in it. */
        warmupRequests: settings.memoryWarmupRequests,
        /** The series: first, highest and last sample. */
        rssStartMb: rssSeries[0] ?? Number.NaN,
        rssMaxMb: Math.max(...rssSeries),
        rssEndMb: rssSeries[rssSeries.length - 1] ?? Number.NaN,
        /** Least-squares trend of RSS over the series, MB per 10k requests. */
        rssTrendMbPer10k: round(slope * 10_000, 2),
        /**
         * RSS is a GC sawtooth (the old generation grows, then a mark-compact shrinks it), so single
         * samples say little: compare the second half of the series with the first, peaks and troughs.
         */
        halves: compareHalves(rssSeries),
        heapAfterGcStartMb: round(mb(heapBefore.heapUsed), 2),
        heapAfterGcEndMb: round(mb(heapAfter.heapUsed), 2),
        series,
      },
    };

    const startupMs = startupSamples.map((s) => round(s.portOpenMs, 1));
    const startup = {
      runs: startupSamples.length,
      firstMs: startupMs[0] ?? Number.NaN,
      medianMs: round(median(startupMs), 1),
      maxMs: Math.max(...startupMs),
      allMs: startupMs,
      /** The child's own marks in the median run: ms since its process started. */
      marks: Object.fromEntries(Object.entries(startupSamples[startupMs.indexOf(median(startupMs))]?.marks ?? {}).map(([k, v]) => [k, round(v, 1)])),
    };

    const c1 = settings.concurrency.includes(1) ? 1 : settings.concurrency[0]!;
    const s1 = settings.streamConcurrency.includes(1) ? 1 : settings.streamConcurrency[0]!;
    const addedC1 = added(plain, 'switchboard', c1, (c) => c.latencyMs);
    const addedTtft = added(streamed, 'switchboard', s1, (c) => c.ttftMs);
    const ratios = settings.concurrency.map((concurrency) => {
      const sb = cell(plain, 'switchboard', concurrency)?.throughputRps ?? Number.NaN;
      return {
        concurrency,
        ofNodeHttp: round(sb / (cell(plain, 'node-http', concurrency)?.throughputRps ?? Number.NaN), 3),
        ofExpress: round(sb / (cell(plain, 'express', concurrency)?.throughputRps ?? Number.NaN), 3),
      };
    });
    const minExpressRatio = Math.min(...ratios.map((r) => r.ofExpress));
    const halves = memory.run.halves;
    const flatGrowthMb = Math.max(halves.maxGrowthMb, halves.minGrowthMb);
    const heapGrowthMb = memory.run.heapAfterGcEndMb - memory.run.heapAfterGcStartMb;
    // The routing scenario runs in this process in virtual time: it needs no child and no load.
    const routing = await runRoutingScenario();
    const goals = [
      { goal: `added p50 latency at concurrency ${c1} <= 0.5 ms`, value: addedC1?.p50 ?? null, unit: 'ms', met: addedC1 !== undefined && addedC1.p50 <= 0.5 },
      { goal: `added p99 latency at concurrency ${c1} <= 3 ms`, value: addedC1?.p99 ?? null, unit: 'ms', met: addedC1 !== undefined && addedC1.p99 <= 3 },
      { goal: 'throughput >= 60% of the Express floor (lowest over all concurrencies)', value: round(minExpressRatio, 3), unit: 'ratio', met: minExpressRatio >= 0.6 },
      { goal: `added time to first token (p50, concurrency ${s1}) <= 1 ms`, value: addedTtft?.p50 ?? null, unit: 'ms', met: addedTtft !== undefined && addedTtft.p50 <= 1 },
      { goal: 'idle RSS < 90 MB (12 s after start)', value: memory.idleRssMb.switchboard ?? null, unit: 'MB', met: (memory.idleRssMb.switchboard ?? Infinity) < 90 },
      { goal: 'peak RSS < 160 MB', value: memory.peakRssMb.switchboard ?? null, unit: 'MB', met: (memory.peakRssMb.switchboard ?? Infinity) < 160 },
      {
        goal: `flat memory over ${settings.memoryRequests} requests (2nd-half RSS peaks/troughs within 10 MB of the 1st half's, heap after GC grows < 2 MB)`,
        value: round(flatGrowthMb, 1),
        unit: 'MB',
        met: flatGrowthMb < 10 && heapGrowthMb < 2,
        ...(settings.memoryRequests < 100_000 ? { note: 'the goal names 100k requests: run BENCH_LONG=1' } : {}),
      },
      { goal: 'port opens in < 1 s (slowest run)', value: startup.maxMs, unit: 'ms', met: startup.maxMs < 1000 },
    ];

    const clientChoice = settings.concurrency.map((concurrency) => {
      const u = cell(plain, 'switchboard', concurrency)!;
      const f = cell(plain, 'switchboard-fetch', concurrency)!;
      return {
        concurrency,
        undici: { p50: u.latencyMs.p50, p99: u.latencyMs.p99, rps: u.throughputRps, cpuPerRequestUs: u.proxyCpuPerRequestUs },
        fetch: { p50: f.latencyMs.p50, p99: f.latencyMs.p99, rps: f.throughputRps, cpuPerRequestUs: f.proxyCpuPerRequestUs },
        fetchThroughputVsUndici: round(f.throughputRps / u.throughputRps, 3),
      };
    });

    const results = {
      machine,
      settings,
      topology: {
        generator: 'this process: closed-loop undici Pool load generator, one keep-alive connection per worker',
        upstream:
          settings.upstream === 'child'
            ? 'its own process: test/helpers/fake-upstream.ts (node:http, zero delay, writes each answer synchronously)'
            : 'the load generator process (BENCH_UPSTREAM=inprocess)',
        proxies: 'one child process each: node:http floor, Express floor, Switchboard (undici), Switchboard (fetch)',
        workload: { model: MODEL, text: TEXT, streamedContentChunks: TEXT.split(' ').length, requestBytes: { plain: bodies.plain.length, stream: bodies.stream.length } },
      },
      nonStreaming: plain,
      streaming: streamed,
      addedLatency: Object.fromEntries(
        (['node-http', 'express', 'switchboard', 'switchboard-fetch'] as TargetId[]).map((id) => [
          id,
          {
            plain: Object.fromEntries(settings.concurrency.map((c) => [c, added(plain, id, c, (x) => x.latencyMs)])),
            ttft: Object.fromEntries(settings.streamConcurrency.map((c) => [c, added(streamed, id, c, (x) => x.ttftMs)])),
          },
        ]),
      ),
      throughputRatios: ratios,
      /** Switchboard's latency minus each floor's: the relay's own work, without the extra hop. */
      overFloors: Object.fromEntries(
        settings.concurrency.map((concurrency) => {
          const sb = cell(plain, 'switchboard', concurrency)!;
          const over = (id: TargetId) => {
            const floor = cell(plain, id, concurrency)!;
            return { p50: round(sb.latencyMs.p50 - floor.latencyMs.p50, 4), p99: round(sb.latencyMs.p99 - floor.latencyMs.p99, 4) };
          };
          return [concurrency, { nodeHttp: over('node-http'), express: over('express') }];
        }),
      ),
      clientChoice,
      memory,
      startup,
      routing,
      goals,
      benchDurationS: round((performance.now() - benchStarted) / 1000, 1),
    };

    // --- stdout ----------------------------------------------------------------------------------
    const out: string[] = [];
    out.push(`Switchboard bench — ${machine.date} — Node ${machine.node} — ${machine.nproc} CPU ${machine.cpuModel} — ${LONG ? 'long' : 'default'} run`);
    out.push(
      `${settings.upstream === 'child' ? 'Load generator, fake upstream and each proxy run in separate processes' : 'Load generator + fake upstream share one process; each proxy has its own'}. ` +
        `Latency in ms, CPU in µs per request of the proxy process, cores = CPU time / wall time (proxy, upstream, generator).\n`,
    );
    out.push('NON-STREAMING chat completions');
    for (const concurrency of settings.concurrency) {
      const direct = cell(plain, 'direct', concurrency)!;
      const nodeFloor = cell(plain, 'node-http', concurrency)!;
      const expressCell = cell(plain, 'express', concurrency)!;
      out.push(`\nconcurrency ${concurrency}`);
      out.push(
        table(
          ['target', 'p50', 'p99', '+p50', '+p99', 'req/s', '% node:http', '% express', 'cpu/req µs', 'proxy', 'upstream', 'gen', 'errors'],
          targets.map((target) => {
            const c = cell(plain, target.id, concurrency)!;
            return [
              target.label,
              c.latencyMs.p50,
              c.latencyMs.p99,
              target.id === 'direct' ? '' : signed(c.latencyMs.p50 - direct.latencyMs.p50),
              target.id === 'direct' ? '' : signed(c.latencyMs.p99 - direct.latencyMs.p99),
              c.throughputRps,
              percent(c.throughputRps / nodeFloor.throughputRps),
              percent(c.throughputRps / expressCell.throughputRps),
              c.proxyCpuPerRequestUs ?? '',
              c.proxyCpuCores ?? '',
              c.upstreamCpuCores ?? '',
              c.generatorCpuCores,
              c.errors,
            ];
          }),
        ),
      );
      const sb = cell(plain, 'switchboard', concurrency)!;
      out.push(
        `Switchboard over the floors (its own work): vs node:http ${signed(sb.latencyMs.p50 - nodeFloor.latencyMs.p50)} p50 / ${signed(sb.latencyMs.p99 - nodeFloor.latencyMs.p99)} p99, ` +
          `vs Express ${signed(sb.latencyMs.p50 - expressCell.latencyMs.p50)} p50 / ${signed(sb.latencyMs.p99 - expressCell.latencyMs.p99)} p99 (ms)`,
      );
    }
    out.push('\nSTREAMING chat completions (TTFT = time to the first content chunk; total = to [DONE])');
    for (const concurrency of settings.streamConcurrency) {
      const direct = cell(streamed, 'direct', concurrency)!;
      out.push(`\nconcurrency ${concurrency}`);
      out.push(
        table(
          ['target', 'ttft p50', 'ttft p99', '+ttft p50', '+ttft p99', 'total p50', 'total p99', 'req/s', 'cpu/req µs', 'errors'],
          targets.map((target) => {
            const c = cell(streamed, target.id, concurrency)!;
            return [
              target.label,
              c.ttftMs!.p50,
              c.ttftMs!.p99,
              target.id === 'direct' ? '' : signed(c.ttftMs!.p50 - direct.ttftMs!.p50),
              target.id === 'direct' ? '' : signed(c.ttftMs!.p99 - direct.ttftMs!.p99),
              c.latencyMs.p50,
              c.latencyMs.p99,
              c.throughputRps,
              c.proxyCpuPerRequestUs ?? '',
              c.errors,
            ];
          }),
        ),
      );
    }
    out.push('\nUPSTREAM CLIENT: undici request (default) vs global fetch, non-streaming');
    out.push(
      table(
        ['concurrency', 'undici p50', 'fetch p50', 'undici p99', 'fetch p99', 'undici req/s', 'fetch req/s', 'fetch/undici', 'undici cpu/req', 'fetch cpu/req'],
        clientChoice.map((c) => [String(c.concurrency), c.undici.p50, c.fetch.p50, c.undici.p99, c.fetch.p99, c.undici.rps, c.fetch.rps, percent(c.fetchThroughputVsUndici), c.undici.cpuPerRequestUs ?? '', c.fetch.cpuPerRequestUs ?? '']),
      ),
    );
    out.push('\nMEMORY (MB)');
    out.push(
      table(
        ['process', 'RSS at 1 s', 'idle RSS', 'idle heap', 'peak RSS (maxRSS)', 'sampled peak', 'its heapTotal', 'its heapUsed'],
        children.map((child) => [
          child.name,
          memory.startRssMb[child.name] ?? Number.NaN,
          memory.idleRssMb[child.name] ?? Number.NaN,
          memory.idleHeapUsedMb[child.name] ?? Number.NaN,
          memory.peakRssMb[child.name] ?? Number.NaN,
          memory.sampledPeakRssMb[child.name] ?? Number.NaN,
          memory.sampledPeakHeapMb[child.name]?.heapTotal ?? Number.NaN,
          memory.sampledPeakHeapMb[child.name]?.heapUsed ?? Number.NaN,
        ]),
      ),
    );
    const run = memory.run;
    out.push(
      `Switchboard over ${run.requests} requests (c=${run.concurrency}, half streamed, ${formatNumber(run.throughputRps)} req/s, ${run.errors} errors): ` +
        `RSS (after ${run.warmupRequests} warm-up requests) start ${run.rssStartMb}, max ${run.rssMaxMb}, end ${run.rssEndMb}, trend ${signed(run.rssTrendMbPer10k)} MB/10k requests; ` +
        `halves: max ${run.halves.firstMaxMb} -> ${run.halves.secondMaxMb}, min ${run.halves.firstMinMb} -> ${run.halves.secondMinMb}; ` +
        `heap after GC ${run.heapAfterGcStartMb} -> ${run.heapAfterGcEndMb}`,
    );
    out.push(`\nSTARTUP (spawn -> port accepts a connection, offline): first ${startup.firstMs} ms, median ${startup.medianMs} ms, max ${startup.maxMs} ms over ${startup.runs} runs`);
    out.push(`  in-process marks of the median run (ms since process start): ${Object.entries(startup.marks).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    out.push(
      `\nROUTING (simulated fleet, ${routing.virtualHours} h of virtual time, ${routing.requests} requests to auto-fastest): ` +
        `success ${round(routing.successRate * 100, 1)} %, TTFT regret mean ${routing.regretMean} / median ${routing.regretMedian} ` +
        `(achieved ${routing.meanTtftMs} ms vs fastest healthy ${routing.fastestHealthyMeanTtftMs} ms), ` +
        `whole-answer regret mean ${routing.totalTimeRegretMean} / median ${routing.totalTimeRegretMedian}; ` +
        `probes per model per hour: ${Object.entries(routing.probesPerModelPerHour).map(([id, count]) => `${id} ${count}`).join(', ')}`,
    );
    out.push('\nGOALS');
    out.push(table(['goal', 'value', 'met'], goals.map((g) => [g.goal, g.value === null ? '–' : `${formatNumber(g.value)} ${g.unit}`, g.met ? 'yes' : 'NO'])));
    out.push(`\nbench took ${results.benchDurationS} s; JSON: ${join(resultsDir, 'latest.json')}`);
    process.stdout.write(`${out.join('\n')}\n`);

    await mkdir(resultsDir, { recursive: true });
    await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    for (const child of children) await child.stop();
    await closeUpstream();
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
