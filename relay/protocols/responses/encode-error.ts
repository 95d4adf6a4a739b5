import type { RelayError } from '../../core/errors.js';
import { encodeError } from '../openai/index.js';

/**
 * Errors for Responses clients. Before the first byte they are OpenAI's error object with the
 * right status, exactly as on the chat wire (the Responses API is the same family). After it
 * they travel in-band; see encode-stream.ts.
 */
export { encodeError };

/** What an in-band failure says: always a code, so Codex can classify it. */
export function streamErrorFields(error: RelayError): { type: string; code: string; message: string; param: string | null } {
  const { body } = encodeError(error);
  return { type: body.error.type, code: body.error.code ?? 'upstream_error', message: body.error.message, param: body.error.param };
}

/** Which request paths speak this dialect: `/v1/responses`, `/responses` and anything below them. */
export function isResponsesPath(path: string): boolean {
  return /^\/(v1\/)?responses(\/|$)/.test(path);
}
