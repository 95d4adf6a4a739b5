import type { ErrorRequestHandler } from 'express';
import { RelayError, invalidRequest, toRelayError } from '../../core/errors.js';
import { encodeError as encodeOpenAiError } from '../../protocols/openai/index.js';
import { AbortedError } from '../../streams/abort.js';
import { bodyParserError } from './json-body.js';

export interface ErrorLogger {
  error(message: string): void;
}

/**
 * The one place errors become responses: every failure, from a bad body to a crashed handler,
 * leaves as JSON in the caller's protocol with the right status; never an HTML page or a stack.
 */
export function errorHandler(logger: ErrorLogger): ErrorRequestHandler {
  return function renderError(thrown, request, response, _next) {
    if (thrown instanceof AbortedError) {
      if (!response.writableEnded) response.end();
      return;
    }
    const error: RelayError = bodyParserError(thrown) ?? routerError(thrown) ?? toRelayError(thrown);
    if (error.kind === 'internal') {
      const detail = thrown instanceof Error ? thrown.stack ?? thrown.message : String(thrown);
      logger.error(`Internal error on ${request.method} ${request.path}: ${detail}`);
    }
    if (response.headersSent) {
      if (!response.writableEnded) response.end();
      return;
    }
    const encoded = encodeOpenAiError(error);
    if (error.attempts.length > 0) response.setHeader('x-switchboard-attempts', String(error.attempts.length));
    response.status(encoded.status).set(encoded.headers).json(encoded.body);
  };
}

/**
 * Express's router throws a URIError (marked 400) when a path parameter is not valid
 * percent-encoding (`/v1/models/%E0%A4%A`); that is the client's mistake, not a 500.
 */
function routerError(thrown: unknown): RelayError | undefined {
  if (thrown instanceof URIError) return invalidRequest('The request path contains a malformed percent-encoding.');
  return undefined;
}

export function notFound(): (request: { method: string; path: string }, response: unknown, next: (error: unknown) => void) => void {
  return function unknownEndpoint(request, _response, next) {
    next(new RelayError(`Unknown endpoint: ${request.method} ${request.path.slice(0, 200)}.`, { status: 404, kind: 'not-found', code: 'unknown_url' }));
  };
}
