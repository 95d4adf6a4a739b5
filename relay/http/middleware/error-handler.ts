import type { ErrorRequestHandler } from 'express';
import { RelayError, invalidRequest, toRelayError } from '../../core/errors.js';
import { encodeError as encodeOpenAiError } from '../../protocols/openai/index.js';
import { AbortedError } from '../../streams/abort.js';
import { bodyParserError } from './json-body.js';

export interface ErrorLogger {
  error(message: string): void;
}

/** A wire's error shape: which request paths speak it, and how it renders a RelayError. */
export interface ErrorDialect {
  matches(request: { path: string; headers: Record<string, string | string[] | undefined> }): boolean;
  encode(error: RelayError): { status: number; headers: Record<string, string>; body: unknown };
}

/**
 * The one place errors become responses: every failure, from a bad body to a crashed handler,
 * leaves as JSON in the caller's protocol with the right status; never an HTML page or a stack.
 */
export function errorHandler(logger: ErrorLogger, dialects: readonly ErrorDialect[] = []): ErrorRequestHandler {
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
    // Each wire's clients get errors in their own shape; everything else speaks OpenAI's.
    const dialect = dialects.find((candidate) => candidate.matches(request));
    const encoded = dialect ? dialect.encode(error) : encodeOpenAiError(error);
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
