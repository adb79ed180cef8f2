import { z } from 'zod';
import {
  INVOICE_STATUSES,
  WAITLIST_STATUSES,
  CONTRACT_KINDS,
  CONTRACT_SLA_KINDS,
  CONTRACT_STATUSES,
  DRIVER_STATUSES,
  JOB_EVENT_KINDS,
  JOB_PHOTO_KINDS,
  JOB_STATUSES,
  ROLES,
  STORM_STATUSES,
} from './enums';
import type { ErrorBody as ErrorBodyType } from './errors';

/**
 * Response shapes as zod schemas, for the OpenAPI document (worker/openapi/) and for clients
 * that want to parse an answer. Kept apart from contract/errors.ts so the web app, which
 * imports constants from there, does not pull zod into its bundle.
 */

/** The SPEC §4 error body; the check below keeps it equal to the `ErrorBody` interface. */
export const ErrorBody = z.object({
  error: z.object({
    code: z
      .string()
      .meta({ description: 'Machine-readable, e.g. validation_failed, invalid_transition, outside_service_area.' }),
    message: z.string().meta({ description: 'A sentence for a person.' }),
    details: z.unknown().optional().meta({
      description:
        '400 validation_failed: [{field, message}] per field; 409 invalid_transition: {allowed: [...]}; otherwise what the code needs.',
    }),
  }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const errorBodyMatches: Same<z.infer<typeof ErrorBody>, ErrorBodyType> = true;
void errorBodyMatches;

// ---- the objects the API answers with (SPEC §7) ----
// The web apps take their types from these with `import type` (z.infer), so the schemas
// cost their bundles nothing. Timestamps are ISO-8601 strings as they travel.

const when = z.string().meta({ description: 'ISO-8601 date-time' });
const jobStatus = z.enum(JOB_STATUSES);

export const SessionUser = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  full_name: z.string(),
});
export type SessionUser = z.infer<typeof SessionUser>;

/** The token response of SPEC §7 (login, register, refresh). */
export const TokenResponse = z.object({
  user: SessionUser,
  access_token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number().meta({ description: 'Seconds the access token stays valid.' }),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const Job = z.object({
  id: z.string(),
  status: jobStatus,
  customer_id: z.string(),
  driver_id: z.string().nullable(),
  location_id: z.string().nullable(),
  job_address: z.string(),
  lat: z.number(),
  lng: z.number(),
  driveway_tier_id: z.number(),
  quoted_price_cents: z.number().nullable(),
  final_price_cents: z.number().nullable(),
  special_instructions: z.string().nullable().optional(),
  requested_at: when,
  scheduled_for: when.nullable(),
  assigned_at: when.nullable(),
  /** When the assigned driver took the job on; null until then and after any reassignment. */
  accepted_at: when.nullable(),
  arrived_at: when.nullable(),
  started_at: when.nullable(),
  completed_at: when.nullable(),
  cancelled_at: when.nullable(),
  completion_photo_url: z.string().nullable(),
  version: z.number().optional(),
});
export type Job = z.infer<typeof Job>;

/** A before/after photo of a job: the phone's capture time, the server's time, the GPS fix. */
export const JobPhoto = z.object({
  id: z.string(),
  job_id: z.string(),
  kind: z.enum(JOB_PHOTO_KINDS),
  url: z.string(),
  captured_at: when.nullable(),
  server_time: when,
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  accuracy_m: z.number().nullable(),
});
export type JobPhoto = z.infer<typeof JobPhoto>;

/** `GET /jobs/:id/photos`: the photos and whether finishing needs an "after" one (and who says so). */
export const JobPhotos = z.object({
  photos: z.array(JobPhoto),
  after_photo: z.object({ required: z.boolean(), source: z.enum(['job', 'operator']) }),
});
export type JobPhotos = z.infer<typeof JobPhotos>;

export const ServiceLocation = z.object({
  id: z.string(),
  label: z.string().nullable(),
  address_line1: z.string(),
  address_line2: z.string().nullable(),
  city: z.string(),
  state_province: z.string(),
  postal_code: z.string(),
  lat: z.number(),
  lng: z.number(),
  is_default: z.boolean(),
});
export type ServiceLocation = z.infer<typeof ServiceLocation>;

export const PricingTier = z.object({
  id: z.number(),
  tier_label: z.string(),
  price_cents: z.number(),
  sort_order: z.number(),
});
export type PricingTier = z.infer<typeof PricingTier>;

export const Driver = z.object({
  id: z.string(),
  user_id: z.string(),
  full_name: z.string(),
  status: z.enum(DRIVER_STATUSES),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  location_updated_at: when.nullable(),
});
export type Driver = z.infer<typeof Driver>;

/** `GET /customers/me/jobs/:id/driver-location` (the polling fallback). */
export const DriverFix = z.object({
  lat: z.number(),
  lng: z.number(),
  accuracy: z.number().nullable(),
  heading: z.number().nullable().optional(),
  speed: z.number().nullable().optional(),
  recorded_at: when,
  received_at: when,
});
export type DriverFix = z.infer<typeof DriverFix>;

/** A request outside the service area, kept on the waitlist (`POST /jobs` answers 202). */
export const WaitlistEntry = z.looseObject({ id: z.string(), lat: z.number(), lng: z.number() });
export type WaitlistEntry = z.infer<typeof WaitlistEntry>;

/** The driver's truck as customers see it coming. */
const vehicle = {
  vehicle_type: z.string().nullable(),
  vehicle_make: z.string().nullable(),
  vehicle_model: z.string().nullable(),
  vehicle_year: z.number().nullable(),
  license_plate: z.string().nullable(),
};

/** `GET /drivers/me`: the profile the onboarding screen edits (`PATCH /drivers/me`). */
export const DriverProfile = Driver.extend({
  email: z.string().optional(),
  phone: z.string().nullable().optional(),
  ...vehicle,
  service_radius_km: z.number().nullable(),
  paypal_link: z.string().nullable(),
  venmo_link: z.string().nullable(),
  qr_image_url: z.string().nullable(),
});
export type DriverProfile = z.infer<typeof DriverProfile>;

/** `GET /customers/me/jobs/:id/contact`: who is coming (first name, truck, plate) and the office to call. */
export const JobContact = z.object({
  business_name: z.string(),
  phone: z.string().nullable(),
  live: z.boolean(),
  driver: z.object({ first_name: z.string(), ...vehicle }).nullable(),
});
export type JobContact = z.infer<typeof JobContact>;

/**
 * `GET /drivers/me/jobs/:id/contact`: who the driver calls or texts about a job in their
 * hands: the customer on their own number when the operator allows it, else the office.
 */
export const DriverJobContact = z.object({
  customer_first_name: z.string(),
  customer_phone: z.string().nullable(),
  office_phone: z.string().nullable(),
  live: z.boolean(),
});
export type DriverJobContact = z.infer<typeof DriverJobContact>;

export const StatusEvent = z.object({
  /** `transition` moves the status; `accepted` is the driver taking an assignment on. */
  kind: z.enum(JOB_EVENT_KINDS),
  previous_status: jobStatus.nullable(),
  new_status: jobStatus,
  changed_by_user_id: z.string().nullable(),
  notes: z.string().nullable(),
  created_at: when,
  recorded_at: when.nullable().optional(),
});
export type StatusEvent = z.infer<typeof StatusEvent>;

export const PriceChange = z.object({
  id: z.string(),
  job_id: z.string(),
  changed_by_user_id: z.string(),
  old_price_cents: z.number(),
  new_price_cents: z.number(),
  /** Why, when it is not a plain override: "re-quoted: tier changed". */
  reason: z.string().nullable(),
  changed_at: when,
});
export type PriceChange = z.infer<typeof PriceChange>;

export const Invoice = z.object({
  id: z.string(),
  job_id: z.string(),
  customer_id: z.string(),
  status: z.enum(INVOICE_STATUSES),
  subtotal_cents: z.number(),
  tax_cents: z.number(),
  total_cents: z.number(),
  issued_at: when.nullable(),
  paid_at: when.nullable().optional(),
  due_at: when.nullable().optional(),
  created_at: when,
  number: z.string().optional(),
  paid_cents: z.number().optional(),
  refund_cents: z.number().optional(),
  balance_due_cents: z.number().optional(),
  job_address: z.string().optional(),
  customer_name: z.string().optional(),
});
export type Invoice = z.infer<typeof Invoice>;

export const Payment = z.object({
  id: z.string(),
  job_id: z.string(),
  invoice_id: z.string().nullable(),
  method: z.string(),
  amount_cents: z.number(),
  recorded_at: when,
});
export type Payment = z.infer<typeof Payment>;

export const WaitlistItem = z.object({
  id: z.string(),
  customer_id: z.string(),
  location_id: z.string().nullable(),
  job_address: z.string(),
  lat: z.number(),
  lng: z.number(),
  driveway_tier_id: z.number().nullable(),
  notes: z.string().nullable(),
  status: z.enum(WAITLIST_STATUSES),
  promoted_job_id: z.string().nullable(),
  created_at: when,
  contact_email: z.string().nullable().optional(),
  contact_phone: z.string().nullable().optional(),
});
export type WaitlistItem = z.infer<typeof WaitlistItem>;

/** One card of the dispatch board (`GET /admin/board`). */
/**
 * One job's outcome in a bulk action: its new state, or why it was refused (the same code
 * and message its own assign or cancel would have answered).
 */
export const BulkJobOutcome = z.object({
  job_id: z.string(),
  ok: z.boolean(),
  status: z
    .number()
    .meta({ description: 'The HTTP status the single action would have answered: 200, 404, 409, 422…' }),
  job: Job.optional(),
  error: ErrorBody.shape.error.optional(),
});
export type BulkJobOutcome = z.infer<typeof BulkJobOutcome>;

export const BulkJobsResult = z.object({
  results: z.array(BulkJobOutcome).meta({ description: 'One per job asked for, in the order asked.' }),
  succeeded: z.number(),
  failed: z.number(),
});
export type BulkJobsResult = z.infer<typeof BulkJobsResult>;

export const BoardCard = z.object({
  id: z.string(),
  status: jobStatus,
  version: z.number(),
  customer_id: z.string(),
  customer_name: z.string(),
  driver_id: z.string().nullable(),
  driver_name: z.string().nullable(),
  job_address: z.string(),
  lat: z.number(),
  lng: z.number(),
  price_cents: z.number().meta({ description: 'What the job is charged at now: the override, else the quote.' }),
  special_instructions: z.string().nullable(),
  requested_at: when,
  scheduled_for: when.nullable(),
  assigned_at: when.nullable(),
  completed_at: when.nullable(),
  cancelled_at: when.nullable(),
  allowed_next: z
    .array(jobStatus)
    .meta({ description: 'The "Move to…" menu: statuses an admin may move this card to.' }),
  invoice_status: z.enum(INVOICE_STATUSES).nullable().optional(),
  balance_due_cents: z.number().nullable().optional(),
});
export type BoardCard = z.infer<typeof BoardCard>;

export const BoardColumn = z.object({
  status: jobStatus,
  count: z.number(),
  total_price_cents: z.number(),
  cards: z.array(BoardCard),
  truncated: z.boolean().meta({ description: 'True when `count` exceeds the cards shown.' }),
});
export type BoardColumn = z.infer<typeof BoardColumn>;

export const ServiceArea = z.object({
  id: z.string().optional(),
  home_base_address: z.string(),
  lat: z.number(),
  lng: z.number(),
  radius_miles: z.number(),
  is_active: z.boolean().optional(),
});
export type ServiceArea = z.infer<typeof ServiceArea>;

export const AdminTier = PricingTier.partial({ id: true }).extend({ is_active: z.boolean() });
export type AdminTier = z.infer<typeof AdminTier>;

export const OperatorSettings = z.object({
  business_name: z.string().nullable(),
  timezone: z.string(),
  accepting_jobs: z.boolean(),
  auto_dispatch: z.boolean(),
  tax_rate_bps: z.number(),
  storm_intake_promise_minutes: z.number().optional(),
  /** Drivers must take an "after" photo before finishing a job (a job's own setting wins). */
  require_after_photo: z.boolean().optional(),
  onboarded_at: when.nullable().optional(),
  /** The office number customers may call or text about a live job. */
  public_phone: z.string().nullable().optional(),
  drivers_call_customers: z.boolean().optional(),
});
export type OperatorSettings = z.infer<typeof OperatorSettings>;

const dayCounts = { requested: z.number(), completed: z.number(), cancelled: z.number() };

export const Dashboard = z.object({
  today: z.string(),
  jobs_by_status: z.record(jobStatus, z.number()),
  drivers_by_status: z.record(z.enum(DRIVER_STATUSES), z.number()),
  active_drivers: z.number(),
  waitlist_size: z.number(),
  today_revenue_cents: z.number(),
  today_payments: z.number(),
  today_jobs: z.object(dayCounts),
});
export type Dashboard = z.infer<typeof Dashboard>;

const jobTotals = { ...dayCounts, completed_value_cents: z.number() };

export const JobsReport = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ day: z.string(), ...jobTotals })),
  totals: z.object(jobTotals),
});
export type JobsReport = z.infer<typeof JobsReport>;

const moneyTotals = {
  collected_cents: z.number(),
  refunds_cents: z.number(),
  net_cents: z.number(),
  payments: z.number(),
  invoiced_cents: z.number(),
};

export const RevenueReport = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ day: z.string(), ...moneyTotals })),
  totals: z.object(moneyTotals),
  by_method: z.record(z.string(), z.number()),
});
export type RevenueReport = z.infer<typeof RevenueReport>;

export const CustomerSummary = z.looseObject({
  id: z.string(),
  user_id: z.string().optional(),
  full_name: z.string(),
  email: z.string(),
  phone: z.string().nullable().optional(),
  created_at: when.optional(),
  jobs_count: z.number().optional(),
});
export type CustomerSummary = z.infer<typeof CustomerSummary>;

export const CustomerProfile = z.looseObject({
  id: z.string(),
  full_name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  email_verified_at: when.nullable().optional(),
  phone_verified_at: when.nullable().optional(),
  preferred_contact: z.string().optional(),
  /** When they opted in to texts (null: no texts), and when they replied STOP (null: never, or START since). */
  sms_consent_at: when.nullable().optional(),
  sms_opt_out_at: when.nullable().optional(),
});
export type CustomerProfile = z.infer<typeof CustomerProfile>;

export const NotificationRow = z.object({
  id: z.string(),
  kind: z.string(),
  channel: z.string(),
  status: z.string(),
  recipient: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  provider: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: when,
  sent_at: when.nullable(),
});
export type NotificationRow = z.infer<typeof NotificationRow>;

export const AuditEntry = z.object({
  id: z.string(),
  created_at: when,
  action: z.string(),
  entity_type: z.string(),
  entity_id: z.string().nullable(),
  actor_email: z.string().nullable(),
  actor_name: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A service contract (`GET /admin/contracts`, `GET /customers/me/contracts`). */
export const Contract = z.object({
  id: z.string(),
  customer_id: z.string(),
  location_id: z.string(),
  customer_name: z.string().optional(),
  address: z.string(),
  location_label: z.string().nullable(),
  kind: z.enum(CONTRACT_KINDS),
  status: z.enum(CONTRACT_STATUSES),
  service_type: z.enum(['residential', 'commercial']),
  trigger_depth_in: z.number(),
  per_push_price_cents: z.number().nullable(),
  per_inch_bands: z
    .array(z.object({ from_in: z.number(), to_in: z.number().nullable(), price_cents: z.number() }))
    .nullable(),
  seasonal_price_cents: z.number().nullable(),
  installment_count: z.number().nullable(),
  sla_kind: z.enum(CONTRACT_SLA_KINDS),
  sla_open_by: z.string().nullable(),
  sla_within_hours: z.number().nullable(),
  season_start: z.string(),
  season_end: z.string(),
  driver_notes: z.string().nullable(),
  accepted_at: when.nullable(),
  installments: z.array(z.object({ seq: z.number(), due_on: z.string(), amount_cents: z.number() })),
});
export type Contract = z.infer<typeof Contract>;

/** A storm (`GET /admin/storms`); the list adds how many jobs it made and how many are done. */
export const Storm = z.object({
  id: z.string(),
  name: z.string(),
  started_at: when,
  depth_in: z.number(),
  snowfall_end_at: when.nullable(),
  status: z.enum(STORM_STATUSES),
  closed_at: when.nullable(),
  jobs: z.number().optional(),
  done: z.number().optional(),
});
export type Storm = z.infer<typeof Storm>;

/** A planned stop of a storm route, in driving order, with its estimated arrival. */
export const RouteStop = z.object({
  job_id: z.string(),
  position: z.number(),
  eta: when,
  locked: z.boolean(),
  status: z.enum(JOB_STATUSES),
  address: z.string(),
  deadline_at: when.nullable(),
  /** The estimate falls after the contract's deadline. */
  at_risk: z.boolean(),
});
export type RouteStop = z.infer<typeof RouteStop>;

/** A storm's open routes (`GET /admin/storms/:id/routes`, and the answer to a plan or a move). */
export const StormRoutes = z.object({
  routes: z.array(z.object({ driver_id: z.string(), stops: z.array(RouteStop) })),
  unassigned: z.array(z.object({ job_id: z.string(), reason: z.string() })),
});
export type StormRoutes = z.infer<typeof StormRoutes>;

/** One address a geocoder proposes for what was typed; choosing it fills the form's fields. */
export const AddressSuggestion = z.object({
  /** The whole address as the list shows it. */
  description: z.string(),
  address_line1: z.string(),
  city: z.string().nullable(),
  state_province: z.string().nullable(),
  postal_code: z.string().nullable(),
});
export type AddressSuggestion = z.infer<typeof AddressSuggestion>;

/** `GET /api/v1/addresses/suggest`: `provider` is null where no geocoder offers suggestions. */
export const AddressSuggestions = z.object({
  provider: z.enum(['google', 'nominatim']).nullable(),
  suggestions: z.array(AddressSuggestion),
});
export type AddressSuggestions = z.infer<typeof AddressSuggestions>;
