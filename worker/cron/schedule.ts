import { EXPECT_WINDOW_MS, type IdleTask } from '../../durable-objects/cron-schedule';
import { log } from '../lib/log';

export type { IdleTask } from '../../durable-objects/cron-schedule';

export interface ScheduleEnv {
  CRON_SCHEDULE: DurableObjectNamespace<import('../../durable-objects/cron-schedule').CronSchedule>;
}

/** The operator's cron schedule (durable-objects/cron-schedule.ts). */
export function cronSchedule(env: ScheduleEnv) {
  return env.CRON_SCHEDULE.get(env.CRON_SCHEDULE.idFromName('default'));
}

/** When this isolate last told the schedule about each task. */
const told = new Map<IdleTask, number>();

/**
 * Tells the schedule that committed work needs `task` to look at the database by `atMs`.
 * Call it after the commit. One call per isolate and task per `EXPECT_WINDOW_MS` is enough:
 * whatever else the isolate commits in that window is read by the check the first call
 * asked for (the schedule keeps the first call's time until a check that started after the
 * window has run). Never throws; a failed call is retried by the next write.
 */
export async function expectWork(env: Partial<ScheduleEnv>, task: IdleTask, atMs = Date.now()): Promise<void> {
  if (!env.CRON_SCHEDULE) return;
  const now = Date.now();
  if ((told.get(task) ?? Number.NEGATIVE_INFINITY) > now - EXPECT_WINDOW_MS) return;
  told.set(task, now);
  let refused: string | null;
  try {
    refused = (await cronSchedule(env as ScheduleEnv).expect(task, atMs)) ? null : `not a time: ${atMs}`;
  } catch (err) {
    refused = String(err);
  }
  if (refused === null) return;
  told.delete(task);
  log.error({ msg: 'could not tell the cron schedule', task, err: refused });
}
