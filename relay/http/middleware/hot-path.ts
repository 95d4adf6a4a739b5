import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface HotPathOptions {
  /** The exact paths (as routed: no trailing slash, this case) that take the hot path. */
  paths: readonly string[];
  /** Requests another wire claims (by path or headers) go the long way, to that wire. */
  claimed: (request: Request) => boolean;
  /** The stages and the route handler the long way would run for these requests, joined. */
  run: RequestHandler;
}

/**
 * A shortcut through the app for its most frequent request: a POST to one of `paths` runs `run`
 * directly instead of walking every router layer before its route. Only requests the long way
 * would send to the same stages and handler take it (the layers in between do nothing for a
 * POST there); anything else — other methods, a path in another case or with a trailing slash,
 * a request another wire claims — passes on unchanged. Errors go to `next`, where the app's
 * error handler renders them as it renders the long way's.
 */
export function hotPath(options: HotPathOptions): RequestHandler {
  const paths = new Set(options.paths);
  return function takeHotPath(request: Request, response: Response, next: NextFunction): void {
    if (request.method !== 'POST' || !paths.has(request.path) || options.claimed(request)) {
      next();
      return;
    }
    options.run(request, response, next);
  };
}

/** A route handler (which never calls `next`) as middleware: a rejection goes to `next`, as in the router. */
export function asHandler(handler: (request: Request, response: Response) => Promise<void>): RequestHandler {
  return function runHandler(request: Request, response: Response, next: NextFunction): void {
    handler(request, response).catch((reason: unknown) => next(reason ?? new Error('Rejected promise')));
  };
}
