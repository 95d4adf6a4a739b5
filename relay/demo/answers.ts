/**
 * What the simulated models say, and how many tokens that is. Counts come from one simple
 * tokenizer (words, long words in pieces of six letters, each punctuation mark), applied the
 * same way to prompts and answers, and every streamed chunk is exactly one such token: the usage
 * a simulator reports is what it actually sent.
 */

const PIECE = /\s*[\p{L}\p{N}_']+|\s*[^\s\p{L}\p{N}_']|\s+$/gu;
const WORD_PIECE = 6;
/** Per message, for its role and separators, as chat templates spend them. */
const MESSAGE_OVERHEAD = 3;
/** What one image costs, whatever its size. */
const IMAGE_TOKENS = 85;

/** The text as tokens; joined they give the text back unchanged. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    const lead = /^\s*/.exec(piece)?.[0] ?? '';
    const body = piece.slice(lead.length);
    if (body.length <= WORD_PIECE) {
      tokens.push(piece);
      continue;
    }
    tokens.push(lead + body.slice(0, WORD_PIECE));
    for (let at = WORD_PIECE; at < body.length; at += WORD_PIECE) tokens.push(body.slice(at, at + WORD_PIECE));
  }
  return tokens;
}

interface WireMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
}

/** The text of one message's content, string or parts; images are counted apart. */
function messageText(message: WireMessage): { text: string; images: number } {
  let text = '';
  let images = 0;
  const { content } = message;
  if (typeof content === 'string') text += content;
  else if (Array.isArray(content)) {
    for (const part of content as Array<Record<string, unknown>>) {
      if (part?.type === 'text' && typeof part.text === 'string') text += `${part.text}\n`;
      else if (part?.type === 'image_url') images++;
    }
  }
  if (Array.isArray(message.tool_calls)) text += JSON.stringify(message.tool_calls);
  return { text, images };
}

/** Prompt tokens of a chat request's messages. */
export function promptTokens(messages: readonly unknown[]): number {
  let total = 0;
  for (const message of messages) {
    const { text, images } = messageText((message ?? {}) as WireMessage);
    total += MESSAGE_OVERHEAD + tokenize(text).length + images * IMAGE_TOKENS;
  }
  return total;
}

/** The text of the last user message, for the answer to refer to. */
export function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = (messages[index] ?? {}) as WireMessage;
    if (message.role === 'user') return messageText(message).text.trim();
  }
  return '';
}

export interface AnswerInput {
  provider: string;
  model: string;
  prompt: string;
  ttftMs: number;
  tokensPerSecond: number;
  /** The request asked for a JSON object (response_format json_object or json_schema). */
  json: boolean;
  random: () => number;
}

function topicOf(prompt: string): string {
  const words = prompt.replace(/\s+/g, ' ').replace(/["“”]/g, "'").trim().split(' ');
  const short = words.slice(0, 10).join(' ');
  return words.length > 10 ? `${short}…` : short;
}

/**
 * A short answer that says plainly it comes from a simulation. A "count from A to B" prompt
 * (what the prober sends) gets the numbers, so probes measure a realistic answer length.
 */
export function composeAnswer(input: AnswerInput): string {
  const count = /count from (\d{1,4}) to (\d{1,4})/i.exec(input.prompt);
  if (count) {
    const from = Number(count[1]);
    const to = Math.min(Number(count[2]), from + 200);
    const numbers: number[] = [];
    for (let value = from; value <= to; value++) numbers.push(value);
    if (numbers.length > 0) return numbers.join(' ');
  }
  const topic = topicOf(input.prompt);
  const about = topic === '' ? '' : ` You wrote: "${topic}".`;
  const templates = [
    `Hello! I am ${input.model}, a simulated model served by ${input.provider} in Switchboard's demo mode. No real language model read your message; this reply is made up on your machine so you can watch routing, failover and the QoS table.${about}`,
    `(Simulated answer from ${input.provider}/${input.model}.)${about} A real provider would answer here. In demo mode Switchboard routes to three local stand-ins that differ only in speed and reliability; add a real key with \`switchboard keys add\` to talk to a real model.`,
    `This is a simulated reply from ${input.provider}. It starts after about ${Math.round(input.ttftMs)} ms and streams at roughly ${Math.round(input.tokensPerSecond)} tokens per second, which is what Switchboard measures to choose the fastest route.${about}`,
  ];
  const text = templates[Math.floor(input.random() * templates.length)] ?? templates[0] ?? '';
  return input.json ? JSON.stringify({ simulated: true, provider: input.provider, model: input.model, answer: text }) : text;
}
