import type { z } from 'zod';
import type { StatusChange } from '../contract/ws';
import { withDb } from '../worker/lib/db';
import { ApiError } from '../worker/lib/errors';
import { publishTransition } from '../worker/realtime';
import { transitionJobOnce, type TransitionResult } from '../worker/services/jobs';
import type { SocketIdentity } from './socket-identity';
import { send, sendError } from './wire';

/**
 * A `status_change` over the socket: the same state machine and transaction as
 * PATCH /drivers/me/jobs/:id/status, then the same fan-out. Refusals come back as an
 * `error` message (code as over HTTP, e.g. `invalid_transition`); the socket stays open.
 * With a `client_event_id`, a replay is acknowledged as a duplicate and changes nothing.
 */
export async function handleStatusChange(
  env: Env,
  ws: WebSocket,
  who: SocketIdentity,
  p: z.infer<typeof StatusChange>,
): Promise<void> {
  if (who.role !== 'driver' && who.role !== 'admin') {
    return sendError(ws, 'forbidden', 'Only drivers and dispatchers change job status.');
  }
  let result: TransitionResult;
  try {
    // Two copies of one event racing (a phone replaying on a new socket while the old one
    // is still being served) both end as that one event: see transitionJobOnce.
    result = await withDb(env, (db) =>
      transitionJobOnce(
        db,
        { user_id: who.user_id, role: who.role, driver_id: who.driver_id, customer_id: who.customer_id },
        p.job_id,
        p.new_status,
        {
          notes: p.notes ?? null,
          lat: p.lat,
          lng: p.lng,
          recorded_at: p.recorded_at,
          client_event_id: p.client_event_id,
        },
      ),
    );
  } catch (err) {
    if (err instanceof ApiError) return sendError(ws, err.code, err.message);
    throw err;
  }
  await publishTransition(env, result);
  if (p.client_event_id)
    send(ws, { type: 'ack', payload: { client_event_id: p.client_event_id, duplicate: result.duplicate } });
}
