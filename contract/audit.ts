/**
 * What the audit log records. A service or route that writes its own row names one of
 * these actions; any other admin change is caught by the audit-trail middleware and
 * recorded by its route key (`POST /api/v1/jobs/:id/assign`). The admin portal words
 * both kinds (web/src/admin/strings.ts), so an action added here without words fails the
 * type check there.
 */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.password_changed',
  'auth.password_reset',
  'auth.recovery_code_used',
  'auth.refresh_token_reused',
  'auth.totp_enrolled',
  'auth.totp_replaced',
  'customer.account_deleted',
  'invoice.payment',
  'invoice.payment_undone',
  'invoice.refund',
  'invoice.resend',
  'invoice.void',
  'job.dispute',
  'job.dispute_resolve',
  'job.price_change',
  'job.status',
  'job.update',
  'pricing.update',
  'service_area.update',
  'settings.update',
  'user.activate',
  'user.invite',
  'user.invite_accepted',
  'user.invite_resent',
  'user.suspend',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The key of a changing route, as the audit-trail middleware records it. */
export type RouteAction = `${'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;
