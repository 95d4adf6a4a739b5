/** The floor: a bare node:http server forwarding every request to the upstream. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createForwarder, failRequest } from './forward.js';
import { argument, failStartup, serveSideChannel } from './ipc.js';

try {
  const forward = createForwarder(argument('upstream'));
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, (req, res) => {
    forward(req, res).catch((error: unknown) => failRequest(res, error));
  });
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
