import { z } from 'zod';
import { clientEventId, email, isoDateTime, LocationBody, moneyCents, phone, uuid } from './api';
import { CONTRACT_KINDS, CONTRACT_SLA_KINDS, CONTRACT_STATUSES, type JobStatus, type StormSkipReason } from './enums';

/**
 * Request schemas of storm operations: service contracts per customer location, phone-in
 * customers entered by the admin, and storm events. Shared by the Worker and the web apps.
 */

const text = (max: number) => z.string().trim().min(1).max(max);
/** Snow depth in inches, to the half inch a ruler gives. */
export const inches = z
  .number()
  .min(0)
  .max(120)
  .refine((n) => Number.isInteger(n * 2), 'use whole or half inches');
/** A calendar date, `YYYY-MM-DD`. */
export const calendarDate = z.iso.date({ message: 'must be a date, YYYY-MM-DD' });
/** A local time of day, `HH:MM` (24-hour). */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:MM (24-hour)');

export const InchBandBody = z.object({
  from_in: inches,
  /** Null: this band has no upper end ("8+ in"). */
  to_in: inches.nullable(),
  price_cents: moneyCents,
});

/** The terms of a contract, without the checks that tie fields together (see `ContractTerms`). */
const ContractFields = z.object({
  kind: z.enum(CONTRACT_KINDS),
  /** New contracts are `active` and `residential` unless said otherwise. */
  status: z.enum(CONTRACT_STATUSES).optional(),
  service_type: z.enum(['residential', 'commercial']).optional(),
  /** A storm at least this deep sends a plow. */
  trigger_depth_in: inches,
  per_push_price_cents: moneyCents.nullable().optional(),
  per_inch_bands: z.array(InchBandBody).min(1).max(10).nullable().optional(),
  seasonal_price_cents: moneyCents.nullable().optional(),
  installment_count: z.number().int().min(1).max(12).nullable().optional(),
  sla_kind: z.enum(CONTRACT_SLA_KINDS),
  /** `open_by`: open by this local time after the snow ends. */
  sla_open_by: timeOfDay.nullable().optional(),
  /** `within_hours`: open within this many hours of the snow ending. */
  sla_within_hours: z.number().int().min(1).max(72).nullable().optional(),
  season_start: calendarDate,
  season_end: calendarDate,
  /** For the driver: gate code, where to pile the snow. */
  driver_notes: z.string().trim().max(1000).nullable().optional(),
});

type Terms = z.infer<typeof ContractFields>;

/** The checks between fields, with the field each complaint belongs to. */
function checkTerms(c: Terms, ctx: z.RefinementCtx): void {
  const need = (field: keyof Terms, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
  if (c.kind === 'per_push' && c.per_push_price_cents == null)
    need('per_push_price_cents', 'a per-push contract needs its price');
  if (c.kind === 'seasonal') {
    if (c.seasonal_price_cents == null) need('seasonal_price_cents', 'a seasonal contract needs its price');
    if (c.installment_count == null) need('installment_count', 'a seasonal contract needs a number of installments');
  }
  if (c.kind === 'per_inch') {
    const bands = c.per_inch_bands ?? [];
    if (bands.length === 0) need('per_inch_bands', 'a per-inch contract needs its depth bands');
    for (const [i, b] of bands.entries()) {
      const last = i === bands.length - 1;
      if (b.to_in !== null && b.to_in <= b.from_in)
        need('per_inch_bands', `band ${i + 1} must end deeper than it starts`);
      if (last && b.to_in !== null) need('per_inch_bands', 'the last band must have no upper end (e.g. "8+ in")');
      if (!last && b.to_in === null) need('per_inch_bands', `only the last band may have no upper end`);
      if (!last && b.to_in !== bands[i + 1]!.from_in)
        need('per_inch_bands', `band ${i + 2} must start where band ${i + 1} ends`);
    }
    if (bands[0] && bands[0].from_in > c.trigger_depth_in)
      need('per_inch_bands', 'the first band must start at or below the trigger depth');
  }
  if (c.sla_kind === 'open_by' && !c.sla_open_by) need('sla_open_by', 'say by what time the property must be open');
  if (c.sla_kind === 'within_hours' && c.sla_within_hours == null)
    need('sla_within_hours', 'say within how many hours of the snow ending');
  if (c.season_end < c.season_start) need('season_end', 'the season must end on or after its first day');
}

/** A whole set of terms, checked together (a PATCH merged onto the stored contract). */
export const ContractTerms = ContractFields.superRefine(checkTerms);

/** The admin creates a contract for a customer's saved location. */
export const ContractBody = ContractFields.extend({
  customer_id: uuid,
  location_id: uuid,
  /** The customer agreed on the phone: record the acceptance now. */
  accepted_by_phone: z.boolean().optional(),
}).superRefine(checkTerms);

/** The admin edits terms; the result is checked as a whole. */
export const ContractPatch = ContractFields.partial()
  .extend({ accepted_by_phone: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');

export const ContractListQuery = z.object({
  customer_id: uuid.optional(),
  status: z.enum(CONTRACT_STATUSES).optional(),
});

/** A customer who phoned in: their account, reached by phone (email optional), and the property. */
export const AdminCustomerBody = z.object({
  full_name: text(120),
  phone,
  email: email.optional(),
  location: LocationBody,
});

/** An admin declares a storm; `client_event_id` makes a retried declaration count once. */
export const StormBody = z.object({
  name: text(80),
  started_at: isoDateTime,
  depth_in: inches,
  /** When the snow stopped or is forecast to stop; "within N hours" deadlines count from it. */
  snowfall_end_at: isoDateTime.optional(),
  client_event_id: clientEventId.optional(),
});

/** Raise the depth as it falls (never lower it), and/or say when the snow ends. */
export const StormDepthBody = z
  .object({ depth_in: inches.optional(), snowfall_end_at: isoDateTime.optional() })
  .refine((b) => b.depth_in !== undefined || b.snowfall_end_at !== undefined, 'send depth_in or snowfall_end_at');

export type ContractBody = z.infer<typeof ContractBody>;
export type ContractPatch = z.infer<typeof ContractPatch>;
export type StormBody = z.infer<typeof StormBody>;

/**
 * A storm's report (`GET /admin/storms/:id/summary`, and the email to the operator). `T` is
 * how a moment travels: a `Date` inside the Worker, an ISO string on the wire.
 */
export interface StormPropertyLine<T = string> {
  job_id: string;
  address: string;
  status: JobStatus;
  outcome: 'done' | 'skipped' | 'open';
  late: boolean;
  skip_reason: StormSkipReason | null;
  deadline_at: T | null;
  completed_at: T | null;
  minutes_on_site: number | null;
  revenue_cents: number;
}

export interface StormSummary<T = string> {
  properties: number;
  done: number;
  on_time: number;
  late: number;
  skipped: Record<StormSkipReason, number>;
  open: number;
  minutes_on_site: number;
  revenue_cents: number;
  lines: StormPropertyLine<T>[];
}
