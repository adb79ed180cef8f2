/**
 * PlowDispatch relational schema (ApexPlow architecture §3 and §6, plus what SPEC.md needs).
 *
 * Conventions:
 * - Property names ARE the column names (snake_case), so selected rows serialise straight
 *   to the snake_case JSON API. Columns are declared without an explicit name for that reason.
 * - Timestamps are `timestamptz` read as JS `Date` (JSON.stringify gives ISO-8601 UTC);
 *   drizzle's `mode: 'string'` would hand back Postgres' own text form ("2026-01-02 03:04:05+00").
 * - Every table carries a nullable `organization_id` (Phase-2 multi-tenant stub, no FK yet).
 * - Closed vocabularies are TEXT + CHECK (cheap to extend, unlike Postgres enums).
 * - Things drizzle-kit cannot express (partitioning, triggers, partition upkeep functions)
 *   live in hand-written migrations; see migrations/.
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  AUTH_TOKEN_PURPOSES,
  CONTACT_PREFERENCES,
  CONTRACT_KINDS,
  CONTRACT_SLA_KINDS,
  CONTRACT_STATUSES,
  DISPUTE_OUTCOMES,
  DRIVER_STATUSES,
  INVOICE_STATUSES,
  JOB_PHOTO_KINDS,
  JOB_SOURCES,
  JOB_EVENT_KINDS,
  JOB_STATUSES,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_STATUSES,
  PAYMENT_METHODS,
  ROLES,
  SERVICE_TYPES,
  STORM_STATUSES,
  SUBSCRIPTION_TIERS,
  WAITLIST_STATUSES,
} from '../contract/enums';
import { ACTIVE_JOB } from '../contract/job-status';
import { STORM_INTAKE_PROMISE_MINUTES } from '../contract/routes';
import type { InchBand } from '../contract/storm-rules';
import { geographyPoint } from './geo';
import { sqlList } from './sql-list';

// ---------------------------------------------------------------------------------------------
// Column helpers

const tstz = () => timestamp({ withTimezone: true, mode: 'date' });
const createdAt = () => tstz().notNull().defaultNow();
/** Kept current by the `set_updated_at()` trigger (migrations/0002), not by app code. */
const updatedAt = () => tstz().notNull().defaultNow();
/** Phase-2 multi-tenant stub: nullable, no FK. */
const organizationId = () => uuid();
const pk = () => uuid().primaryKey().defaultRandom();

/** `CHECK (col IN ('a','b',...))` from a vocabulary constant. */
function oneOf(name: string, col: AnyPgColumn, values: readonly string[]) {
  return check(name, sql`${col} IN (${sqlList(values)})`);
}

const nonNegative = (name: string, col: AnyPgColumn) => check(name, sql`${col} >= 0`);

// ---------------------------------------------------------------------------------------------
// Identity (§3.1–3.3)

export const users = pgTable(
  'users',
  {
    id: pk(),
    organization_id: organizationId(),
    /** Stored lowercased by the app; uniqueness is case-insensitive regardless. */
    email: text().notNull(),
    /**
     * Unique only once verified (`idx_users_phone_verified`): anyone may type any number,
     * and only the code texted to it proves whose it is, so an unverified number never
     * tells one account that another already has it.
     */
    phone: text(),
    password_hash: text().notNull(),
    role: text({ enum: ROLES }).notNull(),
    full_name: text().notNull(),
    is_active: boolean().notNull().default(true),
    email_verified_at: tstz(),
    phone_verified_at: tstz(),
    /** Base32 TOTP secret (admins must enrol; §6 Admin Security Hardening). */
    totp_secret: text(),
    totp_enabled_at: tstz(),
    /** The newest TOTP time step accepted (RFC 6238 §5.2): a code is good once, never again. */
    totp_last_step: integer(),
    sms_opt_out_at: tstz(),
    sms_consent_at: tstz(),
    /** Where the opt-in came from: the client IP of an in-app opt-in, `sms:START` for a texted one. */
    sms_consent_source: text(),
    /** The exact opt-in wording the person agreed to (contract/sms-consent.ts). */
    sms_consent_text: text(),
    /** Tokens issued before this instant are stale (password change / suspension). */
    password_changed_at: tstz(),
    suspended_at: tstz(),
    created_at: createdAt(),
    updated_at: updatedAt(),
    last_login_at: tstz(),
  },
  (t) => [
    uniqueIndex('idx_users_email').on(sql`lower(${t.email})`),
    index('idx_users_phone').on(t.phone),
    uniqueIndex('idx_users_phone_verified').on(t.phone).where(sql`${t.phone_verified_at} IS NOT NULL`),
    index('idx_users_role').on(t.role),
    oneOf('users_role_check', t.role, ROLES),
  ],
);

export const driver_profiles = pgTable(
  'driver_profiles',
  {
    id: pk(),
    organization_id: organizationId(),
    user_id: uuid()
      .notNull()
      .unique('driver_profiles_user_id_unique')
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text({ enum: DRIVER_STATUSES }).notNull().default('offline'),
    vehicle_type: text(),
    vehicle_make: text(),
    vehicle_model: text(),
    vehicle_year: integer(),
    license_plate: text(),
    service_radius_km: numeric({ precision: 6, scale: 2, mode: 'number' }).notNull().default(25),
    /** Hot path: written in ~15 s batches from the job Durable Object (SPEC §5). */
    current_location: geographyPoint(),
    location_updated_at: tstz(),
    paypal_link: text(),
    venmo_link: text(),
    qr_image_url: text(),
    rating_avg: numeric({ precision: 3, scale: 2, mode: 'number' }),
    rating_count: integer().notNull().default(0),
    notes: text(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('idx_driver_profiles_location').using('gist', t.current_location),
    /**
     * Auto-dispatch's nearest-driver search (worker/services/nearest-driver.ts): a KNN walk
     * over available drivers only stops at the first fit instead of sorting everyone in range.
     */
    index('idx_driver_profiles_available_location')
      .using('gist', t.current_location)
      .where(sql`${t.status} = 'available'`),
    index('idx_driver_profiles_status').on(t.status),
    oneOf('driver_profiles_status_check', t.status, DRIVER_STATUSES),
    check('driver_profiles_service_radius_check', sql`${t.service_radius_km} > 0`),
  ],
);

export const customer_profiles = pgTable(
  'customer_profiles',
  {
    id: pk(),
    organization_id: organizationId(),
    user_id: uuid()
      .notNull()
      .unique('customer_profiles_user_id_unique')
      .references(() => users.id, { onDelete: 'cascade' }),
    preferred_contact: text({ enum: CONTACT_PREFERENCES }).notNull().default('email'),
    billing_address: text(),
    stripe_customer_id: text(),
    subscription_tier: text({ enum: SUBSCRIPTION_TIERS }).notNull().default('standard'),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    oneOf('customer_profiles_preferred_contact_check', t.preferred_contact, CONTACT_PREFERENCES),
    oneOf('customer_profiles_subscription_tier_check', t.subscription_tier, SUBSCRIPTION_TIERS),
  ],
);

// ---------------------------------------------------------------------------------------------
// Locations, pricing, service area (§3.4, §3.9, §3.10)

export const service_locations = pgTable(
  'service_locations',
  {
    id: pk(),
    organization_id: organizationId(),
    customer_id: uuid()
      .notNull()
      .references(() => customer_profiles.id, { onDelete: 'cascade' }),
    label: text(),
    address_line1: text().notNull(),
    address_line2: text(),
    city: text().notNull(),
    state_province: text().notNull(),
    postal_code: text().notNull(),
    country: text().notNull().default('US'),
    coordinates: geographyPoint().notNull(),
    is_default: boolean().notNull().default(false),
    created_at: createdAt(),
    updated_at: updatedAt(),
    /** Soft delete: jobs and waitlist entries keep pointing at the row. */
    deleted_at: tstz(),
  },
  (t) => [
    index('idx_service_locations_customer_id').on(t.customer_id),
    index('idx_service_locations_coordinates').using('gist', t.coordinates),
  ],
);

export const pricing_config = pgTable(
  'pricing_config',
  {
    id: serial().primaryKey(),
    organization_id: organizationId(),
    tier_label: text().notNull(),
    price_cents: integer().notNull(),
    sort_order: integer().notNull(),
    is_active: boolean().notNull().default(true),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [nonNegative('pricing_config_price_cents_check', t.price_cents)],
);

export const service_area_config = pgTable(
  'service_area_config',
  {
    id: pk(),
    organization_id: organizationId(),
    home_base_address: text().notNull(),
    center_lat: numeric({ precision: 10, scale: 7, mode: 'number' }).notNull(),
    center_lng: numeric({ precision: 10, scale: 7, mode: 'number' }).notNull(),
    radius_miles: numeric({ precision: 5, scale: 2, mode: 'number' }).notNull(),
    /** Derived from center_lat/lng so radius checks can use ST_DWithin on an index. */
    center: geographyPoint().generatedAlwaysAs(
      sql`ST_SetSRID(ST_MakePoint("center_lng"::double precision, "center_lat"::double precision), 4326)::geography`,
    ),
    is_active: boolean().notNull().default(true),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('idx_service_area_config_center').using('gist', t.center),
    /** Phase 1: at most one active area per operator. */
    uniqueIndex('service_area_config_one_active')
      .on(sql`coalesce(${t.organization_id}, '00000000-0000-0000-0000-000000000000'::uuid)`)
      .where(sql`${t.is_active}`),
    check('service_area_config_radius_check', sql`${t.radius_miles} BETWEEN 1 AND 50`),
    check('service_area_config_center_lat_check', sql`${t.center_lat} BETWEEN -90 AND 90`),
    check('service_area_config_center_lng_check', sql`${t.center_lng} BETWEEN -180 AND 180`),
  ],
);

/** One row per operator: business-wide switches the admin portal edits. */
export const operator_settings = pgTable(
  'operator_settings',
  {
    id: pk(),
    organization_id: organizationId(),
    business_name: text().notNull().default('PlowDispatch'),
    /** IANA zone for quiet hours and daily reports. */
    timezone: text().notNull().default('America/New_York'),
    /** False during a storm backlog: new requests go to the waitlist (202). */
    accepting_jobs: boolean().notNull().default(true),
    auto_dispatch: boolean().notNull().default(false),
    tax_rate_bps: integer().notNull().default(0),
    /** Local hours [start, end) during which SMS is deferred; null disables quiet hours. */
    quiet_hours_start: smallint().default(21),
    quiet_hours_end: smallint().default(7),
    location_retention_days: integer().notNull().default(90),
    stale_driver_minutes: integer().notNull().default(10),
    /** Days after issue an invoice is due (0: on receipt); printed on the PDF. */
    invoice_due_days: integer().notNull().default(14),
    /** The operator's payment terms, printed at the foot of every invoice. */
    invoice_terms: text(),
    /**
     * Storm-mode intake: an on-demand request is taken only when the storm crew can be there
     * within this many minutes of the requested time (worker/services/storm-intake.ts).
     */
    storm_intake_promise_minutes: integer().notNull().default(STORM_INTAKE_PROMISE_MINUTES),
    /** Drivers must take an "after" photo before finishing a job (a job may waive or require it). */
    require_after_photo: boolean().notNull().default(true),
    /**
     * The number customers call or text about a live job (the office, never a driver's own
     * phone); E.164. Null: the live job page offers no call or text buttons.
     */
    public_phone: text(),
    /**
     * Drivers may call or text the customer of a job in their hands on the customer's own
     * number. Off: the driver app offers the office number instead.
     */
    drivers_call_customers: boolean().notNull().default(false),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    uniqueIndex('operator_settings_one_per_org').on(
      sql`coalesce(${t.organization_id}, '00000000-0000-0000-0000-000000000000'::uuid)`,
    ),
    check('operator_settings_tax_rate_check', sql`${t.tax_rate_bps} BETWEEN 0 AND 10000`),
    check('operator_settings_quiet_start_check', sql`${t.quiet_hours_start} BETWEEN 0 AND 23`),
    check('operator_settings_quiet_end_check', sql`${t.quiet_hours_end} BETWEEN 0 AND 23`),
    check('operator_settings_retention_check', sql`${t.location_retention_days} >= 1`),
    check('operator_settings_stale_driver_check', sql`${t.stale_driver_minutes} >= 1`),
    check('operator_settings_invoice_due_days_check', sql`${t.invoice_due_days} BETWEEN 0 AND 365`),
    check('operator_settings_storm_intake_promise_check', sql`${t.storm_intake_promise_minutes} BETWEEN 15 AND 1440`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Jobs (§3.5, §3.6, §3.11, §3.12)

export const jobs = pgTable(
  'jobs',
  {
    id: pk(),
    organization_id: organizationId(),
    customer_id: uuid()
      .notNull()
      .references(() => customer_profiles.id, { onDelete: 'restrict' }),
    driver_id: uuid().references(() => driver_profiles.id, { onDelete: 'restrict' }),
    location_id: uuid().references(() => service_locations.id, { onDelete: 'set null' }),
    /** Snapshot at creation: the saved location may change later. */
    job_address: text().notNull(),
    job_coordinates: geographyPoint().notNull(),
    status: text({ enum: JOB_STATUSES }).notNull().default('pending'),
    source: text({ enum: JOB_SOURCES }).notNull().default('customer'),
    service_type: text({ enum: SERVICE_TYPES }).notNull().default('residential'),
    driveway_tier_id: integer().references(() => pricing_config.id, { onDelete: 'restrict' }),
    special_instructions: text(),
    quoted_price_cents: integer(),
    final_price_cents: integer(),
    pricing_model: text().notNull().default('flat'),
    discount_cents: integer().notNull().default(0),
    requested_at: tstz().notNull().defaultNow(),
    /** Null means ASAP. */
    scheduled_for: tstz(),
    assigned_at: tstz(),
    /** When the assigned driver took the job on; cleared whenever the driver changes. */
    accepted_at: tstz(),
    arrived_at: tstz(),
    started_at: tstz(),
    completed_at: tstz(),
    cancelled_at: tstz(),
    cancellation_reason: text(),
    completion_photo_url: text(),
    completion_notes: text(),
    /** The admin's word for this job on the "after" photo: null follows the operator setting. */
    after_photo_required: boolean(),
    stripe_payment_intent_id: text(),
    /** Optimistic lock: `UPDATE ... WHERE id = $1 AND version = $2` makes the assignment race a 409. */
    version: integer().notNull().default(0),
    /** Idempotent create: a replayed request with the same id returns the original job. */
    client_event_id: text(),
    /** Set when the job was promoted from the waitlist. */
    waitlist_id: uuid().references((): AnyPgColumn => waitlist.id, { onDelete: 'set null' }),
    /** Storm jobs: the storm and the contract that made this job (one per pair, see below). */
    storm_id: uuid().references((): AnyPgColumn => storms.id, { onDelete: 'restrict' }),
    contract_id: uuid().references((): AnyPgColumn => service_contracts.id, { onDelete: 'restrict' }),
    /** When the contract's promise runs out ("open by 06:00", "within 4 hours"). */
    deadline_at: tstz(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('idx_jobs_customer_id_requested_at').on(t.customer_id, t.requested_at.desc()),
    index('idx_jobs_driver_id').on(t.driver_id),
    /** "Does this driver hold a live job?" — asked per candidate by the nearest-driver search. */
    index('idx_jobs_driver_id_active')
      .on(t.driver_id)
      .where(sql`${t.status} IN (${sqlList(ACTIVE_JOB)})`),
    index('idx_jobs_status_requested_at').on(t.status, t.requested_at),
    // The admin list's default order (newest first, id as tie-break; NULLS FIRST as ORDER BY
    // … DESC has it, or the planner cannot use the index): a scan of the index's
    // first rows instead of sorting every job of every season.
    index('idx_jobs_requested_at_id').on(t.requested_at.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('idx_jobs_scheduled_for').on(t.scheduled_for),
    index('idx_jobs_job_coordinates').using('gist', t.job_coordinates),
    uniqueIndex('jobs_customer_client_event_unique')
      .on(t.customer_id, t.client_event_id)
      .where(sql`${t.client_event_id} IS NOT NULL`),
    /** A storm makes at most one job per contract, however many declarations and raises race. */
    unique('jobs_storm_contract_unique').on(t.storm_id, t.contract_id),
    oneOf('jobs_status_check', t.status, JOB_STATUSES),
    oneOf('jobs_source_check', t.source, JOB_SOURCES),
    oneOf('jobs_service_type_check', t.service_type, SERVICE_TYPES),
    nonNegative('jobs_quoted_price_check', t.quoted_price_cents),
    nonNegative('jobs_final_price_check', t.final_price_cents),
    nonNegative('jobs_discount_check', t.discount_cents),
  ],
);

/** Append-only (trigger): one row per transition, written in the same transaction as `jobs`. */
export const job_status_events = pgTable(
  'job_status_events',
  {
    id: pk(),
    organization_id: organizationId(),
    job_id: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'restrict' }),
    kind: text({ enum: JOB_EVENT_KINDS }).notNull().default('transition'),
    previous_status: text({ enum: JOB_STATUSES }),
    new_status: text({ enum: JOB_STATUSES }).notNull(),
    /** Null for system events. */
    changed_by_user_id: uuid().references(() => users.id, { onDelete: 'restrict' }),
    /** Driver GPS at the time of the change. */
    coordinates: geographyPoint(),
    notes: text(),
    /** Device time of an offline action replayed later; created_at is server time. */
    recorded_at: tstz(),
    client_event_id: text(),
    created_at: createdAt(),
  },
  (t) => [
    index('idx_job_status_events_job_id').on(t.job_id, t.created_at),
    index('idx_job_status_events_coordinates').using('gist', t.coordinates),
    /** Exactly-once replay of offline status changes. */
    uniqueIndex('job_status_events_client_event_unique')
      .on(t.job_id, t.client_event_id)
      .where(sql`${t.client_event_id} IS NOT NULL`),
    oneOf('job_status_events_kind_check', t.kind, JOB_EVENT_KINDS),
    oneOf('job_status_events_previous_status_check', t.previous_status, JOB_STATUSES),
    oneOf('job_status_events_new_status_check', t.new_status, JOB_STATUSES),
  ],
);

/**
 * Proof-of-service photos: several "before" and "after" pictures per job, each with the
 * phone's capture time, the server's time and the GPS fix the phone had when it was taken.
 * The file itself is in R2 under `jobs/{job}/photos/…`.
 */
export const job_photos = pgTable(
  'job_photos',
  {
    id: pk(),
    organization_id: organizationId(),
    job_id: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'restrict' }),
    kind: text({ enum: JOB_PHOTO_KINDS }).notNull(),
    url: text().notNull(),
    taken_by_user_id: uuid().references(() => users.id, { onDelete: 'restrict' }),
    /** The phone's clock when the picture was taken. */
    captured_at: tstz(),
    coordinates: geographyPoint(),
    accuracy_m: numeric({ precision: 8, scale: 2, mode: 'number' }),
    created_at: createdAt(),
  },
  (t) => [
    index('idx_job_photos_job_id').on(t.job_id, t.created_at),
    /** Sending the same photo again (a retry) records it once. */
    uniqueIndex('job_photos_job_url_unique').on(t.job_id, t.url),
    oneOf('job_photos_kind_check', t.kind, JOB_PHOTO_KINDS),
  ],
);
export type JobPhoto = typeof job_photos.$inferSelect;

/** Append-only (trigger): every on-site / admin price override. */
export const job_price_changes = pgTable(
  'job_price_changes',
  {
    id: pk(),
    organization_id: organizationId(),
    job_id: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'restrict' }),
    changed_by_user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    old_price_cents: integer().notNull(),
    new_price_cents: integer().notNull(),
    /** Why, when it is not a plain override: "re-quoted: tier changed" after an edit of the job. */
    reason: text(),
    changed_at: tstz().notNull().defaultNow(),
  },
  (t) => [index('idx_job_price_changes_job_id').on(t.job_id)],
);

export const waitlist = pgTable(
  'waitlist',
  {
    id: pk(),
    organization_id: organizationId(),
    customer_id: uuid()
      .notNull()
      .references(() => customer_profiles.id, { onDelete: 'cascade' }),
    location_id: uuid().references(() => service_locations.id, { onDelete: 'set null' }),
    job_address: text().notNull(),
    job_coordinates: geographyPoint().notNull(),
    driveway_tier_id: integer().references(() => pricing_config.id, { onDelete: 'restrict' }),
    notes: text(),
    preferred_contact: text({ enum: CONTACT_PREFERENCES }),
    contact_phone: text(),
    contact_email: text(),
    status: text({ enum: WAITLIST_STATUSES }).notNull().default('waiting'),
    promoted_job_id: uuid().references((): AnyPgColumn => jobs.id, { onDelete: 'set null' }),
    promoted_at: tstz(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('idx_waitlist_customer_id').on(t.customer_id),
    index('idx_waitlist_status').on(t.status, t.created_at),
    index('idx_waitlist_job_coordinates').using('gist', t.job_coordinates),
    oneOf('waitlist_status_check', t.status, WAITLIST_STATUSES),
    oneOf('waitlist_preferred_contact_check', t.preferred_contact, CONTACT_PREFERENCES),
  ],
);

/**
 * GPS pings (§3.7). PARTITION BY RANGE (recorded_at) monthly — added by hand in the
 * migration; hence the (id, recorded_at) primary key. Partitions are managed by
 * `ensure_location_log_partitions(n)` / `drop_location_log_partitions_before(date)`.
 */
export const driver_location_log = pgTable(
  'driver_location_log',
  {
    id: bigserial({ mode: 'number' }).notNull(),
    organization_id: organizationId(),
    driver_id: uuid()
      .notNull()
      .references(() => driver_profiles.id, { onDelete: 'cascade' }),
    job_id: uuid().references(() => jobs.id, { onDelete: 'set null' }),
    coordinates: geographyPoint().notNull(),
    accuracy_m: numeric({ precision: 8, scale: 2, mode: 'number' }),
    /** Degrees clockwise from north. */
    heading: doublePrecision(),
    /** Metres per second. */
    speed: doublePrecision(),
    /** Device time of the fix (partition key). */
    recorded_at: tstz().notNull().defaultNow(),
    /** Server time the ping arrived. */
    received_at: tstz().notNull().defaultNow(),
    client_event_id: text(),
  },
  (t) => [
    primaryKey({ name: 'driver_location_log_pkey', columns: [t.id, t.recorded_at] }),
    index('idx_location_log_driver_id_recorded_at').on(t.driver_id, t.recorded_at.desc()),
    index('idx_location_log_job_id_recorded_at').on(t.job_id, t.recorded_at),
    // No spatial index: every read is by job or by driver (docs/decisions/0092).
  ],
);

// ---------------------------------------------------------------------------------------------
// Billing (§3.8 + payments)

export const invoices = pgTable(
  'invoices',
  {
    id: pk(),
    organization_id: organizationId(),
    /** The job billed; null for a seasonal contract's installment. */
    job_id: uuid().references(() => jobs.id, { onDelete: 'restrict' }),
    customer_id: uuid()
      .notNull()
      .references(() => customer_profiles.id, { onDelete: 'restrict' }),
    /** The seasonal installment billed: unique, so the cron issues each exactly once. */
    contract_installment_id: uuid()
      .unique('invoices_contract_installment_unique')
      .references((): AnyPgColumn => contract_installments.id, { onDelete: 'restrict' }),
    status: text({ enum: INVOICE_STATUSES }).notNull().default('draft'),
    subtotal_cents: integer().notNull(),
    tax_cents: integer().notNull().default(0),
    total_cents: integer().notNull(),
    stripe_invoice_id: text(),
    stripe_charge_id: text(),
    pdf_url: text(),
    /** R2 object key of the rendered PDF. */
    pdf_key: text(),
    notes: text(),
    issued_at: tstz(),
    due_at: tstz(),
    paid_at: tstz(),
    voided_at: tstz(),
    refunded_at: tstz(),
    refund_cents: integer(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    /** One live invoice per job; voided ones are kept for history. */
    uniqueIndex('invoices_job_id_live_unique').on(t.job_id).where(sql`${t.status} <> 'void'`),
    index('idx_invoices_customer_id').on(t.customer_id, t.created_at),
    oneOf('invoices_status_check', t.status, INVOICE_STATUSES),
    nonNegative('invoices_subtotal_check', t.subtotal_cents),
    nonNegative('invoices_tax_check', t.tax_cents),
    nonNegative('invoices_total_check', t.total_cents),
    nonNegative('invoices_refund_check', t.refund_cents),
    check('invoices_billed_thing_check', sql`${t.job_id} IS NOT NULL OR ${t.contract_installment_id} IS NOT NULL`),
  ],
);

/** Append-only (trigger): money actually collected; corrections are new rows, never edits. */
export const payments = pgTable(
  'payments',
  {
    id: pk(),
    organization_id: organizationId(),
    job_id: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'restrict' }),
    invoice_id: uuid().references(() => invoices.id, { onDelete: 'restrict' }),
    method: text({ enum: PAYMENT_METHODS }).notNull(),
    amount_cents: integer().notNull(),
    /** Null only for system-recorded payments (e.g. a future Stripe webhook). */
    recorded_by_user_id: uuid().references(() => users.id, { onDelete: 'restrict' }),
    recorded_at: tstz().notNull().defaultNow(),
    /** The driver app's id for an offline-queued payment: a replay records it once. */
    client_event_id: text(),
    /**
     * A reversal: the payment this row takes back (a driver's undo of a mis-tap), for minus
     * its amount. Sums over payments net it out; each payment is reversed at most once.
     */
    reverses_payment_id: uuid()
      .unique('payments_reverses_unique')
      .references((): AnyPgColumn => payments.id, { onDelete: 'restrict' }),
    created_at: createdAt(),
  },
  (t) => [
    index('idx_payments_job_id').on(t.job_id),
    uniqueIndex('payments_job_client_event_unique')
      .on(t.job_id, t.client_event_id)
      .where(sql`${t.client_event_id} IS NOT NULL`),
    index('idx_payments_recorded_at').on(t.recorded_at),
    oneOf('payments_method_check', t.method, PAYMENT_METHODS),
    check(
      'payments_amount_check',
      sql`(${t.reverses_payment_id} IS NULL AND ${t.amount_cents} >= 0) OR (${t.reverses_payment_id} IS NOT NULL AND ${t.amount_cents} < 0)`,
    ),
  ],
);

// ---------------------------------------------------------------------------------------------
// Notifications (outbox + delivery log)

export const notification_log = pgTable(
  'notification_log',
  {
    id: pk(),
    organization_id: organizationId(),
    user_id: uuid().references(() => users.id, { onDelete: 'set null' }),
    job_id: uuid().references(() => jobs.id, { onDelete: 'set null' }),
    /** e.g. 'job_assigned', 'driver_arrived'. */
    kind: text().notNull(),
    channel: text({ enum: NOTIFICATION_CHANNELS }).notNull(),
    recipient: text(),
    subject: text(),
    body: text().notNull(),
    status: text({ enum: NOTIFICATION_STATUSES }).notNull().default('queued'),
    provider: text(),
    provider_message_id: text(),
    attempts: integer().notNull().default(0),
    last_error: text(),
    /** Queue redeliveries and retries collapse onto one row. */
    idempotency_key: text().notNull().unique('notification_log_idempotency_key_unique'),
    /** Quiet-hours deferral: do not send before this instant. */
    send_after: tstz(),
    created_at: createdAt(),
    updated_at: updatedAt(),
    sent_at: tstz(),
    delivered_at: tstz(),
  },
  (t) => [
    index('idx_notification_log_status_created_at').on(t.status, t.created_at),
    index('idx_notification_log_user_id').on(t.user_id),
    index('idx_notification_log_provider_message_id').on(t.provider_message_id),
    oneOf('notification_log_channel_check', t.channel, NOTIFICATION_CHANNELS),
    oneOf('notification_log_status_check', t.status, NOTIFICATION_STATUSES),
  ],
);

export const push_subscriptions = pgTable(
  'push_subscriptions',
  {
    id: pk(),
    organization_id: organizationId(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    endpoint: text().notNull().unique('push_subscriptions_endpoint_unique'),
    p256dh: text().notNull(),
    auth: text().notNull(),
    created_at: createdAt(),
  },
  (t) => [index('idx_push_subscriptions_user_id').on(t.user_id)],
);

// ---------------------------------------------------------------------------------------------
// Auth (§6)

/** Rotated on every use; reuse of a rotated token revokes its whole family. */
export const refresh_tokens = pgTable(
  'refresh_tokens',
  {
    id: pk(),
    organization_id: organizationId(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 of the raw token. */
    token_hash: text().notNull().unique('refresh_tokens_token_hash_unique'),
    family_id: uuid().notNull(),
    replaced_by_id: uuid().references((): AnyPgColumn => refresh_tokens.id, { onDelete: 'set null' }),
    device_info: text(),
    ip: text(),
    created_at: createdAt(),
    last_used_at: tstz(),
    expires_at: tstz().notNull(),
    /** Null = still valid. */
    revoked_at: tstz(),
  },
  (t) => [index('idx_refresh_tokens_user_id').on(t.user_id), index('idx_refresh_tokens_family_id').on(t.family_id)],
);

/** One-time tokens (magic links, verification, resets, invites); stored hashed. */
export const auth_tokens = pgTable(
  'auth_tokens',
  {
    id: pk(),
    organization_id: organizationId(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text({ enum: AUTH_TOKEN_PURPOSES }).notNull(),
    token_hash: text().notNull().unique('auth_tokens_token_hash_unique'),
    expires_at: tstz().notNull(),
    used_at: tstz(),
    /** Wrong-code attempts (OTP-style purposes), to cap guessing. */
    attempts: integer().notNull().default(0),
    created_at: createdAt(),
  },
  (t) => [
    index('idx_auth_tokens_user_id_purpose').on(t.user_id, t.purpose),
    oneOf('auth_tokens_purpose_check', t.purpose, AUTH_TOKEN_PURPOSES),
  ],
);

/** TOTP recovery codes, hashed; each usable once. */
export const recovery_codes = pgTable(
  'recovery_codes',
  {
    id: pk(),
    organization_id: organizationId(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    code_hash: text().notNull(),
    used_at: tstz(),
    created_at: createdAt(),
  },
  (t) => [index('idx_recovery_codes_user_id').on(t.user_id)],
);

// ---------------------------------------------------------------------------------------------
// Operations

/** Admin actions (§6 "Audit logging"). */
export const audit_log = pgTable(
  'audit_log',
  {
    id: pk(),
    organization_id: organizationId(),
    actor_user_id: uuid().references(() => users.id, { onDelete: 'set null' }),
    action: text().notNull(),
    entity_type: text(),
    entity_id: text(),
    before: jsonb(),
    after: jsonb(),
    ip: text(),
    user_agent: text(),
    request_id: text(),
    created_at: createdAt(),
  },
  (t) => [
    index('idx_audit_log_created_at').on(t.created_at.desc()),
    index('idx_audit_log_entity').on(t.entity_type, t.entity_id),
  ],
);

/** Last run of each Cron Trigger task (also a cheap "already ran today" guard). */
export const cron_runs = pgTable('cron_runs', {
  name: text().primaryKey(),
  organization_id: organizationId(),
  last_started_at: tstz(),
  last_finished_at: tstz(),
  last_status: text(),
  last_error: text(),
});

// ---------------------------------------------------------------------------------------------
// Storm operations: service contracts and storm events

/** A customer location's winter contract: what triggers a visit, what it costs, the promise. */
export const service_contracts = pgTable(
  'service_contracts',
  {
    id: pk(),
    organization_id: organizationId(),
    customer_id: uuid()
      .notNull()
      .references(() => customer_profiles.id, { onDelete: 'restrict' }),
    location_id: uuid()
      .notNull()
      .references(() => service_locations.id, { onDelete: 'restrict' }),
    kind: text({ enum: CONTRACT_KINDS }).notNull(),
    status: text({ enum: CONTRACT_STATUSES }).notNull().default('active'),
    service_type: text({ enum: SERVICE_TYPES }).notNull().default('residential'),
    trigger_depth_in: numeric({ precision: 4, scale: 1, mode: 'number' }).notNull(),
    per_push_price_cents: integer(),
    /** `[{from_in, to_in, price_cents}]`, contiguous, the last open-ended (contract/storm-rules.ts). */
    per_inch_bands: jsonb().$type<InchBand[]>(),
    seasonal_price_cents: integer(),
    installment_count: smallint(),
    sla_kind: text({ enum: CONTRACT_SLA_KINDS }).notNull(),
    /** `HH:MM`, the operator's local time. */
    sla_open_by: text(),
    sla_within_hours: smallint(),
    season_start: date({ mode: 'string' }).notNull(),
    season_end: date({ mode: 'string' }).notNull(),
    driver_notes: text(),
    /** The customer's acceptance (in the app, or recorded by the admin for a phone-in). */
    accepted_at: tstz(),
    accepted_by_user_id: uuid().references(() => users.id, { onDelete: 'set null' }),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('idx_service_contracts_customer_id').on(t.customer_id),
    index('idx_service_contracts_location_id').on(t.location_id),
    oneOf('service_contracts_kind_check', t.kind, CONTRACT_KINDS),
    oneOf('service_contracts_status_check', t.status, CONTRACT_STATUSES),
    oneOf('service_contracts_service_type_check', t.service_type, SERVICE_TYPES),
    oneOf('service_contracts_sla_kind_check', t.sla_kind, CONTRACT_SLA_KINDS),
    check('service_contracts_trigger_check', sql`${t.trigger_depth_in} >= 0`),
    check('service_contracts_season_check', sql`${t.season_end} >= ${t.season_start}`),
    check(
      'service_contracts_price_check',
      sql`(${t.kind} <> 'per_push' OR ${t.per_push_price_cents} IS NOT NULL)
        AND (${t.kind} <> 'per_inch' OR ${t.per_inch_bands} IS NOT NULL)
        AND (${t.kind} <> 'seasonal' OR (${t.seasonal_price_cents} IS NOT NULL AND ${t.installment_count} >= 1))`,
    ),
    nonNegative('service_contracts_per_push_check', t.per_push_price_cents),
    nonNegative('service_contracts_seasonal_check', t.seasonal_price_cents),
  ],
);

/** A seasonal contract's payment schedule; the cron issues each due row's invoice once. */
export const contract_installments = pgTable(
  'contract_installments',
  {
    id: pk(),
    organization_id: organizationId(),
    contract_id: uuid()
      .notNull()
      .references(() => service_contracts.id, { onDelete: 'cascade' }),
    seq: smallint().notNull(),
    due_on: date({ mode: 'string' }).notNull(),
    amount_cents: integer().notNull(),
    created_at: createdAt(),
  },
  (t) => [
    unique('contract_installments_contract_seq_unique').on(t.contract_id, t.seq),
    index('idx_contract_installments_due_on').on(t.due_on),
    nonNegative('contract_installments_amount_check', t.amount_cents),
  ],
);

/** A storm event the admin declared; its depth only rises while it is active. */
export const storms = pgTable(
  'storms',
  {
    id: pk(),
    organization_id: organizationId(),
    name: text().notNull(),
    started_at: tstz().notNull(),
    depth_in: numeric({ precision: 4, scale: 1, mode: 'number' }).notNull(),
    /** Actual or forecast end of snowfall; "within N hours" deadlines count from it. */
    snowfall_end_at: tstz(),
    status: text({ enum: STORM_STATUSES }).notNull().default('active'),
    closed_at: tstz(),
    declared_by_user_id: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** A retried declaration with the same id finds this storm instead of making another. */
    client_event_id: text().unique('storms_client_event_unique'),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    /** One storm at a time per operator: two open storms would send two plows to one lot. */
    uniqueIndex('storms_one_active')
      .on(sql`coalesce(${t.organization_id}, '00000000-0000-0000-0000-000000000000'::uuid)`)
      .where(sql`${t.status} = 'active'`),
    index('idx_storms_started_at').on(t.started_at.desc()),
    oneOf('storms_status_check', t.status, STORM_STATUSES),
    check('storms_depth_check', sql`${t.depth_in} >= 0`),
  ],
);

/**
 * The storm plan (docs/decisions/0070): one row per planned job, its driver and place in
 * that driver's route. `first_eta` is the first estimate published for the job and is never
 * overwritten; `eta_error_seconds` (completed_at − first_eta) is written on completion.
 */
export const route_stops = pgTable(
  'route_stops',
  {
    job_id: uuid()
      .primaryKey()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    organization_id: organizationId(),
    driver_id: uuid()
      .notNull()
      .references(() => driver_profiles.id, { onDelete: 'cascade' }),
    /** 1-based place in the driver's open route. */
    position: integer().notNull(),
    planned_eta: tstz().notNull(),
    first_eta: tstz(),
    /** Pinned by the dispatcher: re-plans keep the driver (and the place) of a locked stop. */
    locked: boolean().notNull().default(false),
    planned_at: tstz().notNull().defaultNow(),
    eta_error_seconds: integer(),
  },
  (t) => [
    index('idx_route_stops_driver_position').on(t.driver_id, t.position),
    check('route_stops_position_check', sql`${t.position} >= 1`),
  ],
);

/**
 * A customer's complaint about a completed job and how it was settled (contract/enums
 * DISPUTE_OUTCOMES). At most one open dispute per job; the job's own status says whether
 * it is open (`disputed`) or settled (`completed` again).
 */
export const job_disputes = pgTable(
  'job_disputes',
  {
    id: pk(),
    organization_id: organizationId(),
    job_id: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'restrict' }),
    reason: text().notNull(),
    opened_by_user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    opened_at: tstz().notNull().defaultNow(),
    outcome: text({ enum: DISPUTE_OUTCOMES }),
    resolution_notes: text(),
    /** With `credited`: the amount given back. */
    credit_cents: integer(),
    /** With `re_service`: the no-charge job that goes back to the property. */
    follow_up_job_id: uuid().references((): AnyPgColumn => jobs.id, { onDelete: 'set null' }),
    resolved_by_user_id: uuid().references(() => users.id, { onDelete: 'restrict' }),
    resolved_at: tstz(),
  },
  (t) => [
    index('idx_job_disputes_job_id').on(t.job_id, t.opened_at),
    uniqueIndex('job_disputes_one_open').on(t.job_id).where(sql`${t.resolved_at} IS NULL`),
    oneOf('job_disputes_outcome_check', t.outcome, DISPUTE_OUTCOMES),
    nonNegative('job_disputes_credit_check', t.credit_cents),
  ],
);

export type JobDispute = typeof job_disputes.$inferSelect;
export type User = typeof users.$inferSelect;
export type DriverProfile = typeof driver_profiles.$inferSelect;
export type CustomerProfile = typeof customer_profiles.$inferSelect;
export type ServiceLocation = typeof service_locations.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type NewJob = typeof jobs.$inferInsert;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type JobStatusEvent = typeof job_status_events.$inferSelect;
export type Invoice = typeof invoices.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type PricingTier = typeof pricing_config.$inferSelect;
export type ServiceArea = typeof service_area_config.$inferSelect;
export type OperatorSettings = typeof operator_settings.$inferSelect;
export type WaitlistEntry = typeof waitlist.$inferSelect;
export type NotificationLogEntry = typeof notification_log.$inferSelect;
export type RefreshToken = typeof refresh_tokens.$inferSelect;
export type AuthToken = typeof auth_tokens.$inferSelect;
export type AuditLogEntry = typeof audit_log.$inferSelect;
export type ServiceContract = typeof service_contracts.$inferSelect;
export type ContractInstallment = typeof contract_installments.$inferSelect;
export type Storm = typeof storms.$inferSelect;
export type RouteStop = typeof route_stops.$inferSelect;
