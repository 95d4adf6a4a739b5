import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { RelayError } from '../core/errors.js';

/**
 * The admin API's credential: the per-install admin token as `Authorization: Bearer`, or the
 * HttpOnly admin cookie the dashboard gets. Browsers from other origins were already refused
 * by the local-safety middleware; this refuses other local software too.
 */
export function adminAuth(adminToken: () => string): RequestHandler {
  return function requireAdmin(request, _response, next) {
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]?.trim() : undefined;
    const cookie = /(?:^|;\s*)switchboard_admin=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    const presented = bearer ?? cookie;
    if (presented === undefined || !equal(presented, adminToken())) {
      next(new RelayError('The admin API needs the admin token.', { status: 401, kind: 'unauthorized', code: 'admin_auth_required' }));
      return;
    }
    next();
  };
}

function equal(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
