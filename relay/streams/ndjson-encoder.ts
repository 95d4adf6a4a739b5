/** NDJSON framing for responses: one complete JSON value per line. There is no comment syntax. */

/** One line; JSON.stringify escapes every newline inside strings, so the value stays on one line. */
export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export const NDJSON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/x-ndjson',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};
