import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { RelayError, invalidRequest } from '../../core/errors.js';
import { readPlainBody } from './plain-body.js';

export interface JsonBodyOptions {
  limitBytes: () => number;
  /** Paths that accept bodies without a JSON content type when no browser is involved (Ollama's curl examples). */
  lenientContentType?: (path: string) => boolean;
  /** Sees each raw body before it is parsed (the request log keeps it when asked to). */
  onBody?: (response: Response, body: Buffer) => void;
}

// The dangerous names, or an escape of `_` or a lower-case letter: `"\u005f_proto__"` is the same
// key to JSON.parse, and those escapes are rare enough in real content to keep the fast path fast.
const POLLUTING_KEYS = /"(__proto__|constructor|prototype)"\s*:|\\u00(5[fF]|[67][0-9a-fA-F])/;
const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;
/** Far deeper than any real request (a tool schema nests a few dozen levels), far below the stack. */
const MAX_DEPTH = 256;

/**
 * Reads and parses JSON bodies with the relay's own errors: a wrong content type is 415 (a
 * browser's "simple" cross-site POST must never be parsed), malformed JSON 400, too large 413,
 * keys that could pollute prototypes 400. Lone surrogates are replaced, as strict upstreams
 * reject them and would fail every later turn of the conversation.
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  let limit = options.limitBytes();
  let raw = express.raw({ type: () => true, limit });
  const parse = (request: Request, response: Response, next: NextFunction): void => {
    if (!Buffer.isBuffer(request.body)) {
      request.body = undefined;
      next();
      return;
    }
    options.onBody?.(response, request.body);
    const text = request.body.toString('utf8');
    if (text.trim() === '') {
      next(invalidRequest('The request body is empty; send a JSON object.'));
      return;
    }
    let parsed: unknown;
    try {
      parsed = POLLUTING_KEYS.test(text) ? JSON.parse(text, refusePollution) : JSON.parse(text);
    } catch (error) {
      next(error instanceof RelayError ? error : invalidRequest(`We could not parse the JSON body of your request: ${(error as Error).message.slice(0, 120)}.`));
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      next(invalidRequest('The request body must be a JSON object.'));
      return;
    }
    // JSON.parse copes with any depth, but recursive code after it (the surrogate repair here,
    // JSON.stringify when forwarding) would overflow the stack and answer 500.
    if (nestedDeeperThan(parsed, MAX_DEPTH)) {
      next(invalidRequest(`The request body is nested more than ${MAX_DEPTH} levels deep.`));
      return;
    }
    request.body = ESCAPED_SURROGATE.test(text) ? makeWellFormed(parsed) : parsed;
    next();
  };
  return function readJsonBody(request, response, next) {
    if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') {
      request.body = undefined;
      next();
      return;
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const browser = request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined;
    if (type !== 'application/json' && (browser || !options.lenientContentType?.(request.path))) {
      next(new RelayError(`The request body must be JSON (Content-Type: application/json)${type ? `, not '${type.slice(0, 60)}'` : ''}.`, {
        status: 415,
        kind: 'unsupported-media-type',
      }));
      return;
    }
    const current = options.limitBytes();
    if (current !== limit) {
      limit = current;
      raw = express.raw({ type: () => true, limit });
    }
    const parseNext: NextFunction = (error?: unknown) => (error === undefined || error === null ? parse(request, response, next) : next(error));
    if (!readPlainBody(request, limit, parseNext)) raw(request, response, parseNext);
  };
}

function refusePollution(this: unknown, key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)) {
    throw invalidRequest(`The key '${key}' is not allowed in a request body.`);
  }
  return value;
}

/** Whether any array or object sits deeper than `limit` (the root is at depth 1). */
function nestedDeeperThan(root: object, limit: number): boolean {
  return deeper(root, 1, limit);
}

// Recursion is bounded by `limit` (far below the stack), and allocates nothing per value.
function deeper(value: object, depth: number, limit: number): boolean {
  if (depth > limit) return true;
  if (Array.isArray(value)) {
    for (const inner of value) if (inner !== null && typeof inner === 'object' && deeper(inner as object, depth + 1, limit)) return true;
    return false;
  }
  for (const key in value) {
    const inner = (value as Record<string, unknown>)[key];
    if (inner !== null && typeof inner === 'object' && deeper(inner, depth + 1, limit)) return true;
  }
  return false;
}

function makeWellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(makeWellFormed);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key.toWellFormed()] = makeWellFormed(inner);
    return out;
  }
  return value;
}

/** Turns body-parser's own errors (size, encoding, aborted) into RelayErrors. */
export function bodyParserError(error: unknown): RelayError | undefined {
  const type = (error as { type?: string } | undefined)?.type;
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit;
    return new RelayError(`The request body is larger than the relay's limit${limit ? ` of ${Math.round(limit / 1048576)} MB` : ''} (server.bodyLimitMb).`, {
      status: 413,
      kind: 'payload-too-large',
      code: 'request_too_large',
    });
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new RelayError('The request body encoding is not supported.', { status: 415, kind: 'unsupported-media-type' });
  if (type === 'entity.parse.failed') return invalidRequest('We could not parse the JSON body of your request.');
  if (type === 'request.aborted') return new RelayError('The client closed the request while sending it.', { status: 400, kind: 'invalid-request' });
  if (type === 'request.size.invalid' || type === 'stream.encoding.set') return invalidRequest('The request body could not be read.');
  return undefined;
}
