/**
 * What the desktop tells the user through native notifications, decided from two snapshots of
 * the relay's health. Pure: electron/notifier.ts gathers the snapshots and shows the result.
 */

/** The part of a route view (relay.routing.views()) health is judged from. */
export interface RouteHealth {
  provider: string;
  status: string;
  servable: boolean;
}

/** The part of a finished request record (the relay's 'request' event) that names rejected keys. */
export interface RequestAttempts {
  attempts?: ReadonlyArray<{ provider: string; keyLabel?: string; outcome: string; status?: number; message?: string }>;
}

export interface RejectedKey {
  provider: string;
  keyLabel: string;
  /** `rejected` (401/403) or `no-credit` (402). */
  reason: 'rejected' | 'no-credit';
  status?: number;
}

export interface HealthSnapshot {
  /** Servable routes that answer (up or slow). */
  up: number;
  /** Servable routes measured failing: down, rate-limited or with every key rejected. */
  failing: number;
  /** Keys a provider refused during live traffic, by `provider/keyLabel`. */
  rejectedKeys: Readonly<Record<string, RejectedKey>>;
  /** Providers whose every key is refused (probes find these too). */
  rejectedProviders: readonly string[];
}

export interface DesktopNotice {
  /** `all-down`, `key:<provider>/<label>` or `provider-keys:<provider>`. */
  id: string;
  title: string;
  body: string;
}

const UP = new Set(['up', 'slow']);
const FAILING = new Set(['down', 'rate-limited', 'key-rejected']);

/** Healthy and failing servable routes, as the tray counts them too. */
export function routeCounts(views: readonly RouteHealth[]): { up: number; failing: number } {
  const servable = views.filter((view) => view.servable);
  return { up: servable.filter((view) => UP.has(view.status)).length, failing: servable.filter((view) => FAILING.has(view.status)).length };
}

/** The keys one finished request found refused: 401/403 or 402 from the provider, with a key in use. */
export function rejectedKeysOf(record: RequestAttempts): RejectedKey[] {
  const found: RejectedKey[] = [];
  for (const attempt of record.attempts ?? []) {
    // Attempts without a key label are keyless calls or "every key is already disabled" notes, not news.
    if (attempt.keyLabel === undefined || (attempt.outcome !== 'auth' && attempt.outcome !== 'payment')) continue;
    found.push({
      provider: attempt.provider,
      keyLabel: attempt.keyLabel,
      reason: attempt.outcome === 'payment' ? 'no-credit' : 'rejected',
      ...(attempt.status === undefined ? {} : { status: attempt.status }),
    });
  }
  return found;
}

export function healthSnapshot(views: readonly RouteHealth[], rejectedKeys: Readonly<Record<string, RejectedKey>> = {}): HealthSnapshot {
  const byProvider = new Map<string, string[]>();
  for (const view of views) {
    if (!view.servable && view.status !== 'key-rejected') continue;
    byProvider.set(view.provider, [...(byProvider.get(view.provider) ?? []), view.status]);
  }
  const rejectedProviders = [...byProvider].filter(([, statuses]) => statuses.length > 0 && statuses.every((status) => status === 'key-rejected')).map(([provider]) => provider);
  return { ...routeCounts(views), rejectedKeys: { ...rejectedKeys }, rejectedProviders: rejectedProviders.sort() };
}

/** Nothing answers, and that was measured (routes not measured yet do not count as down). */
export function allDown(snapshot: HealthSnapshot): boolean {
  return snapshot.up === 0 && snapshot.failing > 0;
}

/**
 * The notices for the change from `previous` to `next`: every provider going down (on the
 * transition only, again only after something came back), and each newly rejected key. The first
 * snapshot after a start (`previous` undefined) is the baseline and says nothing; with
 * notifications off (the default) nothing is said, though the caller still keeps `next` as the
 * new baseline so turning them on does not replay old news.
 */
export function decideNotices(previous: HealthSnapshot | undefined, next: HealthSnapshot, enabled: boolean): DesktopNotice[] {
  if (!enabled || previous === undefined) return [];
  const notices: DesktopNotice[] = [];
  if (allDown(next) && !allDown(previous)) {
    notices.push({
      id: 'all-down',
      title: 'No provider is answering',
      body: 'Every model Switchboard can route to is failing, so requests get errors until one recovers. Open the dashboard to see why.',
    });
  }
  for (const [id, key] of Object.entries(next.rejectedKeys)) {
    if (previous.rejectedKeys[id]) continue;
    const refusal = key.reason === 'no-credit' ? 'has no credit left' : `was rejected${key.status === undefined ? '' : ` (${key.status})`}`;
    notices.push({
      id: `key:${id}`,
      title: `${key.provider}: a key was refused`,
      body: `The key "${key.keyLabel}" ${refusal}; Switchboard stopped using it. Replace it in the dashboard.`,
    });
  }
  const namedKeys = new Set(Object.values(next.rejectedKeys).map((key) => key.provider));
  for (const provider of next.rejectedProviders) {
    // The same news as a rejected key just named; say it once.
    if (previous.rejectedProviders.includes(provider) || namedKeys.has(provider)) continue;
    notices.push({
      id: `provider-keys:${provider}`,
      title: `${provider}: every key was refused`,
      body: `${provider} rejected every key Switchboard has for it, so its models are not used. Replace the key in the dashboard.`,
    });
  }
  return notices;
}
