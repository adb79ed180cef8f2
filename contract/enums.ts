/** Enumerations shared by the Worker, the Durable Objects and the web apps. */

export const ROLES = ['driver', 'customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The path a job takes when nothing goes wrong, in order (`HAPPY_PATH` in job-status.ts
 * gives it its uses), then the two ways off it.
 */
export const HAPPY_PATH_STATUSES = ['pending', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed'] as const;
export const JOB_STATUSES = [...HAPPY_PATH_STATUSES, 'cancelled', 'disputed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * What a row of a job's history records: a `transition` moves the status; `accepted` is
 * the assigned driver taking the job on (the status stays `assigned`).
 */
export const JOB_EVENT_KINDS = ['transition', 'accepted'] as const;
export type JobEventKind = (typeof JOB_EVENT_KINDS)[number];

export const DRIVER_STATUSES = ['offline', 'available', 'en_route', 'on_job', 'break'] as const;
export type DriverStatus = (typeof DRIVER_STATUSES)[number];

/** The statuses a driver may set by hand; en_route and on_job follow job status. */
export const DRIVER_SETTABLE_STATUSES = ['offline', 'available', 'break'] as const;

export const PAYMENT_METHODS = ['cash', 'card', 'paypal', 'venmo', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * An invoice's life: `draft` when the job completes, `sent` once mailed, `paid` when payments
 * cover it, `partially_refunded` / `refunded` after money went back, `void` when cancelled.
 */
export const INVOICE_STATUSES = ['draft', 'sent', 'paid', 'void', 'refunded', 'partially_refunded'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
/** Invoices still asking for money: payments may be recorded, the invoice voided. */
export const OPEN_INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'sent'];
/** Invoices with money taken that may still go back. */
export const REFUNDABLE_INVOICE_STATUSES: readonly InvoiceStatus[] = ['paid', 'partially_refunded'];

export const CONTACT_PREFERENCES = ['email', 'sms', 'both', 'none'] as const;
export type ContactPreference = (typeof CONTACT_PREFERENCES)[number];

export const SUBSCRIPTION_TIERS = ['standard', 'priority'] as const;
export type SubscriptionTier = (typeof SUBSCRIPTION_TIERS)[number];

/** Who asked for a job: the customer in the app, or the office on their behalf. */
export const JOB_SOURCES = ['customer', 'admin'] as const;
/** Proof-of-service photos: the property as found and as left. */
export const JOB_PHOTO_KINDS = ['before', 'after'] as const;
export type JobPhotoKind = (typeof JOB_PHOTO_KINDS)[number];
export const SERVICE_TYPES = ['residential', 'commercial'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const WAITLIST_STATUSES = ['waiting', 'promoted', 'expired', 'cancelled'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

export const NOTIFICATION_CHANNELS = ['sms', 'email', 'push', 'outbox'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export const NOTIFICATION_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'dead', 'skipped'] as const;

/** What a one-time token (link or code) is good for. */
export const AUTH_TOKEN_PURPOSES = [
  'magic_link',
  'verify_email',
  'verify_phone',
  'reset_password',
  'invite',
  'admin_enrol',
] as const;
export type TokenPurpose = (typeof AUTH_TOKEN_PURPOSES)[number];

/** What the admin portal exports as CSV for the operator's accountant. */
export const EXPORT_KINDS = ['invoices', 'payments', 'jobs'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

// ---- storm operations: service contracts and storm events ----

/**
 * How a contract is billed: `seasonal` is a flat price paid in installments (visits cost
 * nothing more), `per_push` a price per visit, `per_inch` a price per visit by snow-depth band.
 */
export const CONTRACT_KINDS = ['seasonal', 'per_push', 'per_inch'] as const;
export type ContractKind = (typeof CONTRACT_KINDS)[number];

/** A paused contract is skipped by storms (the customer is away, a dispute, unpaid). */
export const CONTRACT_STATUSES = ['active', 'paused'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** The promise on a contract: open by a local time of day, or within N hours of the snow ending. */
export const CONTRACT_SLA_KINDS = ['open_by', 'within_hours'] as const;
export type ContractSlaKind = (typeof CONTRACT_SLA_KINDS)[number];

export const STORM_STATUSES = ['active', 'closed'] as const;
export type StormStatus = (typeof STORM_STATUSES)[number];

/** Why a storm's property was not done, as the storm summary reports it. */
export const STORM_SKIP_REASONS = ['cancelled', 'not_reached'] as const;
export type StormSkipReason = (typeof STORM_SKIP_REASONS)[number];

// ---- disputes and proof of service ----

/**
 * How a disputed job is settled: `upheld` (the work stands as billed), `credited` (the
 * customer gets money back on the job's invoice), `re_service` (a driver goes back, at no
 * charge, as a new job for the same property). Every outcome closes the dispute and returns
 * the job to `completed`.
 */
export const DISPUTE_OUTCOMES = ['upheld', 'credited', 're_service'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];
