import { describe, expect, it } from 'vitest';
import { DRIVER_STATUSES, JOB_STATUSES, ROLES, type JobStatus, type Role } from './enums';
import { TERMINAL_JOB } from './job-status';
import {
  STATUS_TIMESTAMP,
  TRANSITIONS,
  allowedNext,
  canTransition,
  decidesDriverStatus,
  driverNextStep,
  driverStatusFromJobs,
} from './state-machine';
import { rng, runSeed } from '../test/support/prng';

describe('the job state machine table', () => {
  it('follows SPEC §3: the happy path is reachable step by step by the driver', () => {
    const path = ['assigned', 'en_route', 'arrived', 'in_progress', 'completed'] as const;
    for (let i = 0; i < path.length - 1; i++) {
      expect(canTransition(path[i]!, path[i + 1]!, 'driver')).toBe(true);
      expect(driverNextStep(path[i]!)).toBe(path[i + 1]);
    }
  });

  it('lets customers cancel only before the driver is on site', () => {
    expect(allowedNext('pending', 'customer')).toEqual(['cancelled']);
    expect(canTransition('en_route', 'cancelled', 'customer')).toBe(true);
    expect(canTransition('arrived', 'cancelled', 'customer')).toBe(false);
    expect(canTransition('arrived', 'cancelled', 'admin')).toBe(true);
  });

  it('makes disputed reachable only from completed, and only by an admin', () => {
    for (const from of JOB_STATUSES) {
      for (const role of ROLES) {
        const ok = canTransition(from, 'disputed', role);
        expect(ok).toBe(from === 'completed' && role === 'admin');
      }
    }
  });

  it('has no way out of cancelled, and leaves disputed only back to completed, by an admin', () => {
    expect(Object.keys(TRANSITIONS.cancelled)).toEqual([]);
    expect(TRANSITIONS.disputed).toEqual({ completed: ['admin'] });
  });

  it('lets only an admin take a job under way back to pending', () => {
    for (const from of ['en_route', 'arrived', 'in_progress'] as const) {
      expect(TRANSITIONS[from].pending).toEqual(['admin']);
    }
  });

  it('never lets a customer move a job forward', () => {
    for (const from of JOB_STATUSES) {
      for (const to of allowedNext(from, 'customer')) expect(to).toBe('cancelled');
    }
  });
});

/** Every status reachable from `pending` through the table, by anyone. */
function reachableFromPending(): Set<JobStatus> {
  const seen = new Set<JobStatus>(['pending']);
  const queue: JobStatus[] = ['pending'];
  while (queue.length) {
    const from = queue.shift()!;
    for (const to of allowedNext(from)) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

describe('the job state machine table, exhaustively', () => {
  it('reaches every status from pending and has no self-loops', () => {
    expect([...reachableFromPending()].sort()).toEqual([...JOB_STATUSES].sort());
    for (const from of JOB_STATUSES) expect(allowedNext(from)).not.toContain(from);
  });

  it('agrees with itself: allowedNext lists exactly the moves canTransition accepts, per role', () => {
    for (const from of JOB_STATUSES) {
      for (const role of ROLES) {
        const expected = JOB_STATUSES.filter((to) => canTransition(from, to, role));
        expect(allowedNext(from, role).sort()).toEqual(expected.sort());
      }
    }
  });

  it('lets customers only cancel, and only before the driver is on site', () => {
    for (const from of JOB_STATUSES) {
      for (const to of allowedNext(from, 'customer')) expect(to).toBe('cancelled');
    }
    expect(JOB_STATUSES.filter((s) => canTransition(s, 'cancelled', 'customer'))).toEqual([
      'pending',
      'assigned',
      'en_route',
    ]);
  });

  it('ends in cancelled, and only an admin disputes a completed job or settles the dispute', () => {
    expect(allowedNext('cancelled')).toEqual([]);
    expect(allowedNext('disputed')).toEqual(['completed']);
    expect(allowedNext('disputed', 'driver')).toEqual([]);
    expect(allowedNext('completed')).toEqual(['disputed']);
    expect(TRANSITIONS.completed.disputed).toEqual(['admin']);
    for (const s of TERMINAL_JOB) expect(allowedNext(s, 'driver')).toEqual([]);
  });

  it("offers the driver's big button only moves the driver may make", () => {
    for (const from of JOB_STATUSES) {
      const next = driverNextStep(from);
      if (next) expect(canTransition(from, next, 'driver')).toBe(true);
    }
    expect(['assigned', 'en_route', 'arrived', 'in_progress'].map((s) => driverNextStep(s as JobStatus))).toEqual([
      'en_route',
      'arrived',
      'in_progress',
      'completed',
    ]);
  });

  it('stamps the timestamps the Job object carries', () => {
    expect(STATUS_TIMESTAMP).toEqual({
      assigned: 'assigned_at',
      arrived: 'arrived_at',
      in_progress: 'started_at',
      completed: 'completed_at',
      cancelled: 'cancelled_at',
    });
  });

  it('derives the driver’s status from all of their active jobs, and frees them when the last one ends', () => {
    expect(driverStatusFromJobs('en_route', ['en_route', 'assigned'])).toBe('en_route');
    expect(driverStatusFromJobs('available', ['assigned', 'in_progress'])).toBe('on_job');
    expect(driverStatusFromJobs('en_route', ['en_route', 'arrived'])).toBe('on_job');
    // The job-driven status ends with the last job under way, even with an assignment waiting.
    expect(driverStatusFromJobs('on_job', [])).toBe('available');
    expect(driverStatusFromJobs('en_route', ['assigned'])).toBe('available');
    // A status the driver chose is theirs until a job is under way.
    for (const chosen of ['offline', 'available', 'break'] as const) {
      expect(driverStatusFromJobs(chosen, [])).toBe(chosen);
      expect(driverStatusFromJobs(chosen, ['assigned'])).toBe(chosen);
      expect(driverStatusFromJobs(chosen, ['en_route'])).toBe('en_route');
    }
  });
});

describe('which job moves can change a driver’s status', () => {
  it('names the statuses with a say: on the way and on site', () => {
    expect(JOB_STATUSES.filter(decidesDriverStatus)).toEqual(['en_route', 'arrived', 'in_progress']);
  });

  it('a move between two statuses without a say never changes a driver’s derived status (seeded property test)', () => {
    const seed = runSeed();
    const r = rng(seed);
    const quiet = JOB_STATUSES.filter((s) => !decidesDriverStatus(s));
    for (let i = 0; i < 2000; i++) {
      const others = Array.from({ length: r.int(0, 3) }, () => r.pick(JOB_STATUSES));
      // The stored status is what the last change derived from the jobs as they stood.
      const stored = driverStatusFromJobs(r.pick(DRIVER_STATUSES), [...others, r.pick(quiet)]);
      const after = driverStatusFromJobs(stored, [...others, r.pick(quiet)]);
      expect(after, `seed ${seed}, jobs ${others.join(',')}`).toBe(stored);
    }
  });
});

describe('random walks through the state machine (seeded property test)', () => {
  it('never leaves a job in a status the table cannot reach, and only follows table edges', () => {
    const seed = runSeed();
    const r = rng(seed);
    const reachable = reachableFromPending();
    let accepted = 0;
    let refused = 0;
    for (let walk = 0; walk < 1000; walk++) {
      let status: JobStatus = 'pending';
      const path: JobStatus[] = [status];
      for (let step = 0; step < 40; step++) {
        const role: Role = r.pick(ROLES);
        // Half the time try something the role may do, otherwise anything at all.
        const options = allowedNext(status, role);
        const to: JobStatus = options.length && r.bool() ? r.pick(options) : r.pick(JOB_STATUSES);
        if (canTransition(status, to, role)) {
          expect(TRANSITIONS[status][to], `seed ${seed}: ${status}→${to} by ${role}`).toContain(role);
          status = to;
          path.push(status);
          accepted++;
        } else {
          refused++;
          expect(allowedNext(status, role), `seed ${seed}`).not.toContain(to);
        }
        expect(reachable.has(status), `seed ${seed}: path ${path.join('→')}`).toBe(true);
        if (allowedNext(status).length === 0) break;
      }
      for (let i = 1; i < path.length; i++) expect(allowedNext(path[i - 1]!), `seed ${seed}`).toContain(path[i]);
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
