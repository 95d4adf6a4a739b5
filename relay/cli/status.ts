import type { ModelView, ProvidersResponse, ProviderView, QosResponse, QosRouteView } from '../admin/dto.js';
import { listKeys } from '../admin/operations.js';
import { modelViews, providerViews } from '../admin/views.js';
import { providerCatalog } from '../providers/catalog.js';
import type { Command } from './args.js';
import { findRunningRelay, offlineDirectory, openOffline, type CommandContext } from './context.js';
import { formatDuration, formatNumber, plural, table } from './format.js';

/** `switchboard status` and `switchboard models`. */

/** Providers and models as the config directory stands, without a relay (no discovery, no probes). */
async function offlineSnapshot(cc: CommandContext): Promise<{ providers: ProviderView[]; models: ModelView[]; problem: string | undefined }> {
  const offline = await openOffline(cc, false);
  try {
    const { directory } = await offlineDirectory(offline.ops);
    const providers = providerViews(directory, await listKeys(offline.ops), providerCatalog);
    return { providers, models: modelViews(directory.routes()), problem: offline.ops.config.problem };
  } finally {
    await offline.close();
  }
}

const STATUS_TEXT: Record<ProviderView['status'], string> = {
  ready: 'ready',
  'needs-key': 'needs a key',
  disabled: 'disabled',
  'not-detected': 'not detected',
  'no-models': 'no models',
};

export const PROTECTION_TEXT: Record<string, string> = {
  keychain: 'in the OS keychain',
  'file-0600': 'in secrets.json (file mode 0600)',
  memory: 'in memory only (lost when the relay stops)',
  none: 'without protection',
};

function providerTable(providers: readonly ProviderView[], running: boolean): string {
  const rows = providers.map((provider) => {
    let note = '';
    if (provider.status === 'needs-key') note = provider.signupUrl ? `get a key: ${provider.signupUrl}` : 'switchboard keys add ' + provider.id;
    else if (provider.status === 'not-detected') note = running ? `nothing answers at ${provider.baseUrl}` : 'not probed offline (see switchboard doctor)';
    else if (provider.discoveryError) note = `discovery failed: ${provider.discoveryError.slice(0, 80)}`;
    return [provider.id, STATUS_TEXT[provider.status], String(provider.keyCount), String(provider.modelCount), note];
  });
  return table(['PROVIDER', 'STATUS', 'KEYS', 'MODELS', 'NOTE'], rows);
}

async function status(cc: CommandContext): Promise<number> {
  const running = await findRunningRelay(cc.configDir);
  if (running) {
    const { status: info, runtime } = running;
    const { providers } = await running.client.get<ProvidersResponse>('/providers');
    const lines = [
      `Switchboard ${info.version} is running (pid ${runtime.pid}, up ${formatDuration(info.uptimeMs)}).`,
      `  Base URL:    ${info.baseUrl ?? `${runtime.url}/v1`}`,
      `  Config dir:  ${info.configDir ?? cc.configDir}`,
      `  Keys stored: ${PROTECTION_TEXT[info.secretProtection]}`,
      `  Models:      ${plural(info.routes, 'route')} servable`,
      ...(info.problem ? [`  Problem:     ${info.problem}`] : []),
      '',
      providerTable(providers, true),
    ];
    cc.io.stdout(`${lines.join('\n')}\n`);
    return 0;
  }
  const snapshot = await offlineSnapshot(cc);
  const lines = [
    'Switchboard is not running. Start it with `switchboard serve`.',
    `  Config dir:  ${cc.configDir}`,
    ...(snapshot.problem ? [`  Problem:     ${snapshot.problem}`] : []),
    '',
    'Providers as the settings and keys stand:',
    providerTable(snapshot.providers, false),
  ];
  cc.io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

const QOS_STATUS_MARK: Record<QosRouteView['status'], string> = {
  up: 'up',
  slow: 'slow',
  'rate-limited': 'rate-limited',
  down: 'down',
  'key-missing': 'needs key',
  'key-rejected': 'key rejected',
  disabled: 'disabled',
  unknown: 'unmeasured',
};

function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${Math.round(value * 100)}%`;
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${value} ms`;
}

/** The live QoS table of a running relay, best first, with auto-fastest's current choice marked. */
function qosTable(qos: QosResponse): string {
  const routes = qos.routes.filter((route) => route.servable).sort((a, b) => (a.score ?? Infinity) - (b.score ?? Infinity) || a.id.localeCompare(b.id));
  const rows = routes.map((route) => [
    route.id === qos.autoFastest?.route ? '▶' : '',
    route.id,
    route.group,
    QOS_STATUS_MARK[route.status],
    ms(route.ttftP50Ms),
    ms(route.ttftP95Ms),
    route.tokensPerSecond === undefined ? '-' : String(route.tokensPerSecond),
    percent(route.uptime1h),
    formatNumber(route.contextWindow),
    route.free ? 'yes' : 'no',
  ]);
  const lines = [table(['', 'ROUTE', 'GROUP', 'STATUS', 'TTFT P50', 'TTFT P95', 'TOK/S', 'UPTIME 1H', 'CONTEXT', 'FREE'], rows)];
  if (qos.autoFastest) {
    const first = qos.autoFastest.decision.candidates[0];
    const why = first?.note ?? (first?.ttftP50Ms !== undefined ? `fastest measured (${first.ttftP50Ms} ms to first token)` : 'first in priority order; not measured yet');
    lines.push('', `▶ auto-fastest goes to ${qos.autoFastest.route} now: ${why}.`);
  } else {
    lines.push('', 'auto-fastest has no usable route right now.');
  }
  if (qos.pin) lines.push(`Pinned: ${qos.pin.kind} ${qos.pin.target}${qos.pin.aliases ? ' (aliases follow the pin)' : ''}.`);
  if (qos.bans.length > 0) lines.push(`Banned: ${qos.bans.join(', ')}.`);
  const unservable = qos.routes.filter((route) => !route.servable).length;
  if (unservable > 0) lines.push(`${plural(unservable, 'more model')} cannot be served yet (missing keys or disabled providers; see \`switchboard status\`).`);
  return `${lines.join('\n')}\n`;
}

async function models(cc: CommandContext): Promise<number> {
  const running = await findRunningRelay(cc.configDir);
  if (running) {
    const qos = await running.client.get<QosResponse>('/qos');
    if (!qos.routes.some((route) => route.servable)) {
      cc.io.stdout('No models can be served yet: add a provider key with `switchboard keys add PROVIDER` (see `switchboard status`).\n');
      return 0;
    }
    cc.io.stdout(qosTable(qos));
    return 0;
  }
  const list: ModelView[] = (await offlineSnapshot(cc)).models;
  cc.io.stderr('Switchboard is not running: models computed from the config directory (catalog lists; no live discovery, local servers not probed, no measurements).\n');
  if (list.length === 0) {
    cc.io.stdout('No models can be served yet: add a provider key with `switchboard keys add PROVIDER` (see `switchboard status`).\n');
    return 0;
  }
  const rows = list.map((model) => [model.model, model.provider, formatNumber(model.contextWindow), model.free ? 'yes' : 'no']);
  cc.io.stdout(`${table(['ID', 'PROVIDER', 'CONTEXT', 'FREE'], rows)}\n`);
  return 0;
}

export const statusCommands: Command<CommandContext>[] = [
  { name: 'status', options: {}, positionals: { min: 0, max: 0, names: '' }, run: status },
  { name: 'models', options: {}, positionals: { min: 0, max: 0, names: '' }, run: models },
];
