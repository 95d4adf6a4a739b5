import { describe, expect, it } from 'vitest';
import type { IntegrationApplyResponse, IntegrationUndoResponse, IntegrationView } from '../../relay/admin/dto.js';
import { applyOutcome, undoOutcome } from '../../renderer/lib/components/integrations/outcome-text.js';

const PATH = '/home/u/.config/opencode/opencode.json';

function integration(state: IntegrationView['state']): IntegrationView {
  return {
    id: 'opencode',
    name: 'OpenCode',
    installed: true,
    binary: null,
    configPath: PATH,
    configExists: true,
    state,
    baseUrl: null,
    port: null,
    models: [],
    defaultModel: null,
    usesRelayByDefault: false,
    drift: [],
    problem: null,
    undoAvailable: state === 'configured',
  };
}

function applied(fields: Partial<IntegrationApplyResponse>): IntegrationApplyResponse {
  return { id: 'opencode', configPath: PATH, changed: true, diff: '+x\n', backupPath: null, integration: integration('configured'), ...fields };
}

function undone(outcome: IntegrationUndoResponse['outcome']): IntegrationUndoResponse {
  return { id: 'opencode', configPath: PATH, outcome, diff: outcome === 'nothing' ? '' : '-x\n', integration: integration('not-configured') };
}

describe('card outcomes', () => {
  it('after apply: the backup path, or that the file is new, and the state now', () => {
    expect(applyOutcome(applied({ backupPath: `${PATH}.switchboard-backup` }))).toEqual({
      tone: 'success',
      text: `Written. The original is saved as ${PATH}.switchboard-backup; Undo puts it back. Now: Configured ✓.`,
    });
    expect(applyOutcome(applied({})).text).toBe(`Created ${PATH}; Undo removes it again. Now: Configured ✓.`);
    expect(applyOutcome(applied({ changed: false, diff: '' }))).toMatchObject({ tone: 'info', text: expect.stringContaining('Nothing was written') });
  });

  it('after undo: restored or removed with the diff, or nothing to undo', () => {
    expect(undoOutcome(undone('restored'))).toEqual({ tone: 'success', text: `Restored ${PATH} as it was before Switchboard first wrote it.`, diff: '-x\n' });
    expect(undoOutcome(undone('removed')).text).toBe(`Removed ${PATH}: Switchboard had created it.`);
    expect(undoOutcome(undone('nothing'))).toEqual({ tone: 'info', text: 'There was nothing to undo.' });
  });
});
