import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import { publishAssignment } from '../realtime';
import type { Queryable, TransitionResult } from './jobs';

/** The customer's name as the driver's assignment card shows it. */
export async function customerNameOf(q: Queryable, customerId: string): Promise<string> {
  const [row] = await q
    .select({ name: t.users.full_name })
    .from(t.customer_profiles)
    .innerJoin(t.users, eq(t.users.id, t.customer_profiles.user_id))
    .where(eq(t.customer_profiles.id, customerId))
    .limit(1);
  return row?.name ?? 'Customer';
}

/** After a committed assignment: the driver's channel, the board and the job's room hear it. */
export async function announceAssignment(env: Env, q: Queryable, result: TransitionResult): Promise<void> {
  if (result.duplicate || result.job.status !== 'assigned' || !result.job.driver_id) return;
  await publishAssignment(env, result.job, await customerNameOf(q, result.job.customer_id), result.previous_status);
}
