import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Several middleware as one Express layer: each runs when the one before it calls `next()`, and
 * an error skips the rest, as in the router. Every layer the router walks costs a few
 * allocations per request; the ones every relayed request passes are joined with this.
 */
export function sequence(...handlers: RequestHandler[]): RequestHandler {
  return function runSequence(request: Request, response: Response, next: NextFunction): void {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null) {
        next(error);
        return;
      }
      const handler = handlers[index++];
      if (handler === undefined) {
        next();
        return;
      }
      try {
        const result: unknown = handler(request, response, step);
        // Express 5 passes a rejected promise on as an error; so does this.
        if (result instanceof Promise) result.catch((reason: unknown) => next(reason ?? new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
