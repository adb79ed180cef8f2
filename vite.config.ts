import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

/**
 * The three web apps (customer, driver, admin) are one Vite app with a pathname router
 * and a lazy chunk per app. The build lands in dist/web, which wrangler serves as static
 * assets with SPA fallback (wrangler.toml [assets]); /api and /ws go to the Worker.
 *
 * `vite` (dev server) proxies /api and /ws to `wrangler dev` on DEV_API_ORIGIN
 * (default http://127.0.0.1:8787) for hot reload while working on the UI.
 */
const API_ORIGIN = process.env.DEV_API_ORIGIN ?? 'http://127.0.0.1:8787';

const config = {
  root: fileURLToPath(new URL('./web', import.meta.url)),
  publicDir: 'public',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // A driver's phone on a weak signal: warn when any one chunk grows past this.
    chunkSizeWarningLimit: 250,
  },
  server: {
    proxy: {
      '/api': { target: API_ORIGIN, changeOrigin: false },
      '/ws': { target: API_ORIGIN.replace(/^http/, 'ws'), ws: true },
    },
  },
} satisfies UserConfig;

export default defineConfig(({ command }) => {
  // A test runner's NODE_ENV=test (vitest sets it; startApp's child inherits it) would make
  // `vite build` ship React's development build, twice the size. Builds are production
  // builds unless someone asks for development explicitly.
  if (command === 'build' && process.env.NODE_ENV === 'test') process.env.NODE_ENV = 'production';
  return config;
});
