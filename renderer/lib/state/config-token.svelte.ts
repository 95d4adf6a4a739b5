import type { ConfigExportRequest, ConfigExportResponse, ConfigImportPreview, ConfigImportRequest } from '../../../relay/admin/dto.js';
import { admin } from '../api/admin-client.js';

/**
 * Settings export and import. Only results are kept here: passphrases stay in the form that
 * asked for them, and nothing is remembered across page loads.
 */
class ConfigTokenState {
  exported = $state.raw<ConfigExportResponse | null>(null);
  /** The last preview; cleared whenever the token, passphrase or mode it was made for changes. */
  preview = $state.raw<ConfigImportPreview | null>(null);
  /** The outcome of the last applied import. */
  imported = $state.raw<ConfigImportPreview | null>(null);

  async exportSettings(request: ConfigExportRequest): Promise<ConfigExportResponse> {
    this.exported = null;
    this.exported = await admin.post<ConfigExportResponse>('/config/export', request);
    return this.exported;
  }

  /** Asks the relay what the import would change; a bad token leaves no preview. */
  async previewImport(request: Omit<ConfigImportRequest, 'apply'>): Promise<ConfigImportPreview> {
    this.preview = null;
    this.imported = null;
    this.preview = await admin.post<ConfigImportPreview>('/config/import', { ...request, apply: false });
    return this.preview;
  }

  async applyImport(request: Omit<ConfigImportRequest, 'apply'>): Promise<ConfigImportPreview> {
    const result = await admin.post<ConfigImportPreview>('/config/import', { ...request, apply: true });
    this.preview = null;
    this.imported = result;
    return result;
  }

  clearPreview(): void {
    this.preview = null;
  }

  /** Forgets the import's preview and outcome (the form that asked for them is gone). */
  reset(): void {
    this.preview = null;
    this.imported = null;
  }
}

export const configToken = new ConfigTokenState();
