import { type Context, Hono } from 'hono';
import type { AuditAction } from '../../contract/audit';
import { and, desc, eq, getTableColumns, gte, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { AssignBody, CancelBody, CreateJobBody, JobListQuery } from '../../contract/api';
import {
  AdminJobStatusBody,
  DisputeBody,
  DisputeResolveBody,
  JobPatchBody,
  ReassignBody,
} from '../../contract/api-domain';
import { REASSIGNABLE_STATUSES } from '../../contract/state-machine';
import * as t from '../../db/schema';
import { actorOf } from '../lib/actor';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { audit } from '../lib/audit';
import { conflict } from '../lib/errors';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { dispatchStub, publishAssignment, publishJobEdit, publishTransition } from '../realtime';
import { assignableDriver } from '../services/driver-directory';
import { type EditBody, editJob } from '../services/job-edit';
import { announceNewJobs, createJob } from '../services/job-create';
import { statusHistory, toJob, type TransitionResult, transitionJob, visibleJob } from '../services/jobs';
import { toPriceChange } from '../services/price-changes';
import { toWaitlistEntry } from '../services/waitlist';
import type { AppEnv } from '../types';
import { auditor } from '../services/audit-trail';
import { jobDisputes, toDispute } from '../services/disputes';
import { timeOnSite } from '../services/time-on-site';
import { signedEvidencePack } from '../services/evidence';
import { log } from '../lib/log';
import type { Db } from '../lib/db';
import { evidencePdfResponse, renderEvidencePdf } from '../services/evidence-pdf';
import { evidenceJsonResponse } from './evidence-json';

export const jobs = new Hono<AppEnv>();

/**
 * A customer's request, or an admin entering one for a customer (`customer_id`). When the
 * operator is paused the request joins the waitlist (202); with auto-dispatch on, the
 * nearest available driver is offered the job in the background.
 */
jobs.post('/', async (c) => {
  const body = await readJson(c, CreateJobBody);
  const outcome = await createJob(c.var.db, actorOf(c), body);
  if (outcome.kind === 'waitlist') {
    const entry = toWaitlistEntry(outcome.entry);
    await dispatchStub(c.env)
      .toAdmins({
        type: 'waitlist_changed',
        payload: { waitlist_id: entry.id, status: entry.status, job_id: null, ts: new Date().toISOString() },
      })
      .catch(log.failed('waitlist fan-out'));
    return c.json({ waitlist_entry: entry }, 202);
  }
  if (outcome.created)
    await announceNewJobs(c.env, (w) => c.executionCtx.waitUntil(w), [outcome.job], outcome.auto_dispatch);
  return c.json({ job: toJob(outcome.job) }, outcome.created ? 201 : 200);
});

/**
 * The dispatch list: filters by status, driver, customer, requested_at range and free
 * text (address, customer name or email); newest first, cursor-paged.
 */
jobs.get('/', async (c) => {
  const q = readQuery(c, JobListQuery);
  const conds: SQL[] = [];
  if (q.status) conds.push(inArray(t.jobs.status, q.status));
  if (q.driver_id) conds.push(eq(t.jobs.driver_id, q.driver_id));
  if (q.customer_id) conds.push(eq(t.jobs.customer_id, q.customer_id));
  if (q.from) conds.push(gte(t.jobs.requested_at, new Date(q.from)));
  if (q.to) conds.push(lt(t.jobs.requested_at, new Date(q.to)));
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    conds.push(
      or(
        ilike(t.jobs.job_address, like),
        sql`EXISTS (SELECT 1 FROM customer_profiles cp JOIN users u ON u.id = cp.user_id WHERE cp.id = ${t.jobs.customer_id} AND (u.full_name ILIKE ${like} OR u.email ILIKE ${like}))`,
      )!,
    );
  }
  return c.json(await jobsPage(c.var.db, conds, q));
});

/** One cursor page of the jobs matching `conds`, newest request first, as `{jobs, next_cursor}`. */
export async function jobsPage(db: Db, conds: SQL[], q: { cursor?: string; limit: number }) {
  const after = q.cursor ? [afterCursor(t.jobs.requested_at, t.jobs.id, q.cursor, 'desc')] : [];
  const rows = await db
    .select({ ...getTableColumns(t.jobs), _cursor_at: cursorAt(t.jobs.requested_at) })
    .from(t.jobs)
    .where(and(...conds, ...after))
    .orderBy(desc(t.jobs.requested_at), desc(t.jobs.id))
    .limit(q.limit + 1);
  const { items, next_cursor } = page(rows, q.limit);
  return { jobs: items.map(toJob), next_cursor };
}

jobs.get('/:id', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ job: toJob(job) });
});

/**
 * Admin edits: instructions, schedule, final price (through the price-change log), tier and
 * location (re-quoted), all audited; `expected_version` turns a stale edit into a 409.
 */
jobs.patch('/:id', async (c) => {
  const id = uuidParam(c);
  return answerJobEdit(c, id, await readJson(c, JobPatchBody));
});

/** Applies an edit, tells the driver, the admins and the job's room, and answers with the job and any re-quote. */
export async function answerJobEdit(c: Context<AppEnv>, id: string, body: EditBody) {
  const { job, change, fields } = await editJob(c.var.db, actorOf(c), auditor(c), id, body);
  await publishJobEdit(c.env, job, fields);
  return c.json({ job: toJob(job), price_change: change && toPriceChange(change) });
}

/** Cancels: a customer before the driver is on site, an admin any time before completion. */
jobs.delete('/:id', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, CancelBody, { optional: true });
  const result = await transitionJob(c.var.db, actorOf(c), id, 'cancelled', {
    cancellation_reason: body.reason ?? null,
  });
  await publishTransition(c.env, result, body.reason);
  return c.json({ job: toJob(result.job) });
});

/** A status move's audit row: the status (and driver) before, the status after and what else the route knows. */
function auditTransition(c: Context<AppEnv>, action: AuditAction, result: TransitionResult, after: object) {
  return audit(c, {
    action,
    entity_type: 'job',
    entity_id: result.job.id,
    before: { status: result.previous_status, driver_id: result.previous_driver_id },
    after: { status: result.job.status, ...after },
  });
}

/**
 * An admin's status move through the same state machine and job-change path as the
 * drivers' (a phone that died, an un-assignment, a dispute); the reason is kept in the job's
 * history and the audit log. Assigning still goes through /assign, which names the driver.
 */
jobs.patch('/:id/status', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, AdminJobStatusBody);
  const reason = body.reason ?? null;
  const result = await transitionJob(c.var.db, actorOf(c), id, body.status, {
    notes: reason,
    cancellation_reason: body.status === 'cancelled' ? reason : undefined,
    expected_version: body.expected_version,
  });
  await auditTransition(c, 'job.status', result, { driver_id: result.job.driver_id, reason });
  await publishTransition(c.env, result, reason ?? undefined);
  return c.json({ job: toJob(result.job) });
});

jobs.get('/:id/status-history', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ events: await statusHistory(c.var.db, job.id) });
});

/**
 * Manual assignment. Guarded by status and version in one UPDATE, so of two dispatchers
 * assigning the same job one wins and the other gets 409. An assigned job is moved to
 * another driver with /reassign, never silently by a second assign.
 */
jobs.post('/:id/assign', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, AssignBody);
  // The driver is checked in the job's own read (`requireAssignable`).
  const result = await transitionJob(c.var.db, actorOf(c), id, 'assigned', {
    driver_id: body.driver_id,
    expected_version: body.expected_version,
  });
  await publishAssignment(c.env, result);
  return c.json({ job: toJob(result.job) });
});

/**
 * Moves a job to another driver in one transaction — assigned, or already under way (the
 * truck broke down on the road or on site): → pending → assigned, two event rows, the
 * first driver told it is off their queue and their status re-derived from their other jobs.
 */
jobs.post('/:id/reassign', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, ReassignBody);
  const db = c.var.db;
  const actor = actorOf(c);
  const driver = await assignableDriver(db, body.driver_id);
  const { unassigned, assigned } = await db.transaction(async (tx) => {
    const job = await visibleJob(tx, actor, id);
    if (!REASSIGNABLE_STATUSES.includes(job.status)) {
      throw conflict('invalid_transition', `Only a job with a driver can be reassigned; this one is ${job.status}.`, {
        allowed: job.status === 'pending' ? ['assigned'] : [],
      });
    }
    if (job.driver_id === driver.id)
      throw conflict('already_assigned', `The job is already ${driver.full_name}'s.`, { driver_id: driver.id });
    const first = await transitionJob(tx, actor, id, 'pending', {
      expected_version: body.expected_version,
      notes: 'reassigned by dispatcher',
    });
    const second = await transitionJob(tx, actor, id, 'assigned', {
      driver_id: driver.id,
      notes: 'reassigned by dispatcher',
    });
    return { unassigned: first, assigned: second };
  });
  await publishTransition(c.env, unassigned);
  await publishAssignment(c.env, assigned);
  return c.json({ job: toJob(assigned.job) });
});

/**
 * Marks a completed job disputed with the customer's complaint (job history, dispute
 * record and audit log); nothing else about the job changes until it is settled.
 */
jobs.post('/:id/dispute', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, DisputeBody);
  const result = await transitionJob(c.var.db, actorOf(c), id, 'disputed', {
    notes: body.reason,
    expected_version: body.expected_version,
  });
  await auditTransition(c, 'job.dispute', result, { reason: body.reason });
  await publishTransition(c.env, result, body.reason);
  return c.json({ job: toJob(result.job), dispute: result.dispute && toDispute(result.dispute) }, 201);
});

/**
 * Settles a job's open dispute (contract DISPUTE_OUTCOMES): the job returns to completed,
 * a credit goes back on the invoice, a re-service becomes a new no-charge job.
 */
jobs.post('/:id/dispute/resolve', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, DisputeResolveBody);
  const result = await transitionJob(c.var.db, actorOf(c), id, 'completed', {
    notes: `dispute settled: ${body.outcome}${body.notes ? ` — ${body.notes}` : ''}`,
    settlement: body,
    expected_version: body.expected_version,
  });
  await auditTransition(c, 'job.dispute_resolve', result, {
    outcome: body.outcome,
    credit_cents: body.credit_cents ?? null,
    follow_up_job_id: result.follow_up_job?.id ?? null,
  });
  await publishTransition(c.env, result);
  if (result.follow_up_job)
    await announceNewJobs(c.env, (w) => c.executionCtx.waitUntil(w), [result.follow_up_job], false);
  return c.json({
    job: toJob(result.job),
    dispute: result.dispute && toDispute(result.dispute),
    follow_up_job: result.follow_up_job ? toJob(result.follow_up_job) : null,
  });
});

jobs.get('/:id/disputes', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ disputes: (await jobDisputes(c.var.db, job.id)).map(toDispute) });
});

/**
 * Time on site from the GPS log: arrival and departure at a geofence around the property
 * (radius by tier), compared with the driver's own status taps.
 */
jobs.get('/:id/time-on-site', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ time_on_site: await timeOnSite(c.var.db, job) });
});

/**
 * The job's evidence pack (JSON) with its SHA-256: for the operator answering a claim and
 * for the customer, their own job only (others: 404). Downloading again gives the same
 * hash until the job changes.
 */
jobs.get('/:id/evidence', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return evidenceJsonResponse(c, await signedEvidencePack(c.var.db, job), `evidence-${job.id}.json`);
});

/** The same evidence pack as a PDF, its SHA-256 printed on every page (the JSON's hash). */
jobs.get('/:id/evidence.pdf', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  const signed = await signedEvidencePack(c.var.db, job);
  const pdf = await renderEvidencePdf(signed.pack, signed.sha256);
  return evidencePdfResponse(pdf, `evidence-${job.id}.pdf`, signed.sha256);
});
