import express, { type Express, type Router } from 'express';
import { adminLinkExchange } from '../admin/auth.js';
import type { RelayService } from '../core/relay-service.js';
import { anthropicWire } from '../protocols/anthropic/index.js';
import { ollamaWire } from '../protocols/ollama/index.js';
import { openAiRoutes } from '../protocols/openai/index.js';
import { responsesWire } from '../protocols/responses/index.js';
import { dashboard } from './dashboard.js';
import { bodyCapture, captureRequestBody, type BodyCaptureOptions } from './middleware/body-capture.js';
import { errorHandler, notFound, type ErrorDialect, type ErrorLogger } from './middleware/error-handler.js';
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
  /** The admin token, to trade the dashboard link (`/?admin=<token>`) for the admin cookie. */
  adminToken?: () => string;
  /** The built dashboard's folder, served at `/`; undefined when it is not built (the page says so). */
  dashboardDir?: string | undefined;
  /** Serve the dashboard at all (default true). */
  serveDashboard?: boolean;
  /** Prometheus text for `/metrics`. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Where relayed request and answer bodies are kept, when the settings ask for it. */
  requestBodies?: BodyCaptureOptions;
}

/**
 * The inbound wires besides OpenAI's. Each contributes its routes (mounted before OpenAI's, so a
 * wire can claim a shared path such as `/v1/models` by its headers) and its error dialect.
 */
export interface WireMount {
  name: string;
  routes: (service: RelayService) => Router;
  errors: ErrorDialect;
  /** Paths whose clients may post JSON without a JSON content type when no browser is involved. */
  lenientContentType?: (path: string) => boolean;
}

const wires: WireMount[] = [
  anthropicWire,
  responsesWire,
  ollamaWire,
];

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
  // The dashboard link, traded for the admin cookie; without `?admin` this passes on.
  if (deps.adminToken) app.get('/', adminLinkExchange(deps.adminToken));
  if (deps.serveDashboard !== false) app.use(dashboard(deps.dashboardDir));
  // Ollama clients (Open WebUI and others) check this exact answer to find a server.
  app.get('/', (_request, response) => {
    response.type('text/plain').send('Ollama is running');
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
  if (deps.requestBodies) app.use(bodyCapture(deps.requestBodies));
  app.use(
    jsonBody({
      limitBytes: deps.bodyLimitBytes,
      lenientContentType: (path) => wires.some((wire) => wire.lenientContentType?.(path) === true),
      ...(deps.requestBodies ? { onBody: captureRequestBody } : {}),
    }),
  );
  for (const wire of wires) {
    const router = wire.routes(deps.service);
    // A wire's router only sees the requests its dialect speaks for: the hot OpenAI path does
    // not walk every other wire's routes.
    app.use((request, response, next) => (wire.errors.matches(request) ? router(request, response, next) : next()));
  }
  app.use(openAiRoutes(deps.service));

  app.use(notFound());
  app.use(errorHandler(deps.logger, wires.map((wire) => wire.errors)));
  return app;
}
