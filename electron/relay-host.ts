import { EventEmitter } from 'node:events';
import { createRelay as createRelayInProcess, type Config, type Relay, type RelayAddress, type RelayLogger, type RelayOptions } from '../relay/index.js';

export type RelayHostStatus = 'starting' | 'running' | 'paused' | 'error';

/** The relay events the host passes on, whichever relay instance is running. */
export type RelayEventName = 'request' | 'config' | 'qos';

export interface RelayHostEvents {
  /** Status, error or address changed. */
  change: [];
  /** One of the running relay's events: 'request' (a finished request record), 'config' (the settings), 'qos' (a route id). */
  relay: [name: RelayEventName, payload: unknown];
}

export interface RelayHostOptions {
  /** What createRelay gets (config directory, secret store, desktop capabilities, ...). `port` pins the port. */
  relay: RelayOptions;
  /** Tests pass a wrapper; the app uses relay/index.ts's createRelay. */
  createRelay?: (options: RelayOptions) => Promise<Relay>;
  /** Used by the health check. */
  fetch?: typeof fetch;
  now?: () => number;
  logger?: RelayLogger;
  /** Restarts allowed within `restartWindowMs` before the host gives up (default 5 in 10 minutes). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Delay before the first restart, doubled for each further one, at most 30 s (default 1 s). */
  restartDelayMs?: number;
  /** How often the host asks the relay whether it still answers (default 10 s; 0: never). */
  healthIntervalMs?: number;
  /** Unanswered checks in a row that count as a crash (default 2). */
  healthFailures?: number;
}

const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Runs the relay in-process for the desktop app and keeps it running: it comes back on the same
 * port after a crash or a pause (the settings' port, or the one the OS picked when that is 0),
 * follows it when the settings' port or host change, restarts a relay that stopped answering (a
 * bounded number of times, with backoff), and passes the relay's events on across restarts.
 */
export class RelayHost extends EventEmitter<RelayHostEvents> {
  private current: Relay | undefined;
  private currentAddress: RelayAddress | undefined;
  private state: RelayHostStatus = 'paused';
  private failure: string | undefined;
  /** The port the last relay listened on. */
  private lastPort: number | undefined;
  /** The port it was asked for; 0 (the OS chose) pins `lastPort` for the next start. */
  private configuredPort: number | undefined;
  /** Bumped whenever what is running changes, so a late start or timer does nothing. */
  private generation = 0;
  private restarts: number[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  /** Moves to a new address, one at a time. */
  private moving: Promise<void> = Promise.resolve();
  private relocating = 0;
  /** An address the relay could not move to (taken): not waited for again. */
  private failedMove: string | undefined;
  private missedChecks = 0;
  private detach: (() => void) | undefined;

  constructor(private readonly options: RelayHostOptions) {
    super();
  }

  get status(): RelayHostStatus {
    return this.state;
  }

  /** Why the relay is not running, when status is 'error' (or why it is restarting). */
  get error(): string | undefined {
    return this.failure;
  }

  /** The running relay, if any. */
  get relay(): Relay | undefined {
    return this.state === 'running' ? this.current : undefined;
  }

  /** `http://127.0.0.1:<port>` while running: where the dashboard, the admin API and clients reach it. */
  get origin(): string | undefined {
    const address = this.state === 'running' ? this.currentAddress : undefined;
    if (!address) return undefined;
    // Listening on every interface (LAN exposure) still answers on loopback, which is what this machine uses.
    const host = address.host === '::1' ? '[::1]' : address.host.startsWith('127.') ? address.host : '127.0.0.1';
    return `http://${host}:${address.port}`;
  }

  /** Starts the relay (again). Resolves once it listens or has failed; failures are retried in the background. */
  async start(): Promise<void> {
    if (this.current) return;
    this.restarts = [];
    await this.launch();
  }

  /** Stops the relay on request (the tray's Pause); `start()` brings it back on the same port. */
  async pause(): Promise<void> {
    await this.shutdown('paused');
  }

  /** Stops for good (app quit). */
  async stop(): Promise<void> {
    await this.shutdown('paused');
    this.removeAllListeners();
  }

  /**
   * The relay failed while running: close what is left of it and start it again after a
   * backoff, unless it already failed `maxRestarts` times within the window.
   */
  async crashed(reason: string): Promise<void> {
    this.options.logger?.error(`The relay stopped working (${reason}); restarting it.`);
    const closing = this.closeCurrent();
    const generation = this.generation;
    await closing;
    if (generation === this.generation) this.scheduleRestart(reason);
  }

  private async launch(): Promise<void> {
    const generation = ++this.generation;
    this.clearTimers();
    this.setState('starting');
    const port = this.pinnedPort();
    let relay: Relay | undefined;
    try {
      relay = await (this.options.createRelay ?? createRelayInProcess)({ ...this.options.relay, ...(port === undefined ? {} : { port }) });
      if (generation !== this.generation) throw new Superseded();
      const address = await relay.listen();
      if (generation !== this.generation) throw new Superseded();
      this.current = relay;
      this.currentAddress = address;
      this.lastPort = address.port;
      this.configuredPort = this.options.relay.port ?? relay.configSource.get().server.port;
      this.detach = this.forwardEvents(relay);
      this.missedChecks = 0;
      this.failure = undefined;
      this.startHealthChecks(generation);
      this.setState('running');
    } catch (error) {
      await relay?.close().catch(() => undefined);
      if (error instanceof Superseded) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger?.error(`The relay could not start: ${reason}`);
      this.scheduleRestart(reason);
    }
  }

  /** The port to ask for: pinned by the options, or the last one when the settings leave it to the OS. */
  private pinnedPort(): number | undefined {
    const pinned = this.options.relay.port;
    if (pinned !== undefined && pinned !== 0) return pinned;
    if (this.configuredPort === 0 && this.lastPort !== undefined) return this.lastPort;
    return undefined;
  }

  private scheduleRestart(reason: string): void {
    const now = (this.options.now ?? Date.now)();
    const window = this.options.restartWindowMs ?? 10 * 60_000;
    const max = this.options.maxRestarts ?? 5;
    this.restarts = this.restarts.filter((at) => now - at < window);
    if (this.restarts.length >= max) {
      this.failure = `${reason} (gave up after ${max} restarts)`;
      this.setState('error');
      return;
    }
    const delay = Math.min((this.options.restartDelayMs ?? 1_000) * 2 ** this.restarts.length, MAX_RESTART_DELAY_MS);
    this.restarts.push(now);
    this.failure = reason;
    this.setState('starting');
    const generation = ++this.generation;
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) void this.launch();
    }, delay);
  }

  private forwardEvents(relay: Relay): () => void {
    const listeners = (['request', 'config', 'qos'] as const).map((name) => {
      const listener = (payload: unknown): void => {
        if (name === 'config') this.followPort(payload as Config);
        this.emit('relay', name, payload);
      };
      relay.events.on(name, listener);
      return () => relay.events.off(name, listener);
    });
    return () => listeners.forEach((off) => off());
  }

  /**
   * A new port (or host) in the settings: the relay moves its socket there (rebind listens on the
   * new address before it lets the old one go, so requests in flight finish). The dashboard's
   * PATCH /admin/settings has already moved it by the time its change is applied; rebinding to
   * where it already is just takes the socket over again, so both paths end in the same place.
   */
  private followPort(config: Config): void {
    if (this.options.relay.port !== undefined) return;
    const relay = this.current;
    const generation = this.generation;
    this.moving = this.moving.then(async () => {
      const current = this.currentAddress;
      if (generation !== this.generation || relay !== this.current || !relay || !current) return;
      const host = this.options.relay.host ?? config.server.host;
      const port = config.server.port === 0 ? current.port : config.server.port;
      if (host === current.host && port === current.port) return;
      // The dashboard's settings change has usually moved the relay already: follow it there.
      const actual = relay.address();
      if (actual && actual.host === host && actual.port === port) {
        this.currentAddress = actual;
        this.lastPort = actual.port;
        this.configuredPort = config.server.port;
        this.failedMove = undefined;
        this.emit('change');
        return;
      }
      this.relocating++;
      try {
        const address = await relay.rebind(host, port);
        if (generation !== this.generation) return;
        this.currentAddress = address;
        this.lastPort = address.port;
        this.configuredPort = config.server.port;
        this.failedMove = undefined;
        this.emit('change');
      } catch (error) {
        this.failedMove = `${host}:${port}`;
        this.options.logger?.warn(`The relay could not move to ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.relocating--;
        this.missedChecks = 0;
      }
    });
  }

  /** The settings name another address than the one being watched: a move is on its way. */
  private movePending(): boolean {
    const relay = this.current;
    const current = this.currentAddress;
    if (!relay || !current || this.options.relay.port !== undefined) return false;
    const { port } = relay.configSource.get().server;
    const host = this.options.relay.host ?? relay.configSource.get().server.host;
    if (`${host}:${port}` === this.failedMove) return false;
    return (port !== 0 && port !== current.port) || host !== current.host;
  }

  private startHealthChecks(generation: number): void {
    const interval = this.options.healthIntervalMs ?? 10_000;
    if (interval <= 0) return;
    const threshold = this.options.healthFailures ?? 2;
    const check = async (): Promise<void> => {
      const origin = this.origin;
      if (generation !== this.generation || origin === undefined) return;
      const answered = await (this.options.fetch ?? fetch)(`${origin}/`, { method: 'HEAD', signal: AbortSignal.timeout(Math.max(interval, 5_000)) }).then(
        (response) => response.status < 500,
        () => false,
      );
      if (generation !== this.generation) return;
      // A relay moving to another address is not answering at the old one; that is no crash.
      if (!answered && (this.relocating > 0 || this.movePending())) return;
      this.missedChecks = answered ? 0 : this.missedChecks + 1;
      if (this.missedChecks >= threshold) await this.crashed('it stopped answering on its port');
    };
    let running = false;
    this.healthTimer = setInterval(() => {
      if (running) return;
      running = true;
      void check().finally(() => (running = false));
    }, interval);
    this.healthTimer.unref();
  }

  private async shutdown(status: RelayHostStatus): Promise<void> {
    this.generation++;
    this.clearTimers();
    this.failure = undefined;
    await this.closeCurrent();
    this.setState(status);
  }

  private async closeCurrent(): Promise<void> {
    this.generation++;
    this.clearTimers();
    this.detach?.();
    this.detach = undefined;
    const relay = this.current;
    this.current = undefined;
    this.currentAddress = undefined;
    await relay?.close().catch((error: unknown) => this.options.logger?.warn(`Closing the relay failed: ${String(error)}`));
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearInterval(this.healthTimer);
    this.retryTimer = this.healthTimer = undefined;
  }

  private setState(status: RelayHostStatus): void {
    if (status === this.state && status !== 'error') return;
    this.state = status;
    this.emit('change');
  }
}

/** A start that a pause, stop or newer start overtook. */
class Superseded extends Error {}
