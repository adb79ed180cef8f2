import { and, asc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import { DriverPatch } from '../../contract/api-domain';
import { ACTIVE_JOB, UNDER_WAY_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import { sqlList, sqlStatus } from '../../db/sql-list';
import { latSql, lngSql, pointSql } from '../../db/geo';
import { ApiError, notFound } from '../lib/errors';
import type { Queryable } from '../lib/db';
import { givenFields } from './patch';
import { profileWithAccount } from './profile-account';
import type { DriverStatus, JobStatus } from '../../contract/enums';
import { firstName } from '../../contract/names';

/** The columns of the admin driver list (SPEC §7) plus contact and account state. */
export const driverSummary = {
  id: t.driver_profiles.id,
  user_id: t.driver_profiles.user_id,
  full_name: t.users.full_name,
  email: t.users.email,
  phone: t.users.phone,
  is_active: t.users.is_active,
  suspended_at: t.users.suspended_at,
  status: t.driver_profiles.status,
  lat: latSql(t.driver_profiles.current_location),
  lng: lngSql(t.driver_profiles.current_location),
  location_updated_at: t.driver_profiles.location_updated_at,
  service_radius_km: t.driver_profiles.service_radius_km,
};

/** Everything the driver's own profile screen and the admin's driver page show. */
export const driverDetail = {
  ...driverSummary,
  vehicle_type: t.driver_profiles.vehicle_type,
  vehicle_make: t.driver_profiles.vehicle_make,
  vehicle_model: t.driver_profiles.vehicle_model,
  vehicle_year: t.driver_profiles.vehicle_year,
  license_plate: t.driver_profiles.license_plate,
  paypal_link: t.driver_profiles.paypal_link,
  venmo_link: t.driver_profiles.venmo_link,
  qr_image_url: t.driver_profiles.qr_image_url,
  rating_avg: t.driver_profiles.rating_avg,
  rating_count: t.driver_profiles.rating_count,
  created_at: t.driver_profiles.created_at,
  updated_at: t.driver_profiles.updated_at,
};

/**
 * The driver as the customer sees them while they hold the customer's job: first name,
 * truck and plate (the driver's profile tells them customers see the vehicle). Never the
 * surname, phone or email.
 */
export async function driverForCustomer(q: Queryable, id: string) {
  const row = await findDriver(q, id);
  if (!row) return null;
  const { full_name, vehicle_type, vehicle_make, vehicle_model, vehicle_year, license_plate } = row;
  return {
    first_name: firstName(full_name),
    vehicle_type,
    vehicle_make,
    vehicle_model,
    vehicle_year,
    license_plate,
  };
}

export interface DriverListFilter {
  statuses?: DriverStatus[] | undefined;
  near?: { lat: number; lng: number } | undefined;
  radius_km?: number | undefined;
}

/**
 * Admin driver list (ApexPlow §5: "filter by status, proximity"). With `near`, drivers
 * come nearest first by the KNN operator (GIST index) with `distance_km`; drivers with no
 * known position come last; `radius_km` keeps only those within it.
 */
export async function listDrivers(q: Queryable, f: DriverListFilter) {
  const conds: SQL[] = [];
  if (f.statuses?.length) conds.push(inArray(t.driver_profiles.status, f.statuses));
  const near = f.near;
  if (near && f.radius_km !== undefined) {
    conds.push(isNotNull(t.driver_profiles.current_location));
    conds.push(
      sql`ST_DWithin(${t.driver_profiles.current_location}, ${pointSql(near.lat, near.lng)}, ${f.radius_km * 1000}::double precision)`,
    );
  }
  const distance = near
    ? sql<
        number | null
      >`round((ST_Distance(${t.driver_profiles.current_location}, ${pointSql(near.lat, near.lng)}) / 1000)::numeric, 3)`.mapWith(
        (v) => (v === null ? null : Number(v)),
      )
    : sql<null>`NULL`;
  return q
    .select({ ...driverSummary, distance_km: distance })
    .from(t.driver_profiles)
    .innerJoin(t.users, eq(t.users.id, t.driver_profiles.user_id))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(
      ...(near
        ? [sql`${t.driver_profiles.current_location} <-> ${pointSql(near.lat, near.lng)}`, asc(t.users.full_name)]
        : [asc(t.users.full_name)]),
    );
}

/** One driver with their account, in `driverDetail`'s columns; undefined when there is none. */
export function findDriver(q: Queryable, id: string) {
  return profileWithAccount(q, t.driver_profiles, id, driverDetail);
}

export async function driverById(q: Queryable, id: string) {
  const row = await findDriver(q, id);
  if (!row) throw notFound('Driver');
  return row;
}

/** Jobs a driver holds right now (assigned through in progress), next first. */
export async function activeJobsOf(q: Queryable, driverId: string) {
  return q
    .select()
    .from(t.jobs)
    .where(and(eq(t.jobs.driver_id, driverId), inArray(t.jobs.status, [...ACTIVE_JOB])))
    .orderBy(sql`${t.jobs.scheduled_for} NULLS FIRST`, asc(t.jobs.assigned_at));
}

/**
 * The job that fixes a driver's status, if any: one under way (en_route, arrived,
 * in_progress), or one still `assigned` that the driver has taken on — accepted it, or
 * picked it up from the waitlist — i.e. its latest event is theirs. An assignment they
 * have not answered does not count: they may still go offline and let it time out.
 */
export async function jobInHand(
  q: Queryable,
  driverId: string,
  driverUserId: string,
): Promise<{ id: string; status: JobStatus } | null> {
  const [row] = await q
    .select({ id: t.jobs.id, status: t.jobs.status })
    .from(t.jobs)
    .where(
      and(
        eq(t.jobs.driver_id, driverId),
        sql`(${t.jobs.status} IN (${sqlList(UNDER_WAY_JOB)})
          OR (${t.jobs.status} = ${sqlStatus('assigned')} AND (
            SELECT e.changed_by_user_id FROM job_status_events e
            WHERE e.job_id = ${t.jobs.id} ORDER BY e.created_at DESC, e.id DESC LIMIT 1) = ${driverUserId}::uuid))`,
      ),
    )
    .orderBy(sql`${t.jobs.status} = ${sqlStatus('assigned')}`, asc(t.jobs.assigned_at))
    .limit(1);
  return row ?? null;
}

/** Whether a driver's account can be given a job, as a statement reads it. */
export interface Assignee {
  is_active: boolean;
  suspended: boolean;
}

/**
 * The driver `id` as an `Assignee` (null: no driver has that id), as SQL a statement reads
 * beside other work: an assignment checks its driver in the job's own first read.
 */
export function assigneeSql(id: string): SQL<Assignee | null> {
  return sql<Assignee | null>`(select json_build_object('is_active', u.is_active, 'suspended', u.suspended_at is not null)
    from ${t.driver_profiles} d join ${t.users} u on u.id = d.user_id where d.id = ${id}::uuid)`;
}

/** Refuses (422) a driver no job can be given to: none by that id, or an account inactive or suspended. */
export function requireAssignable(driver: Assignee | null | undefined): void {
  if (!driver) throw new ApiError(422, 'unknown_driver', 'No driver has that id.');
  if (!driver.is_active || driver.suspended) throw new ApiError(422, 'driver_suspended', 'That driver is suspended.');
}

/** A driver a job can be given to (`requireAssignable`), read on its own: for checks made before any job is read. */
export async function assignableDriver(
  q: Queryable,
  id: string,
): Promise<{ id: string; user_id: string; full_name: string }> {
  const driver = await findDriver(q, id);
  requireAssignable(driver && { is_active: driver.is_active, suspended: driver.suspended_at !== null });
  return { id: driver!.id, user_id: driver!.user_id, full_name: driver!.full_name };
}

/** Onboarding / profile edits by the driver; `null` clears a field. */
export async function updateDriverProfile(q: Queryable, driverId: string, patch: DriverPatch) {
  const set: Partial<typeof t.driver_profiles.$inferInsert> = givenFields(patch, DriverPatch.keyof().options);
  if (Object.keys(set).length > 0) {
    const [row] = await q
      .update(t.driver_profiles)
      .set(set)
      .where(eq(t.driver_profiles.id, driverId))
      .returning({ id: t.driver_profiles.id });
    if (!row) throw notFound('Driver');
  }
  return driverById(q, driverId);
}
