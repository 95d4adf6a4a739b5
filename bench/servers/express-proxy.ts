/** The floor for an Express relay: Express 5 routing in front of the same pass-through forwarding. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { createForwarder, failRequest } from './forward.js';
import { argument, failStartup, serveSideChannel } from './ipc.js';

try {
  const forward = createForwarder(argument('upstream'));
  const app = express();
  app.disable('x-powered-by');
  app.set('env', 'production');
  app.set('etag', false);
  app.post(['/v1/chat/completions', '/chat/completions'], (req, res) => {
    forward(req, res).catch((error: unknown) => failRequest(res, error));
  });
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(argument('port', '0')), '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  serveSideChannel(port, { listening: performance.now() }, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
} catch (error) {
  failStartup(error);
}
