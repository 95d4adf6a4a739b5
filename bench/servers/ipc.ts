/**
 * The child side of the bench's side channel. Every proxy under test runs in its own process so
 * its CPU time and RSS are its own; the parent asks for them over the IPC channel that
 * `child_process.fork`/`spawn(..., { stdio: [..., 'ipc'] })` opens.
 */
import { performance } from 'node:perf_hooks';

export interface ProcessStats {
  /** Microseconds of CPU (user + system) since the process started. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Kernel high-water mark of the resident set, bytes. */
  maxRss: number;
  /** Milliseconds since the process started (performance.now()). */
  uptimeMs: number;
}

export type ParentMessage = { type: 'stats'; id: number; gc?: boolean } | { type: 'exit' };
export type ChildMessage =
  | { type: 'ready'; port: number; marks: Record<string, number> }
  | { type: 'stats'; id: number; stats: ProcessStats }
  | { type: 'error'; message: string };

export function processStats(): ProcessStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    maxRss: process.resourceUsage().maxRSS * 1024,
    uptimeMs: performance.now(),
  };
}

function send(message: ChildMessage): void {
  if (process.send) process.send(message);
}

/**
 * Announces the listening port (on stdout and over IPC) and answers stats requests. `close`
 * shuts the server down when the parent says so or goes away.
 */
export function serveSideChannel(port: number, marks: Record<string, number>, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('message', (raw: unknown) => {
    const message = raw as ParentMessage;
    if (message.type === 'stats') {
      if (message.gc && typeof globalThis.gc === 'function') globalThis.gc();
      send({ type: 'stats', id: message.id, stats: processStats() });
    } else if (message.type === 'exit') {
      shutdown();
    }
  });
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
  process.stdout.write(`PORT ${port}\n`);
  send({ type: 'ready', port, marks });
}

export function failStartup(error: unknown): never {
  const message = error instanceof Error ? error.stack ?? error.message : String(error);
  send({ type: 'error', message });
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** `--name value` from argv. */
export function argument(name: string, fallback?: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`missing --${name}`);
}
