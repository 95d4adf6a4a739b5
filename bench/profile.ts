/**
 * A focused CPU profile of Switchboard's hot path (not part of `npm run bench`):
 *   tsc -b bench && node dist/bench/profile.js [--stream] [--concurrency 16] [--seconds 5] [--client fetch] [--target express|node-http]
 * Starts the fake upstream here and one Switchboard child with --cpu-prof, loads it, and prints
 * the functions with the most self and inclusive time. The .cpuprofile lands in
 * bench/results/profiles/ (open it in Chrome DevTools for the flame chart).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeUpstream } from '../test/helpers/fake-upstream.js';
import { endpointsConfig } from '../test/helpers/start-relay.js';
import { startServer } from './lib/children.js';
import { runTimed } from './lib/load.js';

const here = dirname(fileURLToPath(import.meta.url));
const profileDir = resolve(here, '../../bench/results/profiles');
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] ?? fallback : fallback;
};
const stream = process.argv.includes('--stream');
const concurrency = Number(arg('concurrency', '16'));
const seconds = Number(arg('seconds', '5'));
const client = arg('client', 'undici');
/** switchboard (default), express or node-http: profile a floor for comparison. */
const target = arg('target', 'switchboard');
const TEXT = 'Hello from the fake upstream, streamed in nine chunks.';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const AREAS: Array<[RegExp, string]> = [
  [/\/dist\/relay\//, 'relay code'],
  [/\/dist\/bench\//, 'bench floor code'],
  [/node_modules\/(express|router|body-parser|raw-body|finalhandler|send|on-finished|type-is|content-type|media-typer|mime-types|qs|iconv-lite|http-errors|depd|statuses|cookie|vary|accepts|negotiator|parseurl|path-to-regexp|safe-buffer|bytes|debug|ms|encodeurl|escape-html|fresh|range-parser|etag|merge-descriptors|unpipe|ee-first|setprototypeof|inherits|toidentifier|proxy-addr|forwarded|ipaddr\.js|serve-static|utils-merge|call-bind|get-intrinsic|side-channel[^/]*|object-inspect|es-[^/]+|function-bind|has-symbols|hasown|gopd|dunder-proto|math-intrinsics|call-bound)\//, 'express & middleware'],
  [/node_modules\/undici\/|wasm:\/\//, 'undici'],
  [/node_modules\/eventsource-parser\//, 'eventsource-parser'],
  [/node_modules\/zod\//, 'zod'],
  [/node:_http_|node:internal\/http/, 'node http'],
  [/node:internal\/streams\/|node:stream/, 'node streams'],
  [/node:internal\/crypto|node:crypto/, 'node crypto'],
  [/node:internal\/errors/, 'node errors (stack traces)'],
  [/node:internal\/abort_controller|node:internal\/event_target|node:events/, 'events & AbortController'],
  [/node:internal\/timers|node:timers/, 'timers'],
  [/node:net|node:internal\/stream_base_commons|node:internal\/net/, 'node net'],
];

function category(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  for (const [pattern, area] of AREAS) if (pattern.test(url)) return area;
  if (url === '') return functionName.startsWith('(') ? functionName : `native (${functionName})`;
  if (url.startsWith('node:')) return 'node other';
  return 'other';
}

function summarize(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const name = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
  const selfByName = new Map<string, number>();
  const byCategory = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, time] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += time;
    selfByName.set(name(node), (selfByName.get(name(node)) ?? 0) + time);
    byCategory.set(category(node), (byCategory.get(category(node)) ?? 0) + time);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = name(byId.get(cur)!);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + time);
    }
  }
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, time]) => `${((time / busy) * 100).toFixed(1).padStart(5)}%  ${key}`)
      .join('\n');
  return `busy ${(busy / 1000).toFixed(0)} ms (percentages are of busy time)\n--- self by area\n${list(byCategory)}\n--- self\n${list(selfByName)}\n--- inclusive\n${list(inclusive)}`;
}

const upstream = await startFakeUpstream({ behavior: { text: TEXT } });
const forget = setInterval(() => upstream.reset(), 500);
const dir = await mkdtemp(join(tmpdir(), 'switchboard-profile-'));
await writeFile(join(dir, 'config.json'), JSON.stringify(endpointsConfig([{ id: 'fake', baseUrl: upstream.url, models: ['fake-small'] }])));
const before = new Set(await readdir(profileDir).catch(() => []));
const execArgv = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval', '100'];
const child =
  target === 'switchboard'
    ? await startServer('switchboard', join(here, 'servers', 'switchboard.js'), ['--config-dir', dir, '--client', client], { execArgv })
    : await startServer(target, join(here, 'servers', target === 'express' ? 'express-proxy.js' : 'http-proxy.js'), ['--upstream', upstream.origin], { execArgv });
const spec = {
  path: '/v1/chat/completions',
  body: (s: boolean) => JSON.stringify({ model: 'fake-small', messages: [{ role: 'user', content: 'Say hello.' }], ...(s ? { stream: true } : {}) }),
  expectText: TEXT,
};
const result = await runTimed({ origin: child.origin, spec, concurrency, stream, warmupMs: 1_000, durationMs: seconds * 1_000 });
await child.stop();
clearInterval(forget);
await upstream.close();
await rm(dir, { recursive: true, force: true });
const created = (await readdir(profileDir)).filter((file) => !before.has(file) && file.endsWith('.cpuprofile'));
const summary = result.latency.summary();
console.log(`${result.completed} requests, ${(result.completed / (result.windowMs / 1000)).toFixed(0)} req/s, p50 ${summary.p50.toFixed(3)} ms, errors ${result.errors}`);
for (const file of created) {
  console.log(`\n${join(profileDir, file)}`);
  console.log(summarize(JSON.parse(await readFile(join(profileDir, file), 'utf8')), Number(arg('top', '45'))));
}
