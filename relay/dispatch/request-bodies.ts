import { redactSecrets } from '../keys/redact.js';

/**
 * Prompt and answer bodies of recent requests, kept only while the user asks for them
 * (`requests.keepBodies`). Memory only, by design: a body can hold anything the user typed, so it
 * must never outlive the process or survive the setting being turned off.
 */

export interface KeptBodies {
  /** The request body as the client sent it, keys redacted; absent when none was read. */
  requestBody?: string;
  /** The answer as the client received it (every byte written, in order), keys redacted. */
  responseBody?: string;
  /** Either body was cut at the size limit. */
  truncated: boolean;
}

export interface RequestBodiesOptions {
  /** Every secret a body may contain (provider keys, relay and admin tokens). */
  secrets: () => Promise<Iterable<string>>;
  /** Whether the request log holds this request: bodies of anything else (model lists, token counts) are not worth a slot. */
  recorded?: (requestId: string) => boolean;
  /** Bytes kept of each body (default 64 KB). */
  maxBodyBytes?: number;
  /** Requests whose bodies are kept (default 200), oldest dropped first. */
  maxEntries?: number;
  /** Bytes of kept text in all (default 16 MB), oldest dropped first. */
  maxTotalBytes?: number;
}

interface Entry extends KeptBodies {
  bytes: number;
}

/** redactSecrets ignores shorter secrets; so does the trimming of a cut-off key. */
const MIN_SECRET_LENGTH = 8;

/** The bytes of one request as they pass; the store turns them into text when the response closes. */
export class BodyCapture {
  private requestBytes: Buffer | undefined;
  private requestCut = false;
  private readonly answer: Buffer[] = [];
  private answerBytes = 0;
  private answerCut = false;
  private closed = false;

  constructor(
    readonly requestId: string,
    readonly generation: number,
    private readonly limit: number,
    private readonly onClose: (capture: BodyCapture) => void,
  ) {}

  /** The raw request body, as read from the socket. */
  request(body: Buffer): void {
    if (this.closed) return;
    // A copy of the head only, so a large body is not held alive by its first 64 KB.
    this.requestBytes = Buffer.from(body.subarray(0, this.limit));
    this.requestCut = body.length > this.limit;
  }

  /** One chunk written to the client. */
  written(chunk: unknown, encoding?: unknown): void {
    if (this.closed || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8')
        : chunk instanceof Uint8Array
          ? chunk
          : undefined;
    if (!bytes || bytes.length === 0) return;
    const room = this.limit - this.answerBytes;
    if (bytes.length > room) this.answerCut = true;
    if (room <= 0) return;
    // Copied: the caller may reuse its buffer once write returns.
    const head = Buffer.from(bytes.subarray(0, room));
    this.answer.push(head);
    this.answerBytes += head.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }

  /** What was captured so far, keys redacted. */
  text(secrets: readonly string[]): KeptBodies {
    const bodies: KeptBodies = { truncated: this.requestCut || this.answerCut };
    if (this.requestBytes) bodies.requestBody = keptText(this.requestBytes, this.requestCut, secrets);
    if (this.answerBytes > 0) bodies.responseBody = keptText(Buffer.concat(this.answer), this.answerCut, secrets);
    return bodies;
  }
}

/** The bodies of the last requests, bounded in count and bytes. */
export class RequestBodies {
  private readonly kept = new Map<string, Entry>();
  private readonly open = new Map<string, BodyCapture>();
  /** Closed captures whose redaction has not finished yet. */
  private readonly pending = new Map<string, Promise<void>>();
  private totalBytes = 0;
  /** Bumped by clear(): captures and redactions begun before it never store anything. */
  private generation = 0;
  private readonly maxBodyBytes: number;
  private readonly maxEntries: number;
  private readonly maxTotalBytes: number;

  constructor(private readonly options: RequestBodiesOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.maxEntries = options.maxEntries ?? 200;
    this.maxTotalBytes = options.maxTotalBytes ?? 16 * 1024 * 1024;
  }

  /** Starts capturing one request; close the capture when its response is done. */
  capture(requestId: string): BodyCapture {
    const capture = new BodyCapture(requestId, this.generation, this.maxBodyBytes, (closed) => this.closed(closed));
    this.open.set(requestId, capture);
    return capture;
  }

  /** Bodies are kept, or being captured, for this request. */
  has(requestId: string): boolean {
    return this.kept.has(requestId) || this.open.has(requestId) || this.pending.has(requestId);
  }

  /** The kept bodies; for a request still answering, what was captured so far. */
  async get(requestId: string): Promise<KeptBodies | undefined> {
    const capture = this.open.get(requestId);
    if (capture) {
      const generation = this.generation;
      const secrets = await this.secrets();
      return generation === this.generation ? capture.text(secrets) : undefined;
    }
    await this.pending.get(requestId);
    const entry = this.kept.get(requestId);
    if (!entry) return undefined;
    const { bytes: _bytes, ...bodies } = entry;
    return bodies;
  }

  /** Drops every body at once, including captures still running: "off" means gone. */
  clear(): void {
    this.generation += 1;
    this.kept.clear();
    this.open.clear();
    this.pending.clear();
    this.totalBytes = 0;
  }

  get size(): number {
    return this.kept.size;
  }

  private closed(capture: BodyCapture): void {
    const { requestId } = capture;
    if (this.open.get(requestId) === capture) this.open.delete(requestId);
    if (capture.generation !== this.generation) return;
    if (this.options.recorded && !this.options.recorded(requestId)) return;
    const done = this.secrets()
      .then((secrets) => {
        if (capture.generation === this.generation) this.store(requestId, capture.text(secrets));
      })
      // Without the secrets nothing can be redacted, so nothing is kept.
      .catch(() => undefined)
      .finally(() => {
        if (this.pending.get(requestId) === done) this.pending.delete(requestId);
      });
    this.pending.set(requestId, done);
  }

  private store(requestId: string, bodies: KeptBodies): void {
    const bytes = Buffer.byteLength(bodies.requestBody ?? '') + Buffer.byteLength(bodies.responseBody ?? '');
    this.drop(requestId);
    this.kept.set(requestId, { ...bodies, bytes });
    this.totalBytes += bytes;
    while (this.kept.size > this.maxEntries || (this.totalBytes > this.maxTotalBytes && this.kept.size > 0)) {
      const oldest = this.kept.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }

  private drop(requestId: string): void {
    const entry = this.kept.get(requestId);
    if (!entry) return;
    this.kept.delete(requestId);
    this.totalBytes -= entry.bytes;
  }

  private async secrets(): Promise<string[]> {
    return [...(await this.options.secrets())].filter((secret) => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH);
  }
}

/**
 * Bytes as kept text, every known secret masked. A body cut at the limit can end inside a key,
 * where no whole key is left to match: that tail is dropped too.
 */
function keptText(bytes: Buffer, cut: boolean, secrets: readonly string[]): string {
  let text = redactSecrets(bytes.toString('utf8'), secrets);
  if (!cut) return text;
  // The cut can also split a multi-byte character.
  text = text.replace(/\uFFFD$/, '');
  let longest = 0;
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(secret.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest > 0 ? text.slice(0, -longest) : text;
}
