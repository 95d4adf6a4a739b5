/**
 * Switchboard under test: a real relay from createRelay with the default settings file and
 * secret store in `--config-dir`, no environment keys and no local-server probing. `--client
 * fetch` swaps the upstream client for the fetch-based one (bench/fetch-client.ts).
 */
import { performance } from 'node:perf_hooks';
import { argument, failStartup, serveSideChannel } from './ipc.js';

const marks: Record<string, number> = { entry: performance.now() };
try {
  const { createRelay } = await import('../../relay/index.js');
  const client = argument('client', 'undici');
  const http = client === 'fetch' ? (await import('../fetch-client.js')).createFetchHttpClient() : undefined;
  marks.imported = performance.now();
  const relay = await createRelay({
    configDir: argument('config-dir'),
    // No provider keys from the environment; the heap setting may be overridden as for `serve`.
    env: process.env.SWITCHBOARD_HEAP_GROWTH_PERCENT === undefined ? {} : { SWITCHBOARD_HEAP_GROWTH_PERCENT: process.env.SWITCHBOARD_HEAP_GROWTH_PERCENT },
    detectLocal: false,
    host: '127.0.0.1',
    port: Number(argument('port', '0')),
    logger: {
      info: () => undefined,
      warn: (message) => process.stderr.write(`[switchboard] warning: ${message}\n`),
      error: (message) => process.stderr.write(`[switchboard] error: ${message}\n`),
    },
    ...(http ? { http } : {}),
  });
  marks.created = performance.now();
  const address = await relay.listen();
  marks.listening = performance.now();
  serveSideChannel(address.port, marks, () => relay.close());
} catch (error) {
  failStartup(error);
}
