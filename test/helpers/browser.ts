import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. Browser tests never
 * download a browser of their own.
 */
export function chromiumPath(): string {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((candidate): candidate is string => candidate !== undefined && candidate !== '' && existsSync(candidate));
  if (!found) throw new Error('The dashboard tests need Chromium: run `apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium or Chrome binary).');
  return found;
}

/** Headless, sandbox off (tests run as root in CI), and none of Chromium's own network chatter. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface DashboardPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations seen so far; a healthy page has none. */
  problems: string[];
  /**
   * Admin API answers of 400 and above (`409 PATCH /admin/providers/groq`). Chromium logs each
   * as a console error too; those log lines are left out of `problems`, because a page that
   * shows the relay's refusal to the user is working as meant. Tests assert on this list.
   */
  httpErrors: string[];
}

export interface OpenDashboardOptions {
  /** Sign in with the admin link (default true). */
  signIn?: boolean;
  /** The hash route to open, e.g. `#/providers`. */
  hash?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
}

/**
 * Opens the relay's dashboard the way a user does: the one-time admin link, which sets the
 * cookie and redirects to `/`. Every console error and CSP violation is recorded in `problems`.
 */
export async function openDashboard(browser: Browser, relay: { url: string; relay: { adminToken: string } }, options: OpenDashboardOptions = {}): Promise<DashboardPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const httpErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/^Failed to load resource: the server responded with a status of 4\d\d\b/.test(text)) return;
    problems.push(`console: ${text}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) httpErrors.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const signIn = options.signIn ?? true;
  const start = signIn ? `${relay.url}/?admin=${relay.relay.adminToken}` : `${relay.url}/`;
  await page.goto(start);
  if (options.hash) await page.goto(`${relay.url}/${options.hash}`);
  return { page, context, problems, httpErrors };
}
