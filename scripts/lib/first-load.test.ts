import { describe, expect, it } from 'vitest';
import { type ChunkGraph, firstLoad, mapChunksIn } from './first-load';

const chunk = (file: string, more: Partial<ChunkGraph[string]> = {}) => ({
  file,
  facade: null,
  isEntry: false,
  imports: [],
  dynamicImports: [],
  css: [],
  ...more,
});

describe('an app’s first load', () => {
  it('follows static imports and leaves lazy ones out', () => {
    const graph: ChunkGraph = {
      'entry.js': chunk('entry.js', { isEntry: true, imports: ['react.js'], dynamicImports: ['driver.js'] }),
      'react.js': chunk('react.js'),
      'driver.js': chunk('driver.js', { imports: ['react.js'], dynamicImports: ['map.js'], css: ['driver.css'] }),
      'map.js': chunk('map.js', { map: true }),
    };
    const { js, css } = firstLoad(graph, ['entry.js', 'driver.js']);
    expect([...js].sort()).toEqual(['driver.js', 'entry.js', 'react.js']);
    expect([...css]).toEqual(['driver.css']);
    expect(mapChunksIn(graph, js)).toEqual([]);
  });

  it('names map code that an app imports statically', () => {
    const graph: ChunkGraph = {
      'entry.js': chunk('entry.js', { isEntry: true }),
      'admin.js': chunk('admin.js', { imports: ['map.js'] }),
      'map.js': chunk('map.js', { map: true }),
    };
    expect(mapChunksIn(graph, firstLoad(graph, ['entry.js', 'admin.js']).js)).toEqual(['map.js']);
  });
});
