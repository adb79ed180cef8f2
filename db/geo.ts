/**
 * PostGIS `geography(Point,4326)` for drizzle.
 *
 * The TS value is `{ lat, lng }`. Writes send EWKT text (`SRID=4326;POINT(lng lat)`), which
 * Postgres casts to geography from a plain bound parameter — so inserts, updates and
 * batched statements work with every driver (pg, @neondatabase/serverless, PGlite).
 * Reads arrive as hex EWKB, which `parsePointEwkb` decodes without Buffer (Workers-safe).
 */
import { customType } from 'drizzle-orm/pg-core';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

export interface LatLng {
  lat: number;
  lng: number;
}

export const SRID = 4326;

function assertLatLng(lat: number, lng: number): void {
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
    throw new RangeError(`invalid coordinates: lat=${lat}, lng=${lng}`);
  }
}

/** `SRID=4326;POINT(lng lat)` — note WKT order is x=lng, y=lat. */
export function toEwkt({ lat, lng }: LatLng): string {
  assertLatLng(lat, lng);
  return `SRID=${SRID};POINT(${lng} ${lat})`;
}

const EWKB_Z = 0x80000000;
const EWKB_M = 0x40000000;
const EWKB_SRID = 0x20000000;

/** Decodes a 2D point from hex (E)WKB: 21 bytes, or 25 with the SRID flag. */
export function parsePointEwkb(hex: string): LatLng {
  if (hex.startsWith('\\x')) hex = hex.slice(2);
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const view = new DataView(bytes.buffer);
  const le = view.getUint8(0) === 1;
  const type = view.getUint32(1, le);
  if ((type & 0x0fffffff) !== 1 || type & (EWKB_Z | EWKB_M)) {
    throw new TypeError(`expected a 2D point in EWKB, got type 0x${type.toString(16)}`);
  }
  const at = type & EWKB_SRID ? 9 : 5;
  if (bytes.length < at + 16) throw new TypeError('truncated EWKB point');
  return { lng: view.getFloat64(at, le), lat: view.getFloat64(at + 8, le) };
}

/** Column type: `geography(Point,4326)` holding `{ lat, lng }`. */
export const geographyPoint = customType<{ data: LatLng; driverData: string }>({
  dataType: () => `geography(Point,${SRID})`,
  toDriver: toEwkt,
  fromDriver: parsePointEwkb,
});

/** A geography point expression, for raw SQL (e.g. `ST_DWithin(col, pointSql(...), m)`). */
export function pointSql(lat: number, lng: number): SQL {
  assertLatLng(lat, lng);
  return geographyPointSql(sql`${lat}::double precision`, sql`${lng}::double precision`);
}

/** The geography point of two SQL expressions (columns of a row source, or bound values). */
export function geographyPointSql(lat: SQLWrapper, lng: SQLWrapper): SQL {
  return sql`ST_SetSRID(ST_MakePoint(${lng}, ${lat}), ${sql.raw(String(SRID))})::geography`;
}

/** Latitude of a geography column/expression as a JS number (select helper). */
export function latSql(col: SQLWrapper): SQL<number> {
  return sql<number>`ST_Y(${col}::geometry)`.mapWith(Number);
}

/** Longitude of a geography column/expression as a JS number (select helper). */
export function lngSql(col: SQLWrapper): SQL<number> {
  return sql<number>`ST_X(${col}::geometry)`.mapWith(Number);
}

/** Great-circle (spheroid) distance in metres between a geography column and a point. */
export function distanceMetersSql(col: SQLWrapper, lat: number, lng: number): SQL<number> {
  return sql<number>`ST_Distance(${col}, ${pointSql(lat, lng)})`.mapWith(Number);
}

/** Index-assisted (GIST) "within N metres of the point" predicate. */
export function withinMetersSql(col: SQLWrapper, lat: number, lng: number, meters: number): SQL<boolean> {
  return sql<boolean>`ST_DWithin(${col}, ${pointSql(lat, lng)}, ${meters}::double precision)`;
}

export const METERS_PER_MILE = 1609.344;
