import { z } from 'zod';
import {
  CONTACT_PREFERENCES,
  DISPUTE_OUTCOMES,
  DRIVER_STATUSES,
  EXPORT_KINDS,
  INVOICE_STATUSES,
  JOB_PHOTO_KINDS,
  JOB_STATUSES,
  WAITLIST_STATUSES,
} from './enums';
import { intId, isoDateTime, lat, lng, moneyCents, phone, uuid } from './api';
import { FIELD_MAX } from './field-messages';
import { STORM_INTAKE_PROMISE_MAX, STORM_INTAKE_PROMISE_MIN } from './routes';

/**
 * Request schemas of the operator, dispatch, waitlist, billing and report endpoints
 * shared by the Worker and the web apps like contract/api.ts. Kept in their own
 * module so the auth and real-time work can grow api.ts without stepping on these.
 */

const text = (max: number) => z.string().trim().min(1).max(max);
/** Free text that may be cleared with `null`. */
const clearable = (max: number) => z.string().trim().max(max).nullable();
const limit = z.coerce.number().int().min(1).max(100).default(50);
const cursor = z.string().max(200).optional();

/** A comma list query value (`?status=a,b`) restricted to `values`. */
function commaList<const T extends readonly string[]>(values: T) {
  return z
    .string()
    .max(500)
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const parts = s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      for (const p of parts) {
        if (!(values as readonly string[]).includes(p)) {
          ctx.addIssue({ code: 'custom', message: `unknown value "${p.slice(0, 40)}"; one of ${values.join(', ')}` });
          return z.NEVER;
        }
      }
      return parts as T[number][];
    })
    .meta({ description: `Comma-separated, any of: ${values.join(', ')}.` });
}

const latLngTogether = { message: 'lat and lng go together', path: ['lat'] };
const bothOrNeither = (b: { lat?: number | undefined; lng?: number | undefined }) =>
  (b.lat === undefined) === (b.lng === undefined);

/** True for an IANA zone name the runtime knows ("America/New_York"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name);
  } catch {
    return false;
  }
}

/** An absolute https URL without credentials in it. */
export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** `https://host/...` on one of `hosts`, with a path (the account handle) and no credentials. */
export function isHttpsLinkOn(value: string, hosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    hosts.includes(url.hostname.toLowerCase()) &&
    url.pathname.length > 1 &&
    !url.username &&
    !url.password &&
    !url.port
  );
}

export const PAYPAL_HOSTS = ['paypal.me', 'www.paypal.me'] as const;
export const VENMO_HOSTS = ['venmo.com', 'www.venmo.com', 'account.venmo.com'] as const;

// ---- operator setup (admin) ----

/** Home base by address (geocoded) or by map pin (lat/lng, no geocoding); radius 1–50 mi. */
export const ServiceAreaBody = z
  .object({
    home_base_address: text(300),
    lat: lat.optional(),
    lng: lng.optional(),
    radius_miles: z.number().min(1, 'at least 1 mile').max(50, 'at most 50 miles'),
  })
  .refine(bothOrNeither, latLngTogether);

export const TierInput = z.object({
  /** Omit to add a tier. */
  id: intId.optional(),
  tier_label: text(60),
  price_cents: moneyCents,
  sort_order: z.number().int().min(1).max(100),
  is_active: z.boolean().default(true),
});

/**
 * The whole tier table as the wizard shows it: listed tiers are saved, tiers left out are
 * switched off (never deleted: jobs refer to them). At most six, at least one active.
 */
export const TiersBody = z
  .object({ tiers: z.array(TierInput).min(1).max(6, 'at most six tiers') })
  .superRefine((b, ctx) => {
    const ids = b.tiers.map((t) => t.id).filter((id) => id !== undefined);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: 'custom', message: 'a tier id appears twice', path: ['tiers'] });
    const active = b.tiers.filter((t) => t.is_active);
    if (active.length === 0)
      ctx.addIssue({ code: 'custom', message: 'keep at least one tier active', path: ['tiers'] });
    const orders = active.map((t) => t.sort_order);
    if (new Set(orders).size !== orders.length)
      ctx.addIssue({ code: 'custom', message: 'two active tiers share a sort_order', path: ['tiers'] });
  });

export const SettingsPatch = z.object({
  business_name: text(120).optional(),
  timezone: z
    .string()
    .trim()
    .max(64)
    .refine(isTimeZone, 'must be an IANA time zone such as America/New_York')
    .optional(),
  /** Off during a storm backlog: new requests join the waitlist (202). */
  accepting_jobs: z.boolean().optional(),
  /** Offer new jobs to the nearest available driver automatically. */
  auto_dispatch: z.boolean().optional(),
  /** Basis points: 625 = 6.25 %. */
  tax_rate_bps: z.number().int().min(0).max(10_000).optional(),
  quiet_hours_start: z.number().int().min(0).max(23).nullable().optional(),
  quiet_hours_end: z.number().int().min(0).max(23).nullable().optional(),
  /** Days after completion an invoice is due; 0: on receipt. */
  invoice_due_days: z.number().int().min(0).max(365).optional(),
  /** Payment terms printed on every invoice PDF; null clears them. */
  invoice_terms: z.string().trim().max(300).nullable().optional(),
  /** Storm-mode intake: how soon (minutes) the storm crew must reach an on-demand request. */
  storm_intake_promise_minutes: z.number().int().min(STORM_INTAKE_PROMISE_MIN).max(STORM_INTAKE_PROMISE_MAX).optional(),
  /** Drivers must take an "after" photo before finishing a job (a job's own setting wins). */
  require_after_photo: z.boolean().optional(),
  /** The office number customers call or text about a live job; null removes it. */
  public_phone: phone.nullable().optional(),
  /** Drivers may call or text a customer on their own number while the job is in their hands. */
  drivers_call_customers: z.boolean().optional(),
});

// ---- proof-of-service photos ----

/** A before/after photo already PUT to its upload URL (purpose `job_photo`), with the phone's stamps. */
export const JobPhotoBody = z
  .object({
    kind: z.enum(JOB_PHOTO_KINDS),
    url: z.string().trim().min(1).max(2000),
    /** The phone's clock when the picture was taken. */
    captured_at: isoDateTime.optional(),
    lat: lat.optional(),
    lng: lng.optional(),
    accuracy_m: z.number().min(0).max(100_000).optional(),
  })
  .refine(bothOrNeither, latLngTogether);
export type JobPhotoBody = z.infer<typeof JobPhotoBody>;

// ---- customers ----

export const CustomerPatch = z.object({
  full_name: text(FIELD_MAX.name).optional(),
  phone: phone.nullable().optional(),
  preferred_contact: z.enum(CONTACT_PREFERENCES).optional(),
  billing_address: clearable(300).optional(),
  /** Ticks (true) or withdraws (false) the SMS opt-in (contract/sms-consent.ts). */
  sms_consent: z.boolean().optional(),
});

export const LocationPatch = z
  .object({
    label: clearable(FIELD_MAX.locationLabel).optional(),
    address_line1: text(FIELD_MAX.addressLine).optional(),
    address_line2: clearable(FIELD_MAX.addressLine).optional(),
    city: text(FIELD_MAX.city).optional(),
    state_province: text(FIELD_MAX.stateProvince).optional(),
    postal_code: text(FIELD_MAX.postalCode).optional(),
    country: z.string().trim().length(2).toUpperCase().optional(),
    lat: lat.optional(),
    lng: lng.optional(),
    /** Only `true` means something: there is always exactly one default. */
    is_default: z.literal(true, { message: 'make another location the default instead' }).optional(),
  })
  .refine(bothOrNeither, latLngTogether);

export const CursorQuery = z.object({ cursor, limit });

export const CustomerJobsQuery = z.object({ status: commaList(JOB_STATUSES), cursor, limit });

// ---- jobs ----

/**
 * Admin edits; `final_price_cents` goes through the price-change log. A new tier or location
 * (one of the job's customer's own) re-quotes the job from the tier prices, logged likewise.
 */
export const JobPatchBody = z
  .object({
    special_instructions: clearable(FIELD_MAX.instructions).optional(),
    scheduled_for: isoDateTime.nullable().optional(),
    final_price_cents: moneyCents.optional(),
    /** This job's "after" photo: true requires it, false waives it, null follows the operator setting. */
    after_photo_required: z.boolean().nullable().optional(),
    driveway_tier_id: intId.optional(),
    location_id: uuid.optional(),
    expected_version: z.number().int().min(0).optional(),
  })
  .refine(
    (b) =>
      b.special_instructions !== undefined ||
      b.scheduled_for !== undefined ||
      b.final_price_cents !== undefined ||
      b.after_photo_required !== undefined ||
      b.driveway_tier_id !== undefined ||
      b.location_id !== undefined,
    {
      message:
        'nothing to change: send special_instructions, scheduled_for, final_price_cents, after_photo_required, driveway_tier_id or location_id',
      path: ['(body)'],
    },
  )
  .refine(
    (b) => b.final_price_cents === undefined || (b.driveway_tier_id === undefined && b.location_id === undefined),
    {
      message: 'a new tier or location sets the price from the tiers: send final_price_cents on its own',
      path: ['final_price_cents'],
    },
  );

/**
 * A customer's change of their own job before a driver sets out: the time, the
 * instructions, the tier or the location (one of their saved ones). A new tier or location
 * re-quotes the price.
 */
export const CustomerJobPatchBody = z
  .object({
    special_instructions: clearable(FIELD_MAX.instructions).optional(),
    scheduled_for: isoDateTime.nullable().optional(),
    driveway_tier_id: intId.optional(),
    location_id: uuid.optional(),
    expected_version: z.number().int().min(0).optional(),
  })
  .strict()
  .refine(
    (b) =>
      b.special_instructions !== undefined ||
      b.scheduled_for !== undefined ||
      b.driveway_tier_id !== undefined ||
      b.location_id !== undefined,
    {
      message: 'nothing to change: send scheduled_for, special_instructions, driveway_tier_id or location_id',
      path: ['(body)'],
    },
  );

export const ReassignBody = z.object({ driver_id: uuid, expected_version: z.number().int().min(0).optional() });

/**
 * An admin moving a job through the state machine by hand: advancing it for a driver whose
 * phone died, un-assigning it back to pending, marking a completed job disputed. The reason
 * goes into the job's history and the audit log.
 */
export const AdminJobStatusBody = z.object({
  status: z.enum(JOB_STATUSES),
  reason: z.string().trim().min(1).max(500).optional(),
  expected_version: z.number().int().min(0).optional(),
});

/** The most jobs one bulk action takes: a storm's board, not the whole season. */
export const BULK_JOBS_MAX = 100;

const bulkJobIds = z
  .array(uuid)
  .min(1, 'pick at least one job')
  .max(BULK_JOBS_MAX, `pick at most ${BULK_JOBS_MAX} jobs at a time`)
  .refine((ids) => new Set(ids).size === ids.length, 'names a job twice');

/**
 * A dispatcher's action on several board cards at once during a storm: assign them all to
 * one driver, or cancel them all with one reason. Each job goes through the same change as
 * its own assign or cancel would; the answer reports each job's outcome.
 */
export const BulkJobsBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('assign'), job_ids: bulkJobIds, driver_id: uuid }),
  z.object({ action: z.literal('cancel'), job_ids: bulkJobIds, reason: text(500) }),
]);
export type BulkJobsBody = z.infer<typeof BulkJobsBody>;

/** An admin opening a dispute on a completed job: the customer's complaint, in a sentence. */
export const DisputeBody = z.object({
  reason: text(500),
  expected_version: z.number().int().min(0).optional(),
});

/**
 * Settling a dispute (DISPUTE_OUTCOMES): `credited` names the amount given back, the other
 * outcomes take none.
 */
export const DisputeResolveBody = z
  .object({
    outcome: z.enum(DISPUTE_OUTCOMES),
    notes: text(1000).optional(),
    credit_cents: moneyCents.refine((n) => n > 0, 'must be more than zero').optional(),
    expected_version: z.number().int().min(0).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.outcome === 'credited' && b.credit_cents === undefined)
      ctx.addIssue({ code: 'custom', path: ['credit_cents'], message: 'a credit needs the amount given back' });
    if (b.outcome !== 'credited' && b.credit_cents !== undefined)
      ctx.addIssue({ code: 'custom', path: ['credit_cents'], message: 'only a credit takes an amount' });
  });
export type DisputeSettlement = z.infer<typeof DisputeResolveBody>;

// ---- drivers ----

const paypalLink = z
  .string()
  .trim()
  .max(200)
  .refine((v) => isHttpsLinkOn(v, PAYPAL_HOSTS), 'must be an https://paypal.me/<name> link');
const venmoLink = z
  .string()
  .trim()
  .max(200)
  .refine((v) => isHttpsLinkOn(v, VENMO_HOSTS), 'must be an https://venmo.com/<name> link');
/** An uploaded image in our R2 bucket (`/files/...`) or any https URL. */
const imageUrl = z
  .string()
  .trim()
  .max(2000)
  .refine(
    (v) => (/^\/files\/[\w./-]+$/.test(v) && !v.includes('..')) || isHttpsUrl(v),
    'must be an https URL or an uploaded /files/ path',
  );

export const DriverPatch = z.object({
  vehicle_type: clearable(40).optional(),
  vehicle_make: clearable(40).optional(),
  vehicle_model: clearable(40).optional(),
  vehicle_year: z.number().int().min(1950).max(2100).nullable().optional(),
  license_plate: clearable(20).optional(),
  service_radius_km: z.number().min(1).max(200).optional(),
  paypal_link: paypalLink.nullable().optional(),
  venmo_link: venmoLink.nullable().optional(),
  qr_image_url: imageUrl.nullable().optional(),
});

/** `?near=43.2,-71.5` → `{lat, lng}`. */
const nearPoint = z
  .string()
  .max(60)
  .transform((s, ctx) => {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s);
    const point = m ? { lat: Number(m[1]), lng: Number(m[2]) } : null;
    if (!point || !lat.safeParse(point.lat).success || !lng.safeParse(point.lng).success) {
      ctx.addIssue({ code: 'custom', message: 'must be "lat,lng", e.g. 43.2073,-71.5376' });
      return z.NEVER;
    }
    return point;
  })
  .meta({ description: 'A point, "lat,lng", e.g. 43.2073,-71.5376.' });

export const DriverListQuery = z
  .object({
    status: commaList(DRIVER_STATUSES),
    near: nearPoint.optional(),
    radius_km: z.coerce.number().positive().max(500).optional(),
  })
  .refine((q) => q.radius_km === undefined || q.near !== undefined, {
    message: 'radius_km needs near',
    path: ['radius_km'],
  });

// ---- waitlist ----

export const WaitlistQuery = z.object({ status: commaList(WAITLIST_STATUSES), cursor, limit });
export const WaitlistAssignBody = z.object({ driver_id: uuid });

// ---- invoices ----

export const InvoiceListQuery = z.object({
  status: commaList(INVOICE_STATUSES),
  customer_id: uuid.optional(),
  job_id: uuid.optional(),
  /** Only invoices issued at least this many days ago (how long a balance has been owed). */
  older_than_days: z.coerce.number().int().min(0).max(3650).optional(),
  cursor,
  limit,
});

export const VoidBody = z.object({ reason: z.string().trim().max(500).optional() });
export const RefundBody = z.object({
  amount_cents: moneyCents.refine((n) => n > 0, 'must be more than zero'),
  reason: z.string().trim().max(500).optional(),
});

// ---- admin reports ----

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'not a calendar date',
  );

/** Days in the operator's time zone, both inclusive; at most a year. */
/** A range of the operator's local days must be in order and at most a year (reports and exports). */
function checkDayRange(q: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (q.from && q.to && q.from > q.to)
    ctx.addIssue({ code: 'custom', message: 'from must not be after to', path: ['from'] });
  else if (q.from && q.to && Date.parse(q.to) - Date.parse(q.from) > 366 * 86_400_000)
    ctx.addIssue({ code: 'custom', message: 'at most 366 days', path: ['to'] });
}

export const ReportQuery = z.object({ from: day.optional(), to: day.optional() }).superRefine(checkDayRange);

/** A CSV export: invoices, payments or jobs for a range of local days (default the last 30). */
export const ExportQuery = z
  .object({ kind: z.enum(EXPORT_KINDS), from: day.optional(), to: day.optional() })
  .superRefine(checkDayRange);

export const BoardQuery = z.object({
  /** Finished columns (completed, cancelled, disputed) show this operator-local day; default today. */
  day: day.optional(),
  per_column: z.coerce.number().int().min(1).max(200).default(50),
});

export const AdminCustomersQuery = z.object({ q: z.string().trim().min(1).max(100).optional(), cursor, limit });

export type TiersBody = z.infer<typeof TiersBody>;
export type SettingsPatch = z.infer<typeof SettingsPatch>;
export type DriverPatch = z.infer<typeof DriverPatch>;
