import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../../helpers/http.js';
import { startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

/** The dashboard link (`/?admin=<token>`) traded for the HttpOnly admin cookie. */

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

function get(target: TestRelay, path: string, headers: Record<string, string> = {}) {
  return rawRequest(target.port, { path, headers: { host: `127.0.0.1:${target.port}`, ...headers } });
}

describe('admin link exchange', () => {
  it('sets the admin cookie and redirects to / without the token', async () => {
    relay = await startTestRelay();
    const token = relay.relay.adminToken;
    const answer = await get(relay, `/?admin=${token}`, { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/');
    expect(answer.headers['set-cookie']).toEqual([`switchboard_admin=${token}; HttpOnly; SameSite=Strict; Path=/`]);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.text).not.toContain(token);

    // The cookie then opens the admin API, as the dashboard will use it.
    const cookie = (answer.headers['set-cookie'] as string[])[0]?.split(';')[0] ?? '';
    const status = await get(relay, '/admin/status', { cookie });
    expect(status.status).toBe(200);
    expect(status.json.url).toBe(relay.url);
  });

  it('refuses a wrong, empty or repeated token with 401 and sets no cookie', async () => {
    relay = await startTestRelay();
    const token = relay.relay.adminToken;
    for (const query of [`admin=${token.slice(0, -1)}x`, 'admin=', 'admin', `admin=${token}&admin=${token}`, `admin=${token}%20`]) {
      const answer = await get(relay, `/?${query}`);
      expect(answer.status, query).toBe(401);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(answer.headers.location).toBeUndefined();
    }
  });

  it('keeps answering Ollama probes on / without ?admin', async () => {
    relay = await startTestRelay();
    for (const path of ['/', '/?foo=bar']) {
      const answer = await get(relay, path);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('Ollama is running');
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it('is refused for foreign hosts and cross-site navigations, like the rest of the relay', async () => {
    relay = await startTestRelay();
    const token = relay.relay.adminToken;
    const rebound = await get(relay, `/?admin=${token}`, { host: `evil.example:${relay.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.headers['set-cookie']).toBeUndefined();
    const crossSite = await get(relay, `/?admin=${token}`, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers['set-cookie']).toBeUndefined();
  });
});
