import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { RelayError } from '../../core/errors.js';

/** The credential a client presented, from any header the known SDKs use. */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  for (const name of ['x-api-key', 'api-key']) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

export function tokensMatch(presented: string, expected: string): boolean {
  // Equal-length digests make the comparison constant-time whatever the inputs' lengths.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * When a relay token is set, every relay endpoint requires it. Without one, any local client
 * may call (local clients often send dummy keys such as "ollama" or "sk-dummy"; those are fine).
 */
export function relayToken(currentToken: () => string | undefined): RequestHandler {
  return function checkRelayToken(request, _response, next) {
    const expected = currentToken();
    if (expected === undefined) {
      next();
      return;
    }
    const presented = presentedToken(request.headers);
    if (presented === undefined || !tokensMatch(presented, expected)) {
      next(new RelayError(presented === undefined ? 'This relay requires its token: send it as `Authorization: Bearer <token>`.' : 'The relay token is wrong.', {
        status: 401,
        kind: 'unauthorized',
        code: 'invalid_api_key',
      }));
      return;
    }
    next();
  };
}
