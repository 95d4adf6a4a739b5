import express, { type Express, type Router } from 'express';
import type { RelayService } from '../core/relay-service.js';
import { openAiRoutes } from '../protocols/openai/index.js';
import { errorHandler, notFound, type ErrorLogger } from './middleware/error-handler.js';
import { jsonBody } from './middleware/json-body.js';
import { localSafety } from './middleware/local-safety.js';
import { relayToken } from './middleware/relay-token.js';
import { requestId } from './middleware/request-id.js';

export interface AppDependencies {
  service: RelayService;
  logger: ErrorLogger;
  allowedHosts: () => readonly string[];
  allowedOrigins: () => readonly string[];
  bodyLimitBytes: () => number;
  relayToken: () => string | undefined;
  /** The admin API, mounted at /admin behind its own credential. */
  admin?: Router;
  /** Prometheus text for `/metrics`. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('env', 'production');
  app.set('etag', false);

  app.use(requestId());
  app.use(localSafety({ allowedHosts: deps.allowedHosts, allowedOrigins: deps.allowedOrigins }));

  // Connection probes (Claude Code sends HEAD /) need no token and reveal nothing.
  app.head('/', (_request, response) => {
    response.status(200).end();
  });
  app.get('/', (_request, response) => {
    response.type('text/plain').send('Switchboard is running.\n');
  });

  if (deps.admin) app.use('/admin', express.json({ limit: '1mb' }), deps.admin);

  app.use(relayToken(deps.relayToken));
  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (_request, response) => {
      const { contentType, body } = await metrics();
      response.type(contentType).send(body);
    });
  }
  app.use(jsonBody({ limitBytes: deps.bodyLimitBytes }));
  app.use(openAiRoutes(deps.service));

  app.use(notFound());
  app.use(errorHandler(deps.logger));
  return app;
}
