import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import { adminLinkExchange } from '../admin/auth.js';
import type { RelayService } from '../core/relay-service.js';
import { anthropicWire } from '../protocols/anthropic/index.js';
import { ollamaWire } from '../protocols/ollama/index.js';
import { CHAT_COMPLETIONS_PATHS, chatCompletions, openAiRoutes } from '../protocols/openai/index.js';
import { responsesWire } from '../protocols/responses/index.js';
import { dashboard } from './dashboard.js';
import { bodyCapture, captureRequestBody, type BodyCaptureOptions } from './middleware/body-capture.js';
import { errorHandler, notFound, type ErrorDialect, type ErrorLogger } from './middleware/error-handler.js';
import { asHandler, hotPath } from './middleware/hot-path.js';
import { jsonBody } from './middleware/json-body.js';
import { localSafety } from './middleware/local-safety.js';
import { relayToken } from './middleware/relay-token.js';
import { requestId } from './middleware/request-id.js';
import { sequence } from './middleware/sequence.js';
import { wireRoutes } from './middleware/wire-routes.js';

export interface AppDependencies {
  service: RelayService;
  logger: ErrorLogger;
  allowedHosts: () => readonly string[];
  allowedOrigins: () => readonly string[];
  bodyLimitBytes: () => number;
  relayToken: () => string | undefined;
  /** The admin API, mounted at /admin behind its own credential. */
  admin?: RequestHandler;
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

  // Every request passes these two stages, each joined into one router layer.
  const gate = sequence(requestId(), localSafety({ allowedHosts: deps.allowedHosts, allowedOrigins: deps.allowedOrigins }));
  const body = jsonBody({
    limitBytes: deps.bodyLimitBytes,
    lenientContentType: (path) => wires.some((wire) => wire.lenientContentType?.(path) === true),
    ...(deps.requestBodies ? { onBody: captureRequestBody } : {}),
  });
  const relayStage = sequence(relayToken(deps.relayToken), ...(deps.requestBodies ? [bodyCapture(deps.requestBodies)] : []), body);
  const claimedByWire = (request: Request) => wires.some((wire) => wire.errors.matches(request));

  // The most frequent request, an OpenAI chat completion, runs the same stages and handler as the
  // routes below, in the same order, without walking a dozen router layers to reach them.
  app.use(hotPath({ paths: CHAT_COMPLETIONS_PATHS, claimed: claimedByWire, run: sequence(gate, relayStage, asHandler(chatCompletions(deps.service))) }));

  app.use(gate);

  // Connection probes (Claude Code sends HEAD /) need no token and reveal nothing.
  app.head('/', (_request, response) => {
    response.status(200).end();
  });
  // The dashboard link, traded for the admin cookie; without `?admin` this passes on.
  if (deps.adminToken) app.get('/', adminLinkExchange(deps.adminToken));
  if (deps.serveDashboard !== false) {
    // The dashboard only answers reads (and OPTIONS about them); relayed requests need not walk its routes.
    const page = dashboard(deps.dashboardDir);
    app.use((request, response, next) => (request.method === 'POST' ? next() : page(request, response, next)));
  }
  // Ollama clients (Open WebUI and others) check this exact answer to find a server.
  app.get('/', (_request, response) => {
    response.type('text/plain').send('Ollama is running');
  });

  if (deps.admin) app.use('/admin', express.json({ limit: '1mb' }), deps.admin);

  app.use(relayStage);
  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (_request, response) => {
      const { contentType, body: text } = await metrics();
      response.type(contentType).send(text);
    });
  }
  // A wire's router only sees the requests its dialect speaks for: the hot OpenAI path does not
  // walk every other wire's routes.
  app.use(wireRoutes(wires.map((wire) => ({ matches: wire.errors.matches, router: wire.routes(deps.service) }))));
  app.use(openAiRoutes(deps.service));

  app.use(notFound());
  app.use(errorHandler(deps.logger, wires.map((wire) => wire.errors)));
  return app;
}
