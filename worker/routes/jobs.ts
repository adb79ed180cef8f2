import { Hono } from 'hono';
import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import { AssignBody, CancelBody, CreateJobBody, JobListQuery } from '../../contract/api';
import * as t from '../../db/schema';
import { actorOf } from '../lib/actor';
import { ApiError } from '../lib/errors';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { publishAssignment, publishNewJob, publishTransition } from '../realtime';
import { createJob } from '../services/job-create';
import { statusHistory, toJob, transitionJob, visibleJob } from '../services/jobs';
import type { AppEnv } from '../types';

export const jobs = new Hono<AppEnv>();

jobs.post('/', async (c) => {
  const body = await readJson(c, CreateJobBody);
  const outcome = await createJob(c.var.db, actorOf(c), body);
  if (outcome.kind === 'waitlist') {
    const { job_coordinates, organization_id: _o, ...entry } = outcome.entry;
    return c.json({ waitlist_entry: { ...entry, lat: job_coordinates.lat, lng: job_coordinates.lng } }, 202);
  }
  if (outcome.created) await publishNewJob(c.env, outcome.job);
  return c.json({ job: toJob(outcome.job) }, outcome.created ? 201 : 200);
});

const encodeCursor = (at: Date, id: string) => btoa(`${at.toISOString()}|${id}`);
function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = atob(cursor).split('|');
    const date = new Date(at ?? '');
    if (Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new ApiError(400, 'validation_failed', 'The cursor is not one this API gave out.', [{ field: 'cursor', message: 'invalid' }]);
  }
}

/** The dispatch list: filters by status / driver / customer, newest first, cursor-paged. */
jobs.get('/', async (c) => {
  const q = readQuery(c, JobListQuery);
  const conds: SQL[] = [];
  if (q.status) conds.push(inArray(t.jobs.status, q.status));
  if (q.driver_id) conds.push(eq(t.jobs.driver_id, q.driver_id));
  if (q.customer_id) conds.push(eq(t.jobs.customer_id, q.customer_id));
  if (q.cursor) {
    const { at, id } = decodeCursor(q.cursor);
    conds.push(or(lt(t.jobs.requested_at, at), and(eq(t.jobs.requested_at, at), lt(t.jobs.id, id)))!);
  }
  const rows = await c.var.db
    .select()
    .from(t.jobs)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(t.jobs.requested_at), desc(t.jobs.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return c.json({ jobs: page.map(toJob), next_cursor: rows.length > q.limit && last ? encodeCursor(last.requested_at, last.id) : null });
});

jobs.get('/:id', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ job: toJob(job) });
});

/** Cancels: a customer before the driver is on site, an admin any time before completion. */
jobs.delete('/:id', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, CancelBody, { optional: true });
  const result = await transitionJob(c.var.db, actorOf(c), id, 'cancelled', { cancellation_reason: body.reason ?? null });
  await publishTransition(c.env, result, body.reason);
  return c.json({ job: toJob(result.job) });
});

jobs.get('/:id/status-history', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ events: await statusHistory(c.var.db, job.id) });
});

/**
 * Manual assignment. Guarded by status and version in one UPDATE, so of two dispatchers
 * assigning the same job one wins and the other gets 409.
 */
jobs.post('/:id/assign', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, AssignBody);
  const db = c.var.db;
  const [driver] = await db
    .select({ id: t.driver_profiles.id, active: t.users.is_active, suspended_at: t.users.suspended_at })
    .from(t.driver_profiles)
    .innerJoin(t.users, eq(t.users.id, t.driver_profiles.user_id))
    .where(eq(t.driver_profiles.id, body.driver_id))
    .limit(1);
  if (!driver) throw new ApiError(422, 'unknown_driver', 'No driver has that id.');
  if (!driver.active || driver.suspended_at) throw new ApiError(422, 'driver_suspended', 'That driver is suspended.');
  const result = await transitionJob(db, actorOf(c), id, 'assigned', { driver_id: driver.id, expected_version: body.expected_version });
  const [customer] = await db
    .select({ name: t.users.full_name })
    .from(t.customer_profiles)
    .innerJoin(t.users, eq(t.users.id, t.customer_profiles.user_id))
    .where(eq(t.customer_profiles.id, result.job.customer_id))
    .limit(1);
  await publishAssignment(c.env, result.job, customer?.name ?? 'Customer', result.previous_status);
  return c.json({ job: toJob(result.job) });
});
