import { publishAssignment } from '../realtime';
import { customerNameOf } from './customer-profile';
import type { Queryable, TransitionResult } from './jobs';

/** After a committed assignment: the driver's channel, the board and the job's room hear it. */
export async function announceAssignment(env: Env, q: Queryable, result: TransitionResult): Promise<void> {
  if (result.duplicate || result.job.status !== 'assigned' || !result.job.driver_id) return;
  const customerName = result.customer_name ?? (await customerNameOf(q, result.job.customer_id));
  await publishAssignment(env, result.job, customerName, result.previous_status);
}
