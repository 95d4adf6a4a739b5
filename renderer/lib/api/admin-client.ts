import type { ApiErrorBody } from '../../../relay/admin/dto.js';

/** An admin API call that failed: the relay's own message, its HTTP status and error code. */
export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }

  /** The page has no admin cookie (or a stale one): only the relay's link can fix that. */
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The dashboard's only way to the relay: same-origin requests to /admin, authenticated by the
 * HttpOnly admin cookie the browser sends by itself. The page never holds a credential.
 */
export async function adminRequest<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/admin${path}`, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new AdminApiError('The relay is not reachable. Is Switchboard still running?', 0, 'unreachable');
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const error = (parsed as Partial<ApiErrorBody> | undefined)?.error;
    throw new AdminApiError(error?.message ?? `The relay answered ${response.status}.`, response.status, error?.code ?? null);
  }
  return parsed as T;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const admin = {
  get: <T>(path: string, signal?: AbortSignal) => adminRequest<T>('GET', path, undefined, signal),
  post: <T>(path: string, body: unknown = {}) => adminRequest<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => adminRequest<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => adminRequest<T>('PATCH', path, body),
  delete: <T>(path: string) => adminRequest<T>('DELETE', path),
};

/** A message for the user from anything an action threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
