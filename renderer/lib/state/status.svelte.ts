import type { StatusResponse } from '../../../relay/admin/dto.js';
import { admin } from '../api/admin-client.js';

/** The relay's overall state, as GET /admin/status and each event snapshot tell it. */
class StatusState {
  current = $state.raw<StatusResponse | null>(null);

  readonly hasProviders = $derived((this.current?.readyProviders.length ?? 0) > 0);

  set(status: StatusResponse): void {
    this.current = status;
  }

  async refresh(): Promise<void> {
    this.current = await admin.get<StatusResponse>('/status');
  }
}

export const status = new StatusState();
