import { Hono } from 'hono';
import { WaitlistAssignBody, WaitlistQuery } from '../../contract/api-domain';
import { actorOf, requireDriverId } from '../lib/actor';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { dispatchStub, publishAssignment, publishNewJob } from '../realtime';
import { startAutoDispatch } from '../services/auto-dispatch';
import { assignableDriver } from '../services/driver-directory';
import { toJob } from '../services/jobs';
import {
  cancelEntry,
  listWaitlist,
  promoteEntry,
  toWaitlistEntry,
  type PromoteOutcome,
  type WaitlistRow,
} from '../services/waitlist';
import type { AppEnv } from '../types';
import { log } from '../lib/log';
import { ensureSettings } from '../services/operator-setup';

/**
 * The waitlist (ApexPlow §3.12): requests made while the operator was paused. Admins see
 * them on the dispatch portal's panel, drivers as a separate section of their queue.
 */
export const waitlist = new Hono<AppEnv>();

const changed = (env: Env, entry: WaitlistRow) =>
  dispatchStub(env)
    .toAdmins({
      type: 'waitlist_changed',
      payload: {
        waitlist_id: entry.id,
        status: entry.status,
        job_id: entry.promoted_job_id,
        ts: new Date().toISOString(),
      },
    })
    .catch(log.failed('waitlist fan-out'));

/** Admins: any status (default waiting), with contact details. Drivers: waiting only, without them. */
waitlist.get('/', async (c) => {
  const q = readQuery(c, WaitlistQuery);
  const isAdmin = c.var.user.role === 'admin';
  const result = await listWaitlist(c.var.db, {
    statuses: isAdmin ? (q.status ?? ['waiting']) : ['waiting'],
    cursor: q.cursor,
    limit: q.limit,
  });
  return c.json({
    waitlist: result.entries.map((e) => toWaitlistEntry(e, { withContact: isAdmin })),
    next_cursor: result.next_cursor,
  });
});

async function answerAssigned(c: { env: Env; var: AppEnv['Variables'] }, outcome: PromoteOutcome) {
  if (outcome.assignment) await publishAssignment(c.env, outcome.assignment);
  await changed(c.env, outcome.entry);
  return { job: toJob(outcome.job), waitlist_entry: toWaitlistEntry(outcome.entry) };
}

/** A driver picks a waiting request up: it becomes a job assigned to them (201). */
waitlist.post('/:id/take', async (c) => {
  const id = uuidParam(c);
  const driverId = requireDriverId(c);
  await assignableDriver(c.var.db, driverId);
  const outcome = await promoteEntry(c.var.db, actorOf(c), id, { kind: 'assign', driver_id: driverId });
  return c.json(await answerAssigned(c, outcome), 201);
});

/** An admin gives a waiting request to a driver: same effect as the driver taking it. */
waitlist.post('/:id/assign', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, WaitlistAssignBody);
  const driver = await assignableDriver(c.var.db, body.driver_id);
  const outcome = await promoteEntry(c.var.db, actorOf(c), id, { kind: 'assign', driver_id: driver.id });
  return c.json(await answerAssigned(c, outcome), 201);
});

/** An admin moves a waiting request onto the board as a pending job. */
waitlist.post('/:id/promote', async (c) => {
  const id = uuidParam(c);
  const outcome = await promoteEntry(c.var.db, actorOf(c), id, { kind: 'pending' });
  await publishNewJob(c.env, outcome.job);
  await changed(c.env, outcome.entry);
  const settings = await ensureSettings(c.var.db);
  if (settings.auto_dispatch)
    c.executionCtx.waitUntil(startAutoDispatch(c.env, outcome.job).catch(log.failed('auto-dispatch start')));
  return c.json({ job: toJob(outcome.job), waitlist_entry: toWaitlistEntry(outcome.entry) }, 201);
});

/** An admin drops a waiting request (e.g. the customer called to cancel). */
waitlist.delete('/:id', async (c) => {
  const entry = await cancelEntry(c.var.db, actorOf(c), uuidParam(c));
  await changed(c.env, entry);
  return c.json({ waitlist_entry: toWaitlistEntry(entry) });
});
