import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';

/**
 * The page may load its own scripts, styles and images and talk to this relay, and nothing else:
 * no inline script or style, no other host, no frames, no forms posting elsewhere. An injected
 * string that got past Svelte's escaping still could not run or send anything away.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), bluetooth=()',
};

/**
 * Where the built dashboard is: `dist/renderer` beside the compiled relay, or the project's
 * `dist/renderer` when the relay runs from its sources (tests). A folder counts only with the
 * manifest Vite writes, so the unbuilt `renderer/` sources are never served.
 */
export function findDashboardDir(): string | undefined {
  const candidates = ['../../renderer', '../../dist/renderer'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, '.vite', 'manifest.json')));
}

/** A browser asking for a page, as opposed to an Ollama client or a health check asking `GET /`. */
function wantsPage(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

/**
 * Serves the dashboard: `GET /` for browsers (everything else asking `GET /` falls through to the
 * Ollama-compatible answer) and its hashed files under `/assets`. The page itself holds no
 * secret; the admin API behind it needs the admin cookie.
 */
export function dashboard(dir: string | undefined): Router {
  const router = express.Router();
  const setPageHeaders: RequestHandler = (_request, response, next) => {
    for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
    next();
  };

  router.get(['/', '/index.html'], async (request, response, next) => {
    if (!wantsPage(request.headers.accept) && request.path === '/') {
      next();
      return;
    }
    for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
    response.setHeader('Cache-Control', 'no-store');
    if (dir === undefined) {
      response.status(503).type('text/plain').send('The dashboard is not built. Run `npm run build` in the Switchboard folder, then reload.');
      return;
    }
    const page = await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
    if (page === undefined) {
      response.status(503).type('text/plain').send('The dashboard files are missing. Reinstall Switchboard or run `npm run build`.');
      return;
    }
    response.status(200).type('html').send(page);
  });

  if (dir !== undefined) {
    router.use(
      '/assets',
      setPageHeaders,
      express.static(join(dir, 'assets'), { index: false, dotfiles: 'deny', immutable: true, maxAge: '365d', redirect: false }),
    );
  }
  // Browsers ask for it on their own; an empty answer keeps the log free of 404s.
  router.get('/favicon.ico', (_request, response) => {
    response.status(204).end();
  });
  return router;
}
