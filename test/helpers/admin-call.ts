/**
 * Admin API calls for relay tests: the admin token as a Bearer header, JSON in and out.
 */

export interface AdminAnswer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface AdminCallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Default: the relay's admin token; null sends none. */
  token?: string | null;
}

/** A caller bound to one relay origin (a function, so a test can follow the relay when it moves). */
export function adminCaller(origin: () => string, adminToken: () => string) {
  return async function call<T = unknown>(method: string, path: string, options: AdminCallOptions = {}): Promise<AdminAnswer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? adminToken() : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${origin()}/admin${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** A port nobody listens on right now: listen on 0, note the port, close. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
