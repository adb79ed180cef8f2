import { DurableObject } from 'cloudflare:workers';

/** The crons that leave the database alone while they have nothing to do (worker/cron.ts). */
export type IdleTask = 'outbox_sweep' | 'stale_drivers';

/**
 * How long after telling the schedule a Worker may still commit work the schedule's `at`
 * covers: each isolate tells it at most once per this window (`expectWork` in worker/cron/schedule.ts),
 * and whatever it committed inside the window a check that starts later will read.
 */
export const EXPECT_WINDOW_MS = 30_000;
/** Clock difference between the objects and Workers that is tolerated. */
const SLACK_MS = 10_000;
/** Expectations older than this are no longer needed by any check (one runs at least hourly). */
const KEEP_WAKES_MS = 2 * 60 * 60 * 1000;

interface Wake {
  received_ms: number;
  at_ms: number;
}

interface TaskState {
  /** When the task next needs the database; null: not until someone expects work. */
  next_ms: number | null;
  /** When the check now under way was allowed to start. */
  started_ms: number | null;
  /** Recent expectations, kept until a check that started after their window has read their rows. */
  wakes: Wake[];
}

const FRESH: TaskState = { next_ms: 0, started_ms: null, wakes: [] };

/**
 * When the database next needs each idle-able cron (docs/decisions/0091). A serverless
 * database bills for every hour it is awake and sleeps after a few idle minutes, so a cron
 * that queried it every minute would keep it awake all month. Instead each check, when it
 * runs, says when the data it read next needs looking at (the earliest outbox row that
 * could be stuck, the earliest driver who could fall silent), and whoever writes new work
 * (an outbox row, a driver coming on shift) says so here. A task is due when that time has
 * come; one that has never reported is due. One object per operator, no database.
 */
export class CronSchedule extends DurableObject<Env> {
  async #state(task: IdleTask): Promise<TaskState> {
    return (await this.ctx.storage.get<TaskState>(task)) ?? FRESH;
  }

  /**
   * True when `task` should run now (or `anyway`: the hourly run that catches what nobody
   * announced); its check then counts as started.
   */
  async due(task: IdleTask, anyway = false): Promise<boolean> {
    const now = Date.now();
    const state = await this.#state(task);
    if (!anyway && (state.next_ms === null || state.next_ms > now)) return false;
    await this.ctx.storage.put(task, { ...state, started_ms: now });
    return true;
  }

  /**
   * Someone wrote work for `task` that needs a look at `atMs` (epoch milliseconds) at the
   * latest. False, and nothing changed, when `atMs` is not a time.
   */
  async expect(task: IdleTask, atMs: number): Promise<boolean> {
    if (!Number.isFinite(atMs)) return false;
    const now = Date.now();
    const state = await this.#state(task);
    await this.ctx.storage.put(task, {
      ...state,
      next_ms: Math.min(state.next_ms ?? Number.POSITIVE_INFINITY, atMs),
      wakes: [...state.wakes.filter((w) => w.received_ms > now - KEEP_WAKES_MS), { received_ms: now, at_ms: atMs }],
    });
    return true;
  }

  /**
   * A check of `task` finished and read that it next needs the database at `nextMs` (null:
   * not until new work). An expectation that arrived too late for the check's read to
   * cover keeps its own time.
   */
  async ran(task: IdleTask, nextMs: number | null): Promise<void> {
    const state = await this.#state(task);
    const started = state.started_ms ?? Date.now();
    const wakes = state.wakes.filter((w) => w.received_ms + EXPECT_WINDOW_MS + SLACK_MS > started);
    // A time that is not one (a bug in a check) looks again in a minute rather than never.
    const reported =
      nextMs === null ? Number.POSITIVE_INFINITY : Number.isFinite(nextMs) ? nextMs : Date.now() + 60_000;
    const next = Math.min(reported, ...wakes.map((w) => w.at_ms));
    await this.ctx.storage.put(task, {
      next_ms: Number.isFinite(next) ? next : null,
      started_ms: null,
      wakes,
    });
  }
}
