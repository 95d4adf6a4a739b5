import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { RelayError } from '../../core/errors.js';

/**
 * The credentials a client presented, from every header the known SDKs use. A client may send a
 * dummy in one (`Authorization: Bearer ollama`) and the real token in another, so all count.
 */
export function presentedTokens(headers: Record<string, string | string[] | undefined>): string[] {
  const tokens: string[] = [];
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) tokens.push(match[1].trim());
  }
  for (const name of ['x-api-key', 'api-key']) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim() !== '') tokens.push(value.trim());
  }
  return tokens;
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
    const presented = presentedTokens(request.headers);
    if (!presented.some((token) => tokensMatch(token, expected))) {
      next(new RelayError(presented.length === 0 ? 'This relay requires its token: send it as `Authorization: Bearer <token>`.' : 'The relay token is wrong.', {
        status: 401,
        kind: 'unauthorized',
        code: 'invalid_api_key',
      }));
      return;
    }
    next();
  };
}
