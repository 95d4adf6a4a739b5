/**
 * A small server-sent events client over node:http for relay tests: full control over the
 * headers (Host, Origin, Cookie), frames parsed as they arrive, and an explicit close.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';

export interface SseMessage {
  event: string;
  data: string;
  /** The data parsed as JSON (undefined when it is not JSON). */
  json: any;
  /** When the frame arrived (Date.now()). */
  at: number;
}

export interface SseStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Every event received so far, in order. */
  messages: SseMessage[];
  /** Comment lines received so far (without the leading ':'). */
  comments: string[];
  /** The whole body so far (for error answers: the body). */
  text: string;
  /** Resolves with the next message of this event name after the `after`-th message (default: any already received counts). */
  next(event: string, options?: { timeoutMs?: number; after?: number }): Promise<SseMessage>;
  /** Resolves once the response has ended or the connection closed. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `path` on 127.0.0.1:port with the headers exactly as given; resolves once the headers arrive. */
export function openSse(port: number, path: string, headers: Record<string, string>): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    let request: ClientRequest | undefined;
    request = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers, setHost: false, agent: false }, (response) => {
      let buffer = '';
      const waiters = new Set<() => void>();
      let endResolve: () => void = () => undefined;
      const ended = new Promise<void>((done) => (endResolve = done));
      const stream: SseStream = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        messages: [],
        comments: [],
        text: '',
        ended,
        close: () => request?.destroy(),
        next(event, options = {}) {
          const after = options.after ?? 0;
          const find = () => stream.messages.slice(after).find((message) => message.event === event);
          return new Promise((done, fail) => {
            const found = find();
            if (found) {
              done(found);
              return;
            }
            const check = () => {
              const match = find();
              if (!match) return;
              waiters.delete(check);
              clearTimeout(timer);
              done(match);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no '${event}' event within ${options.timeoutMs ?? 3000} ms; got ${stream.messages.map((message) => message.event).join(', ') || 'none'}`));
            }, options.timeoutMs ?? 3000);
            waiters.add(check);
          });
        },
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        stream.text += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length === 0) continue;
          const text = data.join('\n');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          stream.messages.push({ event, data: text, json, at: Date.now() });
        }
        for (const waiter of [...waiters]) waiter();
      });
      response.on('end', () => endResolve());
      response.on('close', () => endResolve());
      response.on('error', () => endResolve());
      resolve(stream);
    });
    request.on('error', reject);
    request.end();
  });
}
