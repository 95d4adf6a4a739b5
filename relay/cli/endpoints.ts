import type { AddEndpointResponse, EndpointsResponse, EndpointView, RemoveEndpointResponse } from '../admin/dto.js';
import { addEndpoint, listEndpoints, removeEndpoint, type AddEndpointOptions } from '../admin/operations.js';
import { listValue, stringValue, UsageError, type Command, type ParsedArgs } from './args.js';
import { findRunningRelay, openOffline, type CommandContext } from './context.js';
import { table } from './format.js';
import { keyFromArgOrStdin } from './keys.js';

/** `switchboard endpoints add|list|remove`. */

function parseHeaders(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    const name = colon > 0 ? value.slice(0, colon).trim() : '';
    if (name === '') throw new UsageError(`--header needs the form 'Name: value', not '${value.slice(0, 60)}'.`, 'endpoints add');
    headers[name] = value.slice(colon + 1).trim();
  }
  return headers;
}

async function endpointsAdd(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [name = '', baseUrl = ''] = args.positionals;
  const headers = parseHeaders(listValue(args.values, 'header'));
  const models = listValue(args.values, 'model');
  const given = stringValue(args.values, 'key');
  const key = given === undefined ? undefined : await keyFromArgOrStdin(cc, given, `Paste the key for ${name} (it is not shown) and press Enter: `);
  const options: AddEndpointOptions = {
    ...(key === undefined ? {} : { key }),
    ...(headers === undefined ? {} : { headers }),
    ...(args.values['no-discovery'] === true ? { discovery: false } : {}),
    ...(models.length > 0 ? { models } : {}),
    ...(args.values.free === true ? { free: true } : {}),
  };
  const running = await findRunningRelay(cc.configDir);
  let result: AddEndpointResponse;
  if (running) {
    result = await running.client.post<AddEndpointResponse>('/endpoints', { name, baseUrl, ...options });
  } else {
    const offline = await openOffline(cc, true);
    try {
      result = await addEndpoint(offline.ops, name, baseUrl, options);
    } finally {
      await offline.close();
    }
  }
  const { endpoint } = result;
  const keyText = endpoint.keys[0] ? ` with key ${endpoint.keys[0].masked}` : ' without a key';
  cc.io.stdout(`Added endpoint '${endpoint.id}' at ${endpoint.baseUrl}${keyText}.${running ? ' The running relay uses it now.' : ''}\n`);
  for (const warning of result.warnings) cc.io.stderr(`warning: ${warning}\n`);
  return 0;
}

function modelsText(endpoint: EndpointView): string {
  if (endpoint.models.length === 0) return endpoint.discovery ? '(discovered)' : '(none)';
  return endpoint.models.join(',');
}

async function endpointsList(cc: CommandContext): Promise<number> {
  const running = await findRunningRelay(cc.configDir);
  let endpoints: EndpointView[];
  if (running) {
    endpoints = (await running.client.get<EndpointsResponse>('/endpoints')).endpoints;
  } else {
    const offline = await openOffline(cc, false);
    try {
      endpoints = await listEndpoints(offline.ops);
    } finally {
      await offline.close();
    }
  }
  if (endpoints.length === 0) {
    cc.io.stdout('No custom endpoints. Add one with `switchboard endpoints add NAME BASE_URL`.\n');
    return 0;
  }
  const rows = endpoints.map((endpoint) => [
    endpoint.id,
    endpoint.baseUrl,
    endpoint.keys.map((key) => key.masked).join(',') || '-',
    endpoint.discovery ? 'on' : 'off',
    endpoint.enabled ? 'yes' : 'no',
    modelsText(endpoint),
  ]);
  cc.io.stdout(`${table(['NAME', 'BASE URL', 'KEYS', 'DISCOVERY', 'ENABLED', 'MODELS'], rows)}\n`);
  return 0;
}

async function endpointsRemove(cc: CommandContext, args: ParsedArgs): Promise<number> {
  const [name = ''] = args.positionals;
  const running = await findRunningRelay(cc.configDir);
  let result: RemoveEndpointResponse;
  if (running) {
    result = await running.client.delete<RemoveEndpointResponse>(`/endpoints/${encodeURIComponent(name)}`);
  } else {
    const offline = await openOffline(cc, true);
    try {
      result = await removeEndpoint(offline.ops, name);
    } finally {
      await offline.close();
    }
  }
  const keys = result.deletedKeys > 0 ? ` and deleted its ${result.deletedKeys === 1 ? 'key' : `${result.deletedKeys} keys`}` : '';
  cc.io.stdout(`Removed endpoint '${result.removed.id}'${keys}.\n`);
  return 0;
}

export const endpointsCommands: Command<CommandContext>[] = [
  {
    name: 'endpoints add',
    options: {
      key: { type: 'string' },
      header: { type: 'string', multiple: true },
      'no-discovery': { type: 'boolean' },
      model: { type: 'string', multiple: true },
      free: { type: 'boolean' },
    },
    positionals: { min: 2, max: 2, names: 'NAME and BASE_URL' },
    run: endpointsAdd,
  },
  { name: 'endpoints list', options: {}, positionals: { min: 0, max: 0, names: '' }, run: endpointsList },
  { name: 'endpoints remove', options: {}, positionals: { min: 1, max: 1, names: 'NAME' }, run: endpointsRemove },
];
