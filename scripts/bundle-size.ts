/**
 * `npm run size`: what each app costs on first load, gzipped — the entry chunk plus the
 * app's own chunk and everything they import statically (lazy parts such as MapLibre are
 * listed apart: they load only on the screens that need them). Reads the chunk graph the
 * build writes (dist/bundle-graph.json, see vite.config.ts); run `npm run build` first.
 *
 * Fails (exit 1) when the driver app's first-load JS is over its budget: a driver on one
 * bar of signal in a snowstorm must get the app up quickly; and when map code (MapLibre,
 * PMTiles, the basemap styles) is in any app's first load: it belongs to map screens only.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type ChunkGraph, firstLoad, mapChunksIn } from './lib/first-load';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'dist/web');
const GRAPH = path.join(ROOT, 'dist/bundle-graph.json');
export const DRIVER_BUDGET_BYTES = 150 * 1024;

const APPS = {
  customer: 'src/customer/CustomerApp.tsx',
  driver: 'src/driver/DriverApp.tsx',
  admin: 'src/admin/AdminApp.tsx',
  auth: 'src/auth/AuthApp.tsx',
} as const;

if (!existsSync(GRAPH)) {
  console.error('dist/bundle-graph.json is missing: run `npm run build` first.');
  process.exit(2);
}
const graph = JSON.parse(readFileSync(GRAPH, 'utf8')) as ChunkGraph;
const gz = new Map<string, number>();
const gzipped = (file: string) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(path.join(OUT, file)), { level: 9 }).length);
  return gz.get(file)!;
};

const entries = Object.values(graph)
  .filter((c) => c.isEntry)
  .map((c) => c.file);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const rows: string[] = [];
const problems: string[] = [];
for (const [app, facade] of Object.entries(APPS)) {
  const chunk = Object.values(graph).find((c) => c.facade === facade);
  if (!chunk) continue;
  const { js, css } = firstLoad(graph, [...entries, chunk.file]);
  const mapChunks = mapChunksIn(graph, js);
  if (mapChunks.length) {
    problems.push(`The ${app} app's first load holds map code (${mapChunks.join(', ')}): import it lazily.`);
  }
  const jsBytes = [...js].reduce((a, f) => a + gzipped(f), 0);
  const cssBytes = [...css].reduce((a, f) => a + gzipped(f), 0);
  const lazy = new Set<string>();
  for (const f of js) for (const d of graph[f]!.dynamicImports) if (!js.has(d)) lazy.add(d);
  const lazyNote = [...lazy]
    .filter((f) => !Object.values(APPS).includes(graph[f]?.facade as never))
    .map((f) => `${path.basename(f)} ${kb(gzipped(f))}`);
  const over = app === 'driver' && jsBytes > DRIVER_BUDGET_BYTES;
  if (over) {
    problems.push(`The driver app's first-load JS is over ${kb(DRIVER_BUDGET_BYTES)} gzipped.`);
  }
  rows.push(
    `${app.padEnd(9)} first-load JS ${kb(jsBytes).padStart(9)} gz  CSS ${kb(cssBytes).padStart(8)} gz  (${js.size} chunks)${app === 'driver' ? `  budget ${kb(DRIVER_BUDGET_BYTES)} ${over ? 'OVER' : 'ok'}` : ''}`,
  );
  if (lazyNote.length) rows.push(`          lazy: ${lazyNote.join(', ')}`);
}
console.log(rows.join('\n'));
if (problems.length) {
  console.error(`\n${problems.join('\n')}`);
  process.exit(1);
}
