import { env } from 'cloudflare:workers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sql } from 'drizzle-orm';
import { JOB_STATUSES, type JobStatus, type Role } from '../../contract/enums';
import { allowedNext, canTransition } from '../../contract/state-machine';
import { openDb } from '../../worker/lib/db';
import { ApiError } from '../../worker/lib/errors';
import { transitionJob, type Actor } from '../../worker/services/jobs';
import { rng, runSeed } from '../support/prng';
import { newCustomer, newDriver, newJob, type Person, rows } from './fixtures';

interface ModelJob {
  id: string;
  status: JobStatus;
  driver_id: string | null;
  customer_id: string;
  accepted: number;
  visited: JobStatus[];
  lastEvent: { actor: Actor; to: JobStatus; client_event_id: string } | null;
}

const ALL_STATUSES_REACHABLE_FROM_PENDING = new Set<JobStatus>(JOB_STATUSES);

function canSee(actor: Actor, job: ModelJob): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role === 'customer') return actor.customer_id === job.customer_id;
  return !!actor.driver_id && actor.driver_id === job.driver_id;
}

describe('random transitions by random roles against Postgres (seeded property test)', () => {
  it('keeps every job in a reachable state, refuses what the table refuses, and writes exactly one event per accepted move', async () => {
    const seed = runSeed();
    const r = rng(seed);
    // One pool for the whole walk: a connection per step costs more than the step.
    const { db: handle, pool } = openDb(env);
    onTestFinished(() => pool.end());
    const owner = await newCustomer();
    const stranger = await newCustomer();
    const drivers: Person[] = [await newDriver(), await newDriver()];
    const [adminRow] = await rows<{ id: string }>(sql`SELECT id FROM users WHERE lower(email) = 'admin@demo.test'`);
    const actors: Actor[] = [
      { user_id: adminRow!.id, role: 'admin' },
      { user_id: owner.user_id, role: 'customer', customer_id: owner.profile_id },
      { user_id: stranger.user_id, role: 'customer', customer_id: stranger.profile_id },
      ...drivers.map((d): Actor => ({ user_id: d.user_id, role: 'driver', driver_id: d.profile_id })),
    ];
    const jobs: ModelJob[] = [];
    const addJob = async () => {
      const job = await newJob(owner);
      jobs.push({
        id: job.id,
        status: 'pending',
        driver_id: null,
        customer_id: owner.profile_id,
        accepted: 0,
        visited: ['pending'],
        lastEvent: null,
      });
    };
    for (let i = 0; i < 4; i++) await addJob();

    let accepted = 0;
    let replays = 0;
    for (let step = 0; step < 200; step++) {
      // Keep a few jobs that can still move; mostly act on those, sometimes on finished ones.
      let live = jobs.filter((j) => allowedNext(j.status).length > 0);
      if (live.length < 3) {
        await addJob();
        live = jobs.filter((j) => allowedNext(j.status).length > 0);
      }
      const job = r.bool(0.85) ? r.pick(live) : r.pick(jobs);
      if (job.lastEvent && r.bool(0.1)) {
        // An offline replay of the last accepted move: applied once, answered as a duplicate.
        const { actor, to, client_event_id } = job.lastEvent;
        const result = await transitionJob(handle, actor, job.id, to, {
          client_event_id,
          driver_id: job.driver_id ?? undefined,
        });
        expect(result.duplicate, `seed ${seed} step ${step}`).toBe(true);
        expect(result.job.status).toBe(job.status);
        replays++;
        continue;
      }
      // Mostly someone who may act on the job, so walks get somewhere; sometimes anyone.
      const able = actors.filter((a) => canSee(a, job) && allowedNext(job.status, a.role).length > 0);
      const actor = able.length && r.bool(0.7) ? r.pick(able) : r.pick(actors);
      const role: Role = actor.role;
      const options = allowedNext(job.status, role);
      const to: JobStatus = options.length && r.bool(0.6) ? r.pick(options) : r.pick(JOB_STATUSES);
      const driverId = to === 'assigned' && role === 'admin' ? r.pick(drivers).profile_id : undefined;
      const clientEventId = `prop-${seed}-${step}`;
      const label = `seed ${seed} step ${step}: ${job.status}→${to} by ${role}`;
      let outcome:
        | { ok: true; status: JobStatus; driver_id: string | null }
        | { ok: false; status: number; code: string; details: unknown };
      try {
        // A dispute needs its reason and its settlement an outcome; every move carries both.
        const result = await transitionJob(handle, actor, job.id, to, {
          driver_id: driverId,
          client_event_id: clientEventId,
          notes: 'property test move',
          settlement: { outcome: 'upheld' },
        });
        outcome = { ok: true, status: result.job.status, driver_id: result.job.driver_id };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        outcome = { ok: false, status: err.status, code: err.code, details: err.details };
      }

      if (!canSee(actor, job)) {
        expect(outcome, label).toMatchObject({ ok: false, status: 404 });
      } else if (canTransition(job.status, to, role)) {
        expect(outcome, label).toMatchObject({ ok: true, status: to });
        job.status = to;
        job.driver_id = outcome.ok ? outcome.driver_id : job.driver_id;
        job.accepted++;
        job.visited.push(to);
        job.lastEvent = { actor, to, client_event_id: clientEventId };
        accepted++;
      } else {
        expect(outcome, label).toMatchObject({
          ok: false,
          status: 409,
          code: 'invalid_transition',
          details: { allowed: allowedNext(job.status, role) },
        });
      }
      expect(ALL_STATUSES_REACHABLE_FROM_PENDING.has(job.status)).toBe(true);
    }
    expect(accepted, `seed ${seed}`).toBeGreaterThan(40);
    expect(replays).toBeGreaterThan(0);

    for (const job of jobs) {
      const [row] = await rows<{ status: string; driver_id: string | null }>(
        sql`SELECT status, driver_id FROM jobs WHERE id = ${job.id}`,
      );
      expect(row, `seed ${seed}`).toEqual({ status: job.status, driver_id: job.driver_id });
      const events = await rows<{ previous_status: JobStatus | null; new_status: JobStatus }>(
        sql`SELECT previous_status, new_status FROM job_status_events WHERE job_id = ${job.id} ORDER BY created_at, id`,
      );
      // One creation event plus exactly one per accepted transition (replays add none).
      expect(events.length, `seed ${seed} job ${job.id}`).toBe(1 + job.accepted);
      expect(events.map((e) => e.new_status)).toEqual(job.visited);
      events.forEach((e, i) => {
        if (i === 0) expect(e.previous_status).toBeNull();
        else {
          expect(e.previous_status).toBe(events[i - 1]!.new_status);
          expect(allowedNext(e.previous_status!)).toContain(e.new_status);
        }
      });
    }
  }, 120_000);
});
