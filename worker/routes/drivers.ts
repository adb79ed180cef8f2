import { Hono } from 'hono';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ACTIVE_JOB_STATUSES } from '../../contract/enums';
import { DriverStatusBody, JobStatusBody, RejectBody } from '../../contract/api';
import * as t from '../../db/schema';
import { latSql, lngSql } from '../../db/geo';
import { actorOf, requireDriverId } from '../lib/actor';
import { conflict, notFound } from '../lib/errors';
import { readJson, uuidParam } from '../lib/validate';
import { dispatchStub, publishTransition } from '../realtime';
import { toJob, transitionJob, visibleJob } from '../services/jobs';
import type { AppEnv } from '../types';

export const drivers = new Hono<AppEnv>();

const driverColumns = {
  id: t.driver_profiles.id,
  user_id: t.driver_profiles.user_id,
  full_name: t.users.full_name,
  email: t.users.email,
  phone: t.users.phone,
  is_active: t.users.is_active,
  status: t.driver_profiles.status,
  lat: latSql(t.driver_profiles.current_location),
  lng: lngSql(t.driver_profiles.current_location),
  location_updated_at: t.driver_profiles.location_updated_at,
};

/** Admin: every driver with their last batched position (SPEC §7). */
drivers.get('/', async (c) => {
  const rows = await c.var.db
    .select(driverColumns)
    .from(t.driver_profiles)
    .innerJoin(t.users, eq(t.users.id, t.driver_profiles.user_id))
    .orderBy(asc(t.users.full_name));
  return c.json({ drivers: rows });
});

drivers.get('/me', async (c) => {
  const driverId = requireDriverId(c);
  const [row] = await c.var.db
    .select({
      ...driverColumns,
      vehicle_type: t.driver_profiles.vehicle_type,
      vehicle_make: t.driver_profiles.vehicle_make,
      vehicle_model: t.driver_profiles.vehicle_model,
      vehicle_year: t.driver_profiles.vehicle_year,
      license_plate: t.driver_profiles.license_plate,
      service_radius_km: t.driver_profiles.service_radius_km,
      paypal_link: t.driver_profiles.paypal_link,
      venmo_link: t.driver_profiles.venmo_link,
      qr_image_url: t.driver_profiles.qr_image_url,
    })
    .from(t.driver_profiles)
    .innerJoin(t.users, eq(t.users.id, t.driver_profiles.user_id))
    .where(eq(t.driver_profiles.id, driverId))
    .limit(1);
  if (!row) throw notFound('Driver');
  return c.json({ driver: row });
});

/** Availability toggle; en_route and on_job follow the job and cannot be set by hand. */
drivers.patch('/me/status', async (c) => {
  const driverId = requireDriverId(c);
  const body = await readJson(c, DriverStatusBody);
  const [row] = await c.var.db.update(t.driver_profiles).set({ status: body.status }).where(eq(t.driver_profiles.id, driverId)).returning({ id: t.driver_profiles.id, status: t.driver_profiles.status });
  if (!row) throw notFound('Driver');
  await dispatchStub(c.env)
    .toAdmins({ type: 'driver_status_change', payload: { driver_id: driverId, status: row.status, ts: new Date().toISOString() } })
    .catch((err: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'driver status fan-out failed', err: String(err) })));
  return c.json({ driver: row });
});

/** The driver's queue: jobs assigned to them that are not finished. */
drivers.get('/me/jobs', async (c) => {
  const driverId = requireDriverId(c);
  const rows = await c.var.db
    .select()
    .from(t.jobs)
    .where(and(eq(t.jobs.driver_id, driverId), inArray(t.jobs.status, [...ACTIVE_JOB_STATUSES])))
    .orderBy(sql`${t.jobs.scheduled_for} NULLS FIRST`, asc(t.jobs.assigned_at));
  return c.json({ jobs: rows.map(toJob) });
});

/** Acknowledges an assignment: recorded as an event, the job stays `assigned`. */
drivers.post('/me/jobs/:id/accept', async (c) => {
  const actor = actorOf(c);
  const id = uuidParam(c);
  const job = await c.var.db.transaction(async (tx) => {
    const row = await visibleJob(tx, actor, id);
    if (row.status !== 'assigned') {
      throw conflict('invalid_transition', `A job that is ${row.status} cannot be accepted.`, { allowed: [] });
    }
    await tx.insert(t.job_status_events).values({ job_id: id, previous_status: 'assigned', new_status: 'assigned', changed_by_user_id: actor.user_id, notes: 'accepted by driver' });
    return row;
  });
  return c.json({ job: toJob(job) });
});

/** Declines an assignment: the job goes back to `pending` for someone else. */
drivers.post('/me/jobs/:id/reject', async (c) => {
  const body = await readJson(c, RejectBody, { optional: true });
  const result = await transitionJob(c.var.db, actorOf(c), uuidParam(c), 'pending', { notes: body.reason ? `rejected: ${body.reason}` : 'rejected by driver' });
  await publishTransition(c.env, result);
  return c.json({ job: toJob(result.job) });
});

drivers.patch('/me/jobs/:id/status', async (c) => {
  const body = await readJson(c, JobStatusBody);
  const result = await transitionJob(c.var.db, actorOf(c), uuidParam(c), body.status, {
    notes: body.notes ?? null,
    lat: body.lat,
    lng: body.lng,
    recorded_at: body.recorded_at,
    client_event_id: body.client_event_id,
    completion_photo_url: body.completion_photo_url,
  });
  await publishTransition(c.env, result);
  return c.json({ job: toJob(result.job) });
});
