import { SENSITIVE_HEADERS } from '../keys/redact.js';
import { invalid } from './operation-context.js';

/** Checks of what users type: keys, labels, model patterns, base URLs and headers. */

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_MODEL_PATTERNS = 100;
const MAX_HEADERS = 32;

/** Trims a pasted key and refuses empty keys and control characters; the error never echoes it. */
export function normalizeKey(secret: unknown): string {
  if (typeof secret !== 'string') throw invalid('The key must be a string.', 'invalid_key');
  const trimmed = secret.trim();
  if (trimmed === '') throw invalid('The key is empty.', 'invalid_key');
  if (CONTROL_CHARACTER.test(trimmed)) throw invalid('The key contains a line break or another control character; paste it on one line.', 'invalid_key');
  if (trimmed.length > 4096) throw invalid('The key is longer than 4096 characters; that is not an API key.', 'invalid_key');
  return trimmed;
}

export function normalizeLabel(label: unknown): string {
  if (typeof label !== 'string') throw invalid('The label must be a string.', 'invalid_label');
  const trimmed = label.trim();
  if (trimmed === '' || trimmed.length > 64) throw invalid('The label must be 1 to 64 characters.', 'invalid_label');
  if (CONTROL_CHARACTER.test(trimmed)) throw invalid('The label may not contain control characters.', 'invalid_label');
  if (trimmed.toLowerCase().startsWith('env:')) throw invalid("Labels starting with 'env:' are reserved for environment keys.", 'invalid_label');
  return trimmed;
}

export function normalizeModels(models: unknown, what: string): string[] | undefined {
  if (models === undefined || models === null) return undefined;
  if (!Array.isArray(models)) throw invalid(`${what} must be a list of model ids or glob patterns.`, 'invalid_models');
  const out: string[] = [];
  for (const item of models) {
    if (typeof item !== 'string') throw invalid(`${what} must be strings.`, 'invalid_models');
    const trimmed = item.trim();
    if (trimmed === '') continue;
    if (trimmed.length > 200 || CONTROL_CHARACTER.test(trimmed)) throw invalid(`${what}: '${trimmed.slice(0, 60)}' is not a usable model id or pattern.`, 'invalid_models');
    if (!out.includes(trimmed)) out.push(trimmed);
  }
  if (out.length > MAX_MODEL_PATTERNS) throw invalid(`${what}: at most ${MAX_MODEL_PATTERNS} entries.`, 'invalid_models');
  return out;
}

function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Checks a base URL; returns it trimmed, plus warnings. */
export function checkBaseUrl(value: unknown): { url: string; warnings: string[] } {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('The base URL is required, e.g. http://127.0.0.1:8000/v1.', 'invalid_base_url');
  const text = value.trim();
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw invalid(`'${text.slice(0, 200)}' is not a URL; give the full base URL, e.g. https://api.example.com/v1.`, 'invalid_base_url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('The base URL must start with http:// or https://.', 'invalid_base_url');
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid('The base URL may not contain a user name or password: pass the key separately so it is stored as a secret.', 'invalid_base_url');
  }
  if (parsed.search !== '' || parsed.hash !== '') throw invalid('The base URL may not contain a query string or fragment.', 'invalid_base_url');
  const warnings: string[] = [];
  if (parsed.protocol === 'http:' && !isLoopbackHostname(parsed.hostname)) {
    warnings.push(`${parsed.host} is reached over plain http: requests and any key travel unencrypted.`);
  }
  return { url: text, warnings };
}

export function normalizeHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined || headers === null) return undefined;
  if (typeof headers !== 'object' || Array.isArray(headers)) throw invalid('Headers must be an object of name → value.', 'invalid_headers');
  const entries = Object.entries(headers as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) throw invalid(`At most ${MAX_HEADERS} headers.`, 'invalid_headers');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of entries) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/.test(name) || RESERVED_NAMES.has(name.toLowerCase())) {
      throw invalid(`'${name.slice(0, 60)}' is not a valid header name.`, 'invalid_headers');
    }
    if (SENSITIVE_HEADERS.has(name.toLowerCase())) {
      throw invalid(`The header '${name}' carries a credential and would be saved in plain settings; give the key as the endpoint's key instead (sent as Authorization: Bearer).`, 'credential_header');
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw invalid(`The value of the header '${name}' must be text on one line.`, 'invalid_headers');
    out[name] = value;
  }
  return { ...out };
}

// ---------------------------------------------------------------------------------------------
