import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * Switchboard's version from its package.json, read once. The file sits two levels above this
 * module in the source tree (relay/admin/) and three in the build (dist/relay/admin/), so the
 * nearest package.json named "switchboard" going up wins.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0-unknown';
  for (let up = 1; up <= 4; up++) {
    try {
      const url = new URL(`${'../'.repeat(up)}package.json`, import.meta.url);
      const parsed = JSON.parse(readFileSync(url, 'utf8')) as { name?: unknown; version?: unknown };
      if (parsed.name === 'switchboard' && typeof parsed.version === 'string') {
        cached = parsed.version;
        break;
      }
    } catch {
      // Not there; look one level higher.
    }
  }
  return cached;
}
