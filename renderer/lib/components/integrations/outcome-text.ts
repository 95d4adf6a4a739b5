import type { IntegrationApplyResponse, IntegrationUndoResponse } from '../../../../relay/admin/dto.js';
import { stateLabel } from './integration-status.js';

/** What a card says after an apply or undo (or why it failed), with the diff of an undo. */
export interface Outcome {
  tone: 'success' | 'info' | 'error';
  text: string;
  diff?: string;
}

/** After an apply: where the original went (or that the file is new), and the client's state now. */
export function applyOutcome(result: IntegrationApplyResponse): Outcome {
  const now = `Now: ${stateLabel(result.integration.state).text}.`;
  if (!result.changed) return { tone: 'info', text: `Nothing was written: the file already said this. ${now}` };
  if (result.backupPath) return { tone: 'success', text: `Written. The original is saved as ${result.backupPath}; Undo puts it back. ${now}` };
  return { tone: 'success', text: `Created ${result.configPath}; Undo removes it again. ${now}` };
}

/** After an undo: what happened to the file, with the diff of that change. */
export function undoOutcome(result: IntegrationUndoResponse): Outcome {
  if (result.outcome === 'restored') return { tone: 'success', text: `Restored ${result.configPath} as it was before Switchboard first wrote it.`, diff: result.diff };
  if (result.outcome === 'removed') return { tone: 'success', text: `Removed ${result.configPath}: Switchboard had created it.`, diff: result.diff };
  return { tone: 'info', text: 'There was nothing to undo.' };
}
