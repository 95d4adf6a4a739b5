import type { ConfigExportResponse, ConfigImportPreview, ImportKeyView } from '../admin/dto.js';
import { applyImport, exportToken, previewImport, tokenKind } from '../admin/operations.js';
import { CliError, type Command, type ParsedArgs } from './args.js';
import { findRunningRelay, openOffline, type CommandContext } from './context.js';
import type { TerminalPrompt } from './io.js';

/**
 * `switchboard config export|import`: the settings (and, when asked, the keys) as one token, to
 * move a setup to another machine. `switchboard config export | switchboard config import` works:
 * the token goes through standard output and input, and questions (passphrase, confirmation) go
 * to the terminal. Tokens are only ever written to standard output, never to stderr or a log.
 */

const MIN_PASSPHRASE = 8;

function withoutNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readStdin(cc: CommandContext, prompt: string, what: string): Promise<string> {
  try {
    return withoutNewline(await cc.io.readSecret(prompt));
  } catch (error) {
    throw new CliError(`No ${what} read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function ask(terminal: TerminalPrompt, prompt: string, hidden: boolean): Promise<string> {
  try {
    return await terminal.ask(prompt, { hidden });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

async function configExport(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const includeKeys = args.values['include-keys'] === true;
  let passphrase: string | undefined;
  if (includeKeys) {
    passphrase = await readStdin(cc, 'Passphrase to encrypt the keys with (at least 8 characters; not shown): ', 'passphrase');
    if ([...passphrase].length < MIN_PASSPHRASE) throw new CliError(`The passphrase needs at least ${MIN_PASSPHRASE} characters.`);
    if (cc.io.stdinIsTerminal === true) {
      const again = await readStdin(cc, 'The same passphrase again: ', 'passphrase');
      if (again !== passphrase) throw new CliError('The two passphrases differ; nothing was exported.');
    }
  }
  const request = { includeKeys, ...(passphrase === undefined ? {} : { passphrase }) };
  const running = await findRunningRelay(cc.configDir);
  let result: ConfigExportResponse;
  if (running) {
    result = await running.client.post<ConfigExportResponse>('/config/export', request);
  } else {
    const offline = await openOffline(cc, false);
    try {
      result = await exportToken(offline.ops, request);
    } finally {
      await offline.close();
    }
  }
  cc.io.stdout(`${result.token}\n`);
  for (const warning of result.warnings) cc.io.stderr(`warning: ${warning}\n`);
  const what = result.includesKeys
    ? `Exported the settings and ${result.keyCount} key${result.keyCount === 1 ? '' : 's'}, encrypted with your passphrase (it is needed to import them).`
    : 'Exported the settings without keys (add --include-keys to take the stored keys along).';
  cc.io.stderr(`${what} Import with \`switchboard config import\` on the other machine.\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------

function keyLine(key: ImportKeyView): string {
  const models = key.models ? ` for ${key.models.join(', ')}` : '';
  return `${key.provider} '${key.label}' ${key.masked}${models}${key.reason ? ` (${key.reason})` : ''}`;
}

/** The preview as text: base URLs first, since they decide where keys are sent. */
export function formatPreview(preview: ConfigImportPreview): string {
  const lines: string[] = [];
  const section = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push('', title, ...items.map((item) => `  ${item}`));
  };
  const carries = preview.includesKeys ? 'settings and keys' : 'settings only';
  lines.push(`A ${preview.mode === 'replace' ? 'replacing' : 'merging'} import of a token made ${preview.createdAt} (${carries}).`);
  if (!preview.changes) {
    lines.push('It changes nothing here.');
  } else {
    section(
      'Base URLs added or changed (check them: the keys shown are sent there):',
      preview.baseUrls.map((url) => {
        const change = url.from === null ? `new endpoint at ${url.to}` : `${url.from} → ${url.to}`;
        const notes = [`${url.keys} key${url.keys === 1 ? '' : 's'}`, ...url.warnings].join('; ');
        return `${url.provider}: ${change} (${notes})`;
      }),
    );
    section('Providers:', [
      ...(preview.providers.enabled.length > 0 ? [`switched on: ${preview.providers.enabled.join(', ')}`] : []),
      ...(preview.providers.disabled.length > 0 ? [`switched off: ${preview.providers.disabled.join(', ')}`] : []),
      ...preview.providers.changed.map((change) => `${change.id}: ${change.fields.join(', ')} changed`),
    ]);
    section('Custom endpoints:', [
      ...(preview.endpoints.added.length > 0 ? [`added: ${preview.endpoints.added.join(', ')}`] : []),
      ...(preview.endpoints.removed.length > 0 ? [`removed: ${preview.endpoints.removed.join(', ')}`] : []),
      ...preview.endpoints.changed.map((change) => `${change.id}: ${change.fields.join(', ')} changed`),
    ]);
    section('Routing:', preview.routing);
    section('Other settings:', preview.settings);
    section('Keys to add:', preview.keys.add.map(keyLine));
    section('Keys deleted with their endpoints:', preview.keys.removed.map(keyLine));
  }
  section('Keys skipped:', preview.keys.skipped.map(keyLine));
  section('Warnings:', preview.warnings);
  return `${lines.join('\n')}\n`;
}

async function configImport(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [given] = args.positionals;
  const fromStdin = given === undefined || given === '-';
  const token = fromStdin ? await readStdin(cc, 'Paste the settings token (it is not shown) and press Enter: ', 'token') : given;
  const mode = args.values.replace === true ? 'replace' : 'merge';
  const yes = args.values.yes === true;
  // Says what is wrong with something that is not a token before asking anything.
  const kind = tokenKind(token);

  // Opened when first needed: a plain token imported with --yes never touches the terminal.
  let opened: { terminal: TerminalPrompt | undefined } | undefined;
  const terminal = () => (opened ??= { terminal: cc.io.openTerminal?.() }).terminal;
  try {
    let passphrase: string | undefined;
    if (kind === 'sealed') {
      const prompt = 'Passphrase of the token (not shown): ';
      if (!fromStdin) {
        passphrase = await readStdin(cc, prompt, 'passphrase');
      } else {
        // Standard input held the token: the passphrase can only come from the terminal.
        const asker = terminal();
        if (!asker) throw new CliError('The token holds keys and is sealed, and there is no terminal to ask for its passphrase: give the token as an argument and the passphrase on standard input.');
        passphrase = await ask(asker, prompt, true);
      }
    }
    const request = { token, mode, ...(passphrase === undefined ? {} : { passphrase }) } as const;

    const running = await findRunningRelay(cc.configDir);
    const apply = async (): Promise<ConfigImportPreview> => {
      if (running) return running.client.post<ConfigImportPreview>('/config/import', { ...request, apply: true });
      const offline = await openOffline(cc, true);
      try {
        return await applyImport(offline.ops, token, request);
      } finally {
        await offline.close();
      }
    };

    if (yes) {
      const applied = await apply();
      cc.io.stdout(formatPreview(applied));
      cc.io.stdout(applied.changes ? `\nImported.${running ? ' The running relay uses the new settings now.' : ''}\n` : '');
      return 0;
    }

    let preview: ConfigImportPreview;
    if (running) {
      preview = await running.client.post<ConfigImportPreview>('/config/import', { ...request, apply: false });
    } else {
      const offline = await openOffline(cc, false);
      try {
        preview = await previewImport(offline.ops, token, request);
      } finally {
        await offline.close();
      }
    }
    cc.io.stdout(formatPreview(preview));
    if (!preview.changes) return 0;
    const confirmer = terminal();
    if (!confirmer) {
      cc.io.stderr('Nothing was changed: there is no terminal to confirm on. Run again with --yes to apply.\n');
      return 1;
    }
    const answer = (await ask(confirmer, '\nApply these changes? [y/N] ', false)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      cc.io.stderr('Nothing was changed.\n');
      return 1;
    }
    const applied = await apply();
    for (const warning of applied.warnings.filter((warning) => !preview.warnings.includes(warning))) cc.io.stderr(`warning: ${warning}\n`);
    cc.io.stdout(`Imported.${running ? ' The running relay uses the new settings now.' : ''}\n`);
    return 0;
  } finally {
    opened?.terminal?.close();
  }
}

export const configCommands: Command<CommandContext>[] = [
  { name: 'config export', options: { 'include-keys': { type: 'boolean' } }, positionals: { min: 0, max: 0, names: '' }, run: configExport },
  {
    name: 'config import',
    options: { replace: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
    positionals: { min: 0, max: 1, names: 'TOKEN' },
    run: configImport,
  },
];
