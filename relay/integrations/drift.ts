import { jsonEqual } from './json-document.js';

/**
 * Phrases for "our entry is not what the relay would write now", shared by the client modules so
 * every client reports drift the same way (the dashboard shows them under "Repair").
 */

const SHOWN = 5;

function names(ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN).join(', ');
  return ids.length > SHOWN ? `${shown} and ${ids.length - SHOWN} more` : shown;
}

/** Differences between the model ids a file lists and the ids the relay serves. */
export function modelDrift(listed: readonly string[], served: readonly string[]): string[] {
  const reasons: string[] = [];
  const missing = served.filter((id) => !listed.includes(id));
  const extra = listed.filter((id) => !served.includes(id));
  if (missing.length > 0) reasons.push(`it lacks models the relay serves: ${names(missing)}`);
  if (extra.length > 0) reasons.push(`it lists models the relay does not serve: ${names(extra)}`);
  return reasons;
}

/** One reason per owned field whose value differs; `apiKey`-like fields never show their value. */
export function fieldDrift(fields: ReadonlyArray<{ label: string; actual: unknown; expected: unknown; secret?: boolean }>): string[] {
  const reasons: string[] = [];
  for (const field of fields) {
    if (jsonEqual(field.actual, field.expected)) continue;
    if (field.secret) reasons.push(`its ${field.label} is not the relay's current token`);
    else if (field.actual === undefined) reasons.push(`its ${field.label} is missing`);
    else reasons.push(`its ${field.label} is ${JSON.stringify(field.actual)?.slice(0, 120)}, not ${JSON.stringify(field.expected)?.slice(0, 120)}`);
  }
  return reasons;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
