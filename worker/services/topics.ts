import type { TopicKind } from '../../contract/ws';
import type { SocketIdentity } from '../../durable-objects/socket-identity';
import type { Db } from '../lib/db';
import { canSee, findJob, type JobRow } from './jobs';

export type TopicVerdict =
  /** `job`: the row a job topic was authorized with, for whoever acts on it next (the upgrade's ticket). */
  | { ok: true; kind: TopicKind; driver_id?: string; job?: JobRow }
  | { ok: false; code: 'forbidden' | 'not_found' | 'bad_topic'; message: string };

type Who = Pick<SocketIdentity, 'user_id' | 'role' | 'driver_id' | 'customer_id'>;

const JOB_TOPIC = /^job:([0-9a-f-]{36})$/;

/**
 * The channels that need no database to authorize: `admin:dispatch` for admins,
 * `driver:{id}` for that driver and admins. Returns null for a job topic.
 */
export function authorizeChannel(who: Who, topic: string): TopicVerdict | null {
  if (JOB_TOPIC.test(topic)) return null;
  if (topic === 'admin:dispatch') {
    return who.role === 'admin'
      ? { ok: true, kind: 'admin' }
      : { ok: false, code: 'forbidden', message: 'admin:dispatch is for dispatchers.' };
  }
  const driver = /^driver:(.+)$/.exec(topic)?.[1];
  if (driver) {
    return who.role === 'admin' || (who.role === 'driver' && who.driver_id === driver)
      ? { ok: true, kind: 'driver', driver_id: driver }
      : { ok: false, code: 'forbidden', message: "That is another driver's channel." };
  }
  return { ok: false, code: 'bad_topic', message: 'A topic is job:{id}, driver:{id} or admin:dispatch.' };
}

/**
 * Who may join which topic (SPEC §5): `job:{id}` its customer, its driver and admins;
 * `driver:{id}` that driver and admins; `admin:dispatch` admins. Someone else's job is
 * "not found", as over HTTP.
 */
export async function authorizeTopic(db: Db, who: Who, topic: string): Promise<TopicVerdict> {
  const channel = authorizeChannel(who, topic);
  if (channel) return channel;
  const id = JOB_TOPIC.exec(topic)![1]!;
  const job = await findJob(db, id);
  if (
    !job ||
    !canSee({ user_id: who.user_id, role: who.role, driver_id: who.driver_id, customer_id: who.customer_id }, job)
  ) {
    return { ok: false, code: 'not_found', message: 'No such job.' };
  }
  return { ok: true, kind: 'job', job };
}
