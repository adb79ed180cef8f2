import { Hono } from 'hono';
import { desc, eq } from 'drizzle-orm';
import { Topic } from '../../contract/ws';
import * as t from '../../db/schema';
import { IDENTITY_HEADER, type SocketIdentity } from '../../durable-objects/socket-identity';
import { DISPATCH_TOPIC_HEADER } from '../../durable-objects/dispatch';
import { ROOM_HEADERS, type RoomJob } from '../../durable-objects/job-room';
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

  const headers = new Headers(c.req.raw.headers);
  headers.set(IDENTITY_HEADER, JSON.stringify(identity));
  if (jobId) {
    const job = (await findJob(c.var.db, jobId))!;
    const seed: RoomJob = {
      job_id: job.id,
      status: job.status,
      driver_id: job.driver_id,
      version: job.version,
      status_at: job.updated_at.toISOString(),
    };
    headers.set(ROOM_HEADERS.job, JSON.stringify(seed));
    if (rawTopic !== undefined) headers.set(ROOM_HEADERS.subscribe, '1');
    return roomStub(c.env, jobId).fetch(new Request(c.req.raw, { headers }));
  }
  if (channel) headers.set(DISPATCH_TOPIC_HEADER, channel);
  return dispatchStub(c.env).fetch(new Request(c.req.raw, { headers }));
});
