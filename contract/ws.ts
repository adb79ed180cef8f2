import { z } from 'zod';
import { JOB_STATUSES } from './enums';
import { clientEventId, isoDateTime, lat, lng, uuid } from './api';

/**
 * The WebSocket protocol (ApexPlow §5 + SPEC §7). Inbound messages are parsed with
 * `ClientMessage` on arrival — never cast.
 */

/**
 * Every kind of topic a socket can join, with its form (`{id}` is a UUID). The one list:
 * the topic schema below is built from it, and the authorization test needs a case for
 * each kind, so a new kind cannot ship without its own/other checks.
 */
export const TOPIC_FORMS = { job: 'job:{id}', driver: 'driver:{id}', admin: 'admin:dispatch' } as const;
export type TopicKind = keyof typeof TOPIC_FORMS;

export const TOPIC_PATTERN = new RegExp(
  Object.values(TOPIC_FORMS)
    .map((form) => `^${form.replace('{id}', '[0-9a-f-]{36}')}$`)
    .join('|'),
);
export const Topic = z.string().regex(TOPIC_PATTERN, 'a topic is job:{id}, driver:{id} or admin:dispatch');

export const LocationPing = z.object({
  lat,
  lng,
  accuracy: z.number().min(0).max(100_000).optional(),
  heading: z.number().min(0).max(360).optional(),
  speed: z.number().min(0).max(200).optional(),
  recorded_at: isoDateTime.optional(),
  client_event_id: clientEventId.optional(),
});
export type LocationPing = z.infer<typeof LocationPing>;

export const StatusChange = z.object({
  job_id: uuid,
  new_status: z.enum(JOB_STATUSES),
  notes: z.string().max(1000).optional(),
  lat: lat.optional(),
  lng: lng.optional(),
  recorded_at: isoDateTime.optional(),
  client_event_id: clientEventId.optional(),
});

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), payload: z.object({ topic: Topic }) }),
  z.object({ type: z.literal('unsubscribe'), payload: z.object({ topic: Topic }) }),
  z.object({ type: z.literal('location_ping'), payload: LocationPing }),
  z.object({ type: z.literal('status_change'), payload: StatusChange }),
  z.object({ type: z.literal('ping'), payload: z.unknown().optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// ---- server → client messages ----
// One zod schema per message: the Durable Objects type what they send from it
// (durable-objects/wire.ts `send`), the OpenAPI document's /ws section describes it, and
// clients may parse with it.

const ts = z.string().meta({ description: 'ISO-8601 UTC' });
const jobStatus = z.enum(JOB_STATUSES);
const point = { lat: z.number(), lng: z.number() };

export const DriverLocationPayload = z.object({
  job_id: z.string().nullable(),
  driver_id: z.string(),
  ...point,
  accuracy: z.number().nullable(),
  heading: z.number().nullable(),
  speed: z.number().nullable(),
  ts: ts.meta({ description: 'Device time of the fix (ISO-8601).' }),
  received_at: ts,
});

export const JobStatusPayload = z.object({
  job_id: z.string(),
  new_status: jobStatus,
  previous_status: jobStatus.nullable(),
  driver_id: z.string().nullable(),
  ts,
});

/** What auto-dispatch did with a job: offered it, saw it time out or declined, or gave up. */
export const AutoDispatchPayload = z.object({
  job_id: z.string(),
  event: z.enum(['offered', 'timed_out', 'declined', 'exhausted', 'stopped']),
  driver_id: z.string().nullable(),
  distance_m: z.number().nullable(),
  ts,
});

/**
 * A job's estimated arrival on its driver's storm route (docs/decisions/0070): `position`
 * is 1-based, `stops_before` the stops left before this one, `eta` and `ts` ISO-8601.
 */
/** An edit of a job: which fields changed, at which version (to the admins, its driver and its room). */
export const JobUpdatedPayload = z.object({
  job_id: z.string(),
  fields: z.array(z.string()),
  version: z.number(),
  ts,
});

/** An invoice changed (a payment, refund or void): to the admins, and to its job's room while it is open. */
export const InvoiceChangedPayload = z.object({
  invoice_id: z.string(),
  job_id: z.string().nullable(),
  status: z.string(),
  ts,
});

export const RouteEtaPayload = z.object({
  job_id: z.string(),
  position: z.number().int().min(1),
  stops_before: z.number().int().min(0),
  eta: ts.meta({ description: 'Estimated arrival (ISO-8601 UTC).' }),
  ts,
});

const message = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.object({ type: z.literal(type), payload });

export const ServerMessage = z.discriminatedUnion('type', [
  message('driver_location', DriverLocationPayload),
  message('job_status', JobStatusPayload),
  message(
    'job_assigned',
    z.object({
      job_id: z.string(),
      customer_name: z.string(),
      address: z.string(),
      ...point,
      quoted_price_cents: z.number().nullable(),
      special_instructions: z.string().nullable(),
      scheduled_for: z.string().nullable(),
    }),
  ),
  message('job_cancelled', z.object({ job_id: z.string(), reason: z.string().nullable() })),
  message(
    'new_job_request',
    z.object({
      job_id: z.string(),
      address: z.string(),
      service_type: z.string(),
      quoted_price_cents: z.number().nullable(),
      ...point,
      requested_at: z.string(),
    }),
  ),
  message('driver_status_change', z.object({ driver_id: z.string(), status: z.string(), ts })),
  message('subscribed', z.object({ topic: z.string() })),
  message('ack', z.object({ client_event_id: z.string(), duplicate: z.boolean() })),
  message('error', z.object({ code: z.string(), message: z.string() })),
  z.object({ type: z.literal('pong'), payload: z.unknown().optional() }),
  message('job_updated', JobUpdatedPayload),
  message(
    'waitlist_changed',
    z.object({ waitlist_id: z.string(), status: z.string(), job_id: z.string().nullable(), ts }),
  ),
  message('invoice_changed', InvoiceChangedPayload),
  message('settings_changed', z.object({ accepting_jobs: z.boolean(), auto_dispatch: z.boolean(), ts })),
  message('auto_dispatch', AutoDispatchPayload),
  message('route_eta', RouteEtaPayload),
]);

export type DriverLocationPayload = z.infer<typeof DriverLocationPayload>;
export type JobStatusPayload = z.infer<typeof JobStatusPayload>;
export type AutoDispatchPayload = z.infer<typeof AutoDispatchPayload>;
export type RouteEtaPayload = z.infer<typeof RouteEtaPayload>;
export type JobUpdatedPayload = z.infer<typeof JobUpdatedPayload>;
export type InvoiceChangedPayload = z.infer<typeof InvoiceChangedPayload>;
export type ServerMessage = z.infer<typeof ServerMessage>;
