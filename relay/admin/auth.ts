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

export const ADMIN_COOKIE = 'switchboard_admin';

/**
 * The dashboard link (`GET /?admin=<token>`, as `switchboard serve` prints it) traded for the
 * HttpOnly admin cookie: the right token sets the cookie and redirects (303) to `/` without the
 * query, so the token leaves the address bar and history; a wrong one is 401 and sets nothing.
 * Plain http on loopback, so no `Secure`. Requests to `/` without `?admin` pass on untouched.
 */
export function adminLinkExchange(adminToken: () => string): RequestHandler {
  return function exchangeAdminLink(request, response, next) {
    const query = request.originalUrl.indexOf('?');
    const params = new URLSearchParams(query < 0 ? '' : request.originalUrl.slice(query + 1));
    if (!params.has('admin')) {
      next();
      return;
    }
    const presented = params.getAll('admin');
    const token = adminToken();
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Referrer-Policy', 'no-referrer');
    const [only] = presented;
    if (presented.length !== 1 || only === undefined || !equal(only, token) || !/^[A-Za-z0-9_-]+$/.test(token)) {
      response.status(401).type('text/plain').send('This admin link is not valid for this relay. Open the link the relay printed, or read the token from the admin-token file.');
      return;
    }
    response.setHeader('Set-Cookie', `${ADMIN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    response.setHeader('Location', '/');
    response.status(303).type('text/plain').send('See /');
  };
}

function equal(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
