import { Hono } from 'hono';
import { desc, eq } from 'drizzle-orm';
import { Topic } from '../../contract/ws';
import * as t from '../../db/schema';
import type { SocketIdentity } from '../../durable-objects/socket-identity';
import { upgradeRequest } from '../../durable-objects/upgrade-ticket';
import { ApiError, notFound } from '../lib/errors';
import { dispatchStub, roomJobOf, roomStub } from '../realtime';
import type { JobRow } from '../services/jobs';
import { authorizeTopic } from '../services/topics';
import type { AppEnv } from '../types';

export const ws = new Hono<AppEnv>();

/**
 * `/ws?token=…[&topic=…]`. The token was verified (and checked against revocations) by
 * the auth middleware before we get here. The socket is handed to the object that owns
 * its topic: a job's room for `job:{id}`, the dispatch object for drivers and admins.
 * Without `topic`, drivers and admins land on the dispatch channel and customers in the
 * room of their most recent job.
 */
ws.get('/', async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, 'upgrade_required', 'Connect with a WebSocket client.');
  }
  const u = c.var.user;
  const identity: SocketIdentity = {
    user_id: u.sub,
    role: u.role,
    driver_id: u.did ?? null,
    customer_id: u.cid ?? null,
    exp: u.exp,
    iat: u.iat,
    jti: u.jti,
    sid: u.sid,
  };
  const rawTopic = c.req.query('topic');
  /** The job whose room takes the socket, as read once here: its ticket carries it. */
  let job: JobRow | undefined;
  let channel: string | undefined;
  if (rawTopic !== undefined) {
    const topic = Topic.safeParse(rawTopic);
    if (!topic.success) throw new ApiError(400, 'bad_topic', 'A topic is job:{id}, driver:{id} or admin:dispatch.');
    const verdict = await authorizeTopic(c.var.db, identity, topic.data);
    if (!verdict.ok) throw new ApiError(verdict.code === 'not_found' ? 404 : 403, verdict.code, verdict.message);
    job = verdict.job;
    if (!job) channel = topic.data;
  } else if (u.role === 'customer') {
    [job] = await c.var.db
      .select()
      .from(t.jobs)
      .where(eq(t.jobs.customer_id, u.cid ?? ''))
      .orderBy(desc(t.jobs.requested_at))
      .limit(1);
    if (!job) throw notFound('Job');
  }

  // The object hears only what is vouched for here, signed: nothing of the client's
  // request is passed on (docs/decisions/0064).
  if (job) {
    const request = await upgradeRequest(c.env, {
      identity,
      topic: null,
      job: roomJobOf(job, job.updated_at.toISOString()),
      snapshot: rawTopic !== undefined,
    });
    return roomStub(c.env, job.id).fetch(request);
  }
  const request = await upgradeRequest(c.env, { identity, topic: channel ?? null, job: null, snapshot: false });
  return dispatchStub(c.env).fetch(request);
});
