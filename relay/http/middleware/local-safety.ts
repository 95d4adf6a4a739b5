import type { RequestHandler } from 'express';
import { RelayError } from '../../core/errors.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface LocalSafetyOptions {
  /** Extra Host names the user allowed (LAN mode), lower-case, without port. */
  allowedHosts: () => readonly string[];
  /** Browser origins allowed to call relay endpoints (exact, e.g. `https://chat.example`). */
  allowedOrigins: () => readonly string[];
}

/** The host name of a Host header, lower-cased and without its port; undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim().toLowerCase();
  // Whatever follows the name must be a port and nothing else: `localhost:x evil` is no Host.
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 && /^(:\d{1,5})?$/.test(value.slice(end + 1)) ? value.slice(0, end + 1) : undefined;
  }
  const match = /^([a-z0-9.-]+)(:\d{1,5})?$/.exec(value);
  return match?.[1];
}

/**
 * Loopback is not a security boundary: a web page can reach 127.0.0.1 through DNS rebinding (a
 * foreign Host) or a cross-site request (a foreign Origin). Both are refused before any handler
 * runs, so no page can read the relay or spend the user's quota.
 */
export function localSafety(options: LocalSafetyOptions): RequestHandler {
  return function refuseForeignCallers(request, _response, next) {
    const host = hostName(request.headers.host);
    if (!host || (!LOOPBACK_NAMES.has(host) && !options.allowedHosts().includes(host))) {
      next(new RelayError(`Refused: the Host '${String(request.headers.host ?? '').slice(0, 100)}' is not this relay's. Add it to server.allowedHosts to use the relay under that name.`, { status: 403, kind: 'forbidden', code: 'host_not_allowed' }));
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const own = [`http://${request.headers.host ?? ''}`.toLowerCase()];
      if (!own.includes(origin.toLowerCase()) && !options.allowedOrigins().includes(origin)) {
        next(new RelayError(`Refused: requests from the web origin '${origin.slice(0, 100)}' are not allowed. Add it to server.allowedOrigins to allow it.`, { status: 403, kind: 'forbidden', code: 'origin_not_allowed' }));
        return;
      }
    } else {
      const site = request.headers['sec-fetch-site'];
      if ((site === 'cross-site' || site === 'same-site') && !isPageNavigation(request.method, request.originalUrl, request.headers['sec-fetch-mode'])) {
        next(new RelayError('Refused: cross-site browser requests are not allowed.', { status: 403, kind: 'forbidden', code: 'origin_not_allowed' }));
        return;
      }
    }
    next();
  };
}

/**
 * Opening the dashboard page itself from elsewhere: after the relay moved to another port the
 * browser calls that navigation same-site, and a bookmark or a link from another page is
 * cross-site. A top-level GET of the page reads nothing a foreign page could see (the answer goes
 * to the window, not to the linking page) and changes nothing, so it may pass. Only the bare
 * page: the one-time admin link (`/?admin=`) still has to be opened directly.
 */
function isPageNavigation(method: string, url: string, mode: string | string[] | undefined): boolean {
  return mode === 'navigate' && (method === 'GET' || method === 'HEAD') && (url === '/' || url === '/index.html');
}
