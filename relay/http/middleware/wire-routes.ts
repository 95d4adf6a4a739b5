import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

export interface WireRouter {
  /** Whether a request speaks this wire (by path or headers). */
  matches(request: Request): boolean;
  router: Router;
}

/**
 * Hands a request to the first wire that claims it; when that wire's router has no route for it,
 * to the next wire that claims it, and then on. One layer for every wire, and a request no wire
 * claims (most of them: the OpenAI wire is mounted after) costs a few checks.
 */
export function wireRoutes(wires: readonly WireRouter[]): RequestHandler {
  return function routeByWire(request: Request, response: Response, next: NextFunction): void {
    let index = 0;
    const tryNext = (error?: unknown): void => {
      if (error !== undefined && error !== null && error !== 'router' && error !== 'route') {
        next(error);
        return;
      }
      while (index < wires.length) {
        const wire = wires[index++] as WireRouter;
        if (wire.matches(request)) {
          wire.router(request, response, tryNext);
          return;
        }
      }
      next();
    };
    tryNext();
  };
}
