/** Random ids for responses and tool calls. Uses the Web Crypto global, present in Node 20 and browsers. */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Ids are made on every request; one call to the system's random source per 4 KB of ids keeps
// that off the hot path (it measured 4–7 % of the relay's CPU when called per id).
const pool = new Uint8Array(4096);
let offset = pool.length;

export function randomId(length = 24): string {
  if (offset + length > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    offset = 0;
  }
  let id = '';
  for (let index = 0; index < length; index++) id += alphabet[(pool[offset + index] ?? 0) % alphabet.length];
  offset += length;
  return id;
}

export function completionId(): string {
  return `chatcmpl-${randomId()}`;
}

export function toolCallId(): string {
  return `call_${randomId()}`;
}
