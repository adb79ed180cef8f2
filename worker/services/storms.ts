import { and, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { NOT_STARTED_JOB, SERVED_JOB, TERMINAL_JOB } from '../../contract/job-status';
import type { StormBody, StormPropertyLine as Lines, StormSummary as Summary } from '../../contract/storm-ops';
import { isEligible, NOT_REACHED_REASON, stormOutcome, visitPriceCents } from '../../contract/storm-rules';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { isUniqueViolation } from '../lib/db-errors';
import { ApiError, conflict, notFound } from '../lib/errors';
import { localDate, localParts, zonedInstant } from '../lib/zoned-time';
import { emailAdmins } from '../notify/intents';
import { stormSummaryEmail } from '../notify/templates';
import { formatAddress, insertPendingJobs } from './job-insert';
import { transitionJob, type Actor, type JobRow, type TransitionResult, type Tx } from './jobs';
import { sqlList } from '../../db/sql-list';
import { ensureSettings } from './operator-setup';
import { stillSaved } from './locations';

/**
 * Storm events (docs/decisions/0066-storm-jobs-once-per-contract.md): an admin declares a
 * storm and raises its depth as it falls; each time, every eligible contract property
 * (contract/storm-rules.ts `isEligible`) that has no job in this storm yet gets one, through
 * the job-creation path every other job takes (`insertPendingJobs`). The storm row is
 * locked for the whole change and `jobs_storm_contract_unique` backs it, so any number of
 * racing declarations and raises make each property's job exactly once.
 *
 * PLANNER SEAM: the jobs a declaration or raise creates come back as `created`; a route
 * planner (worker/routing/) would take them — with their deadlines and coordinates — and
 * order them into driver routes. Until then they land on the board as pending jobs and
 * follow the operator's dispatch rules (manual, or auto-dispatch when it is on).
 */

export type StormRow = t.Storm;

/** The API's storm. */
export function toStorm(row: StormRow) {
  const { organization_id: _o, client_event_id: _c, ...rest } = row;
  return rest;
}

export interface StormChange {
  storm: StormRow;
  /** Jobs this call created (empty for a repeated declaration or a raise that reached no one new). */
  created: JobRow[];
  auto_dispatch: boolean;
}

/**
 * The contract's promise as an instant: `within_hours` counts from the end of the snow;
 * `open_by` is the first time the operator's clock shows that time after the snow ends.
 * While the end is not known, the storm's start stands in for it.
 */
export function slaDeadline(
  contract: Pick<t.ServiceContract, 'sla_kind' | 'sla_open_by' | 'sla_within_hours'>,
  storm: Pick<StormRow, 'started_at' | 'snowfall_end_at'>,
  timeZone: string,
): Date | null {
  const from = storm.snowfall_end_at ?? storm.started_at;
  if (contract.sla_kind === 'within_hours')
    return contract.sla_within_hours === null ? null : new Date(from.getTime() + contract.sla_within_hours * 3_600_000);
  if (!contract.sla_open_by) return null;
  const [hour, minute] = contract.sla_open_by.split(':').map(Number) as [number, number];
  const p = localParts(from, timeZone);
  const sameDay = zonedInstant(timeZone, p.year, p.month, p.day, hour, minute);
  return sameDay.getTime() > from.getTime()
    ? sameDay
    : zonedInstant(timeZone, p.year, p.month, p.day + 1, hour, minute);
}

/**
 * The storm's missing jobs: every contract that the storm now triggers and that has no job
 * in it yet. Call with the storm row locked.
 */
async function addStormJobs(tx: Tx, actor: Actor, storm: StormRow, timeZone: string): Promise<JobRow[]> {
  const candidates = await tx
    .select({ contract: t.service_contracts, location: t.service_locations })
    .from(t.service_contracts)
    .innerJoin(t.service_locations, eq(t.service_locations.id, t.service_contracts.location_id))
    .where(
      and(
        eq(t.service_contracts.status, 'active'),
        stillSaved,
        sql`NOT EXISTS (SELECT 1 FROM ${t.jobs} j WHERE j.storm_id = ${storm.id} AND j.contract_id = ${t.service_contracts.id})`,
      ),
    );
  const stormDate = localDate(storm.started_at, timeZone);
  const values: t.NewJob[] = candidates
    .filter(({ contract }) => isEligible(contract, storm.depth_in, stormDate))
    .map(({ contract, location }) => ({
      customer_id: contract.customer_id,
      location_id: location.id,
      job_address: formatAddress(location),
      job_coordinates: location.coordinates,
      source: 'admin' as const,
      service_type: contract.service_type,
      special_instructions: contract.driver_notes,
      quoted_price_cents: visitPriceCents(contract, storm.depth_in),
      pricing_model: contract.kind,
      storm_id: storm.id,
      contract_id: contract.id,
      deadline_at: slaDeadline(contract, storm, timeZone),
    }));
  return insertPendingJobs(tx, actor, values, { notes: `storm: ${storm.name}`, oncePerStormContract: true });
}

/**
 * Declares a storm and creates its jobs in one transaction. A repeated `client_event_id`
 * answers with the storm it declared (`created` empty); a second open storm is a 409.
 */
export async function declareStorm(db: Db, actor: Actor, body: StormBody): Promise<StormChange & { new: boolean }> {
  const startedAt = new Date(body.started_at);
  const endAt = body.snowfall_end_at ? new Date(body.snowfall_end_at) : null;
  if (endAt && endAt < startedAt) throw endBeforeStart();
  const prior = async () => {
    if (!body.client_event_id) return null;
    const [row] = await db.select().from(t.storms).where(eq(t.storms.client_event_id, body.client_event_id)).limit(1);
    return row ? { storm: row, created: [], auto_dispatch: false, new: false } : null;
  };
  const seen = await prior();
  if (seen) return seen;
  const settings = await ensureSettings(db);
  try {
    return await db.transaction(async (tx) => {
      const [storm] = await tx
        .insert(t.storms)
        .values({
          name: body.name,
          started_at: startedAt,
          depth_in: body.depth_in,
          snowfall_end_at: endAt,
          declared_by_user_id: actor.user_id,
          client_event_id: body.client_event_id ?? null,
        })
        .returning();
      const created = await addStormJobs(tx, actor, storm!, settings.timezone);
      return { storm: storm!, created, auto_dispatch: settings.auto_dispatch, new: true };
    });
  } catch (err) {
    // A copy of this declaration that committed first (whichever unique index noticed it).
    const again = isUniqueViolation(err) ? await prior() : null;
    if (again) return again;
    if (isUniqueViolation(err, 'storms_one_active')) {
      const [open] = await db
        .select({ id: t.storms.id, name: t.storms.name })
        .from(t.storms)
        .where(eq(t.storms.status, 'active'))
        .limit(1);
      throw conflict(
        'storm_active',
        `The storm "${open?.name ?? ''}" is still open; raise its depth or close it before declaring another.`,
        { storm_id: open?.id ?? null },
      );
    }
    throw err;
  }
}

/**
 * Raises an open storm's depth (never lowers it) and/or records when the snow ends, then
 * adds the jobs the new depth triggers. Open jobs follow: per-inch prices move to the new
 * band, deadlines to the new end of snowfall. Repeating the same depth changes nothing.
 */
export async function raiseStorm(
  db: Db,
  actor: Actor,
  id: string,
  body: { depth_in?: number | undefined; snowfall_end_at?: string | undefined },
): Promise<StormChange> {
  const settings = await ensureSettings(db);
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(t.storms).where(eq(t.storms.id, id)).for('update').limit(1);
    if (!current) throw notFound('Storm');
    if (current.status !== 'active') throw conflict('storm_closed', `The storm "${current.name}" is closed.`);
    if (body.depth_in !== undefined && body.depth_in < current.depth_in) {
      throw conflict(
        'depth_not_raised',
        `The storm is already at ${current.depth_in} in; a storm's depth only goes up.`,
        { depth_in: current.depth_in },
      );
    }
    const endAt = body.snowfall_end_at ? new Date(body.snowfall_end_at) : current.snowfall_end_at;
    if (endAt && endAt < current.started_at) throw endBeforeStart();
    const depth = body.depth_in ?? current.depth_in;
    const changed = depth !== current.depth_in || endAt?.getTime() !== current.snowfall_end_at?.getTime();
    const [storm] = changed
      ? await tx
          .update(t.storms)
          .set({ depth_in: depth, snowfall_end_at: endAt })
          .where(eq(t.storms.id, id))
          .returning()
      : [current];
    if (changed) await refreshOpenJobs(tx, storm!, settings.timezone);
    const created = await addStormJobs(tx, actor, storm!, settings.timezone);
    return { storm: storm!, created, auto_dispatch: settings.auto_dispatch };
  });
}

/** Open jobs of the storm take the storm's current depth (per-inch price) and end of snow (deadline). */
async function refreshOpenJobs(tx: Tx, storm: StormRow, timeZone: string): Promise<void> {
  const open = await tx
    .select({ job: t.jobs, contract: t.service_contracts })
    .from(t.jobs)
    .innerJoin(t.service_contracts, eq(t.service_contracts.id, t.jobs.contract_id))
    .where(and(eq(t.jobs.storm_id, storm.id), notInArray(t.jobs.status, [...TERMINAL_JOB])));
  for (const { job, contract } of open) {
    const price = visitPriceCents(contract, storm.depth_in);
    const deadline = slaDeadline(contract, storm, timeZone);
    if (price === job.quoted_price_cents && deadline?.getTime() === job.deadline_at?.getTime()) continue;
    // A change like any other: the version moves, so an edit made against the old price is refused.
    await tx
      .update(t.jobs)
      .set({ quoted_price_cents: price, deadline_at: deadline, version: sql`${t.jobs.version} + 1` })
      .where(eq(t.jobs.id, job.id));
  }
}

const endBeforeStart = () =>
  new ApiError(400, 'validation_failed', 'The snow cannot end before the storm starts.', [
    { field: 'snowfall_end_at', message: 'must be at or after started_at' },
  ]);

export interface StormClose {
  storm: StormRow;
  summary: StormSummary;
  /** The jobs closing cancelled (to fan out after the commit). */
  cancelled: TransitionResult[];
}

/**
 * Closes a storm: its jobs nobody has set out for are cancelled as "not reached", and the
 * summary is emailed to the operator's admins (outbox rows in the same transaction). A
 * storm already closed answers with its summary again and sends nothing new.
 */
export async function closeStorm(db: Db, actor: Actor, id: string): Promise<StormClose> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(t.storms).where(eq(t.storms.id, id)).for('update').limit(1);
    if (!current) throw notFound('Storm');
    if (current.status === 'closed') return { storm: current, summary: await stormSummary(tx, current), cancelled: [] };
    const [storm] = await tx
      .update(t.storms)
      .set({ status: 'closed', closed_at: new Date() })
      .where(eq(t.storms.id, id))
      .returning();
    // No one is on the way to these yet; jobs en route or later are finished as usual.
    const waiting = await tx
      .select({ id: t.jobs.id })
      .from(t.jobs)
      .where(and(eq(t.jobs.storm_id, id), inArray(t.jobs.status, [...NOT_STARTED_JOB])));
    const cancelled: TransitionResult[] = [];
    for (const job of waiting)
      cancelled.push(await transitionJob(tx, actor, job.id, 'cancelled', { cancellation_reason: NOT_REACHED_REASON }));
    const summary = await stormSummary(tx, storm!);
    const op = await ensureSettings(tx);
    await emailAdmins(tx, {
      kind: 'storm_summary',
      key: `storm_summary:${storm!.id}`,
      ...stormSummaryEmail({ business_name: op.business_name, timezone: op.timezone, storm: storm!, summary }),
    });
    return { storm: storm!, summary, cancelled };
  });
}

export type StormPropertyLine = Lines<Date>;
export type StormSummary = Summary<Date>;

/**
 * The storm report: properties done (on time or late against their deadline), skipped with
 * the reason, still open; total time on site (arrival to completion) and the visit revenue
 * (completed jobs' prices before tax; seasonal visits count 0, billed by installment).
 */
export async function stormSummary(q: Db | Tx, storm: StormRow): Promise<StormSummary> {
  const rows = await q
    .select()
    .from(t.jobs)
    .where(eq(t.jobs.storm_id, storm.id))
    .orderBy(sql`${t.jobs.deadline_at} NULLS LAST`, t.jobs.job_address);
  const summary: StormSummary = {
    properties: rows.length,
    done: 0,
    on_time: 0,
    late: 0,
    skipped: { cancelled: 0, not_reached: 0 },
    open: 0,
    minutes_on_site: 0,
    revenue_cents: 0,
    lines: [],
  };
  for (const job of rows) {
    const outcome = stormOutcome(job);
    const onSiteFrom = job.arrived_at ?? job.started_at;
    const minutes =
      outcome.kind === 'done' && onSiteFrom && job.completed_at
        ? Math.max(0, Math.round((job.completed_at.getTime() - onSiteFrom.getTime()) / 60_000))
        : null;
    const revenue = outcome.kind === 'done' ? (job.final_price_cents ?? job.quoted_price_cents ?? 0) : 0;
    if (outcome.kind === 'done') {
      summary.done++;
      if (outcome.late) summary.late++;
      else summary.on_time++;
    } else if (outcome.kind === 'skipped') summary.skipped[outcome.reason]++;
    else summary.open++;
    summary.minutes_on_site += minutes ?? 0;
    summary.revenue_cents += revenue;
    summary.lines.push({
      job_id: job.id,
      address: job.job_address,
      status: job.status,
      outcome: outcome.kind,
      late: outcome.kind === 'done' && outcome.late,
      skip_reason: outcome.kind === 'skipped' ? outcome.reason : null,
      deadline_at: job.deadline_at,
      completed_at: job.completed_at,
      minutes_on_site: minutes,
      revenue_cents: revenue,
    });
  }
  return summary;
}

/** Recent storms, newest first, with how many jobs each made and how many are done. */
export async function listStorms(db: Db, limit = 50) {
  const rows = await db
    .select({
      storm: t.storms,
      // Spelled out: inside a select list drizzle would leave the outer column unqualified.
      jobs: sql<number>`(SELECT count(*)::int FROM jobs j WHERE j.storm_id = storms.id)`.mapWith(Number),
      done: sql<number>`(SELECT count(*)::int FROM jobs j WHERE j.storm_id = storms.id AND j.status IN (${sqlList(SERVED_JOB)}))`.mapWith(
        Number,
      ),
    })
    .from(t.storms)
    .orderBy(desc(t.storms.started_at))
    .limit(limit);
  return rows.map((r) => ({ ...toStorm(r.storm), jobs: r.jobs, done: r.done }));
}

export async function findStorm(db: Db, id: string): Promise<StormRow> {
  const [row] = await db.select().from(t.storms).where(eq(t.storms.id, id)).limit(1);
  if (!row) throw notFound('Storm');
  return row;
}
