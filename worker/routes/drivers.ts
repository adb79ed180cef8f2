import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { DriverStatusBody, JobStatusBody, PaymentBody, RejectBody } from '../../contract/api';
import { CursorQuery, DriverListQuery, DriverPatch, ReportQuery } from '../../contract/api-domain';
import * as t from '../../db/schema';
import { actorOf, requireDriverId } from '../lib/actor';
import { conflict, notFound } from '../lib/errors';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { publishDriverStatus, publishInvoiceChange, publishTransition } from '../realtime';
import { autoDispatchDeclined } from '../services/auto-dispatch';
import { activeJobsOf, driverById, jobInHand, listDrivers, updateDriverProfile } from '../services/driver-directory';
import { recordPayment, toPaymentOutcome, undoPayment } from '../invoices/invoices';
import { audit } from '../lib/audit';
import { acceptJob, toJob, transitionJob, transitionJobOnce, visibleJob } from '../services/jobs';
import { listWaitlist, toWaitlistEntry } from '../services/waitlist';
import { driverRoute } from '../services/storm-routes';
import { driverHistoryDays, driverHistoryJobs } from '../services/driver-history';
import { ensureSettings } from '../services/operator-setup';
import { resolveRange } from '../services/reports';
import type { AppEnv } from '../types';
import type { DriverJobContact } from '../../contract/responses';
import { ACTIVE_JOB, isIn } from '../../contract/job-status';
import { customerReach } from '../services/customer-profile';
import { log } from '../lib/log';

export const drivers = new Hono<AppEnv>();

/** Admin: drivers with their last batched position (SPEC §7), by status and proximity. */
drivers.get('/', async (c) => {
  const q = readQuery(c, DriverListQuery);
  return c.json({ drivers: await listDrivers(c.var.db, { statuses: q.status, near: q.near, radius_km: q.radius_km }) });
});

drivers.get('/me', async (c) => {
  return c.json({ driver: await driverById(c.var.db, requireDriverId(c)) });
});

/** The driver's storm route: the job to do now and every open stop in order, with ETAs. */
drivers.get('/me/route', async (c) => {
  const route = await driverRoute(c.var.db, requireDriverId(c));
  return c.json({ next: route.next ? toJob(route.next) : null, stops: route.stops });
});

/** Onboarding and profile: vehicle, service radius, PayPal/Venmo links, payment QR image. */
drivers.patch('/me', async (c) => {
  const driverId = requireDriverId(c);
  const body = await readJson(c, DriverPatch);
  return c.json({ driver: await updateDriverProfile(c.var.db, driverId, body) });
});

/**
 * Availability toggle; en_route and on_job follow the job and cannot be set by hand. While
 * the driver has a job in hand (see `jobInHand`) the toggle is refused with 409, so a
 * driver mid-job never shows as available or offline. The driver row is locked first: a
 * job transition that moves the driver's status waits for us, or we see its job.
 */
drivers.patch('/me/status', async (c) => {
  const driverId = requireDriverId(c);
  const { user_id } = actorOf(c);
  const body = await readJson(c, DriverStatusBody);
  const row = await c.var.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ id: t.driver_profiles.id, status: t.driver_profiles.status })
      .from(t.driver_profiles)
      .where(eq(t.driver_profiles.id, driverId))
      .for('no key update'); // the lock syncDriverStatus takes (services/jobs.ts)
    if (!current) throw notFound('Driver');
    const job = await jobInHand(tx, driverId, user_id);
    if (job && current.status === body.status) return current; // nothing to change
    if (job) {
      const way = job.status === 'assigned' ? 'finish it or decline it' : 'finish it (or ask dispatch to cancel it)';
      throw conflict(
        'driver_has_active_job',
        `You can't switch to ${body.status} while you have a job that is ${job.status}: ${way} first. Until then your status follows the job.`,
        {
          job_id: job.id,
          job_status: job.status,
        },
      );
    }
    const [updated] = await tx
      .update(t.driver_profiles)
      .set({ status: body.status })
      .where(eq(t.driver_profiles.id, driverId))
      .returning({ id: t.driver_profiles.id, status: t.driver_profiles.status });
    return updated!;
  });
  await publishDriverStatus(c.env, driverId, row.status).catch(log.failed('driver status fan-out'));
  return c.json({ driver: row });
});

/**
 * The driver's queue: their unfinished jobs, next first, and — as a separate section —
 * waitlisted requests they may pick up (ApexPlow §3.12).
 */
drivers.get('/me/jobs', async (c) => {
  const driverId = requireDriverId(c);
  const [rows, waiting] = await Promise.all([
    activeJobsOf(c.var.db, driverId),
    listWaitlist(c.var.db, { statuses: ['waiting'], limit: 50 }),
  ]);
  return c.json({
    jobs: rows.map(toJob),
    waitlist: waiting.entries.map((e) => toWaitlistEntry(e, { withContact: false })),
  });
});

/** The driver's own finished jobs, newest first, a page at a time. */
drivers.get('/me/history', async (c) => {
  const driverId = requireDriverId(c);
  const q = readQuery(c, CursorQuery);
  return c.json(await driverHistoryJobs(c.var.db, driverId, q));
});

/** The driver's visits, minutes on site and amounts by local day (default the last 30 days). */
drivers.get('/me/history/days', async (c) => {
  const driverId = requireDriverId(c);
  const q = readQuery(c, ReportQuery);
  const tz = (await ensureSettings(c.var.db)).timezone;
  return c.json(await driverHistoryDays(c.var.db, driverId, tz, resolveRange(tz, q.from, q.to)));
});

drivers.get('/me/jobs/:id', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ job: toJob(job) });
});

/**
 * Who the driver calls or texts about a job in their hands: the customer's own number
 * when the operator lets drivers call customers, else only the office's; neither once the
 * job is no longer under way.
 */
drivers.get('/me/jobs/:id/contact', async (c) => {
  const job = await visibleJob(c.var.db, actorOf(c), uuidParam(c));
  const live = isIn(ACTIVE_JOB, job.status);
  const [settings, customer] = await Promise.all([ensureSettings(c.var.db), customerReach(c.var.db, job.customer_id)]);
  const contact: DriverJobContact = {
    customer_first_name: customer.first_name,
    customer_phone: live && settings.drivers_call_customers ? customer.phone : null,
    office_phone: live ? settings.public_phone : null,
    live,
  };
  return c.json({ contact });
});

/** Takes an assignment on (`acceptJob`): the job stays `assigned`; accepting twice is a no-op. */
drivers.post('/me/jobs/:id/accept', async (c) => {
  const { job } = await acceptJob(c.var.db, actorOf(c), uuidParam(c));
  return c.json({ job: toJob(job) });
});

/** Declines an assignment: the job goes back to `pending`; auto-dispatch asks the next driver. */
drivers.post('/me/jobs/:id/reject', async (c) => {
  const body = await readJson(c, RejectBody, { optional: true });
  const result = await transitionJob(c.var.db, actorOf(c), uuidParam(c), 'pending', {
    notes: body.reason ? `rejected: ${body.reason}` : 'rejected by driver',
  });
  await publishTransition(c.env, result);
  if (!result.duplicate)
    c.executionCtx.waitUntil(autoDispatchDeclined(c.env, result.job.id).catch(log.failed('auto-dispatch decline')));
  return c.json({ job: toJob(result.job) });
});

drivers.patch('/me/jobs/:id/status', async (c) => {
  const body = await readJson(c, JobStatusBody);
  const result = await transitionJobOnce(c.var.db, actorOf(c), uuidParam(c), body.status, {
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

/**
 * Payment collected in person: an immutable payments row; the invoice is `paid` once
 * covered. 201 for a new payment, 200 for a replay of the same `client_event_id`.
 */
drivers.post('/me/jobs/:id/payment', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, PaymentBody);
  const actor = actorOf(c);
  const outcome = await c.var.db.transaction(async (tx) =>
    recordPayment(tx, actor, await visibleJob(tx, actor, id), body),
  );
  if (!outcome.duplicate) await publishInvoiceChange(c.env, outcome.invoice);
  return c.json(toPaymentOutcome(outcome), outcome.duplicate ? 200 : 201);
});

/**
 * Takes back a payment this driver recorded by mistake, within the undo window: a reversal
 * row, the invoice asking for money again. 200 with the reversal (also for a repeat).
 */
drivers.delete('/me/payments/:id', async (c) => {
  const paymentId = uuidParam(c);
  const actor = actorOf(c);
  const outcome = await c.var.db.transaction(async (tx) => {
    const undone = await undoPayment(tx, actor, paymentId);
    if (!undone.duplicate) {
      await audit(
        c,
        {
          action: 'invoice.payment_undone',
          entity_type: 'invoice',
          entity_id: undone.invoice.id,
          before: { payment_id: paymentId, amount_cents: -undone.payment.amount_cents, method: undone.payment.method },
        },
        tx,
      );
    }
    return undone;
  });
  if (!outcome.duplicate) await publishInvoiceChange(c.env, outcome.invoice);
  return c.json(toPaymentOutcome(outcome));
});

/** Admin: one driver's profile and the jobs in their hands. */
// Registered after `/me`: for GET /drivers/me both match and the first one answers.
drivers.get('/:id', async (c) => {
  const id = uuidParam(c);
  const [driver, active] = await Promise.all([driverById(c.var.db, id), activeJobsOf(c.var.db, id)]);
  return c.json({ driver: { ...driver, active_jobs: active.map(toJob) } });
});
