import type { z } from 'zod';
import { invalidRequest, type RelayError } from '../../core/errors.js';

/** Request validation shared by the Responses decoders: zod issues as OpenAI-style 400s. */

export const NO_STATE = 'This relay keeps no response state (`store` is ignored)';

export function zodError(error: z.ZodError, prefix = ''): RelayError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest('The request body is invalid.');
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  const param = `${prefix}${path}`.replace(/^\./, '');
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    message = /received undefined$/.test(issue.message)
      ? `Missing required parameter: '${param}'.`
      : `Invalid type for '${param}': expected ${(issue as { expected?: string }).expected ?? 'another type'}.`;
  } else if (issue.code === 'invalid_union' || issue.code === 'invalid_value') {
    message = `Invalid value for '${param}'.`;
  } else if (param) {
    message = `Invalid value for '${param}': ${issue.message}.`;
  }
  return invalidRequest(message, param || undefined);
}

export function parse<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodError(parsed.error, prefix);
  return parsed.data;
}
