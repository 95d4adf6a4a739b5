import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import { appMessageClasses } from './app-messages.js';

export class PortInUseError extends Error {
  constructor(readonly host: string, readonly port: number) {
    super(`Port ${port} on ${host} is already in use (is Switchboard already running? try \`switchboard status\`). Choose another with --port or server.port.`);
    this.name = 'PortInUseError';
  }
}

export interface RunningServer {
  server: Server;
  host: string;
  port: number;
  /** Stops at once, cutting requests in flight. */
  close(): Promise<void>;
  /**
   * Stops accepting connections at once (the address is free again when this returns) and
   * resolves once the requests in flight have finished, or after `graceMs`, when what is
   * left is cut.
   */
  drain(graceMs: number): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Listens on an explicit host (never the unspecified address by accident) and closes gracefully. */
export function listen(app: Express, host: string, port: number): Promise<RunningServer> {
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0, ...appMessageClasses(app) }, app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      let closed: Promise<void> | undefined;
      let sweeper: NodeJS.Timeout | undefined;
      let cutter: NodeJS.Timeout | undefined;
      const cut = () => {
        // Streams in flight are cut: their upstream calls abort with them.
        for (const socket of sockets) socket.destroy();
      };
      const stop = (): Promise<void> => {
        closed ??= new Promise<void>((done) => {
          server.close(() => {
            clearInterval(sweeper);
            clearTimeout(cutter);
            done();
          });
        });
        return closed;
      };
      resolve({
        server,
        host,
        port: address.port,
        close: () => {
          const stopped = stop();
          cut();
          return stopped;
        },
        drain: (graceMs) => {
          const stopped = stop();
          // Keep-alive connections between requests would hold the server open: close each one
          // as soon as it is idle, whatever is streaming on the others.
          server.closeIdleConnections();
          sweeper ??= setInterval(() => server.closeIdleConnections(), 250);
          sweeper.unref();
          cutter ??= setTimeout(cut, graceMs);
          cutter.unref();
          return stopped;
        },
      });
    });
  });
}
