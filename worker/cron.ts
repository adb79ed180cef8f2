import { dailyRevenueReport } from './cron/daily-report';
import { installmentInvoices } from './cron/installments';
import { invoiceReminders } from './cron/invoice-reminders';
import { sweepOutbox } from './cron/outbox-sweep';
import { partitionUpkeep } from './cron/partitions';
import { recordRun } from './cron/record-run';
import { cleanupStaleDrivers } from './cron/stale-drivers';
import { log } from './lib/log';

interface CronTask {
  /** The row in `cron_runs`. */
  name: string;
  run(env: Env, scheduledTime: Date): Promise<unknown>;
}

/**
 * Cron Triggers: each expression in wrangler.toml `[triggers] crons` and its task.
 * Each run is recorded in `cron_runs`.
 */
export const CRON_TASKS: Record<string, CronTask> = {
  '* * * * *': { name: 'outbox_sweep', run: (env) => sweepOutbox(env) },
  '*/5 * * * *': { name: 'stale_drivers', run: (env, at) => cleanupStaleDrivers(env, { asOf: at }) },
  // Hourly, because "06:00 in the operator's timezone" moves against UTC with DST.
  '0 * * * *': { name: 'daily_report', run: (env, at) => dailyRevenueReport(env, at) },
  '0 3 1 * *': { name: 'partition_upkeep', run: (env, at) => partitionUpkeep(env, at) },
  // Hourly, off the report's minute: seasonal contracts' due installments are invoiced once.
  '30 * * * *': { name: 'installment_invoices', run: (env, at) => installmentInvoices(env, at) },
  // Hourly: a balance a week past its due date is reminded once.
  '45 * * * *': { name: 'invoice_reminders', run: (env, at) => invoiceReminders(env, at) },
};

export async function runScheduled(cron: string, env: Env, scheduledTime = new Date()): Promise<void> {
  const task = CRON_TASKS[cron];
  if (!task) {
    log.error({ msg: 'no task for cron expression', cron });
    return;
  }
  await recordRun(env, task.name, () => task.run(env, scheduledTime));
}
