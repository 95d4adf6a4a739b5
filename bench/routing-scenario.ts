import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRelay } from '../relay/index.js';
import { MemorySecretStore } from '../relay/keys/secret-store.js';
import { FakeClock } from '../test/helpers/fake-clock.js';
import { createSimulatedFleet, mulberry32, type SimulatedProvider } from '../test/helpers/simulated-fleet.js';

/**
 * The routing scenario: a simulated fleet in virtual time, driven through the real relay
 * (HTTP, routing, QoS, prober). Reports routing regret — the TTFT auto-fastest achieved over the
 * TTFT of the fastest upstream that was healthy at that moment — success rate, and how many
 * probe requests each model cost per hour.
 */

export interface RoutingScenarioResult {
  virtualHours: number;
  requests: number;
  successRate: number;
  /** Achieved TTFT ÷ the fastest healthy upstream's, over all requests. */
  regretMean: number;
  regretMedian: number;
  meanTtftMs: number;
  medianTtftMs: number;
  fastestHealthyMeanTtftMs: number;
  /**
   * The same over the whole answer (TTFT + 100 tokens at the route's speed), which is what the
   * score optimises: a route with a slightly later first token but a much faster stream wins.
   */
  totalTimeRegretMean: number;
  totalTimeRegretMedian: number;
  probesPerModelPerHour: Record<string, number>;
}

const MINUTE = 60_000;

/** The fleet: speeds and failure habits modelled on free tiers (one fast but flaky, one that has an outage). */
function fleetAt(minute: number): Record<string, SimulatedProvider> {
  const outage = minute >= 40 && minute < 70;
  return {
    groqlike: { ttftMs: 180, tokensPerSecond: 300, failureRate: outage ? 1 : 0.01 },
    cerebraslike: { ttftMs: 260, tokensPerSecond: 900, failureRate: 0.01 },
    flaky: { ttftMs: 120, tokensPerSecond: 150, failureRate: 0.35 },
    steady: { ttftMs: 450, tokensPerSecond: 120, failureRate: 0 },
    slow: { ttftMs: 1200, tokensPerSecond: 40, failureRate: 0.02 },
  };
}

const HEALTHY_FAILURE_RATE = 0.05;

export async function runRoutingScenario(options: { virtualHours?: number; requestEveryMs?: number } = {}): Promise<RoutingScenarioResult> {
  const virtualHours = options.virtualHours ?? 2;
  const requestEveryMs = options.requestEveryMs ?? 20_000;
  const clock = new FakeClock();
  const fleet = createSimulatedFleet(clock, fleetAt(0), 7);
  const ids = Object.keys(fleetAt(0));
  const configDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-routing-'));
  await writeFile(
    join(configDir, 'config.json'),
    JSON.stringify({ version: 1, endpoints: ids.map((id) => ({ id, baseUrl: fleet.baseUrl(id), discovery: false, free: true, models: ['sim-model'] })) }),
  );
  const relay = await createRelay({
    configDir,
    secretStore: new MemorySecretStore(),
    env: {},
    detectLocal: false,
    port: 0,
    now: clock.now,
    random: mulberry32(11),
    http: fleet.http,
    probe: false,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const address = await relay.listen();
  const achieved: number[] = [];
  const best: number[] = [];
  const achievedTotal: number[] = [];
  const bestTotal: number[] = [];
  const total = (provider: SimulatedProvider | undefined) => (provider ? provider.ttftMs + (100 / provider.tokensPerSecond) * 1000 : NaN);
  let ok = 0;
  let requests = 0;
  try {
    const end = virtualHours * 60 * MINUTE;
    for (let elapsed = 0; elapsed < end; elapsed += requestEveryMs) {
      const minute = Math.floor(elapsed / MINUTE);
      const current = fleetAt(minute);
      for (const [id, provider] of Object.entries(current)) fleet.set(id, provider);
      await relay.routing.runProbes();
      const before = clock.now();
      requests++;
      const response = await fetch(`${address.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto-fastest', max_tokens: 100, messages: [{ role: 'user', content: `request ${requests}` }] }),
      });
      await response.text();
      if (response.status === 200) {
        ok++;
        const provider = response.headers.get('x-switchboard-provider') ?? '';
        const failedFirst = Number(response.headers.get('x-switchboard-attempts') ?? '1') > 1;
        // The client waited for the failed attempts too: count the whole virtual wait to the first token.
        const ttft = failedFirst ? clock.now() - before - (100 / (current[provider]?.tokensPerSecond ?? 100)) * 1000 : current[provider]?.ttftMs ?? NaN;
        achieved.push(ttft);
        const healthy = Object.values(current).filter((provider) => (provider.failureRate ?? 0) <= HEALTHY_FAILURE_RATE);
        best.push(Math.min(...healthy.map((provider) => provider.ttftMs)));
        achievedTotal.push(failedFirst ? clock.now() - before : total(current[provider]));
        bestTotal.push(Math.min(...healthy.map(total)));
      }
      clock.advance(Math.max(0, requestEveryMs - (clock.now() - before)));
    }
    const probes: Record<string, number> = {};
    for (const id of ids) probes[id] = round(fleet.stats(id).probes / virtualHours);
    const ratios = achieved.map((value, index) => value / (best[index] ?? value));
    return {
      virtualHours,
      requests,
      successRate: ok / requests,
      regretMean: round(mean(achieved) / mean(best)),
      regretMedian: round(median(ratios)),
      meanTtftMs: round(mean(achieved)),
      medianTtftMs: round(median(achieved)),
      fastestHealthyMeanTtftMs: round(mean(best)),
      totalTimeRegretMean: round(mean(achievedTotal) / mean(bestTotal)),
      totalTimeRegretMedian: round(median(achievedTotal.map((value, index) => value / (bestTotal[index] ?? value)))),
      probesPerModelPerHour: probes,
    };
  } finally {
    await relay.close();
    await rm(configDir, { recursive: true, force: true });
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

// Run alone: `node dist/bench/routing-scenario.js`
if (process.argv[1]?.endsWith('routing-scenario.js')) {
  runRoutingScenario().then((result) => console.log(JSON.stringify(result, null, 2)));
}
