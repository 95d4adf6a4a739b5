import { describe, expect, it } from 'vitest';
import { DemoMode, type DemoEndpoint } from '../../../relay/demo/demo-mode.js';

const simulation = { seed: 9, timeScale: 0 };

async function reachable(baseUrl: string): Promise<boolean> {
  return fetch(`${baseUrl}/models`).then(
    (response) => response.ok,
    () => false,
  );
}

describe('DemoMode', () => {
  it('registers the three running simulators, then none once stopped, and closes them', async () => {
    const registered: Array<readonly DemoEndpoint[]> = [];
    const demo = new DemoMode({ simulation, register: async (endpoints) => void registered.push(endpoints) });
    expect(demo.state()).toEqual({ running: false, providers: [] });

    expect(await demo.set(true)).toEqual({ running: true, providers: ['demo-fast', 'demo-slow', 'demo-flaky'] });
    const endpoints = registered[0] ?? [];
    expect(endpoints.map((endpoint) => [endpoint.id, endpoint.name])).toEqual([
      ['demo-fast', 'Demo Fast (simulated)'],
      ['demo-slow', 'Demo Slow (simulated)'],
      ['demo-flaky', 'Demo Flaky (simulated)'],
    ]);
    for (const endpoint of endpoints) expect(await reachable(endpoint.baseUrl)).toBe(true);

    await demo.set(true);
    expect(registered).toHaveLength(1);

    expect(await demo.set(false)).toEqual({ running: false, providers: [] });
    expect(registered[1]).toEqual([]);
    for (const endpoint of endpoints) expect(await reachable(endpoint.baseUrl)).toBe(false);
    await demo.set(false);
    expect(registered).toHaveLength(2);
  });

  it('queues quick toggles, so exactly one set of simulators is left running', async () => {
    const registered: Array<readonly DemoEndpoint[]> = [];
    const demo = new DemoMode({ simulation, register: async (endpoints) => void registered.push(endpoints) });
    const results = await Promise.all([demo.set(true), demo.set(false), demo.set(true)]);
    expect(results.map((result) => result.running)).toEqual([true, false, true]);
    expect(registered.map((endpoints) => endpoints.length)).toEqual([3, 0, 3]);
    const live = registered[2] ?? [];
    for (const endpoint of live) expect(await reachable(endpoint.baseUrl)).toBe(true);
    for (const endpoint of registered[0] ?? []) expect(await reachable(endpoint.baseUrl)).toBe(false);
    await demo.set(false);
  });

  it('closes the simulators again when the relay cannot take them', async () => {
    let offered: readonly DemoEndpoint[] = [];
    const demo = new DemoMode({
      simulation,
      register: async (endpoints) => {
        offered = endpoints;
        throw new Error('no');
      },
    });
    await expect(demo.set(true)).rejects.toThrow('no');
    expect(demo.state().running).toBe(false);
    for (const endpoint of offered) expect(await reachable(endpoint.baseUrl)).toBe(false);
  });

  it('measures at once when started, and again on its interval until stopped', async () => {
    let probes = 0;
    const demo = new DemoMode({ simulation, register: async () => undefined, probe: async () => void probes++, probeIntervalMs: 20 });
    await demo.set(true);
    expect(probes).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(probes).toBeGreaterThanOrEqual(2);
    await demo.set(false);
    const stopped = probes;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(probes).toBe(stopped);
  });
});
