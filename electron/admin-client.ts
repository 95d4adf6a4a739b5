import type { ApiErrorBody, IntegrationApplyResponse, IntegrationsResponse, IntegrationView } from '../relay/admin/dto.js';

/** Where the running relay answers and the admin token it accepts. */
export interface AdminConnection {
  origin: string;
  token: string;
}

/** An admin API call that failed, with the relay's own message when it sent one. */
export class AdminRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'AdminRequestError';
  }
}

/**
 * The few admin API calls the tray makes, over HTTP like the dashboard's (the main process is
 * just another admin client, with the token as `Authorization: Bearer`). Keeps electron/ on the
 * relay's public surface instead of its internals.
 */
export class DesktopAdminClient {
  constructor(
    private readonly connection: () => AdminConnection | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Every client Switchboard can configure and its state on this machine. */
  async integrations(): Promise<IntegrationView[]> {
    return (await this.call<IntegrationsResponse>('GET', '/admin/integrations')).integrations;
  }

  /** Points one client (`opencode`, `openclaw`, ...) at the relay, as the dashboard's Apply does. */
  applyIntegration(id: string): Promise<IntegrationApplyResponse> {
    return this.call<IntegrationApplyResponse>('POST', `/admin/integrations/${encodeURIComponent(id)}/apply`, {});
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const connection = this.connection();
    if (!connection) throw new AdminRequestError('The relay is not running.', undefined);
    let response: Response;
    try {
      response = await this.fetchImpl(`${connection.origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${connection.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new AdminRequestError(`The relay did not answer: ${error instanceof Error ? error.message : String(error)}`, undefined);
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
      throw new AdminRequestError(error?.message ?? `The relay answered ${response.status}.`, response.status, error?.code ?? null);
    }
    return parsed as T;
  }
}
