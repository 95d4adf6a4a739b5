import { beforeEach, describe, expect, it, vi } from 'vitest';
import { dialog, Notification, notificationState, resetElectronMock } from '../mocks/electron.js';
import type { DesktopNotice, RouteHealth } from '../../electron/health-notices.js';
import { HealthNotifier, showNotice } from '../../electron/notifier.js';

vi.mock('electron', () => import('../mocks/electron.js'));

const up: RouteHealth[] = [{ provider: 'groq', status: 'up', servable: true }];
const down: RouteHealth[] = [{ provider: 'groq', status: 'down', servable: true }];
const rejectedRequest = { attempts: [{ provider: 'groq', keyLabel: 'main', outcome: 'auth', status: 401 }] };

function notifier(enabled = true) {
  const shown: DesktopNotice[] = [];
  const state = { enabled };
  return { shown, state, notifier: new HealthNotifier({ enabled: () => state.enabled, show: (notice) => shown.push(notice) }) };
}

describe('showNotice', () => {
  beforeEach(() => resetElectronMock());

  it('shows a native notification that opens what onClick opens', () => {
    const onClick = vi.fn();
    expect(showNotice({ title: 'T', body: 'B' }, { onClick })).toBe(true);
    expect(Notification.shown).toHaveLength(1);
    expect(Notification.shown[0]?.options).toEqual({ title: 'T', body: 'B' });
    Notification.shown[0]?.emit('click');
    expect(onClick).toHaveBeenCalledOnce();
  });

  it('without native notifications, shows a dialog only for results the user asked for', () => {
    notificationState.supported = false;
    expect(showNotice({ title: 'T', body: 'B' })).toBe(false);
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
    expect(showNotice({ title: 'Could not', body: 'why' }, { fallbackToDialog: true, type: 'error' })).toBe(true);
    expect(dialog.showMessageBox).toHaveBeenCalledWith(expect.objectContaining({ type: 'error', message: 'Could not', detail: 'why' }));
    expect(Notification.shown).toHaveLength(0);
  });
});

describe('HealthNotifier', () => {
  it('takes a baseline, then notifies each change once', () => {
    const { notifier: health, shown } = notifier();
    health.check(up);
    expect(shown).toEqual([]);
    health.check(down);
    health.check(down);
    expect(shown.map((notice) => notice.id)).toEqual(['all-down']);
    health.noteRequest(rejectedRequest);
    health.check(down);
    health.noteRequest(rejectedRequest);
    health.check(down);
    expect(shown.map((notice) => notice.id)).toEqual(['all-down', 'key:groq/main']);
  });

  it('keeps its baseline while off, so turning notifications on replays nothing', () => {
    const { notifier: health, shown, state } = notifier(false);
    health.check(up);
    health.check(down);
    health.noteRequest(rejectedRequest);
    health.check(down);
    state.enabled = true;
    health.check(down);
    expect(shown).toEqual([]);
  });

  it('forgets refused keys after a settings change, so a replaced key that fails again is reported', () => {
    const { notifier: health, shown } = notifier();
    health.check(up);
    health.noteRequest(rejectedRequest);
    health.check(up);
    health.noteConfig();
    health.check(up);
    health.noteRequest(rejectedRequest);
    health.check(up);
    expect(shown.map((notice) => notice.id)).toEqual(['key:groq/main', 'key:groq/main']);
  });

  it('starts from a new baseline after a relay restart', () => {
    const { notifier: health, shown } = notifier();
    health.check(up);
    health.reset();
    health.check(down);
    expect(shown).toEqual([]);
  });
});
