import { and, eq, inArray } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { canSee, findJob, type Actor } from '../services/jobs';
import type { FileOwner } from './keys';
import { DRIVER_VISIBLE_JOB } from '../../contract/job-status';

/**
 * Who may get a signed link to a private file:
 * - a job's completion photo: the job's customer, its driver, admins;
 * - a driver's payment QR: that driver, admins, and customers with a job the driver took;
 * - an invoice PDF: the invoice's customer and admins.
 * Everyone else is told the file does not exist (404), as for other users' jobs.
 */
export async function canRead(db: Db, actor: Actor, owner: FileOwner): Promise<boolean> {
  if (actor.role === 'admin') return true;
  switch (owner.kind) {
    case 'job': {
      const job = await findJob(db, owner.job_id);
      return !!job && canSee(actor, job);
    }
    case 'driver': {
      if (actor.role === 'driver') return actor.driver_id === owner.driver_id;
      if (!actor.customer_id) return false;
      const [job] = await db
        .select({ id: t.jobs.id })
        .from(t.jobs)
        .where(
          and(
            eq(t.jobs.driver_id, owner.driver_id),
            eq(t.jobs.customer_id, actor.customer_id),
            inArray(t.jobs.status, [...DRIVER_VISIBLE_JOB]),
          ),
        )
        .limit(1);
      return !!job;
    }
    case 'invoice': {
      if (!actor.customer_id) return false;
      const [inv] = await db
        .select({ customer_id: t.invoices.customer_id })
        .from(t.invoices)
        .where(eq(t.invoices.id, owner.invoice_id))
        .limit(1);
      return inv?.customer_id === actor.customer_id;
    }
  }
}
