import type { RequestHandler } from 'express';
import { randomId } from '../../core/ids.js';

/** Gives every request an id, echoed as `x-request-id` and used in the request log. */
export function requestId(): RequestHandler {
  return function assignRequestId(_request, response, next) {
    const id = `req_${randomId(20)}`;
    response.locals.requestId = id;
    response.setHeader('x-request-id', id);
    next();
  };
}
