import type { AddKeyResponse, KeysResponse, KeyView, RemoveKeyResponse } from '../admin/dto.js';
import { addKey, listKeys, removeKey } from '../admin/operations.js';
import { CliError, listValue, stringValue, type Command, type ParsedArgs } from './args.js';
import { findRunningRelay, openOffline, type CommandContext } from './context.js';
import { table } from './format.js';

/** `switchboard keys add|list|remove`. */


/** The key from the argument, or from standard input when it is missing or `-`. */
export async function keyFromArgOrStdin(cc: CommandContext, given: string | undefined, prompt: string): Promise<string> {
  if (given !== undefined && given !== '-') return given;
  let text: string;
  try {
    text = await cc.io.readSecret(prompt);
  } catch (error) {
    throw new CliError(`No key read: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A pasted key may end with a newline; anything else is checked by the operation.
  return text.replace(/\r?\n$/, '');
}

function splitModels(values: readonly string[]): string[] | undefined {
  const models = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  return models.length > 0 ? models : undefined;
}

export async function keysAdd(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [provider = '', given] = args.positionals;
  const label = stringValue(args.values, 'label');
  const models = splitModels(listValue(args.values, 'models'));
  const secret = await keyFromArgOrStdin(cc, given, `Paste the ${provider} key (it is not shown) and press Enter: `);
  const running = await findRunningRelay(cc.configDir);
  let key: KeyView;
  if (running) {
    const body = { key: secret, ...(label === undefined ? {} : { label }), ...(models === undefined ? {} : { models }) };
    key = (await running.client.post<AddKeyResponse>(`/keys/${encodeURIComponent(provider)}`, body)).key;
  } else {
    const offline = await openOffline(cc, true);
    try {
      key = await addKey(offline.ops, provider, secret, { ...(label === undefined ? {} : { label }), ...(models === undefined ? {} : { models }) });
    } finally {
      await offline.close();
    }
  }
  const scope = key.models ? ` for ${key.models.join(', ')}` : '';
  cc.io.stdout(`Added key '${key.label}' (${key.masked}) to ${key.provider}${scope}.${running ? ' The running relay uses it now.' : ''}\n`);
  return 0;
}

function stateText(key: KeyView): string {
  if (key.missing) return 'secret missing';
  switch (key.state?.status) {
    case undefined:
      return '';
    case 'ok':
      return 'ok';
    case 'cooling':
      return `cooling until ${key.state.until}`;
    case 'disabled':
      return `disabled: ${key.state.reason}`;
  }
}

export async function keysList(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [provider] = args.positionals;
  const running = await findRunningRelay(cc.configDir);
  let keys: KeyView[];
  if (running) {
    keys = (await running.client.get<KeysResponse>(provider === undefined ? '/keys' : `/keys/${encodeURIComponent(provider)}`)).keys;
  } else {
    const offline = await openOffline(cc, false);
    try {
      keys = await listKeys(offline.ops, provider);
    } finally {
      await offline.close();
    }
  }
  if (keys.length === 0) {
    cc.io.stdout(`No keys${provider === undefined ? '' : ` for ${provider}`}. Add one with \`switchboard keys add ${provider ?? 'PROVIDER'}\`.\n`);
    return 0;
  }
  const showState = running !== undefined || keys.some((key) => key.missing === true);
  const headers = ['PROVIDER', 'LABEL', 'KEY', 'SOURCE', 'MODELS', ...(showState ? ['STATE'] : [])];
  const rows = keys.map((key) => [key.provider, key.label, key.masked, key.source, key.models?.join(',') ?? '*', ...(showState ? [stateText(key)] : [])]);
  cc.io.stdout(`${table(headers, rows)}\n`);
  return 0;
}

export async function keysRemove(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [provider = '', which = ''] = args.positionals;
  const running = await findRunningRelay(cc.configDir);
  let removed: KeyView;
  if (running) {
    removed = (await running.client.delete<RemoveKeyResponse>(`/keys/${encodeURIComponent(provider)}/${encodeURIComponent(which)}`)).removed;
  } else {
    const offline = await openOffline(cc, true);
    try {
      removed = await removeKey(offline.ops, provider, which);
    } finally {
      await offline.close();
    }
  }
  cc.io.stdout(`Removed key '${removed.label}' (${removed.masked}) from ${removed.provider}.\n`);
  return 0;
}

export const keysCommands: Command<CommandContext>[] = [
  {
    name: 'keys add',
    options: { label: { type: 'string' }, models: { type: 'string', multiple: true } },
    positionals: { min: 1, max: 2, names: 'PROVIDER' },
    run: keysAdd,
  },
  { name: 'keys list', options: {}, positionals: { min: 0, max: 1, names: 'PROVIDER' }, run: keysList },
  { name: 'keys remove', options: {}, positionals: { min: 2, max: 2, names: 'PROVIDER and ID_OR_LABEL' }, run: keysRemove },
];
