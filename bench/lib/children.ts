/** Starting the proxies under test as child processes and talking to them over IPC. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildMessage, ProcessStats } from '../servers/ipc.js';

export interface ServerChild {
  name: string;
  port: number;
  origin: string;
  /** performance.now() marks the child reported (ms since its own start). */
  marks: Record<string, number>;
  /** The child's CPU time and memory; `gc` collects garbage first (children run with --expose-gc). */
  stats(gc?: boolean): Promise<ProcessStats>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  execArgv?: string[];
  /** Give up when the child is not ready in time. */
  timeoutMs?: number;
  /** Show the child's stdout (e.g. a V8 trace) instead of discarding it. */
  showStdout?: boolean;
}

function spawnNode(script: string, args: string[], execArgv: string[]): ChildProcess {
  return spawn(process.execPath, [...execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } });
}

export async function startServer(name: string, script: string, args: string[], options: SpawnOptions = {}): Promise<ServerChild> {
  const child = spawnNode(script, args, ['--expose-gc', ...(options.execArgv ?? [])]);
  if (options.showStdout) child.stdout?.pipe(process.stdout);
  else child.stdout?.resume();
  let nextId = 1;
  const pending = new Map<number, (stats: ProcessStats) => void>();
  const ready = new Promise<{ port: number; marks: Record<string, number> }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after ${options.timeoutMs ?? 15_000} ms`)), options.timeoutMs ?? 15_000);
    child.on('message', (raw: unknown) => {
      const message = raw as ChildMessage;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({ port: message.port, marks: message.marks });
      } else if (message.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${name} failed to start: ${message.message}`));
      } else if (message.type === 'stats') {
        pending.get(message.id)?.(message.stats);
        pending.delete(message.id);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code}`));
    });
  });
  const { port, marks } = await ready;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    port,
    origin: `http://127.0.0.1:${port}`,
    marks,
    stats(gc = false) {
      const id = nextId++;
      return new Promise<ProcessStats>((resolve, reject) => {
        pending.set(id, resolve);
        if (!child.send({ type: 'stats', id, gc })) reject(new Error(`${name}: IPC channel closed`));
      });
    },
    async stop() {
      if (child.exitCode === null && child.connected) child.send({ type: 'exit' });
      const timeout = sleep(5_000).then(() => {
        if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
      });
      await Promise.race([exited, timeout]);
    },
  };
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface StartupSample {
  /** From spawn() to the first accepted TCP connection, ms. */
  portOpenMs: number;
  /** The child's own marks: ms since its process started (module entry, imports done, createRelay done, listening). */
  marks: Record<string, number>;
}

/** Spawns `script` listening on a fixed port and polls until the port accepts a connection. */
export async function measureStartup(script: string, args: (port: number) => string[]): Promise<StartupSample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnNode(script, args(port), []);
  child.stdout?.resume();
  let marks: Record<string, number> = {};
  let failure: string | undefined;
  child.on('message', (raw: unknown) => {
    const message = raw as ChildMessage;
    if (message.type === 'ready') marks = message.marks;
    if (message.type === 'error') failure = message.message;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let portOpenMs: number | undefined;
  while (portOpenMs === undefined) {
    if (failure !== undefined || child.exitCode !== null) throw new Error(`startup run failed: ${failure ?? `exit ${child.exitCode}`}`);
    if (performance.now() - started > 15_000) throw new Error('startup run: port not open after 15 s');
    if (await tryConnect(port)) portOpenMs = performance.now() - started;
    else await sleep(1);
  }
  // Wait for the ready message (sent right after listening) so the marks are complete.
  for (let i = 0; i < 500 && marks.listening === undefined; i++) await sleep(2);
  child.send({ type: 'exit' });
  await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  return { portOpenMs, marks };
}
