import { and, asc, eq, getTableColumns, inArray, type SQL } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { conflict, notFound } from '../lib/errors';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { transitionJob, type Actor, type JobRow, type Queryable, type TransitionResult } from './jobs';
import { insertPendingJobs } from './job-insert';
import { notifyCustomer } from '../notify/intents';
import type { WaitlistStatus } from '../../contract/enums';
import { tierById } from './pricing';

export type WaitlistRow = typeof t.waitlist.$inferSelect;

/** A waitlist entry as the API shows it: the point as `lat`/`lng`. */
export function toWaitlistEntry(row: WaitlistRow, { withContact = true } = {}) {
  const { job_coordinates, organization_id: _o, contact_email, contact_phone, ...rest } = row;
  return {
    ...rest,
    ...(withContact ? { contact_email, contact_phone } : {}),
    lat: job_coordinates.lat,
    lng: job_coordinates.lng,
  };
}

export interface WaitlistPage {
  entries: WaitlistRow[];
  next_cursor: string | null;
}

/** Entries oldest first (first come, first served), cursor-paged. */
export async function listWaitlist(
  q: Queryable,
  opts: { statuses?: WaitlistStatus[]; customer_id?: string; cursor?: string; limit: number },
): Promise<WaitlistPage> {
  const conds: SQL[] = [];
  if (opts.statuses?.length) conds.push(inArray(t.waitlist.status, opts.statuses));
  if (opts.customer_id) conds.push(eq(t.waitlist.customer_id, opts.customer_id));
  if (opts.cursor) conds.push(afterCursor(t.waitlist.created_at, t.waitlist.id, opts.cursor, 'asc'));
  const rows = await q
    .select({ ...getTableColumns(t.waitlist), _cursor_at: cursorAt(t.waitlist.created_at) })
    .from(t.waitlist)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(t.waitlist.created_at), asc(t.waitlist.id))
    .limit(opts.limit + 1);
  const { items, next_cursor } = page(rows, opts.limit);
  return { entries: items, next_cursor };
}

export type PromoteMode = { kind: 'pending' } | { kind: 'assign'; driver_id: string };

export interface PromoteOutcome {
  entry: WaitlistRow;
  job: JobRow;
  /** The pending job as created (for the new-request fan-out). */
  created: JobRow;
  /** Set when the job went straight to a driver. */
  assignment: TransitionResult | null;
}

/**
 * Turns a waiting entry into a job (ApexPlow §3.12): `pending` for the board (admin
 * "promote"), or assigned at once to a driver (a driver "take", an admin "assign"). One
 * transaction: the entry is claimed with a guarded UPDATE so two drivers taking the same
 * entry cannot both win, the job is created with its status events, and the customer's
 * notice is queued through their preferred contact as captured on the entry.
 */
export async function promoteEntry(db: Db, actor: Actor, id: string, mode: PromoteMode): Promise<PromoteOutcome> {
  return db.transaction(async (tx) => {
    const [entry] = await tx
      .update(t.waitlist)
      .set({ status: 'promoted', promoted_at: new Date() })
      .where(and(eq(t.waitlist.id, id), eq(t.waitlist.status, 'waiting')))
      .returning();
    if (!entry) {
      const [existing] = await tx
        .select({ status: t.waitlist.status })
        .from(t.waitlist)
        .where(eq(t.waitlist.id, id))
        .limit(1);
      if (!existing) throw notFound('Waitlist entry');
      throw conflict('waitlist_not_waiting', `This request is already ${existing.status}.`, {
        status: existing.status,
      });
    }
    const tier = await tierById(tx, entry.driveway_tier_id);
    const [created] = await insertPendingJobs(
      tx,
      actor,
      [
        {
          customer_id: entry.customer_id,
          location_id: entry.location_id,
          job_address: entry.job_address,
          job_coordinates: entry.job_coordinates,
          source: 'customer',
          driveway_tier_id: entry.driveway_tier_id,
          special_instructions: entry.notes,
          quoted_price_cents: tier?.price_cents ?? null,
          // The customer asked when they joined the waitlist: keep their place in line.
          requested_at: entry.created_at,
          waitlist_id: entry.id,
        },
      ],
      { notes: 'promoted from waitlist' },
    );
    const [promoted] = await tx
      .update(t.waitlist)
      .set({ promoted_job_id: created!.id })
      .where(eq(t.waitlist.id, entry.id))
      .returning();
    let assignment: TransitionResult | null = null;
    if (mode.kind === 'assign') {
      assignment = await transitionJob(tx, actor, created!.id, 'assigned', {
        driver_id: mode.driver_id,
        trusted: true,
        accepted: actor.role === 'driver',
        notes: actor.role === 'driver' ? 'taken from the waitlist by the driver' : 'assigned from the waitlist',
      });
    }
    await notifyCustomer(
      tx,
      entry.customer_id,
      {
        kind: 'waitlist_promoted',
        job_id: created!.id,
        key: `waitlist_promoted:${entry.id}`,
        context: { address: entry.job_address, picked_up: mode.kind === 'assign' },
      },
      { preferred_contact: entry.preferred_contact, email: entry.contact_email, phone: entry.contact_phone },
    );
    return { entry: promoted!, job: assignment?.job ?? created!, created: created!, assignment };
  });
}

/** Withdraws a waiting entry (its customer, or an admin). Promoted entries are jobs now. */
export async function cancelEntry(q: Queryable, actor: Actor, id: string): Promise<WaitlistRow> {
  const [entry] = await q.select().from(t.waitlist).where(eq(t.waitlist.id, id)).limit(1);
  if (!entry || (actor.role === 'customer' && entry.customer_id !== actor.customer_id) || actor.role === 'driver')
    throw notFound('Waitlist entry');
  const [row] = await q
    .update(t.waitlist)
    .set({ status: 'cancelled' })
    .where(and(eq(t.waitlist.id, id), eq(t.waitlist.status, 'waiting')))
    .returning();
  if (!row)
    throw conflict(
      'waitlist_not_waiting',
      `This request is already ${entry.status}${entry.status === 'promoted' ? '; cancel the job instead' : ''}.`,
      { status: entry.status, job_id: entry.promoted_job_id },
    );
  return row;
}
