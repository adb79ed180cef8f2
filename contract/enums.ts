/** Enumerations shared by the Worker, the Durable Objects and the web apps. */

export const ROLES = ['driver', 'customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const JOB_STATUSES = [
  'pending',
  'assigned',
  'en_route',
  'arrived',
  'in_progress',
  'completed',
  'cancelled',
  'disputed',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const DRIVER_STATUSES = ['offline', 'available', 'en_route', 'on_job', 'break'] as const;
export type DriverStatus = (typeof DRIVER_STATUSES)[number];

/** The statuses a driver may set by hand; en_route and on_job follow job status. */
export const DRIVER_SETTABLE_STATUSES = ['offline', 'available', 'break'] as const;

export const PAYMENT_METHODS = ['cash', 'card', 'paypal', 'venmo', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const CONTACT_PREFERENCES = ['email', 'sms', 'both', 'none'] as const;

/** What the admin portal exports as CSV for the operator's accountant. */
export const EXPORT_KINDS = ['invoices', 'payments', 'jobs'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** Job statuses in which a job is "live" (a room is open, GPS is streamed). */
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['assigned', 'en_route', 'arrived', 'in_progress'];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'cancelled', 'disputed'];

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
