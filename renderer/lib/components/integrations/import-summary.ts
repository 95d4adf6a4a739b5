import type { ConfigImportPreview, ImportChangeView, ImportKeyView } from '../../../../relay/admin/dto.js';

/**
 * A config import preview in plain language: sections of short lines, each with a tone the view
 * turns into a class. `warning` marks what deserves a second look — above all a base URL change,
 * because the provider's keys are sent to that server.
 */

export type SummaryTone = 'plain' | 'add' | 'remove' | 'warning';

export interface SummaryLine {
  key: string;
  text: string;
  tone: SummaryTone;
}

export interface SummarySection {
  key: string;
  title: string;
  lines: SummaryLine[];
}

const FIELD_NAMES: Record<string, string> = {
  enabled: 'on/off',
  baseUrl: 'base URL',
  headers: 'headers',
  discovery: 'model discovery',
  models: 'models',
  free: 'free flag',
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function changed(change: ImportChangeView): string {
  const fields = change.fields.map((field) => FIELD_NAMES[field] ?? field);
  return `${change.id}: changes its ${fields.join(', ')}`;
}

function keyText(key: ImportKeyView): string {
  const models = key.models && key.models.length > 0 ? ` (models ${key.models.join(', ')})` : '';
  return `${key.provider}: '${key.label}' ${key.masked}${models}`;
}

/** The sections of a preview that have something in them, in the order a reviewer should read them. */
export function summarizeImport(preview: ConfigImportPreview): SummarySection[] {
  const sections: SummarySection[] = [];
  const add = (key: string, title: string, lines: Array<Omit<SummaryLine, 'key'>>) => {
    if (lines.length > 0) sections.push({ key, title, lines: lines.map((line, index) => ({ ...line, key: `${key}-${index}` })) });
  };

  add(
    'base-urls',
    'Where requests and keys would be sent',
    preview.baseUrls.flatMap((url) => [
      {
        tone: 'warning' as const,
        text:
          `${url.provider}${url.custom ? ' (custom endpoint)' : ''}: ${url.from === null ? '' : `from ${url.from} `}to ${url.to}` +
          ` — ${url.keys === 0 ? 'no keys' : plural(url.keys, 'key')} would be sent there`,
      },
      ...url.warnings.map((warning) => ({ tone: 'warning' as const, text: `${url.provider}: ${warning}` })),
    ]),
  );
  add('providers', 'Providers', [
    ...preview.providers.enabled.map((id) => ({ tone: 'add' as const, text: `Turn on ${id}` })),
    ...preview.providers.disabled.map((id) => ({ tone: 'remove' as const, text: `Turn off ${id}` })),
    ...preview.providers.changed.map((change) => ({ tone: 'plain' as const, text: changed(change) })),
  ]);
  add('endpoints', 'Custom endpoints', [
    ...preview.endpoints.added.map((id) => ({ tone: 'add' as const, text: `Add ${id}` })),
    ...preview.endpoints.removed.map((id) => ({ tone: 'remove' as const, text: `Remove ${id}` })),
    ...preview.endpoints.changed.map((change) => ({ tone: 'plain' as const, text: changed(change) })),
  ]);
  add('routing', 'Routing', preview.routing.map((text) => ({ tone: 'plain' as const, text })));
  add('settings', 'Other settings', preview.settings.map((text) => ({ tone: 'plain' as const, text })));
  add('keys', 'Keys', [
    ...preview.keys.add.map((key) => ({ tone: 'add' as const, text: `Add ${keyText(key)}` })),
    ...preview.keys.skipped.map((key) => ({ tone: 'plain' as const, text: `Skip ${keyText(key)}${key.reason ? ` — ${key.reason}` : ''}` })),
    ...preview.keys.removed.map((key) => ({ tone: 'remove' as const, text: `Delete ${keyText(key)} — its endpoint is removed` })),
  ]);
  add('warnings', 'Warnings', preview.warnings.map((text) => ({ tone: 'warning' as const, text })));
  return sections;
}

/** One sentence above the sections: what kind of token, how it would be applied, whether anything changes. */
export function importHeadline(preview: ConfigImportPreview): string {
  const made = Number.isNaN(Date.parse(preview.createdAt)) ? '' : ` made ${new Date(preview.createdAt).toLocaleString()}`;
  const kind = preview.includesKeys ? 'settings and keys' : 'settings only';
  const mode = preview.mode === 'merge' ? 'merged (nothing removed)' : 'replacing the current settings';
  if (!preview.changes) return `A token${made} (${kind}): importing it would change nothing.`;
  return `A token${made} (${kind}), ${mode}. ${preview.applied ? 'Imported:' : 'Importing would:'}`;
}

/** How many separate changes a preview lists, for the success message. */
export function changeCount(preview: ConfigImportPreview): number {
  return (
    preview.providers.enabled.length +
    preview.providers.disabled.length +
    preview.providers.changed.length +
    preview.endpoints.added.length +
    preview.endpoints.removed.length +
    preview.endpoints.changed.length +
    preview.routing.length +
    preview.settings.length +
    preview.keys.add.length +
    preview.keys.removed.length
  );
}
