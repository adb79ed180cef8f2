import { and, asc, desc, eq, isNull, ne } from 'drizzle-orm';
import type { z } from 'zod';
import type { LocationBody } from '../../contract/api';
import type { LocationPatch } from '../../contract/api-domain';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { notFound } from '../lib/errors';
import { geocode, type GeocodeEnv } from './geocode';
import { formatAddress } from './job-insert';
import { givenFields } from './patch';

export type LocationRow = typeof t.service_locations.$inferSelect;

/**
 * Where a new location is: the pin when one was dropped (no geocoding), else the geocoded
 * address. Used by a customer saving a location and by an admin entering a phone-in customer.
 */
export async function locationPoint(env: GeocodeEnv, body: LocationBody): Promise<{ lat: number; lng: number }> {
  if (body.lat !== undefined && body.lng !== undefined) return { lat: body.lat, lng: body.lng };
  const found = await geocode(
    env,
    `${formatAddress({ address_line1: body.address_line1, address_line2: body.address_line2 ?? null, city: body.city, state_province: body.state_province, postal_code: body.postal_code })}, ${body.country ?? 'US'}`,
  );
  return { lat: found.lat, lng: found.lng };
}

/** A location still saved: not deleted by its customer (jobs keep their own address copy). */
export const stillSaved = isNull(t.service_locations.deleted_at);

/** The customer's locations that are still saved. */
const savedBy = (customerId: string) => and(eq(t.service_locations.customer_id, customerId), stillSaved);

/** A saved location as the API shows it (SPEC §7): the point as `lat`/`lng`. */
export function toLocation(row: LocationRow) {
  const { coordinates, organization_id: _o, deleted_at: _d, ...rest } = row;
  return { ...rest, lat: coordinates.lat, lng: coordinates.lng };
}

/** The row a new saved location is stored as; the country defaults to the US. */
export function newLocationRow(
  customerId: string,
  body: Omit<LocationBody, 'lat' | 'lng' | 'is_default'>,
  coordinates: { lat: number; lng: number },
  isDefault: boolean,
): typeof t.service_locations.$inferInsert {
  return {
    customer_id: customerId,
    label: body.label ?? null,
    address_line1: body.address_line1,
    address_line2: body.address_line2 ?? null,
    city: body.city,
    state_province: body.state_province,
    postal_code: body.postal_code,
    country: body.country ?? 'US',
    coordinates: { lat: coordinates.lat, lng: coordinates.lng },
    is_default: isDefault,
  };
}

/** A customer's saved locations, the default first, then oldest first. */
export async function customerLocations(db: Pick<Db, 'select'>, customerId: string): Promise<LocationRow[]> {
  return db
    .select()
    .from(t.service_locations)
    .where(savedBy(customerId))
    .orderBy(desc(t.service_locations.is_default), asc(t.service_locations.created_at));
}

/**
 * Saves a location at a point already found (`locationPoint`). The customer's first one is
 * their default whatever the request says; one asked to be the default takes it over.
 */
export async function createLocation(
  db: Db,
  customerId: string,
  body: LocationBody,
  coordinates: { lat: number; lng: number },
): Promise<LocationRow> {
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ id: t.service_locations.id })
      .from(t.service_locations)
      .where(savedBy(customerId))
      .limit(1);
    const makeDefault = body.is_default === true || existing.length === 0;
    if (makeDefault) {
      await tx
        .update(t.service_locations)
        .set({ is_default: false })
        .where(eq(t.service_locations.customer_id, customerId));
    }
    const [inserted] = await tx
      .insert(t.service_locations)
      .values(newLocationRow(customerId, body, coordinates, makeDefault))
      .returning();
    return inserted!;
  });
}

const ADDRESS_FIELDS = ['address_line1', 'address_line2', 'city', 'state_province', 'postal_code', 'country'] as const;

export async function ownLocation(db: Pick<Db, 'select'>, customerId: string, id: string): Promise<LocationRow> {
  const [row] = await db
    .select()
    .from(t.service_locations)
    .where(and(eq(t.service_locations.id, id), savedBy(customerId)))
    .limit(1);
  if (!row) throw notFound('Location');
  return row;
}

/**
 * Edits a saved location. A changed address is geocoded again unless the request also
 * drops a pin (lat/lng); geocoding happens before the transaction so no lock is held over
 * the network. Jobs already requested keep their own address snapshot.
 */
export async function updateLocation(
  db: Db,
  env: GeocodeEnv,
  customerId: string,
  id: string,
  patch: z.infer<typeof LocationPatch>,
): Promise<LocationRow> {
  const current = await ownLocation(db, customerId, id);
  const merged = { ...current, ...givenFields(patch, ADDRESS_FIELDS) };
  const addressChanged = ADDRESS_FIELDS.some((k) => patch[k] !== undefined && patch[k] !== current[k]);
  let coordinates = current.coordinates;
  if (patch.lat !== undefined && patch.lng !== undefined) coordinates = { lat: patch.lat, lng: patch.lng };
  else if (addressChanged) {
    const found = await geocode(env, `${formatAddress(merged)}, ${merged.country}`);
    coordinates = { lat: found.lat, lng: found.lng };
  }
  return db.transaction(async (tx) => {
    await ownLocation(tx, customerId, id); // still there (not deleted meanwhile)
    if (patch.is_default) {
      await tx
        .update(t.service_locations)
        .set({ is_default: false })
        .where(and(eq(t.service_locations.customer_id, customerId), ne(t.service_locations.id, id)));
    }
    const [row] = await tx
      .update(t.service_locations)
      .set({
        label: patch.label === undefined ? current.label : patch.label,
        address_line1: merged.address_line1,
        address_line2: merged.address_line2,
        city: merged.city,
        state_province: merged.state_province,
        postal_code: merged.postal_code,
        country: merged.country,
        coordinates,
        ...(patch.is_default ? { is_default: true } : {}),
      })
      .where(eq(t.service_locations.id, id))
      .returning();
    return row!;
  });
}

/**
 * Soft delete: the row stays for the jobs and waitlist entries that point at it. When the
 * default goes, the oldest remaining location becomes the default, so there always is one.
 */
export async function deleteLocation(db: Db, customerId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await ownLocation(tx, customerId, id);
    await tx
      .update(t.service_locations)
      .set({ deleted_at: new Date(), is_default: false })
      .where(eq(t.service_locations.id, id));
    if (current.is_default) {
      const [next] = await tx
        .select({ id: t.service_locations.id })
        .from(t.service_locations)
        .where(savedBy(customerId))
        .orderBy(asc(t.service_locations.created_at), asc(t.service_locations.id))
        .limit(1);
      if (next)
        await tx.update(t.service_locations).set({ is_default: true }).where(eq(t.service_locations.id, next.id));
    }
  });
}
