import type { ErrorKind } from '../core/errors.js';

/**
 * What the dispatcher does after a failed attempt, decided by the error's kind alone. Health is
 * scoped to the cause: a key problem moves to the next key, a provider or model problem to the
 * next candidate, and a problem with the request itself goes back to the client unchanged.
 */
export type FallbackAction =
  | 'next-key' // this key is resting or rejected; another key may serve the same model
  | 'next-candidate' // this provider/model is unwell; try the next route
  | 'give-up'; // the request itself is at fault: no other upstream would answer differently

export function fallbackAction(kind: ErrorKind): FallbackAction {
  switch (kind) {
    case 'rate-limited':
    case 'upstream-auth':
    case 'upstream-payment':
      return 'next-key';
    case 'upstream-server':
    case 'upstream-network':
    case 'upstream-timeout':
    case 'upstream-bad-response':
    case 'upstream-not-found':
      return 'next-candidate';
    default:
      return 'give-up';
  }
}
