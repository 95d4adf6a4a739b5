/**
 * Where Switchboard's memory goes under load (not part of `npm run bench`):
 *   tsc -b bench && node dist/bench/memory-probe.js [--concurrency 64] [--seconds 8] [--target express|node-http] [--node-arg=--flag ...]
 * Starts the fake upstream here and one proxy child, reports its idle heap and RSS, loads it
 * with alternating plain and streamed requests, and reports the kernel's peak RSS and the heap
 * after a forced collection. `--node-arg=...` passes a flag to the child's node (a V8 flag to try).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeUpstream } from '../test/helpers/fake-upstream.js';
import { endpointsConfig } from '../test/helpers/start-relay.js';
import { startServer } from './lib/children.js';
import { runTimed } from './lib/load.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] ?? fallback : fallback;
};
const concurrency = Number(arg('concurrency', '64'));
const seconds = Number(arg('seconds', '8'));
const target = arg('target', 'switchboard');
const nodeArgs = process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const TEXT = 'Hello from the fake upstream, streamed in nine chunks.';
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

const upstream = await startFakeUpstream({ behavior: { text: TEXT } });
const forget = setInterval(() => upstream.reset(), 500);
const dir = await mkdtemp(join(tmpdir(), 'switchboard-memory-'));
await writeFile(join(dir, 'config.json'), JSON.stringify(endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fake-small'] }])));
const child =
  target === 'switchboard'
    ? await startServer('switchboard', join(here, 'servers', 'switchboard.js'), ['--config-dir', dir], { execArgv: nodeArgs, showStdout: true })
    : await startServer(target, join(here, 'servers', target === 'express' ? 'express-proxy.js' : 'http-proxy.js'), ['--upstream', upstream.origin], { execArgv: nodeArgs, showStdout: true });
await sleep(1_000);
const idle = await child.stats();
const idleGc = await child.stats(true);
console.log(`${target} ${nodeArgs.join(' ')}`);
console.log(`idle: rss ${mb(idle.rss)}, heap ${mb(idle.heapUsed)} (after gc ${mb(idleGc.heapUsed)})`);
const spec = {
  path: '/v1/chat/completions',
  body: (s: boolean) => JSON.stringify({ model: 'fake-small', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello.' }], ...(s ? { stream: true, stream_options: { include_usage: true } } : {}) }),
  expectText: TEXT,
};
let peakHeapTotal = 0;
let peakRss = 0;
const sampler = setInterval(() => {
  void child.stats().then((s) => {
    peakHeapTotal = Math.max(peakHeapTotal, s.heapTotal);
    peakRss = Math.max(peakRss, s.rss);
  });
}, 100);
let completed = 0;
for (let round = 0; round < 4; round++) {
  const result = await runTimed({ origin: child.origin, spec, concurrency, stream: round % 2 === 1, warmupMs: 0, durationMs: (seconds * 1_000) / 4 });
  completed += result.completed;
  if (result.errors) console.log(`errors: ${result.errors}`);
}
clearInterval(sampler);
const end = await child.stats();
const endGc = await child.stats(true);
console.log(`load: ${completed} requests at c=${concurrency}, ${(completed / seconds).toFixed(0)} req/s`);
console.log(`peak: maxRSS ${mb(end.maxRss)}, sampled rss ${mb(peakRss)}, sampled heapTotal ${mb(peakHeapTotal)}`);
console.log(`after: rss ${mb(end.rss)}, heap after gc ${mb(endGc.heapUsed)}`);
await child.stop();
clearInterval(forget);
await upstream.close();
await rm(dir, { recursive: true, force: true });
