/**
 * The zero-latency fake upstream (test/helpers/fake-upstream.ts) in its own process, so that a
 * direct request crosses a process boundary just like a proxied one does. `--scenario` is the
 * JSON Scenario answered to every call.
 */
import { performance } from 'node:perf_hooks';
import { startFakeUpstream, type Scenario } from '../../test/helpers/fake-upstream.js';
import { argument, failStartup, serveSideChannel } from './ipc.js';

try {
  const scenario = JSON.parse(argument('scenario', '{}')) as Scenario;
  const upstream = await startFakeUpstream({ behavior: scenario, port: Number(argument('port', '0')) });
  // The fake records every request; forgetting them often lets them die young (cheap scavenges, no old-space growth).
  const forget = setInterval(() => upstream.reset(), 50);
  serveSideChannel(upstream.port, { listening: performance.now() }, async () => {
    clearInterval(forget);
    await upstream.close();
  });
} catch (error) {
  failStartup(error);
}
