/** One chunk of the build, as vite.config.ts records it in dist/bundle-graph.json. */
export interface ChunkInfo {
  file: string;
  facade: string | null;
  isEntry: boolean;
  imports: string[];
  dynamicImports: string[];
  css: string[];
  /** Holds map code (MapLibre, PMTiles, basemap styles, the engines). */
  map?: boolean;
}

export type ChunkGraph = Record<string, ChunkInfo>;

/** The chunks (and their CSS) a page loads before anything lazy: `starts` and their static imports. */
export function firstLoad(graph: ChunkGraph, starts: string[]): { js: Set<string>; css: Set<string> } {
  const js = new Set<string>();
  const css = new Set<string>();
  const visit = (f: string) => {
    const c = graph[f];
    if (!c || js.has(f)) return;
    js.add(f);
    for (const s of c.css) css.add(s);
    for (const i of c.imports) visit(i);
  };
  starts.forEach(visit);
  return { js, css };
}

/**
 * The map chunks among an app's first load: there must be none. MapLibre, the PMTiles
 * reader and the basemap styles load on map screens only, so a screen without a map (and
 * the driver on one bar of signal) never pays for them.
 */
export function mapChunksIn(graph: ChunkGraph, firstLoadFiles: Iterable<string>): string[] {
  return [...firstLoadFiles].filter((f) => graph[f]?.map);
}
