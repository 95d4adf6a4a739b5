import type {
  IntegrationApplyResponse,
  IntegrationPreviewResponse,
  IntegrationSnippetsResponse,
  IntegrationsResponse,
  IntegrationTargetView,
  IntegrationUndoResponse,
  IntegrationView,
} from '../../../relay/admin/dto.js';
import { admin } from '../api/admin-client.js';

/**
 * The coding agents Switchboard can configure, as found on this machine, and the copy-paste
 * snippets for everything else. Cards keep their own panel state; this holds what the relay says.
 */
class IntegrationsState {
  list = $state.raw<IntegrationView[]>([]);
  target = $state.raw<IntegrationTargetView | null>(null);
  loaded = $state(false);
  snippets = $state.raw<IntegrationSnippetsResponse | null>(null);

  async load(): Promise<void> {
    const response = await admin.get<IntegrationsResponse>('/integrations');
    this.list = response.integrations;
    this.target = response.target;
    this.loaded = true;
  }

  /** The snippets, with the relay token masked unless `reveal`. */
  async loadSnippets(reveal = false): Promise<void> {
    this.snippets = await admin.get<IntegrationSnippetsResponse>(`/integrations/snippets${reveal ? '?reveal=true' : ''}`);
  }

  /** What apply would write into the client's file; changes nothing. */
  preview(id: string, setDefault: boolean): Promise<IntegrationPreviewResponse> {
    return admin.post<IntegrationPreviewResponse>(`/integrations/${encodeURIComponent(id)}/preview`, { setDefault });
  }

  async apply(id: string, setDefault: boolean): Promise<IntegrationApplyResponse> {
    const result = await admin.post<IntegrationApplyResponse>(`/integrations/${encodeURIComponent(id)}/apply`, { setDefault });
    this.replace(result.integration);
    return result;
  }

  async undo(id: string): Promise<IntegrationUndoResponse> {
    const result = await admin.post<IntegrationUndoResponse>(`/integrations/${encodeURIComponent(id)}/undo`, {});
    this.replace(result.integration);
    return result;
  }

  private replace(view: IntegrationView): void {
    this.list = this.list.map((existing) => (existing.id === view.id ? view : existing));
  }
}

export const integrations = new IntegrationsState();
