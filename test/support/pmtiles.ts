/**
 * A tiny Protomaps-shaped PMTiles v3 archive, made in memory for tests (a real region's
 * extract is megabytes and not ours to commit). One uncompressed vector tile at zoom 0:
 * an `earth` polygon over the whole world and a `water` polygon over its north-west
 * quarter, so the light and dark basemap styles visibly differ and the map shows the tile
 * at every zoom (MapLibre over-zooms it). Pure: runs in Node and in workerd.
 *
 * Format: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md
 */

const EXTENT = 4096;

class Bytes {
  readonly out: number[] = [];
  varint(n: number): this {
    let v = n;
    while (v >= 0x80) {
      this.out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.out.push(v);
    return this;
  }
  /** A protobuf field: `key` then the varint value (wire type 0). */
  field(no: number, value: number): this {
    return this.varint(no << 3).varint(value);
  }
  /** A length-delimited protobuf field (wire type 2). */
  bytes(no: number, data: ArrayLike<number>): this {
    this.varint((no << 3) | 2).varint(data.length);
    for (let i = 0; i < data.length; i++) this.out.push(data[i]!);
    return this;
  }
  packed(no: number, values: number[]): this {
    const inner = new Bytes();
    for (const v of values) inner.varint(v);
    return this.bytes(no, inner.out);
  }
}

const zigzag = (n: number) => (n << 1) ^ (n >> 31);
const text = (s: string) => new TextEncoder().encode(s);

/** A clockwise (exterior) ring as MVT geometry commands: MoveTo, LineTo ×3, ClosePath. */
function square(x0: number, y0: number, x1: number, y1: number): number[] {
  const pts = [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ] as const;
  const cmds = [(1 & 7) | (1 << 3), zigzag(x0), zigzag(y0), (2 & 7) | (3 << 3)];
  for (let i = 1; i < 4; i++) cmds.push(zigzag(pts[i]![0] - pts[i - 1]![0]), zigzag(pts[i]![1] - pts[i - 1]![1]));
  cmds.push((7 & 7) | (1 << 3));
  return cmds;
}

/** An MVT layer with one polygon feature whose `kind` is the layer's name (Protomaps filters on it). */
function polygonLayer(name: string, ring: number[]): number[] {
  const feature = new Bytes().field(1, 1).packed(2, [0, 0]).field(3, 3).packed(4, ring);
  return new Bytes()
    .field(15, 2)
    .bytes(1, text(name))
    .bytes(2, feature.out)
    .bytes(3, text('kind'))
    .bytes(4, new Bytes().bytes(1, text(name)).out)
    .field(5, EXTENT).out;
}

/** The one zoom-0 tile: earth everywhere, water over the north-west quarter. */
export function fixtureTile(): Uint8Array {
  const tile = new Bytes()
    .bytes(3, polygonLayer('earth', square(-64, -64, EXTENT + 64, EXTENT + 64)))
    .bytes(3, polygonLayer('water', square(-64, -64, EXTENT / 2, EXTENT / 2)));
  return Uint8Array.from(tile.out);
}

function u64(view: DataView, at: number, n: number) {
  view.setBigUint64(at, BigInt(n), true);
}

/**
 * The archive's bytes: 127-byte header, root directory (one entry), metadata, tile data.
 * `padTo` appends zero bytes after the tile data so range tests have room to move.
 */
export function fixtureArchive(padTo = 0): Uint8Array {
  const tile = fixtureTile();
  const dir = Uint8Array.from(
    new Bytes()
      .varint(1) // entries
      .varint(0) // tile id 0 = z0/0/0 (delta)
      .varint(1) // run length
      .varint(tile.length)
      .varint(0 + 1).out, // offset + 1 (the first entry always states its offset)
  );
  const meta = text(
    JSON.stringify({
      name: 'test fixture',
      vector_layers: [
        { id: 'earth', fields: {} },
        { id: 'water', fields: {} },
      ],
    }),
  );
  const HEADER = 127;
  const dirAt = HEADER;
  const metaAt = dirAt + dir.length;
  const tileAt = metaAt + meta.length;
  const size = Math.max(tileAt + tile.length, padTo);
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  buf.set(text('PMTiles'), 0);
  buf[7] = 3;
  u64(view, 8, dirAt);
  u64(view, 16, dir.length);
  u64(view, 24, metaAt);
  u64(view, 32, meta.length);
  u64(view, 40, 0); // leaf directories
  u64(view, 48, 0);
  u64(view, 56, tileAt);
  u64(view, 64, tile.length);
  u64(view, 72, 1); // addressed tiles
  u64(view, 80, 1); // tile entries
  u64(view, 88, 1); // tile contents
  buf[96] = 1; // clustered
  buf[97] = 1; // internal compression: none
  buf[98] = 1; // tile compression: none
  buf[99] = 1; // tile type: MVT
  buf[100] = 0; // min zoom
  buf[101] = 0; // max zoom
  view.setInt32(102, -180e7, true);
  view.setInt32(106, -85e7, true);
  view.setInt32(110, 180e7, true);
  view.setInt32(114, 85e7, true);
  buf[118] = 0;
  view.setInt32(119, 0, true);
  view.setInt32(123, 0, true);
  buf.set(dir, dirAt);
  buf.set(meta, metaAt);
  buf.set(tile, tileAt);
  return buf;
}
