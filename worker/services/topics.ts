import type { SocketIdentity } from '../../durable-objects/socket-identity';
import type { Db } from '../lib/db';
import { canSee, findJob } from './jobs';

export type TopicVerdict =
  | { ok: true; kind: 'job' | 'driver' | 'admin'; job_id?: string; driver_id?: string }
  | { ok: false; code: 'forbidden' | 'not_found' | 'bad_topic'; message: string };

/**
 * Who may join which topic (SPEC §5): `job:{id}` its customer, its driver and admins;
 * `driver:{id}` that driver and admins; `admin:dispatch` admins. Someone else's job is
 * "not found", as over HTTP.
 */
export async function authorizeTopic(db: Db, who: Pick<SocketIdentity, 'user_id' | 'role' | 'driver_id' | 'customer_id'>, topic: string): Promise<TopicVerdict> {
  const [kind, id] = topic.split(':') as [string, string | undefined];
  if (topic === 'admin:dispatch') {
    return who.role === 'admin' ? { ok: true, kind: 'admin' } : { ok: false, code: 'forbidden', message: 'admin:dispatch is for dispatchers.' };
  }
  if (kind === 'driver' && id) {
    return who.role === 'admin' || (who.role === 'driver' && who.driver_id === id)
      ? { ok: true, kind: 'driver', driver_id: id }
      : { ok: false, code: 'forbidden', message: 'That is another driver\'s channel.' };
  }
  if (kind === 'job' && id && /^[0-9a-f-]{36}$/.test(id)) {
    const job = await findJob(db, id);
    if (!job || !canSee({ user_id: who.user_id, role: who.role, driver_id: who.driver_id, customer_id: who.customer_id }, job)) {
      return { ok: false, code: 'not_found', message: 'No such job.' };
    }
    return { ok: true, kind: 'job', job_id: id };
  }
  return { ok: false, code: 'bad_topic', message: 'A topic is job:{id}, driver:{id} or admin:dispatch.' };
}
