import { access, constants, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import type { IntegrationContext } from './integration.js';

/**
 * Where a client's files are, resolved the way the client itself resolves them, in an
 * IntegrationContext's environment (tests pass a temporary HOME) rather than this process's.
 */

export function platformOf(context: IntegrationContext): NodeJS.Platform {
  return context.platform ?? process.platform;
}

export function pathApi(context: IntegrationContext): typeof posix {
  return platformOf(context) === 'win32' ? win32 : posix;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The user's home: $HOME (%USERPROFILE% on Windows), else the OS's answer. */
export function homeOf(context: IntegrationContext): string {
  const { env } = context;
  return (platformOf(context) === 'win32' ? nonEmpty(env.USERPROFILE) ?? nonEmpty(env.HOME) : nonEmpty(env.HOME)) ?? homedir();
}

/** `~/x` and relative paths as the clients themselves resolve them (against home / absolute). */
export function expandPath(context: IntegrationContext, value: string): string {
  const path = pathApi(context);
  const trimmed = value.trim();
  if (trimmed === '~' || trimmed.startsWith('~/') || trimmed.startsWith('~\\')) return path.join(homeOf(context), trimmed.slice(1));
  return path.resolve(trimmed);
}

export function envValue(context: IntegrationContext, name: string): string | undefined {
  return nonEmpty(context.env[name]);
}

/** The first `names` executable on the context's PATH, found by looking (nothing is run). */
export async function findOnPath(context: IntegrationContext, names: readonly string[]): Promise<string | undefined> {
  const windows = platformOf(context) === 'win32';
  const pathText = context.env.PATH ?? context.env.Path ?? '';
  const dirs = pathText.split(windows ? ';' : ':').filter((dir) => dir !== '');
  const extensions = windows ? (context.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter((ext) => ext !== '') : [''];
  for (const dir of dirs) {
    for (const name of names) {
      for (const extension of windows && !/\.[a-z0-9]+$/i.test(name) ? ['', ...extensions] : ['']) {
        const candidate = (windows ? win32 : posix).join(dir, name + extension);
        try {
          // stat follows links: npm's bin entries on PATH are symbolic links to the real file.
          if (!(await stat(candidate)).isFile()) continue;
          await access(candidate, windows ? constants.F_OK : constants.X_OK);
          return candidate;
        } catch {
          // not here
        }
      }
    }
  }
  return undefined;
}
