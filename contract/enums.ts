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
