import { resolveProfiles, type DemoModel, type DemoProviderId, type DemoSimulationOptions } from './profiles.js';
import { seededRandom } from './random.js';
import { startSimulatedUpstream, type SimulatedUpstream, type SimulatorStats } from './simulator.js';

/**
 * Demo mode: starts the simulated providers and hands them to the relay as extra endpoints for
 * as long as it runs. Nothing is written anywhere: stopping closes the simulators and the relay
 * forgets them. Starts and stops are queued, so toggling quickly never leaves a simulator behind.
 */

/** A running simulator as the relay registers it (an OpenAI-compatible endpoint). */
export interface DemoEndpoint {
  id: DemoProviderId;
  name: string;
  baseUrl: string;
  models: readonly DemoModel[];
}

export interface DemoModeOptions {
  simulation?: DemoSimulationOptions;
  /** Makes the relay serve exactly these endpoints as demo providers (none: remove them). */
  register(endpoints: readonly DemoEndpoint[]): Promise<void>;
  /** Measures every demo route now; absent when the relay does not probe. */
  probe?: () => Promise<void>;
  /**
   * How often `probe` runs while demo mode is on (default 15 s; 0 only once at start). Simulated
   * probes cost nothing, and a table that moves is the point of the demo.
   */
  probeIntervalMs?: number;
  logger?: { warn(message: string): void };
}

export interface DemoState {
  running: boolean;
  /** The simulated providers' ids while running. */
  providers: string[];
}

const DEFAULT_PROBE_INTERVAL_MS = 15_000;

export class DemoMode {
  private upstreams: SimulatedUpstream[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DemoModeOptions) {}

  state(): DemoState {
    return { running: this.upstreams.length > 0, providers: this.upstreams.map((upstream) => upstream.profile.id) };
  }

  /** Requests each simulator received, refused and cut off (tests and diagnostics). */
  stats(): Partial<Record<DemoProviderId, SimulatorStats>> {
    return Object.fromEntries(this.upstreams.map((upstream) => [upstream.profile.id, { ...upstream.stats }]));
  }

  /** Turns demo mode on or off; doing what is already done changes nothing. */
  set(running: boolean): Promise<DemoState> {
    const next = this.queue.then(() => (running ? this.start() : this.stop()));
    this.queue = next.catch(() => undefined);
    return next.then(() => this.state());
  }

  private async start(): Promise<void> {
    if (this.upstreams.length > 0) return;
    const simulation = this.options.simulation ?? {};
    const seed = simulation.seed ?? Math.floor(Math.random() * 2 ** 32);
    const started: SimulatedUpstream[] = [];
    try {
      for (const [index, profile] of resolveProfiles(simulation).entries()) {
        // One generator per provider: one provider's traffic never changes another's luck.
        const random = simulation.random ?? seededRandom(seed + index);
        started.push(await startSimulatedUpstream(profile, { random, timeScale: simulation.timeScale ?? 1 }));
      }
      await this.options.register(started.map((upstream) => ({ id: upstream.profile.id, name: upstream.profile.name, baseUrl: upstream.baseUrl, models: upstream.profile.models })));
    } catch (error) {
      await Promise.all(started.map((upstream) => upstream.close()));
      throw error;
    }
    this.upstreams = started;
    const { probe } = this.options;
    if (probe) {
      const run = () => void probe().catch((error: unknown) => this.options.logger?.warn(`Measuring the demo providers failed: ${String(error)}`));
      run();
      const interval = this.options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
      if (interval > 0) {
        this.probeTimer = setInterval(run, interval);
        this.probeTimer.unref();
      }
    }
  }

  private async stop(): Promise<void> {
    if (this.upstreams.length === 0) return;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    const upstreams = this.upstreams;
    this.upstreams = [];
    // Routing lets go first, so no new request is sent to a simulator that is closing.
    try {
      await this.options.register([]);
    } finally {
      await Promise.all(upstreams.map((upstream) => upstream.close()));
    }
  }
}
