import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { OperationError } from './operation-context.js';

/**
 * The bytes of a config token (see config-token.ts for what goes in and out of one).
 *
 *   sbcfg1.plain.<base64url(JSON payload)>                       settings only
 *   sbcfg1.sealed.<base64url(salt 16 | iv 12 | tag 16 | ciphertext)>   settings and keys
 *
 * `sbcfg` says what it is, `1` the token format, `plain`/`sealed` whether it is encrypted. A
 * token that carries keys is always sealed: the key is derived from the passphrase with scrypt
 * (N = 2^15, r = 8, p = 1, 32 bytes, random 16-byte salt) and the payload encrypted with
 * AES-256-GCM (random 12-byte IV, 16-byte tag), the header `sbcfg1.sealed.` authenticated as
 * additional data. A wrong passphrase and a changed byte fail the same authentication check, so
 * they get the same error. Decoding is strict and never echoes the token.
 */

export const TOKEN_FORMAT = 1;
export const TOKEN_APP = 'switchboard';
const PLAIN_HEADER = `sbcfg${TOKEN_FORMAT}.plain.`;
const SEALED_HEADER = `sbcfg${TOKEN_FORMAT}.sealed.`;

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** 2^15 × 8 × 128 bytes = 32 MiB of memory per derivation; maxmem leaves room above that. */
const SCRYPT_OPTIONS: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 96 * 1024 * 1024 };

export const MIN_PASSPHRASE_LENGTH = 8;
const MAX_PASSPHRASE_LENGTH = 1024;
/** Far above any real settings document; refuses a pasted file by mistake early. */
export const MAX_TOKEN_LENGTH = 4 * 1024 * 1024;

/** Keys that could reach an object's prototype: refused anywhere in a payload. */
const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type TokenKind = 'plain' | 'sealed';

/** What a token carries once opened; `config` and `keys` are still unchecked (see config-token-plan.ts). */
export const tokenPayloadSchema = z.object({
  format: z.literal(TOKEN_FORMAT),
  app: z.literal(TOKEN_APP),
  createdAt: z.string().max(64),
  config: z.record(z.string(), z.unknown()),
  keys: z
    .array(
      z.object({
        provider: z.string().max(200),
        label: z.string().max(200),
        models: z.array(z.string().max(400)).max(1000).optional(),
        secret: z.string().max(8192),
      }),
    )
    .max(10_000)
    .optional(),
});

export type TokenPayload = z.infer<typeof tokenPayloadSchema>;
export type TokenKey = NonNullable<TokenPayload['keys']>[number];

const badToken = (message: string, code = 'invalid_token') => new OperationError(message, 400, code);

/** The token as typed or pasted: whitespace (line wraps) removed. */
export function cleanToken(token: string): string {
  return token.replace(/\s+/g, '');
}

/**
 * Whether a token is plain or sealed, from its header alone (nothing is decoded). Throws the
 * error an import would give for a missing token, something else, or a token of another format.
 */
export function tokenKind(token: unknown): TokenKind {
  return readHeader(token).kind;
}

function readHeader(token: unknown): { kind: TokenKind; body: string } {
  if (typeof token !== 'string' || token.trim() === '') throw badToken('The token is missing.', 'missing_token');
  if (token.length > MAX_TOKEN_LENGTH) throw badToken('The token is too long to be a Switchboard settings export.');
  const clean = cleanToken(token);
  const header = /^sbcfg(\d{1,6})\.([a-z]{1,16})\./.exec(clean);
  if (!header) {
    throw badToken(
      clean.startsWith('sbcfg') ? 'The token is damaged: its header is incomplete. Copy it again, whole.' : 'This is not a Switchboard settings token (they start with sbcfg1.).',
    );
  }
  const version = Number(header[1]);
  if (version > TOKEN_FORMAT) throw newerToken(version);
  if (version !== TOKEN_FORMAT) throw badToken(`Unknown token format ${version}; this Switchboard reads format ${TOKEN_FORMAT}.`);
  const kind = header[2];
  if (kind !== 'plain' && kind !== 'sealed') throw badToken(`Unknown kind of token '${kind}'; expected plain or sealed.`);
  return { kind, body: clean.slice(header[0].length) };
}

/** Checks a passphrase (Unicode NFC, so the same typed text matches on every system). */
export function normalizePassphrase(passphrase: unknown): string {
  if (typeof passphrase !== 'string') throw badToken('The passphrase must be a string.', 'invalid_passphrase');
  const normalized = passphrase.normalize('NFC');
  const length = [...normalized].length;
  if (length < MIN_PASSPHRASE_LENGTH) throw badToken(`The passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters.`, 'invalid_passphrase');
  if (length > MAX_PASSPHRASE_LENGTH) throw badToken(`The passphrase may have at most ${MAX_PASSPHRASE_LENGTH} characters.`, 'invalid_passphrase');
  return normalized;
}

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, KEY_BYTES, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `sbcfg1.plain.…`: the payload as base64url JSON, readable by anyone holding the token. */
export function encodePlain(payload: TokenPayload): string {
  if (payload.keys !== undefined) throw new OperationError('A token with keys must be sealed with a passphrase.', 500, 'internal_error');
  return `${PLAIN_HEADER}${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
}

/** `sbcfg1.sealed.…`: the payload encrypted under `passphrase` (already normalized). */
export async function encodeSealed(payload: TokenPayload, passphrase: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = await deriveKey(passphrase, salt);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(SEALED_HEADER, 'ascii'));
  const plaintext = Buffer.from(JSON.stringify(payload), 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  plaintext.fill(0);
  key.fill(0);
  return `${SEALED_HEADER}${Buffer.concat([salt, iv, tag, ciphertext]).toString('base64url')}`;
}

/** base64url without padding, canonical: anything else (a cut or changed character) is refused. */
function decodeBody(body: string): Buffer {
  const trimmed = body.replace(/=+$/, '');
  if (trimmed === '' || !/^[A-Za-z0-9_-]+$/.test(trimmed)) throw badToken('The token is damaged: it holds characters a token never has. Copy it again, whole.');
  const bytes = Buffer.from(trimmed, 'base64url');
  if (bytes.toString('base64url') !== trimmed) throw badToken('The token is damaged or cut short. Copy it again, whole.');
  return bytes;
}

/** JSON.parse that refuses `__proto__`, `constructor` and `prototype` keys at any depth. */
export function parseUntrustedJson(text: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (POLLUTING_KEYS.has(key)) throw new PollutingKeyError(key);
      return value;
    });
  } catch (error) {
    if (error instanceof PollutingKeyError) throw badToken(`The token is refused: it contains the key '${error.key}', which settings never have.`, 'polluting_key');
    throw badToken('The token is damaged: its content is not valid JSON.');
  }
}

class PollutingKeyError extends Error {
  constructor(readonly key: string) {
    super(`polluting key ${key}`);
  }
}

function parsePayload(bytes: Buffer): TokenPayload {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badToken('The token is damaged: its content is not text.');
  }
  const raw = parseUntrustedJson(text);
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const format = (raw as { format?: unknown }).format;
    if (typeof format === 'number' && format > TOKEN_FORMAT) throw newerToken(format);
  }
  const result = tokenPayloadSchema.safeParse(raw);
  if (!result.success) throw badToken('The token is not a Switchboard settings export (its content has the wrong shape).');
  return result.data;
}

function newerToken(format: number): OperationError {
  return badToken(
    `This token was made by a newer Switchboard (token format ${format}; this version reads format ${TOKEN_FORMAT}). Upgrade Switchboard here, then import it.`,
    'token_from_newer_version',
  );
}

/**
 * Opens a token: checks the header, decodes, decrypts a sealed one with `passphrase`, parses
 * and shape-checks the payload. Every failure is an OperationError (400) that never quotes the
 * token or the passphrase.
 */
export async function decodeToken(token: unknown, passphrase: unknown): Promise<{ kind: TokenKind; payload: TokenPayload }> {
  const { kind, body } = readHeader(token);
  const bytes = decodeBody(body);

  if (kind === 'plain') {
    const payload = parsePayload(bytes);
    // Keys only ever travel encrypted: a plain token with keys was not made by Switchboard.
    if (payload.keys !== undefined) throw badToken('The token is refused: it carries keys without encryption, which Switchboard never does.', 'plain_token_with_keys');
    return { kind, payload };
  }

  if (passphrase === undefined || passphrase === '') throw badToken('This token holds keys and is sealed: give the passphrase it was exported with.', 'passphrase_required');
  if (typeof passphrase !== 'string') throw badToken('The passphrase must be a string.', 'invalid_passphrase');
  if (bytes.length <= SALT_BYTES + IV_BYTES + TAG_BYTES) throw badToken('The token is damaged or cut short. Copy it again, whole.');
  const salt = bytes.subarray(0, SALT_BYTES);
  const iv = bytes.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
  const tag = bytes.subarray(SALT_BYTES + IV_BYTES, SALT_BYTES + IV_BYTES + TAG_BYTES);
  const ciphertext = bytes.subarray(SALT_BYTES + IV_BYTES + TAG_BYTES);
  // Not normalizePassphrase: a token is opened with whatever it was sealed with.
  const key = await deriveKey(passphrase.normalize('NFC'), salt);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(SEALED_HEADER, 'ascii'));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw badToken('The token cannot be opened: the passphrase is wrong, or the token was changed or cut short.', 'token_auth_failed');
  } finally {
    key.fill(0);
  }
  try {
    return { kind, payload: parsePayload(plaintext) };
  } finally {
    plaintext.fill(0);
  }
}
