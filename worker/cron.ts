import { dailyRevenueReport } from './cron/daily-report';
import { installmentInvoices } from './cron/installments';
import { invoiceReminders } from './cron/invoice-reminders';
import { sweepOutbox } from './cron/outbox-sweep';
import { partitionUpkeep } from './cron/partitions';
import { recordRun } from './cron/record-run';
import { cleanupStaleDrivers } from './cron/stale-drivers';
import { cronSchedule, type IdleTask } from './cron/schedule';
import { log } from './lib/log';

interface CronTask {
  /** The row in `cron_runs`. */
  name: string;
  run(env: Env, scheduledTime: Date): Promise<unknown>;
}

/**
 * A task that leaves the database alone while it has nothing to do: it runs when the cron
 * schedule says it is due (durable-objects/cron-schedule.ts) and on the hour, and says
 * when it next needs the database.
 */
interface IdleCronTask {
  name: IdleTask;
  idle: true;
  run(env: Env, scheduledTime: Date): Promise<{ next_check_ms: number | null }>;
}

/** An idle task runs at least this often, whatever its expression says (the health view's yardstick). */
export const IDLE_TASK_PERIOD_MINUTES = 60;

/**
 * Cron Triggers: each expression in wrangler.toml `[triggers] crons` and its task.
 * Each run is recorded in `cron_runs`.
 */
export const CRON_TASKS: Record<string, CronTask | IdleCronTask> = {
  '* * * * *': { name: 'outbox_sweep', idle: true, run: (env) => sweepOutbox(env) },
  '*/5 * * * *': { name: 'stale_drivers', idle: true, run: (env, at) => cleanupStaleDrivers(env, { asOf: at }) },
  // Hourly, because "06:00 in the operator's timezone" moves against UTC with DST.
  '0 * * * *': { name: 'daily_report', run: (env, at) => dailyRevenueReport(env, at) },
  '0 3 1 * *': { name: 'partition_upkeep', run: (env, at) => partitionUpkeep(env, at) },
  // The other hourly tasks follow the report by a minute each, so the database that wakes
  // for them wakes once an hour (docs/decisions/0091).
  // Hourly: seasonal contracts' due installments are invoiced once.
  '1 * * * *': { name: 'installment_invoices', run: (env, at) => installmentInvoices(env, at) },
  // Hourly: a balance a week past its due date is reminded once.
  '2 * * * *': { name: 'invoice_reminders', run: (env, at) => invoiceReminders(env, at) },
};

export async function runScheduled(cron: string, env: Env, scheduledTime = new Date()): Promise<void> {
  const task = CRON_TASKS[cron];
  if (!task) {
    log.error({ msg: 'no task for cron expression', cron });
    return;
  }
  if (!('idle' in task)) {
    await recordRun(env, task.name, () => task.run(env, scheduledTime));
    return;
  }
  // On the hour an idle task runs anyway, while the hourly tasks have the database awake:
  // a row whose writer died before announcing it is found within the hour.
  const schedule = cronSchedule(env);
  const onTheHour = scheduledTime.getUTCMinutes() === 0;
  const due = await schedule.due(task.name, onTheHour).catch((err: unknown) => {
    log.error({ msg: 'cron schedule unavailable; running anyway', task: task.name, err: String(err) });
    return true;
  });
  if (!due) return;
  const { next_check_ms } = await recordRun(env, task.name, () => task.run(env, scheduledTime));
  await schedule.ran(task.name, next_check_ms).catch(log.failed('cron schedule update'));
}
