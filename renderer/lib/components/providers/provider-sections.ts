import type { ProviderView, SecretProtection } from '../../../../relay/admin/dto.js';

/** The Providers screen's groups, in the order they are shown. */
export type SectionId = 'ready' | 'needs-key' | 'local' | 'custom' | 'off';

export interface SectionInfo {
  id: SectionId;
  title: string;
  /** One line under the heading: what the group means. */
  hint: string;
}

export const SECTIONS: readonly SectionInfo[] = [
  { id: 'ready', title: 'Ready', hint: 'Serving models now.' },
  { id: 'needs-key', title: 'Need a key', hint: 'Add a key to use them. Free ones first.' },
  { id: 'local', title: 'Local', hint: 'Model servers on this machine, found automatically.' },
  { id: 'custom', title: 'Custom endpoints', hint: 'Any OpenAI-compatible server you add.' },
  { id: 'off', title: 'Off', hint: 'Turned off: never used for routing.' },
];

/**
 * Where a provider is listed. Custom endpoints always sit under "Custom endpoints" (where they
 * are edited and removed, on or off); any other provider that is off goes under "Off".
 */
export function sectionOf(provider: Pick<ProviderView, 'custom' | 'local' | 'enabled' | 'status'>): SectionId {
  if (provider.custom) return 'custom';
  if (!provider.enabled || provider.status === 'disabled') return 'off';
  if (provider.local) return 'local';
  if (provider.status === 'needs-key') return 'needs-key';
  return 'ready';
}

export interface ProviderSection extends SectionInfo {
  providers: ProviderView[];
}

/**
 * Every section (empty ones included, the view decides what to hide) with its providers in
 * the relay's order, except "Need a key", where free providers come before paid ones.
 */
export function groupProviders(providers: readonly ProviderView[]): ProviderSection[] {
  return SECTIONS.map((section) => {
    const members = providers.filter((provider) => sectionOf(provider) === section.id);
    if (section.id === 'needs-key') members.sort((a, b) => Number(b.free) - Number(a.free));
    return { ...section, providers: members };
  });
}

/** The free providers a first run can get a key for, in the relay's order. */
export function freeProvidersNeedingKey(providers: readonly ProviderView[]): ProviderView[] {
  return providers.filter((provider) => provider.free && provider.keyRequired && !provider.custom && !provider.local);
}

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral' | 'accent';

/** The badge a provider's status gets. */
export function statusBadge(provider: Pick<ProviderView, 'status' | 'local'>): { tone: Tone; text: string } {
  switch (provider.status) {
    case 'ready':
      return { tone: 'ok', text: 'ready' };
    case 'needs-key':
      return { tone: 'warn', text: 'needs a key' };
    case 'disabled':
      return { tone: 'neutral', text: 'off' };
    case 'not-detected':
      return { tone: 'neutral', text: provider.local ? 'not running' : 'not found' };
    case 'no-models':
      return { tone: 'warn', text: 'no models' };
  }
}

/** What the relay's secret store really does with keys, said plainly. */
export function protectionNote(protection: SecretProtection): { tone: 'info' | 'error'; text: string } {
  switch (protection) {
    case 'keychain':
      return { tone: 'info', text: 'Keys are encrypted with your system keychain.' };
    case 'file-0600':
      return { tone: 'info', text: 'Keys are stored in a file readable only by you; they are not protected by a keyring.' };
    case 'memory':
      return { tone: 'info', text: 'Keys are kept in memory only: they are forgotten when Switchboard stops.' };
    case 'none':
      return { tone: 'error', text: 'Keys are stored without protection: not encrypted and not protected by a keyring.' };
  }
}
