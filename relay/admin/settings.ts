import { z } from 'zod';
import { formatConfigIssues, type ConfigIssue, type ConfigSource } from '../config/config-store.js';
import { configSchema, type Config } from '../config/schema.js';
import type { DesktopCapabilities } from './desktop.js';
import type { SettingsResponse, SettingsUpdate, SettingsView } from './dto.js';
import { messageOf, OperationError } from './operation-context.js';

/**
 * GET and PATCH /admin/settings: what the Settings view shows and changes. Every change goes
 * through the ConfigSource in one write, so other settings (and hand edits made meanwhile) are
 * kept; a port or LAN change moves the listening socket in the same step.
 */

export interface ListeningAddress {
  host: string;
  port: number;
  url: string;
}

/** The relay's listening socket, as the settings move it. */
export interface AdminServer {
  /** Where the relay listens now; undefined before it does. */
  listening(): ListeningAddress | undefined;
  /**
   * Moves the relay to host:port: listens there first, then runs `save` (the settings write),
   * then lets the old listener finish the requests in flight. Rejects with a 409 `port_in_use`
   * OperationError when the address is taken, and stays where it was, settings untouched, when
   * anything fails.
   */
  move(host: string, port: number, save: () => Promise<void>): Promise<ListeningAddress>;
}

export interface SettingsDependencies {
  config: ConfigSource;
  /** Whether a relay token is set (environment or secret store); LAN exposure needs one. */
  tokenSet: () => Promise<boolean>;
  server?: AdminServer;
  desktop?: DesktopCapabilities;
  /** Announces a change that did not go through the settings document (start at login). */
  announce?: (config: Config) => void;
}

export const LAN_HOST = '0.0.0.0';
export const LOOPBACK_HOST = '127.0.0.1';

function isLoopback(host: string): boolean {
  const value = host.toLowerCase();
  return value === 'localhost' || value === '::1' || value === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(value);
}

/** A Host name as the local-safety check compares it: lower case, no port, no scheme. */
const hostNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'a host name may not be empty')
  .max(253, 'a host name has at most 253 characters')
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/, 'give a bare host name or address (e.g. my-laptop.local or 192.168.1.20), without scheme or port');

const port = z.number().int('must be a whole number').min(1024, 'must be between 1024 and 65535').max(65_535, 'must be between 1024 and 65535');

/**
 * The shape of a PATCH. Ranges are the settings schema's own (checked on the merged settings),
 * except for what only the API refuses: ports below 1024 and port 0.
 */
const settingsUpdateSchema = z.strictObject({
  server: z
    .strictObject({
      port: port.optional(),
      lan: z.boolean().optional(),
      allowedHosts: z.array(hostNameSchema).max(32, 'at most 32 host names').optional(),
      bodyLimitMb: z.number().optional(),
    })
    .optional(),
  routing: z
    .strictObject({
      policy: z.enum(['free-only', 'free-first', 'any']).optional(),
      exploration: z.number().optional(),
      maxRetryWaitMs: z.number().optional(),
    })
    .optional(),
  timeouts: z
    .strictObject({
      connectMs: z.number().optional(),
      firstTokenMs: z.number().optional(),
      idleMs: z.number().optional(),
      totalMs: z.number().optional(),
    })
    .optional(),
  probe: z
    .strictObject({
      enabled: z.boolean().optional(),
      contenderIntervalSeconds: z.number().optional(),
      tailIntervalMinutes: z.number().optional(),
      quotaSharePercent: z.number().optional(),
    })
    .optional(),
  requests: z.strictObject({ keepBodies: z.boolean().optional() }).optional(),
  ui: z.strictObject({ theme: z.enum(['system', 'light', 'dark']).optional() }).optional(),
  desktop: z.strictObject({ startAtLogin: z.boolean().optional(), notifications: z.boolean().optional() }).optional(),
});

function issueMessages(issues: readonly (ConfigIssue & { code?: string; keys?: readonly string[] })[]): string {
  const named = issues.flatMap((issue): ConfigIssue[] =>
    issue.code === 'unrecognized_keys' && issue.keys ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'not a setting that can be changed here' })) : [issue],
  );
  return formatConfigIssues(named);
}

/** Validates a PATCH body; the 400 names every field that is wrong. */
export function parseSettingsUpdate(body: unknown): SettingsUpdate {
  const parsed = settingsUpdateSchema.safeParse(body ?? {});
  if (!parsed.success) throw new OperationError(`Invalid settings: ${issueMessages(parsed.error.issues)}.`, 400, 'invalid_settings');
  return parsed.data as SettingsUpdate;
}

function assign<T extends object>(target: T, values: Partial<T> | undefined): void {
  if (!values) return;
  for (const [name, value] of Object.entries(values)) if (value !== undefined) (target as Record<string, unknown>)[name] = value;
}

/** Writes an update into a draft of the settings (start at login is not a setting: the OS keeps it). */
export function applySettingsUpdate(draft: Config, update: SettingsUpdate): void {
  const { server } = update;
  if (server) {
    if (server.port !== undefined) draft.server.port = server.port;
    if (server.lan !== undefined) draft.server.host = server.lan ? LAN_HOST : LOOPBACK_HOST;
    if (server.allowedHosts !== undefined) draft.server.allowedHosts = [...new Set(server.allowedHosts)];
    if (server.bodyLimitMb !== undefined) draft.server.bodyLimitMb = server.bodyLimitMb;
  }
  assign(draft.routing, update.routing);
  assign(draft.timeouts, update.timeouts);
  assign(draft.probe, update.probe);
  assign(draft.requests, update.requests);
  assign(draft.ui, update.ui);
  if (update.desktop?.notifications !== undefined) draft.desktop.notifications = update.desktop.notifications;
}

/** Whether an update changes the settings document (everything but start at login does). */
function touchesSettings(update: SettingsUpdate): boolean {
  const { desktop, ...rest } = update;
  return Object.values(rest).some((section) => section !== undefined && Object.values(section).some((value) => value !== undefined)) || desktop?.notifications !== undefined;
}

export async function settingsView(deps: SettingsDependencies): Promise<SettingsView> {
  const config = deps.config.get();
  const listening = deps.server?.listening();
  const startAtLogin = deps.desktop?.startAtLogin;
  let atLogin: boolean | null = null;
  if (startAtLogin) {
    try {
      atLogin = await startAtLogin.get();
    } catch {
      // The OS did not say: shown as unavailable rather than failing the whole view.
      atLogin = null;
    }
  }
  return {
    server: {
      host: config.server.host,
      port: config.server.port,
      // What is true now: a --host flag may expose the relay whatever the settings say.
      lan: !isLoopback(listening?.host ?? config.server.host),
      allowedHosts: [...config.server.allowedHosts],
      tokenSet: await deps.tokenSet(),
      bodyLimitMb: config.server.bodyLimitMb,
      listening: listening ? { host: listening.host, port: listening.port, url: listening.url } : null,
    },
    routing: { policy: config.routing.policy, exploration: config.routing.exploration, maxRetryWaitMs: config.routing.maxRetryWaitMs },
    timeouts: { ...config.timeouts },
    probe: { ...config.probe },
    requests: { ...config.requests },
    ui: { ...config.ui },
    desktop: { startAtLogin: atLogin, notifications: deps.desktop ? config.desktop.notifications : null },
  };
}

/**
 * The origin the dashboard continues at after a move. The page keeps the name it used (its
 * admin cookie belongs to that name) when the new address still answers to it.
 */
function movedOrigin(address: ListeningAddress, requestHost: string | undefined): string {
  const name = requestHost?.trim().toLowerCase().replace(/:\d+$/, '');
  const unspecified = address.host === LAN_HOST || address.host === '::';
  const keepName = name !== undefined && name !== '' && (unspecified || (isLoopback(address.host) && isLoopback(name)));
  const host = keepName ? name : address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}

function saveFailure(config: ConfigSource, error: unknown): OperationError {
  if (error instanceof OperationError) return error;
  if (config.problem !== undefined) return new OperationError(`The settings were not saved: ${messageOf(error)}`, 409, 'config_invalid');
  return new OperationError(`The settings were not saved: ${messageOf(error)}`, 500, 'config_error');
}

/** PATCH /admin/settings. `requestHost` is the Host the dashboard used, for `movedTo`. */
export async function updateSettings(deps: SettingsDependencies, body: unknown, requestHost?: string): Promise<SettingsResponse> {
  const update = parseSettingsUpdate(body);
  const current = deps.config.get();

  // The merged settings must pass the settings schema: its ranges are the only ones.
  const candidate = structuredClone(current) as Config;
  applySettingsUpdate(candidate, update);
  const checked = configSchema.safeParse(candidate);
  if (!checked.success) throw new OperationError(`Invalid settings: ${issueMessages(checked.error.issues)}.`, 400, 'invalid_settings');

  if (update.server?.lan === true && !(await deps.tokenSet())) {
    throw new OperationError('Reaching the relay from other machines needs a relay token first (PUT /admin/token or `switchboard token set`): without one anyone on the network could use your keys.', 409, 'token_required');
  }
  if (update.desktop?.startAtLogin !== undefined && !deps.desktop?.startAtLogin) {
    throw new OperationError('Starting at login is only available in the desktop app.', 409, 'desktop_unavailable');
  }
  if (update.desktop?.notifications !== undefined && !deps.desktop) {
    throw new OperationError('Notifications are only available in the desktop app.', 409, 'desktop_unavailable');
  }

  const save = async (): Promise<void> => {
    if (!touchesSettings(update)) return;
    try {
      await deps.config.update((draft) => applySettingsUpdate(draft, update));
    } catch (error) {
      throw saveFailure(deps.config, error);
    }
  };

  const listening = deps.server?.listening();
  let movedTo: string | undefined;
  if (deps.server && listening) {
    const host = update.server?.lan === undefined ? listening.host : update.server.lan ? LAN_HOST : LOOPBACK_HOST;
    const port = update.server?.port ?? listening.port;
    if (host !== listening.host || port !== listening.port) {
      const moved = await deps.server.move(host, port, save);
      movedTo = movedOrigin(moved, requestHost);
    } else {
      await save();
    }
  } else {
    await save();
  }

  const atLogin = update.desktop?.startAtLogin;
  if (atLogin !== undefined && deps.desktop?.startAtLogin) {
    try {
      await deps.desktop.startAtLogin.set(atLogin);
    } catch (error) {
      throw new OperationError(`${touchesSettings(update) ? 'The other settings were saved, but s' : 'S'}tarting at login could not be ${atLogin ? 'turned on' : 'turned off'}: ${messageOf(error)}`, 500, 'desktop_error');
    }
    // The dashboard learns of changes from the `config` event; this one bypassed the settings file.
    if (!touchesSettings(update)) deps.announce?.(deps.config.get());
  }

  const result: SettingsResponse = { settings: await settingsView(deps) };
  if (movedTo !== undefined) result.movedTo = movedTo;
  return result;
}
