import type { RelayService } from '../../core/relay-service.js';
import { encodeError } from './encode-error.js';
import { anthropicRoutes, speaksAnthropic } from './routes.js';

export { anthropicRoutes, speaksAnthropic, type AnthropicRouteOptions } from './routes.js';
export { encodeError, anthropicStatus } from './encode-error.js';

/** Paths only Anthropic clients call; errors on them (and from any Anthropic SDK call) take Anthropic's shape. */
const ANTHROPIC_PATH = /^\/(anthropic\/|v1\/messages(\/|$))/;

/** The Anthropic Messages wire as the app mounts it: its routes and its error dialect. */
export const anthropicWire = {
  name: 'anthropic',
  routes: (service: RelayService) => anthropicRoutes(service),
  errors: {
    matches: (request: { path: string; headers: Record<string, string | string[] | undefined> }) =>
      ANTHROPIC_PATH.test(request.path) || (request.path.startsWith('/v1/models') && speaksAnthropic(request)) || request.headers['anthropic-version'] !== undefined,
    encode: encodeError,
  },
};
