import type { ApiErrorBody } from '../admin/dto.js';

/** The admin API of a running relay said no; its message is meant for the user. */
export class AdminApiError extends Error {
  constructor(message: string, readonly status: number, readonly code: string | null) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/**
 * A small client for a running relay's admin API, authenticated with the per-install admin
 * token. Loopback only in practice: the CLI finds the relay through the runtime file.
 */
export class AdminClient {
  constructor(
    readonly origin: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.origin}/admin${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new AdminApiError(`The running relay at ${this.origin} did not answer (${reason}).`, 0, null);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as Partial<ApiErrorBody> | undefined)?.error;
      throw new AdminApiError(error?.message ?? `The relay answered ${response.status}.`, response.status, error?.code ?? null);
    }
    return parsed as T;
  }
}
