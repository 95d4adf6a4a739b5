/**
 * The pass-through forwarding shared by both floors: buffer the (small) request body, send it to
 * the upstream with undici `request` over a keep-alive Agent configured like the relay's own
 * client (relay/providers/http-client.ts), and pipe the response back chunk by chunk. No parsing,
 * no routing: whatever a relay does beyond this is its own cost.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

export function createForwarder(upstreamOrigin: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const agent = new Agent({ connect: { timeout: 10_000 }, headersTimeout: 65_000, bodyTimeout: 0, keepAliveTimeout: 30_000, connections: 128 });
  return async (req, res) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const headers: Record<string, string> = {};
    copyHeaders(req.headers, headers);
    const upstream = await request(`${upstreamOrigin}${req.url ?? '/'}`, {
      method: (req.method ?? 'GET') as 'GET' | 'POST',
      headers,
      body: body.length > 0 ? body : null,
      dispatcher: agent,
    });
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      out[name] = value;
    }
    res.writeHead(upstream.statusCode, out);
    // A streamed reply must reach the client as it comes, not when the buffer fills.
    if (String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();
    await pipeline(upstream.body, res);
  };
}

function copyHeaders(from: IncomingHttpHeaders, to: Record<string, string>): void {
  for (const [name, value] of Object.entries(from)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    to[name] = Array.isArray(value) ? value.join(', ') : value;
  }
}

export function failRequest(res: ServerResponse, error: unknown): void {
  if (!res.headersSent) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: String(error), type: 'proxy_error' } }));
  } else {
    res.destroy();
  }
}
