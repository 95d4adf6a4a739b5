import { encodeError, isResponsesPath } from './encode-error.js';
import { responsesRoutes } from './routes.js';

export { responsesRoutes } from './routes.js';
export { encodeError, isResponsesPath } from './encode-error.js';

/** The wire as relay/http/app.ts mounts it: its routes and its error dialect. */
export const responsesWire = {
  name: 'responses',
  routes: responsesRoutes,
  errors: { matches: (request: { path: string }) => isResponsesPath(request.path), encode: encodeError },
};
