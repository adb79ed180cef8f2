import { Hono } from 'hono';
import { desc, eq } from 'drizzle-orm';
import { Topic } from '../../contract/ws';
import * as t from '../../db/schema';
import type { SocketIdentity } from '../../durable-objects/socket-identity';
import { upgradeRequest } from '../../durable-objects/upgrade-ticket';
import { ApiError, notFound } from '../lib/errors';
import { dispatchStub, roomStub } from '../realtime';
import { findJob } from '../services/jobs';
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
  let jobId: string | undefined;
  let channel: string | undefined;
  if (rawTopic !== undefined) {
    const topic = Topic.safeParse(rawTopic);
    if (!topic.success) throw new ApiError(400, 'bad_topic', 'A topic is job:{id}, driver:{id} or admin:dispatch.');
    const verdict = await authorizeTopic(c.var.db, identity, topic.data);
    if (!verdict.ok) throw new ApiError(verdict.code === 'not_found' ? 404 : 403, verdict.code, verdict.message);
    jobId = verdict.job_id;
    if (!jobId) channel = topic.data;
  } else if (u.role === 'customer') {
    const [latest] = await c.var.db
      .select({ id: t.jobs.id })
      .from(t.jobs)
      .where(eq(t.jobs.customer_id, u.cid ?? ''))
      .orderBy(desc(t.jobs.requested_at))
      .limit(1);
    if (!latest) throw notFound('Job');
    jobId = latest.id;
  }

  // The object hears only what is vouched for here, signed: nothing of the client's
  // request is passed on (docs/decisions/0064).
  if (jobId) {
    const job = (await findJob(c.var.db, jobId))!;
    const request = await upgradeRequest(c.env, {
      identity,
      topic: null,
      job: {
        job_id: job.id,
        status: job.status,
        driver_id: job.driver_id,
        customer_id: job.customer_id,
        version: job.version,
        status_at: job.updated_at.toISOString(),
      },
      snapshot: rawTopic !== undefined,
    });
    return roomStub(c.env, jobId).fetch(request);
  }
  const request = await upgradeRequest(c.env, { identity, topic: channel ?? null, job: null, snapshot: false });
  return dispatchStub(c.env).fetch(request);
});
