import { randomBytes } from 'node:crypto';
import { maskKey } from '../keys/redact.js';
import { CliError, type Command, type ParsedArgs } from './args.js';
import { findRunningRelay, openOffline, type CommandContext } from './context.js';
import { keyFromArgOrStdin } from './keys.js';

/**
 * `switchboard token set|clear|show`: the relay token clients must send. Optional on loopback,
 * required to listen beyond it. Stored in the secret store like a provider key.
 */

export const RELAY_TOKEN_SECRET = 'relay-token';

async function tokenSet(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [given] = args.positionals;
  const token = given === 'generate' || given === undefined ? randomBytes(24).toString('base64url') : await keyFromArgOrStdin(cc, given, 'Type the relay token (it is not shown) and press Enter: ');
  if (token.length < 16 || /[\s\u0000-\u001f]/.test(token)) throw new CliError('A relay token needs at least 16 characters and no spaces or control characters.');
  const running = await findRunningRelay(cc.configDir);
  if (running) {
    await running.client.put('/token', { token });
  } else {
    const offline = await openOffline(cc, true);
    try {
      await offline.ops.secrets.set(RELAY_TOKEN_SECRET, token);
    } finally {
      await offline.close();
    }
  }
  const shown = given === undefined || given === 'generate' ? `Relay token: ${token}\nIt is shown this once; clients send it as \`Authorization: Bearer <token>\`.` : `Relay token set (${maskKey(token)}).`;
  cc.io.stdout(`${shown}${running ? ' The running relay requires it now.' : ''}\n`);
  return 0;
}

async function tokenClear(cc: CommandContext): Promise<number> {
  const running = await findRunningRelay(cc.configDir);
  if (running) {
    await running.client.delete('/token');
  } else {
    const offline = await openOffline(cc, true);
    try {
      await offline.ops.secrets.delete(RELAY_TOKEN_SECRET);
    } finally {
      await offline.close();
    }
  }
  const env = cc.env.SWITCHBOARD_TOKEN ? ' SWITCHBOARD_TOKEN is still set in the environment and still applies.' : '';
  cc.io.stdout(`Relay token removed: loopback clients need no token.${env}\n`);
  return 0;
}

async function tokenShow(cc: CommandContext): Promise<number> {
  const offline = await openOffline(cc, false);
  let stored: string | undefined;
  try {
    stored = await offline.ops.secrets.get(RELAY_TOKEN_SECRET);
  } finally {
    await offline.close();
  }
  if (cc.env.SWITCHBOARD_TOKEN) cc.io.stdout(`The relay token comes from SWITCHBOARD_TOKEN (${maskKey(cc.env.SWITCHBOARD_TOKEN)}).\n`);
  else if (stored) cc.io.stdout(`A relay token is set (${maskKey(stored)}). Clients send it as \`Authorization: Bearer <token>\`.\n`);
  else cc.io.stdout('No relay token is set: clients on this machine need none. `switchboard token set` creates one.\n');
  return 0;
}

export const tokenCommands: Command<CommandContext>[] = [
  { name: 'token set', options: {}, positionals: { min: 0, max: 1, names: 'TOKEN' }, run: tokenSet },
  { name: 'token clear', options: {}, positionals: { min: 0, max: 0, names: '' }, run: tokenClear },
  { name: 'token show', options: {}, positionals: { min: 0, max: 0, names: '' }, run: tokenShow },
];
