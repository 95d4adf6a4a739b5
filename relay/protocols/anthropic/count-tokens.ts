import type { ChatRequest, ContentPart } from '../../core/chat-request.js';

/**
 * The estimate `POST /v1/messages/count_tokens` answers with. Claude's current tokenizer is not
 * public, so this counts the way byte-pair tokenizers split text: a run of letters is one token
 * per started 8 letters (split at camelCase humps), each digit a token, punctuation in runs of
 * 2.5, a line break or indentation run a token, CJK characters about one each. Against
 * Anthropic's published (pre-Claude 3) tokenizer, 90% of 2-3 KB chunks of English READMEs,
 * TypeScript and package.json files land within 1.02-1.08, 1.01-1.12 and 0.88-1.08 of the true
 * count: it leans a little high, so context meters fill early rather than late. docs/wires.md
 * has the method and the weak spots (German and French count about 25% low).
 */

const LETTERS_PER_TOKEN = 8;
/** Claude's tokenizer splits numbers into single digits. */
const DIGITS_PER_TOKEN = 1;
const PUNCTUATION_PER_TOKEN = 2.5;
/** Weights that make a letter count as several ASCII letters: accented Latin, then Cyrillic, Greek, Arabic... */
const LATIN_EXTENDED_WEIGHT = 3;
const OTHER_SCRIPT_WEIGHT = 4;
const CJK_TOKENS = 1.1;
/** Emoji and other characters outside the BMP take several byte-level tokens. */
const ASTRAL_TOKENS = 3;

/** Role markers and turn separators around each message (an assumption, like OpenAI's 3-4). */
const MESSAGE_OVERHEAD = 3;
const REQUEST_OVERHEAD = 3;
/** Anthropic's published size of the tool-use system prompt for Claude 4 models. */
const TOOL_PROMPT_AUTO = 346;
const TOOL_PROMPT_FORCED = 313;
/** Anthropic's image cost: width × height / 750, after scaling to ≤ 1568 px and ≤ 1.15 megapixels. */
const MAX_IMAGE_TOKENS = 1600;

// Character classes as small numbers: the loop below runs over megabytes and allocates nothing.
const NONE = 0;
const WORD = 1;
const DIGIT = 2;
const SPACE = 3;
const PUNCT = 4;
const SINGLE = 5;

const ASCII_CLASSES = new Uint8Array(128).map((_, code) => {
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return WORD;
  if (code >= 48 && code <= 57) return DIGIT;
  if (code === 32 || code === 9 || code === 10 || code === 13) return SPACE;
  return PUNCT;
});

function classOf(code: number): number {
  if (code < 128) return ASCII_CLASSES[code] ?? PUNCT;
  if (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) return WORD;
  if (code >= 0x370 && code <= 0x1fff) return WORD;
  return SINGLE;
}

/** How many ASCII letters one letter counts as: accented Latin, then other alphabets (Cyrillic, Greek, Arabic...). */
function letterWeight(code: number): number {
  if (code < 128) return 1;
  return code <= 0x24f ? LATIN_EXTENDED_WEIGHT : OTHER_SCRIPT_WEIGHT;
}

function isCjk(code: number): boolean {
  return (code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xff00 && code <= 0xffef);
}

function runTokens(run: number, size: number, newline: boolean): number {
  if (run === WORD) return Math.ceil(size / LETTERS_PER_TOKEN);
  if (run === DIGIT) return Math.ceil(size / DIGITS_PER_TOKEN);
  if (run === PUNCT) return Math.ceil(size / PUNCTUATION_PER_TOKEN);
  // A single space joins the next word's token; a line break or an indentation run does not.
  if (run === SPACE && (size > 1 || newline)) return 1;
  return 0;
}

/** Estimated tokens of one text, in one pass (requests reach megabytes). */
export function estimateTextTokens(text: string): number {
  let tokens = 0;
  let run = NONE;
  let size = 0;
  let newline = false;
  let afterLower = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const kind = classOf(code);
    // camelCase and PascalCase split where a capital follows a small letter, as BPE vocabularies do.
    const upper = code >= 65 && code <= 90;
    if (kind !== run || (upper && afterLower)) {
      tokens += runTokens(run, size, newline);
      run = NONE;
      size = 0;
      newline = false;
    }
    afterLower = code >= 97 && code <= 122;
    if (kind === SINGLE) {
      if (code >= 0xd800 && code <= 0xdbff) {
        tokens += ASTRAL_TOKENS;
        index++;
      } else {
        tokens += isCjk(code) ? CJK_TOKENS : 1;
      }
      continue;
    }
    run = kind;
    size += kind === WORD ? letterWeight(code) : 1;
    if (code === 10) newline = true;
  }
  tokens += runTokens(run, size, newline);
  return Math.ceil(tokens);
}

/** Width and height from the first bytes of a PNG, GIF, WebP or JPEG; undefined when unknown. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));
  if (bytes.length >= 24 && ascii(1, 3) === 'PNG') return { width: view.getUint32(16), height: view.getUint32(20) };
  if (bytes.length >= 10 && ascii(0, 3) === 'GIF') return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  if (bytes.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const chunk = ascii(12, 4);
    if (chunk === 'VP8X') return { width: 1 + (view.getUint32(24, true) & 0xffffff), height: 1 + (view.getUint32(27, true) & 0xffffff) };
    if (chunk === 'VP8L') {
      const bits = view.getUint32(21, true);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
    return undefined;
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker.
    let offset = 2;
    while (offset + 9 < bytes.length && bytes[offset] === 0xff) {
      const marker = bytes[offset + 1] ?? 0;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: view.getUint16(offset + 7), height: view.getUint16(offset + 5) };
      }
      offset += 2 + view.getUint16(offset + 2);
    }
  }
  return undefined;
}

/** Anthropic's formula on the image's own size; the ceiling when the size cannot be read (URLs, odd formats). */
export function estimateImageTokens(url: string): number {
  const match = /^data:[^;,]+;base64,/i.exec(url);
  if (!match) return MAX_IMAGE_TOKENS;
  // A JPEG's frame header usually sits within its first 64 KB (after EXIF data).
  const head = Buffer.from(url.slice(match[0].length, match[0].length + 87_384), 'base64');
  const size = imageSize(head);
  if (!size || size.width <= 0 || size.height <= 0) return MAX_IMAGE_TOKENS;
  let { width, height } = size;
  const edge = Math.max(width, height);
  if (edge > 1568) {
    width = (width * 1568) / edge;
    height = (height * 1568) / edge;
  }
  const area = width * height;
  const scaled = area > 1_150_000 ? 1_150_000 : area;
  return Math.min(MAX_IMAGE_TOKENS, Math.max(1, Math.ceil(scaled / 750)));
}

function partsTokens(parts: readonly ContentPart[]): number {
  let tokens = 0;
  for (const part of parts) tokens += part.type === 'text' ? estimateTextTokens(part.text) : estimateImageTokens(part.url);
  return tokens;
}

/** The whole prompt: system, messages, tool definitions and the tool-use system prompt. */
export function estimateInputTokens(request: ChatRequest): number {
  let tokens = REQUEST_OVERHEAD;
  for (const message of request.messages) {
    tokens += MESSAGE_OVERHEAD;
    if (message.role === 'system') tokens += estimateTextTokens(message.content);
    else tokens += partsTokens(message.content);
    if (message.role === 'assistant') {
      for (const call of message.toolCalls ?? []) tokens += MESSAGE_OVERHEAD + estimateTextTokens(call.name) + estimateTextTokens(call.arguments);
    }
  }
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    const forced = request.toolChoice === 'required' || typeof request.toolChoice === 'object';
    tokens += forced ? TOOL_PROMPT_FORCED : TOOL_PROMPT_AUTO;
    for (const tool of tools) {
      tokens += estimateTextTokens(`${tool.name} ${tool.description ?? ''} ${JSON.stringify(tool.parameters ?? {})}`);
    }
  }
  return tokens;
}
