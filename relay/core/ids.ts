/** Random ids for responses and tool calls. Uses the Web Crypto global, present in Node 20 and browsers. */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(length = 24): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}

export function completionId(): string {
  return `chatcmpl-${randomId()}`;
}

export function toolCallId(): string {
  return `call_${randomId()}`;
}
