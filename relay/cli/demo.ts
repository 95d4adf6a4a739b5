import { relayToken } from '../admin/integration-operations.js';
import type { Relay, RelayAddress } from '../index.js';
import type { Command } from './args.js';
import type { CommandContext } from './context.js';
import { serve } from './serve.js';

/**
 * `switchboard demo`: the relay in the foreground, exactly like `serve`, with demo mode on, so
 * routing, failover and the QoS table can be watched without a single key.
 */

async function introLines(cc: CommandContext, relay: Relay, address: RelayAddress): Promise<string[]> {
  // Named, never shown: the example is printed where anyone at the terminal may see it.
  const tokenSet = (await relayToken(cc.env, relay.secretStore)) !== undefined;
  const body = JSON.stringify({ model: 'auto-fastest', messages: [{ role: 'user', content: 'Hello' }] });
  return [
    'Demo mode: demo-fast, demo-slow and demo-flaky are SIMULATED providers running on this machine. No real model answers, no key is needed, and your settings are not changed.',
    'Try it:',
    `  curl ${address.url}/v1/chat/completions -H 'content-type: application/json'${tokenSet ? " -H 'authorization: Bearer <your relay token>'" : ''} -d '${body}'`,
  ];
}

export const demoCommands: Command<CommandContext>[] = [
  {
    name: 'demo',
    options: { port: { type: 'string' } },
    positionals: { min: 0, max: 0, names: '' },
    run: (cc, args) => serve(cc, args, 'demo', { demo: true, intro: (relay, address) => introLines(cc, relay, address) }),
  },
];
