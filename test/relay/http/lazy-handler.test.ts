import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { lazyHandler } from '../../../relay/http/middleware/lazy-handler.js';

describe('lazyHandler', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  async function serve(handler: RequestHandler): Promise<string> {
    const app = express();
    app.use('/lazy', handler);
    const onError: ErrorRequestHandler = (error: Error, _request, response, _next) => {
      response.status(500).json({ error: error.message });
    };
    app.use(onError);
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/lazy`;
  }

  it('loads on the first request only, and concurrent first requests share one load', async () => {
    let loads = 0;
    const url = await serve(
      lazyHandler(async () => {
        loads += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return (request, response) => {
          response.json({ path: request.path });
        };
      }),
    );
    expect(loads).toBe(0);
    const answers = await Promise.all([fetch(`${url}/a`), fetch(`${url}/b`)]);
    expect(await Promise.all(answers.map((answer) => answer.json()))).toEqual([{ path: '/a' }, { path: '/b' }]);
    expect(await (await fetch(`${url}/c`)).json()).toEqual({ path: '/c' });
    expect(loads).toBe(1);
  });

  it('passes an error the loaded handler throws to the error handler', async () => {
    const url = await serve(
      lazyHandler(async () => () => {
        throw new Error('handler broke');
      }),
    );
    const answer = await fetch(url);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ error: 'handler broke' });
  });

  it('passes a failed load to the error handler and tries again on the next request', async () => {
    let attempts = 0;
    const url = await serve(
      lazyHandler(async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('module missing');
        return (_request, response) => {
          response.json({ ok: true });
        };
      }),
    );
    const failed = await fetch(url);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'module missing' });
    expect(await (await fetch(url)).json()).toEqual({ ok: true });
    expect(attempts).toBe(2);
  });
});
