import type { RelayError } from '../../core/errors.js';
import { encodeError } from './encode-error.js';
import { ollamaRoutes } from './routes.js';

export { ollamaRoutes } from './routes.js';
export { encodeError, streamErrorLine } from './encode-error.js';

/** Ollama's paths: its clients get `{"error":"..."}` and may post JSON with curl's form type. */
export function isOllamaPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** The wire as relay/http/app.ts mounts it (a WireMount). */
export const ollamaWire = {
  name: 'ollama',
  routes: ollamaRoutes,
  errors: {
    matches: (request: { path: string }) => isOllamaPath(request.path),
    encode: (error: RelayError) => encodeError(error),
  },
  lenientContentType: isOllamaPath,
};
