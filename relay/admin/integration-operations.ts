import type { Config } from '../config/schema.js';
import type { Detection, RelayTarget, TargetModel } from '../integrations/integration.js';
import { IntegrationError } from '../integrations/integration.js';
import type { SecretStore } from '../keys/secret-store.js';
import { maskKey } from '../keys/redact.js';
import { canonicalGroup } from '../routing/model-groups.js';
import type { RouteEntry } from '../routing/route-entry.js';
import { resolveModel, VIRTUAL_MODEL_IDS } from '../routing/select-route.js';
import type { IntegrationView } from './dto.js';
import { OperationError } from './operation-context.js';

/**
 * What the client integrations point at, computed from the relay's routes and settings: the
 * base URL, the key clients send (the relay token, never an upstream key) and the model ids
 * the relay serves — the virtual ids and one id per model group, each with its context window
 * where known. Shared by the admin API and the offline CLI.
 */

/** Sent when no relay token is set: clients insist on some key, the relay ignores it on loopback. */
export const PLACEHOLDER_API_KEY = 'switchboard';
export const RELAY_TOKEN_SECRET = 'relay-token';

const VIRTUAL_NAMES: Record<string, string> = {
  'auto-fastest': 'Auto (fastest healthy model)',
  fast: 'Fast',
  coding: 'Coding (tools, 32k+ context)',
  vision: 'Vision (takes images)',
  'long-context': 'Long context (128k+)',
  free: 'Free models only',
};

function largest(values: ReadonlyArray<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}

function smallest(values: ReadonlyArray<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}

function modelOf(id: string, name: string, routes: readonly RouteEntry[], outputLimit: boolean): TargetModel {
  const model: TargetModel = { id, name };
  // The relay sends a long request only to a route whose window fits it, so the largest window counts.
  const contextWindow = largest(routes.map((route) => route.contextWindow));
  if (contextWindow !== undefined) model.contextWindow = contextWindow;
  // Any route of a group may answer, so the smallest output limit is the safe one.
  const maxOutputTokens = outputLimit ? smallest(routes.map((route) => route.maxOutputTokens)) : undefined;
  if (maxOutputTokens !== undefined) model.maxOutputTokens = maxOutputTokens;
  if (routes.some((route) => route.capabilities.vision === true)) model.vision = true;
  if (routes.some((route) => route.capabilities.reasoning === true)) model.reasoning = true;
  return model;
}

/** The virtual ids (always listed, as /v1/models does), then every model group, by name. */
export function targetModels(routes: readonly RouteEntry[], config: Config): TargetModel[] {
  const chat = routes.filter((route) => route.capabilities.embeddings !== true);
  const options = { policy: config.routing.policy, bans: config.routing.bans };
  const models: TargetModel[] = VIRTUAL_MODEL_IDS.map((id) => {
    const resolution = resolveModel(id, chat, options);
    return modelOf(id, VIRTUAL_NAMES[id] ?? id, resolution.kind === 'routes' ? resolution.candidates : [], false);
  });
  const groups = new Map<string, RouteEntry[]>();
  for (const route of chat) {
    const group = canonicalGroup(route.model);
    groups.set(group, [...(groups.get(group) ?? []), route]);
  }
  const banned = new Set(config.routing.bans);
  for (const [group, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (banned.has(group) || VIRTUAL_NAMES[group] !== undefined) continue;
    models.push(modelOf(group, group, members, true));
  }
  return models;
}

/** The relay token (SWITCHBOARD_TOKEN wins, as in the relay), or undefined when none is set. */
export async function relayToken(env: Record<string, string | undefined>, secrets: SecretStore): Promise<string | undefined> {
  const fromEnv = env.SWITCHBOARD_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  return (await secrets.get(RELAY_TOKEN_SECRET).catch(() => undefined)) || undefined;
}

/** `http://127.0.0.1:4747/v1` for a relay listening at `origin`; the unspecified address means loopback. */
export function clientBaseUrl(origin: string): string {
  return `${origin.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:').replace(/\/+$/, '')}/v1`;
}

/** The base URL for a host and port from the settings or the command line. */
export function baseUrlFor(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return clientBaseUrl(`http://${name.includes(':') ? `[${name}]` : name}:${port}`);
}

export function relayTarget(baseUrl: string, token: string | undefined, models: TargetModel[]): RelayTarget {
  return { baseUrl, apiKey: token ?? PLACEHOLDER_API_KEY, models };
}

/** A diff or message with the token shown masked (previews go to screens and the dashboard). */
export function maskToken(text: string, token: string | undefined): string {
  return token !== undefined && token.length >= 8 ? text.split(token).join(maskKey(token)) : text;
}

export function integrationView(detection: Detection): IntegrationView {
  return { ...detection, drift: [...detection.drift], models: [...detection.models] };
}

/** IntegrationErrors as admin API errors: refusals are conflicts the user resolves. */
export function integrationFailure(error: unknown): unknown {
  if (!(error instanceof IntegrationError)) return error;
  if (error.code === 'unknown-client') return new OperationError(error.message, 404, 'unknown_integration');
  if (error.code === 'symlink') return new OperationError(error.message, 409, 'symlink_refused');
  if (error.code === 'invalid-file') return new OperationError(error.message, 409, 'invalid_client_config');
  return new OperationError(error.message, 500, 'client_config_io');
}
