import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * One file for both tools: `vite build` builds the dashboard (renderer/ → dist/renderer, which
 * the relay serves at `/`), and vitest runs every test under test/. Vitest sets VITEST, so the
 * renderer root applies to the build only.
 */
const building = process.env['VITEST'] === undefined;

export default defineConfig({
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  ...(building ? { root: 'renderer' } : {}),
  base: '/',
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // The relay looks for this manifest to tell a built dashboard from the sources.
    manifest: true,
    target: 'es2022',
    // The CSP allows no inline script or style: everything ships as files.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globals: false,
    testTimeout: 15_000,
    hookTimeout: 15_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
