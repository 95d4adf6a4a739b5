import { dialog, Notification } from 'electron';
import { decideNotices, healthSnapshot, rejectedKeysOf, type DesktopNotice, type HealthSnapshot, type RejectedKey, type RequestAttempts, type RouteHealth } from './health-notices.js';

export interface NoticeOptions {
  /** Called when the user clicks the notification (the app opens the dashboard). */
  onClick?: () => void;
  /** When native notifications are unsupported, show a message box instead (results the user asked for). */
  fallbackToDialog?: boolean;
  /** `error` for failures, in the fallback dialog. */
  type?: 'info' | 'error';
}

/** Shows one native notification; returns whether anything was shown. */
export function showNotice(notice: Pick<DesktopNotice, 'title' | 'body'>, options: NoticeOptions = {}): boolean {
  if (Notification.isSupported()) {
    const notification = new Notification({ title: notice.title, body: notice.body });
    if (options.onClick) notification.on('click', options.onClick);
    notification.show();
    return true;
  }
  if (!options.fallbackToDialog) return false;
  void dialog.showMessageBox({ type: options.type ?? 'info', title: 'Switchboard', message: notice.title, detail: notice.body, buttons: ['OK'] }).catch(() => undefined);
  return true;
}

export interface HealthNotifierOptions {
  /** The settings' `desktop.notifications` (off by default). */
  enabled: () => boolean;
  show: (notice: DesktopNotice) => void;
}

/**
 * Watches the relay's health for the two things worth interrupting the user for (every
 * provider down; a key refused) and shows each once, as health-notices.ts decides.
 */
export class HealthNotifier {
  private previous: HealthSnapshot | undefined;
  private rejected: Record<string, RejectedKey> = {};

  constructor(private readonly options: HealthNotifierOptions) {}

  /** A finished request (the relay's 'request' event). */
  noteRequest(record: RequestAttempts): void {
    for (const key of rejectedKeysOf(record)) this.rejected[`${key.provider}/${key.keyLabel}`] = key;
  }

  /**
   * New settings: keys seen refused are forgotten, since a replaced key starts afresh (a key that
   * stays refused is not tried again, so it is not reported twice).
   */
  noteConfig(): void {
    this.rejected = {};
  }

  /** Compares the relay's health now with the last look and shows what changed. */
  check(views: readonly RouteHealth[]): DesktopNotice[] {
    const next = healthSnapshot(views, this.rejected);
    const notices = decideNotices(this.previous, next, this.options.enabled());
    this.previous = next;
    for (const notice of notices) this.options.show(notice);
    return notices;
  }

  /** The relay restarted or paused: the next look is a new baseline. */
  reset(): void {
    this.previous = undefined;
    this.rejected = {};
  }
}
