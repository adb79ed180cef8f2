import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import type { ChunkInfo } from './scripts/lib/first-load';

/**
 * The three web apps (customer, driver, admin) are one Vite app with a pathname router
 * and a lazy chunk per app. The build lands in dist/web, which wrangler serves as static
 * assets with SPA fallback (wrangler.toml [assets]); /api, /ws and /files go to the Worker.
 *
 * `vite` (dev server) proxies /api, /ws and /files to `wrangler dev` on DEV_API_ORIGIN
 * (default http://127.0.0.1:8787) for hot reload while working on the UI. We do not use
 * @cloudflare/vite-plugin: see docs/decisions/0030-web-apps-build-pwa-maps-outbox.md.
 */
const API_ORIGIN = process.env.DEV_API_ORIGIN ?? 'http://127.0.0.1:8787';
const OUT_DIR = fileURLToPath(new URL('./dist/web', import.meta.url));
/** The chunk graph of the last build, for the service worker's precache list and `npm run size`. */
const GRAPH_FILE = fileURLToPath(new URL('./dist/bundle-graph.json', import.meta.url));

/** Modules that are map code: they load on map screens only (`npm run size` fails otherwise). */
export const MAP_CODE =
  /node_modules\/(maplibre-gl|pmtiles|@protomaps|@maplibre)\/|web\/src\/map\/(maplibre-engine|google-engine|basemap)\./;

/** App chunks by the module that starts them. */
export const APP_MODULES = {
  customer: 'src/customer/CustomerApp.tsx',
  driver: 'src/driver/DriverApp.tsx',
  admin: 'src/admin/AdminApp.tsx',
  auth: 'src/auth/AuthApp.tsx',
} as const;

let lastGraph: Record<string, ChunkInfo> = {};

/**
 * Records which chunk imports which (statically and lazily) when the bundle is written,
 * so the driver's service worker can precache exactly the driver app's closure — not the
 * admin portal, not MapLibre — and the size script can add up each app's first load.
 */
function chunkGraph(): Plugin {
  const root = fileURLToPath(new URL('./web/', import.meta.url));
  return {
    name: 'plowdispatch:chunk-graph',
    apply: 'build',
    writeBundle(_options, bundle) {
      const graph: Record<string, ChunkInfo> = {};
      for (const item of Object.values(bundle)) {
        if (item.type !== 'chunk') continue;
        const meta = (item as { viteMetadata?: { importedCss?: Set<string> } }).viteMetadata;
        graph[item.fileName] = {
          file: item.fileName,
          facade: item.facadeModuleId ? item.facadeModuleId.replace(root, '') : null,
          isEntry: item.isEntry,
          imports: item.imports.filter((f) => f in bundle),
          dynamicImports: item.dynamicImports.filter((f) => f in bundle),
          css: meta?.importedCss ? [...meta.importedCss] : [],
          map: Object.keys(item.modules).some((id) => MAP_CODE.test(id)),
        };
      }
      lastGraph = graph;
      mkdirSync(fileURLToPath(new URL('./dist', import.meta.url)), { recursive: true });
      writeFileSync(GRAPH_FILE, JSON.stringify(graph, null, 2));
    },
  };
}

/** Files (JS and CSS) the driver app needs to start, and the lazy parts it may open offline. */
export function driverClosure(graph: Record<string, ChunkInfo>): Set<string> {
  const out = new Set<string>();
  const visit = (file: string, lazyToo: boolean) => {
    const c = graph[file];
    if (!c || out.has(file)) return;
    // The map library is never part of the driver's offline kit (nor its first load).
    if (c.map) return;
    out.add(file);
    for (const css of c.css) out.add(css);
    for (const i of c.imports) visit(i, lazyToo);
    if (lazyToo) for (const d of c.dynamicImports) visit(d, lazyToo);
  };
  for (const c of Object.values(graph)) if (c.isEntry) visit(c.file, false);
  const driver = Object.values(graph).find((c) => c.facade === APP_MODULES.driver);
  if (driver) visit(driver.file, true);
  return out;
}

const config = {
  root: fileURLToPath(new URL('./web', import.meta.url)),
  publicDir: 'public',
  plugins: [
    react(),
    chunkGraph(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // Registered by the driver app itself (web/src/driver/pwa.ts), not on every page.
      injectRegister: false,
      // Each app links its own manifest (web/public/*.webmanifest, linked by web/src/main.tsx):
      // the plugin's single generated one would make every page install as the driver app.
      manifest: false,
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['index.html', 'assets/*.{js,css}', 'icons/*.png', 'favicon.svg', 'driver.webmanifest'],
        // Only the driver's closure: computed from the chunk graph of this very build.
        manifestTransforms: [
          async (entries) => {
            const keep = driverClosure(lastGraph);
            const manifest = entries.filter((e) => !e.url.startsWith('assets/') || keep.has(e.url));
            return { manifest, warnings: [] };
          },
        ],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
      },
    }),
  ],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    // A driver's phone on a weak signal: warn when any one chunk grows past this.
    // (MapLibre is bigger; it is only ever loaded lazily on map screens.)
    chunkSizeWarningLimit: 1100,
  },
  server: {
    proxy: {
      '/api': { target: API_ORIGIN, changeOrigin: false },
      '/files': { target: API_ORIGIN, changeOrigin: false },
      '/tiles': { target: API_ORIGIN, changeOrigin: false },
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
